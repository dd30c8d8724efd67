import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lockLeftBy } from '../testing/locks';
import { processesInside } from '../testing/processes';
import { withStageLock } from './stage-lock';

describe('withStageLock: two runs of one stage at once, and a killed run', () => {
  const REPO = join(__dirname, '..', '..', '..', '..');
  /** A separate process that holds the stage lock until the file `release` exists, recording when it held it. */
  function holder(buildDir: string, events: string, release: string) {
    const script = join(mkdtempSync(join(tmpdir(), 'fipskit-holder-')), 'holder.ts');
    writeFileSync(
      script,
      [
        `import { appendFileSync, existsSync } from 'node:fs';`,
        `import { withStageLock } from ${JSON.stringify(join(REPO, 'packages', 'core', 'src', 'locks', 'stage-lock'))};`,
        `void withStageLock(${JSON.stringify(buildDir)}, 'openssl', (l) => console.log(l), async () => {`,
        `  appendFileSync(${JSON.stringify(events)}, 'in ' + process.pid + '\\n');`,
        `  while (!existsSync(${JSON.stringify(release)})) await new Promise((r) => setTimeout(r, 20));`,
        `  appendFileSync(${JSON.stringify(events)}, 'out ' + process.pid + '\\n');`,
        `});`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, [join(REPO, 'tools', 'run-ts.js'), script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    child.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
    const done = new Promise<string>((resolve) => child.on('close', () => resolve(printed)));
    return { child, printed: () => printed, done };
  }

  /** A holder of the stage lock in a fresh directory, once it holds the lock; it lets go when `release` exists. */
  async function holding() {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-stage-'));
    const events = join(dir, 'events');
    const release = join(dir, 'release-first');
    writeFileSync(events, '');
    const first = holder(join(dir, 'build'), events, release);
    while (!readFileSync(events, 'utf8').includes('in ')) await sleep(50);
    return { dir, events, release, ...first };
  }

  it('the second process waits, saying for whom, and never runs inside the first', async () => {
    const { dir, events, release, child: first, done: firstDone } = await holding();
    writeFileSync(join(dir, 'release-second'), '');
    const second = holder(join(dir, 'build'), events, join(dir, 'release-second'));
    while (!second.printed().includes('waiting for')) await sleep(50);
    writeFileSync(release, '');
    const [, secondOut] = await Promise.all([firstDone, second.done]);
    expect(readFileSync(events, 'utf8').split('\n').filter(Boolean)).toEqual([
      `in ${first.pid}`,
      `out ${first.pid}`,
      `in ${second.child.pid}`,
      `out ${second.child.pid}`,
    ]);
    expect(secondOut).toContain(`[openssl] waiting for process ${first.pid} on ${hostname()}, which is running this stage in ${join(dir, 'build')}`);
  }, 30_000);

  it('a killed run leaves its lock behind; the next run takes it over and says it starts over', async () => {
    const { dir, child: killed, done: killedDone } = await holding();
    killed.kill('SIGKILL');
    await killedDone;
    expect(existsSync(join(dir, 'build', '.fipskit-lock'))).toBe(true);
    const printed: string[] = [];
    await expect(
      withStageLock(
        join(dir, 'build'),
        'openssl',
        (l) => printed.push(l),
        async () => 'ran',
      ),
    ).resolves.toBe('ran');
    expect(printed).toEqual([`[openssl] a previous run (process ${killed.pid} on ${hostname()}) was interrupted; starting over from a clean build directory`]);
    expect(existsSync(join(dir, 'build', '.fipskit-lock'))).toBe(false);
  }, 30_000);
});

describe('withStageLock: several runs racing for the lock of a killed run', () => {
  const REPO = join(__dirname, '..', '..', '..', '..');
  /**
   * A separate process that, once `go` names a moment, takes the stage lock at that moment (spinning to it, so
   * all racers start within a fraction of a millisecond), holds it a little and records when it held it.
   */
  function racer(buildDir: string, events: string, go: string) {
    const script = join(mkdtempSync(join(tmpdir(), 'fipskit-racer-')), 'racer.ts');
    writeFileSync(
      script,
      [
        `import { appendFileSync, existsSync, readFileSync } from 'node:fs';`,
        `import { withStageLock } from ${JSON.stringify(join(REPO, 'packages', 'core', 'src', 'locks', 'stage-lock'))};`,
        `const log = (line: string) => appendFileSync(${JSON.stringify(events)}, line + '\\n');`,
        `void (async () => {`,
        `  log('ready ' + process.pid);`,
        `  while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 5));`,
        `  const at = Number(readFileSync(${JSON.stringify(go)}, 'utf8'));`,
        `  while (performance.timeOrigin + performance.now() < at) { /* spin: start together */ }`,
        `  await withStageLock(${JSON.stringify(buildDir)}, 'openssl', (l) => console.log(l), async () => {`,
        `    log('in ' + process.pid);`,
        `    await new Promise((r) => setTimeout(r, 50));`,
        `    log('out ' + process.pid);`,
        `  });`,
        `})();`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, [join(REPO, 'tools', 'run-ts.js'), script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    child.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
    return new Promise<string>((resolve) => child.on('close', () => resolve(printed)));
  }

  it("exactly one of them takes the dead run's lock over, and they hold it one at a time", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-race-'));
    const buildDir = join(dir, 'build');
    // The lock of a killed run: its owner was a real process, now gone.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    lockLeftBy(join(buildDir, '.fipskit-lock'), { pid: Number(dead.stdout) });
    const events = join(dir, 'events');
    writeFileSync(events, '');
    const go = join(dir, 'go');
    const racers = Array.from({ length: 6 }, () => racer(buildDir, events, go));
    while (
      readFileSync(events, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('ready')).length < racers.length
    )
      await sleep(50);
    writeFileSync(go, String(Date.now() + 300));
    const printed = (await Promise.all(racers)).join('');

    const takeovers = printed.split('\n').filter((l) => l.includes('a previous run'));
    expect(takeovers).toEqual([
      `[openssl] a previous run (process ${dead.stdout} on ${hostname()}) was interrupted; starting over from a clean build directory`,
    ]);
    const held = readFileSync(events, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('in ') || l.startsWith('out '));
    expect(held).toHaveLength(2 * racers.length);
    for (let i = 0; i < held.length; i += 2) expect([held[i], held[i + 1]]).toEqual([expect.stringMatching(/^in \d+$/), held[i].replace('in ', 'out ')]);
    expect(readdirSync(buildDir)).toEqual([]);
  }, 60_000);
});

// Linux only: the stage's tool is a POSIX shell, signals are delivered as POSIX signals, and the tools left
// running are found through /proc (leftoverInside, processesInside).
(process.platform === 'linux' ? describe : describe.skip)('withStageLock: a stage interrupted while its tools compile', () => {
  const REPO = join(__dirname, '..', '..', '..', '..');
  /**
   * A stage in its own process, as Nx runs it: unpublished output in staging, and a real tool (a shell
   * with two children, like make with compilers) running in the build directory.
   */
  function stage(dir: string) {
    const script = join(dir, 'stage.ts');
    const core = (path: string) => JSON.stringify(join(REPO, 'packages', 'core', 'src', ...path.split('/')));
    writeFileSync(
      script,
      [
        `import { mkdirSync, writeFileSync } from 'node:fs';`,
        `import { withStageLock } from ${core('locks/stage-lock')};`,
        `import { createStaging, publishOutput } from ${core('output/owned-output')};`,
        `import { ToolRunner } from ${core('process/tool-runner')};`,
        `const build = ${JSON.stringify(join(dir, 'build'))};`,
        `void withStageLock(build, 'openssl', (l) => console.log(l), async () => {`,
        `  const staging = createStaging(${JSON.stringify(join(dir, 'out'))});`,
        `  writeFileSync(staging + '/libcrypto.so.3', 'half written');`,
        `  mkdirSync(build + '/obj', { recursive: true });`,
        `  await new ToolRunner().run({ program: 'sh', args: ['-c', 'sleep 300 & sleep 300 & wait'], cwd: build + '/obj', title: 'make' });`,
        `  publishOutput(staging, ${JSON.stringify(join(dir, 'out'))}, 'openssl');`,
        `});`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, [join(REPO, 'tools', 'run-ts.js'), script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    child.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; printed: string }>((done) =>
      child.on('close', (code, signal) => done({ code, signal, printed })),
    );
    return { child, exited };
  }

  /** The shell and its two children run in the build directory, and the lock has recorded the shell. */
  async function compiling(dir: string): Promise<void> {
    const record = join(dir, 'build', '.fipskit-lock', 'children.json');
    const recorded = () => existsSync(record) && JSON.parse(readFileSync(record, 'utf8')).length === 1;
    while (processesInside(join(dir, 'build')).length < 3 || !recorded()) await sleep(50);
  }

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s: the tools stop, the unfinished output and the lock are removed, and the next run says it starts over',
    async (signal, status) => {
      const dir = mkdtempSync(join(tmpdir(), 'fipskit-interrupt-'));
      const { child, exited } = stage(dir);
      await compiling(dir);
      child.kill(signal);
      const result = await exited;
      expect(result.code).toBe(status);
      expect(result.printed).toMatch(
        new RegExp(
          `\\[openssl\\] interrupted by ${signal}: stopped the running tools \\(processes \\d+\\) and removed the unfinished output \\(.*out\\.${child.pid}\\.fipskit-partial\\)\\. Nothing was published`,
        ),
      );
      expect(readdirSync(dir).sort()).toEqual(['build', 'stage.ts']);
      expect(existsSync(join(dir, 'build', '.fipskit-lock'))).toBe(false);
      expect(processesInside(join(dir, 'build'))).toEqual([]);
      const printed: string[] = [];
      await withStageLock(
        join(dir, 'build'),
        'openssl',
        (l) => printed.push(l),
        async () => 'ran',
      );
      expect(printed).toEqual([
        expect.stringMatching(
          new RegExp(`^\\[openssl\\] The previous run was interrupted by ${signal} at .*: it stopped the running tools .* Starting openssl over\\.$`),
        ),
      ]);
    },
    60_000,
  );

  it('SIGKILL: nothing can run in the killed process, so the next run stops the tools it left compiling before starting over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-interrupt-'));
    const { child, exited } = stage(dir);
    await compiling(dir);
    const tools = processesInside(join(dir, 'build'));
    child.kill('SIGKILL');
    await exited;
    // The orphaned tools still compile in the build directory.
    expect(processesInside(join(dir, 'build')).sort()).toEqual(tools.sort());
    const printed: string[] = [];
    await withStageLock(
      join(dir, 'build'),
      'openssl',
      (l) => printed.push(l),
      async () => 'ran',
    );
    expect(printed).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\[openssl\\] a previous run \\(process ${child.pid} on .*\\) was interrupted \\(stopped processes \\d+ it left running in the build directory\\); starting over`,
        ),
      ),
    ]);
    for (let i = 0; i < 40 && processesInside(join(dir, 'build')).length; i++) await sleep(50);
    expect(processesInside(join(dir, 'build'))).toEqual([]);
  }, 60_000);
});
