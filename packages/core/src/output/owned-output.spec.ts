import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withStageLock } from '../locks/stage-lock';
import { OUTPUT_MARKER, assertOutputIsOurs, buildOncePerTask, createStaging, nxTaskHash, publishOutput, readMarker, removeStaleStaging } from './owned-output';

describe('owned output directories', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'fipskit-out-'))));

  it('refuses a directory holding files fipskit did not create, and leaves them alone', () => {
    const out = join(root, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'thesis.docx'), 'precious');
    expect(() => assertOutputIsOurs(out, 'openssl')).toThrow(/thesis\.docx.*never deletes/);
    const staging = createStaging(out);
    expect(() => publishOutput(staging, out, 'openssl')).toThrow(/did not create/);
    expect(readFileSync(join(out, 'thesis.docx'), 'utf8')).toBe('precious');
  });

  it('accepts a missing or empty directory and replaces its own earlier output', () => {
    const out = join(root, 'out');
    assertOutputIsOurs(out, 'openssl');
    let staging = createStaging(out);
    writeFileSync(join(staging, 'first'), '1');
    publishOutput(staging, out, 'openssl');
    expect(existsSync(join(out, OUTPUT_MARKER))).toBe(true);
    staging = createStaging(out);
    writeFileSync(join(staging, 'second'), '2');
    publishOutput(staging, out, 'openssl');
    expect(readdirSync(out).sort()).toEqual([OUTPUT_MARKER, 'second']);
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('a publish that fails part way puts the previous output back: nothing is lost', () => {
    const out = join(root, 'out');
    const first = createStaging(out);
    writeFileSync(join(first, 'first'), '1');
    publishOutput(first, out, 'openssl');
    const second = createStaging(out);
    writeFileSync(join(second, 'second'), '2');
    // The staging directory is gone when its rename comes (moved by another program): the second rename fails.
    const moved = join(root, 'moved-away');
    renameSync(second, moved);
    expect(() => publishOutput(second, out, 'openssl')).toThrow(/ENOENT/);
    expect(readdirSync(out).sort()).toEqual([OUTPUT_MARKER, 'first']);
    expect(readdirSync(root).sort()).toEqual(['moved-away', 'out']);
  });

  // A real read-only file system (a tmpfs remounted read-only), where root's permissions do not help either.
  const readOnly = spawnSync('id', ['-u'], { encoding: 'utf8' }).stdout.trim() === '0' ? it : it.skip;
  readOnly('a read-only output directory is a sentence naming it, the cause and the fix, and the previous output stays', () => {
    const disk = mkdtempSync(join(tmpdir(), 'fipskit-ro-'));
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'fipskit-ro', disk]).status).toBe(0);
    try {
      const out = join(disk, 'dist', 'openssl');
      const earlier = createStaging(out);
      writeFileSync(join(earlier, 'libcrypto.so.3'), 'earlier');
      publishOutput(earlier, out, 'openssl');
      const staging = createStaging(out);
      expect(spawnSync('mount', ['-o', 'remount,ro', disk]).status).toBe(0);
      const sentence =
        `Cannot write the output ${out}: it is on a read-only file system (EROFS on ${join(disk, 'dist')}). Make ${join(disk, 'dist')} and ${out} writable ` +
        '(chmod/chown, remount read-write, or close the program holding them), or point outputPath (fipskit.json: outputDir) at a writable directory, ' +
        'and run the stage again. The previous output, if any, is unchanged.';
      expect(() => publishOutput(staging, out, 'openssl')).toThrow(sentence);
      expect(() => createStaging(out)).toThrow(/^Cannot write the output .*: it is on a read-only file system \(EROFS on /);
      expect(readFileSync(join(out, 'libcrypto.so.3'), 'utf8')).toBe('earlier');
    } finally {
      spawnSync('umount', ['-l', disk]);
      rmSync(disk, { recursive: true, force: true });
    }
  });

  it('removes only its own leftovers of killed runs', () => {
    const out = join(root, 'out');
    const dead = deadPid();
    mkdirSync(join(root, `out.${dead}.fipskit-partial`));
    mkdirSync(join(root, `out.${dead}.previous.fipskit-partial`));
    mkdirSync(join(root, 'out.user-backup'));
    expect(removeStaleStaging(out).sort()).toEqual([`out.${dead}.fipskit-partial`, `out.${dead}.previous.fipskit-partial`]);
    expect(readdirSync(root)).toEqual(['out.user-backup']);
  });

  it("leaves another output's staging whose name starts the same (the audit's out.audit), and a run still going", () => {
    const out = join(root, 'out');
    const running = spawn('sleep', ['30']);
    try {
      const audit = `out.audit.${deadPid()}.fipskit-partial`;
      mkdirSync(join(root, audit));
      mkdirSync(join(root, `out.${running.pid}.fipskit-partial`));
      expect(removeStaleStaging(out)).toEqual([]);
      expect(readdirSync(root).sort()).toEqual([`out.${running.pid}.fipskit-partial`, audit].sort());
    } finally {
      running.kill();
    }
  });
});

