import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pidNamespace } from '../process/pid-namespace';
import { processesInside } from '../testing/processes';
import { AbandonedLock, withCacheLock, withStageLock } from './cache-lock';

/** A lock left on disk as fipskit writes one; `namespace` defaults to this process's pid namespace. */
function lockLeftBy(lock: string, owner: { pid: number; namespace?: string; started?: string }) {
  mkdirSync(lock, { recursive: true });
  writeFileSync(join(lock, 'owner.json'), JSON.stringify({ host: hostname(), namespace: pidNamespace(), token: `t${Math.random()}`, ...owner }));
}
const NO_SUCH_PID = 2 ** 22 + 12345;

describe('withCacheLock', () => {
  const lockDir = () => join(mkdtempSync(join(tmpdir(), 'fipskit-lock-')), 'apt', 'lock');

  it('runs holders one after the other and releases the lock', async () => {
    const lock = lockDir();
    const events: string[] = [];
    const holder = (name: string) =>
      withCacheLock(lock, async () => {
        events.push(`${name} in`);
        await sleep(30);
        events.push(`${name} out`);
      }, { pollMs: 5 });
    await Promise.all([holder('a'), holder('b')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(lock)).toBe(false);
  });

  it('releases the lock when the work fails', async () => {
    const lock = lockDir();
    await expect(withCacheLock(lock, async () => Promise.reject(new Error('apt failed')))).rejects.toThrow('apt failed');
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose owner process is gone', async () => {
    const lock = lockDir();
    lockLeftBy(lock, { pid: NO_SUCH_PID });
    const abandoned: AbandonedLock[] = [];
    await expect(withCacheLock(lock, async () => 'ran', { timeoutMs: 1000, onAbandoned: (a) => abandoned.push(a) })).resolves.toBe('ran');
    expect(abandoned).toEqual([expect.objectContaining({ owner: `process ${NO_SUCH_PID} on ${hostname()}`, ownerSeenGone: true })]);
  });

  (process.platform === 'linux' ? it : it.skip)('takes over a lock whose pid the system has since given to another process (another start time)', async () => {
    const lock = lockDir();
    lockLeftBy(lock, { pid: process.pid, started: '1' });
    await expect(withCacheLock(lock, async () => 'ran', { timeoutMs: 1000 })).resolves.toBe('ran');
  });

  it('gives up on a live owner after the timeout, saying what to do', async () => {
    const lock = lockDir();
    lockLeftBy(lock, { pid: process.pid });
    await expect(withCacheLock(lock, async () => 'ran', { timeoutMs: 30, pollMs: 5 })).rejects.toThrow(
      new RegExp(`held .*lock .*\\(process ${process.pid} on [^ ]+\\)\\. .*delete that directory`),
    );
  });

  it('never takes a lock recorded in another pid namespace while its heartbeat moves, though its pid runs nothing here', async () => {
    const lock = lockDir();
    // Another container sharing the cache volume and the host name: its pid means nothing in this namespace.
    lockLeftBy(lock, { pid: NO_SUCH_PID, namespace: 'linux:another-boot-or-container:pid:[4026532999]' });
    let beat = 0;
    const heartbeat = setInterval(() => writeFileSync(join(lock, 'heartbeat'), String(++beat)), 20);
    const waits: string[] = [];
    try {
      await expect(withCacheLock(lock, async () => 'ran', { timeoutMs: 1500, pollMs: 10, staleMs: 300, onWait: (o) => waits.push(o) })).rejects.toThrow(
        /held .*lock for more than 2 s \(process \d+ on .* \(in another pid namespace or on another machine: fipskit cannot check it there, and takes the lock over once it has gone 300 ms without renewing it\)\)/,
      );
    } finally {
      clearInterval(heartbeat);
    }
    expect(waits).toHaveLength(1);
    expect(existsSync(join(lock, 'owner.json'))).toBe(true);
  });

  it('takes over a lock recorded in another pid namespace once its heartbeat has stopped for staleMs, though its pid runs here', async () => {
    const lock = lockDir();
    lockLeftBy(lock, { pid: process.pid, namespace: 'linux:another-boot-or-container:pid:[4026532999]' });
    const started = performance.now();
    const abandoned: AbandonedLock[] = [];
    await expect(withCacheLock(lock, async () => 'ran', { timeoutMs: 5000, pollMs: 10, staleMs: 400, onAbandoned: (a) => abandoned.push(a) })).resolves.toBe('ran');
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
    expect(abandoned).toEqual([expect.objectContaining({ ownerSeenGone: false })]);
  });
});

describe('withStageLock: two runs of one stage at once, and a killed run', () => {
  const REPO = join(__dirname, '..', '..', '..', '..');
  /** A separate process that holds the stage lock until the file `release` exists, recording when it held it. */
  function holder(buildDir: string, events: string, release: string) {
    const script = join(mkdtempSync(join(tmpdir(), 'fipskit-holder-')), 'holder.ts');
    writeFileSync(
      script,
      [
        `import { appendFileSync, existsSync } from 'node:fs';`,
        `import { withStageLock } from ${JSON.stringify(join(REPO, 'packages', 'core', 'src', 'sources', 'cache-lock'))};`,
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
    expect(readFileSync(events, 'utf8').split('\n').filter(Boolean)).toEqual([`in ${first.pid}`, `out ${first.pid}`, `in ${second.child.pid}`, `out ${second.child.pid}`]);
    expect(secondOut).toContain(`[openssl] waiting for process ${first.pid} on ${hostname()}, which is running this stage in ${join(dir, 'build')}`);
  }, 30_000);

  it('a killed run leaves its lock behind; the next run takes it over and says it starts over', async () => {
    const { dir, child: killed, done: killedDone } = await holding();
    killed.kill('SIGKILL');
    await killedDone;
    expect(existsSync(join(dir, 'build', '.fipskit-lock'))).toBe(true);
    const printed: string[] = [];
    await expect(withStageLock(join(dir, 'build'), 'openssl', (l) => printed.push(l), async () => 'ran')).resolves.toBe('ran');
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
        `import { withStageLock } from ${JSON.stringify(join(REPO, 'packages', 'core', 'src', 'sources', 'cache-lock'))};`,
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

  it('exactly one of them takes the dead run\'s lock over, and they hold it one at a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-race-'));
    const buildDir = join(dir, 'build');
    // The lock of a killed run: its owner was a real process, now gone.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    lockLeftBy(join(buildDir, '.fipskit-lock'), { pid: Number(dead.stdout) });
    const events = join(dir, 'events');
    writeFileSync(events, '');
    const go = join(dir, 'go');
    const racers = Array.from({ length: 6 }, () => racer(buildDir, events, go));
    while (readFileSync(events, 'utf8').split('\n').filter((l) => l.startsWith('ready')).length < racers.length) await sleep(50);
    writeFileSync(go, String(Date.now() + 300));
    const printed = (await Promise.all(racers)).join('');

    const takeovers = printed.split('\n').filter((l) => l.includes('a previous run'));
    expect(takeovers).toEqual([`[openssl] a previous run (process ${dead.stdout} on ${hostname()}) was interrupted; starting over from a clean build directory`]);
    const held = readFileSync(events, 'utf8').split('\n').filter((l) => l.startsWith('in ') || l.startsWith('out '));
    expect(held).toHaveLength(2 * racers.length);
    for (let i = 0; i < held.length; i += 2) expect([held[i], held[i + 1]]).toEqual([expect.stringMatching(/^in \d+$/), held[i].replace('in ', 'out ')]);
    expect(readdirSync(buildDir)).toEqual([]);
  }, 60_000);
});

// Linux, as root, with util-linux unshare: a real holder in a pid namespace of its own, as in another container.
const unshare = process.platform === 'linux' && process.getuid?.() === 0 ? spawnSync('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', 'true']) : undefined;
(unshare?.status === 0 ? describe : describe.skip)('withCacheLock: a holder in another pid namespace (unshare), whose pid 1 looks alive here', () => {
  const REPO = join(__dirname, '..', '..', '..', '..');
  it('is waited for while it renews the lock, and taken over once it was killed and its heartbeat stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-pidns-'));
    const lock = join(dir, 'cache', 'apt', 'fipskit.lock');
    const events = join(dir, 'events');
    writeFileSync(events, '');
    const script = join(dir, 'holder.ts');
    writeFileSync(
      script,
      [
        `import { appendFileSync } from 'node:fs';`,
        `import { withCacheLock } from ${JSON.stringify(join(REPO, 'packages', 'core', 'src', 'sources', 'cache-lock'))};`,
        `void withCacheLock(${JSON.stringify(lock)}, async () => {`,
        `  appendFileSync(${JSON.stringify(events)}, 'in ' + process.pid + '\\n');`,
        `  await new Promise((r) => setTimeout(r, 600_000));`,
        `}, { heartbeatMs: 100 });`,
      ].join('\n'),
    );
    const holder = spawn('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', process.execPath, join(REPO, 'tools', 'run-ts.js'), script], { stdio: 'inherit' });
    const holderGone = new Promise((resolve) => holder.on('close', resolve));
    try {
      while (!readFileSync(events, 'utf8').includes('in ')) await sleep(50);
      const recorded = JSON.parse(readFileSync(join(lock, 'owner.json'), 'utf8'));
      // In its own pid namespace the holder is process 1, and process 1 runs here too.
      expect(recorded).toMatchObject({ pid: 1, host: hostname() });
      expect(recorded.namespace).not.toBe(pidNamespace());

      const waits: string[] = [];
      const abandoned: AbandonedLock[] = [];
      let entered = false;
      const waiter = withCacheLock(lock, async () => void (entered = true), { pollMs: 50, staleMs: 1500, timeoutMs: 20_000, onWait: (o) => waits.push(o), onAbandoned: (a) => abandoned.push(a) });
      await sleep(3000);
      expect(entered).toBe(false);
      expect(waits).toEqual([expect.stringMatching(/^process 1 on .* \(in another pid namespace or on another machine: fipskit cannot check it there, and takes the lock over once it has gone 2 s without renewing it\)$/)]);

      holder.kill('SIGKILL');
      await holderGone;
      const killedAt = performance.now();
      await waiter;
      expect(entered).toBe(true);
      expect(performance.now() - killedAt).toBeGreaterThanOrEqual(1000);
      expect(abandoned).toEqual([expect.objectContaining({ owner: expect.stringMatching(/^process 1 on /), ownerSeenGone: false })]);
      expect(readdirSync(dirname(lock))).toEqual([]);
    } finally {
      holder.kill('SIGKILL');
    }
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
        `import { withStageLock } from ${core('sources/cache-lock')};`,
        `import { createStaging, publishOutput } from ${core('output/owned-output')};`,
        `import { ExecaRunner } from ${core('process/execa-runner')};`,
        `const build = ${JSON.stringify(join(dir, 'build'))};`,
        `void withStageLock(build, 'openssl', (l) => console.log(l), async () => {`,
        `  const staging = createStaging(${JSON.stringify(join(dir, 'out'))});`,
        `  writeFileSync(staging + '/libcrypto.so.3', 'half written');`,
        `  mkdirSync(build + '/obj', { recursive: true });`,
        `  await new ExecaRunner().run({ program: 'sh', args: ['-c', 'sleep 300 & sleep 300 & wait'], cwd: build + '/obj', title: 'make' });`,
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
  ] as const)('%s: the tools stop, the unfinished output and the lock are removed, and the next run says it starts over', async (signal, status) => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-interrupt-'));
    const { child, exited } = stage(dir);
    await compiling(dir);
    child.kill(signal);
    const result = await exited;
    expect(result.code).toBe(status);
    expect(result.printed).toMatch(new RegExp(`\\[openssl\\] interrupted by ${signal}: stopped the running tools \\(processes \\d+\\) and removed the unfinished output \\(.*out\\.${child.pid}\\.fipskit-partial\\)\\. Nothing was published`));
    expect(readdirSync(dir).sort()).toEqual(['build', 'stage.ts']);
    expect(existsSync(join(dir, 'build', '.fipskit-lock'))).toBe(false);
    expect(processesInside(join(dir, 'build'))).toEqual([]);
    const printed: string[] = [];
    await withStageLock(join(dir, 'build'), 'openssl', (l) => printed.push(l), async () => 'ran');
    expect(printed).toEqual([expect.stringMatching(new RegExp(`^\\[openssl\\] The previous run was interrupted by ${signal} at .*: it stopped the running tools .* Starting openssl over\\.$`))]);
  }, 60_000);

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
    await withStageLock(join(dir, 'build'), 'openssl', (l) => printed.push(l), async () => 'ran');
    expect(printed).toEqual([expect.stringMatching(new RegExp(`^\\[openssl\\] a previous run \\(process ${child.pid} on .*\\) was interrupted \\(stopped processes \\d+ it left running in the build directory\\); starting over`))]);
    for (let i = 0; i < 40 && processesInside(join(dir, 'build')).length; i++) await sleep(50);
    expect(processesInside(join(dir, 'build'))).toEqual([]);
  }, 60_000);
});