describe('two runs of one task at once', () => {
  const env = { NX_TASK_HASH: 'h1', NX_TASK_TARGET_PROJECT: 'p', NX_TASK_TARGET_TARGET: 'openssl' };
  const context = { projectName: 'p', targetName: 'openssl' };

  it('takes the task hash Nx gives this very task, and none when the cache is skipped or the task is another', () => {
    expect(nxTaskHash(context, env)).toBe('h1');
    expect(nxTaskHash(context, { ...env, NX_SKIP_NX_CACHE: 'true' })).toBeUndefined();
    expect(nxTaskHash({ ...context, targetName: 'python' }, env)).toBeUndefined();
    expect(nxTaskHash({ ...context, projectName: 'q' }, env)).toBeUndefined();
    expect(nxTaskHash(context, {})).toBeUndefined();
  });

  /** Both runs through the real stage lock: the first builds and publishes, the second waits for it. */
  async function twoRuns(firstHash: string | undefined, secondHash: string | undefined) {
    const root = mkdtempSync(join(tmpdir(), 'fipskit-once-'));
    const out = join(root, 'dist', 'openssl');
    const buildDir = join(root, 'build');
    const builds: string[] = [];
    const printed: string[] = [];
    const build = (who: string) => async () => {
      builds.push(who);
      const staging = createStaging(out);
      writeFileSync(join(staging, 'libcrypto.so.3'), who);
      publishOutput(staging, out, 'openssl');
    };
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const inside = new Promise<void>((resolve) => (started = resolve));
    const first = withStageLock(
      buildDir,
      'openssl',
      (l) => printed.push(l),
      async () => {
        started();
        await held;
        await buildOncePerTask(out, 'openssl', firstHash, (l) => printed.push(l), build('first'))();
      },
    );
    await inside;
    // The second run reads the output before it waits, as the executors do.
    const second = withStageLock(
      buildDir,
      'openssl',
      (l) => printed.push(l),
      buildOncePerTask(out, 'openssl', secondHash, (l) => printed.push(l), build('second')),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await Promise.all([first, second]);
    return { builds, printed: printed.join('\n'), out };
  }

  it('the second run of the same task takes the output the first published instead of building again', async () => {
    const { builds, printed, out } = await twoRuns('h1', 'h1');
    expect(builds).toEqual(['first']);
    expect(printed).toMatch(/waiting for .* which is running this stage/);
    expect(printed).toMatch(/another run of this task \(the same Nx hash\) published .* nothing built again/);
    expect(readFileSync(join(out, 'libcrypto.so.3'), 'utf8')).toBe('first');
    expect(readMarker(out)?.taskHash).toBe('h1');
  });

  it('a run of a different task, or one without a hash (--skip-nx-cache), builds its own', async () => {
    expect((await twoRuns('h1', 'h2')).builds).toEqual(['first', 'second']);
    expect((await twoRuns('h1', undefined)).builds).toEqual(['first', 'second']);
    const { builds, out } = await twoRuns(undefined, 'h1');
    expect(builds).toEqual(['first', 'second']);
    expect(readMarker(out)?.taskHash).toBe('h1');
  });

  it('an output of the same task that was there before this run started is built again (Nx asked for a build)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fipskit-once-'));
    const out = join(root, 'openssl');
    const staging = createStaging(out);
    publishOutput(staging, out, 'openssl');
    writeFileSync(join(out, OUTPUT_MARKER), JSON.stringify({ ...readMarker(out), taskHash: 'h1' }));
    let built = 0;
    await buildOncePerTask(
      out,
      'openssl',
      'h1',
      () => undefined,
      async () => void built++,
    )();
    expect(built).toBe(1);
  });
});

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync('true');
  return child.pid!;
}
