import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StageLog } from '../log/stage-log';
import { RecordingRunner } from '../process/recording-runner';
import { ToolRunner } from '../process/tool-runner';
import { SmallDisk, mountSmallDisk } from '../testing/small-disk';
import { applyFileOperation, executePlan } from './execute-plan';

describe('executePlan', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fipskit-plan-'))));

  it('runs steps in order, counting progress against the dry-run total', async () => {
    const runner = new RecordingRunner()
      .respond((c) => c.args[0] === '-n', { output: ['cc -c -o a.o a.c', 'cc -c -o b.o b.c', 'ar r x.a a.o'] })
      .respond((c) => c.program === 'make', { output: ['cc -c -o a.o a.c', 'cc -c -o b.o b.c', 'cc -shared -o x.so a.o'] });
    const printed: string[] = [];
    const performed: string[] = [];
    const log = new StageLog('t', join(dir, 'log'), 2, (l) => printed.push(l));
    await executePlan(
      {
        stage: 't',
        platform: 'linux',
        steps: [
          { kind: 'task', title: 'first', detail: '', perform: async () => void performed.push('first') },
          {
            kind: 'run',
            title: 'make',
            command: { program: 'make', args: ['all'], cwd: dir },
            progress: { unit: 'objects', countWith: { program: 'make', args: ['-n', 'all'], cwd: dir }, pattern: '(^|\\s)-c(\\s|$)' },
          },
        ],
      },
      runner,
      log,
    );
    expect(performed).toEqual(['first']);
    expect(runner.argv()).toEqual([
      ['make', '-n', 'all'],
      ['make', 'all'],
    ]);
    expect(printed.filter((l) => l.includes('objects'))).toEqual(['[t]     1/2 objects (50%)', '[t]     2/2 objects (100%)']);
    expect(printed.at(-1)).toMatch(/^\[t\] took [\d.]+ s: first [\d.]+ s, make [\d.]+ s$/);
  });

  it('stops at the first failing step', async () => {
    const runner = new RecordingRunner().respond(() => true, { exitCode: 2, output: ['boom'] });
    const after = jest.fn();
    const log = new StageLog('t', join(dir, 'log'), 2, () => undefined);
    await expect(
      executePlan(
        {
          stage: 't',
          platform: 'linux',
          steps: [
            { kind: 'run', title: 'x', command: { program: 'x', args: [], cwd: dir } },
            { kind: 'task', title: 'y', detail: '', perform: after },
          ],
        },
        runner,
        log,
      ),
    ).rejects.toThrow(/boom/);
    expect(after).not.toHaveBeenCalled();
  });
});

describe('executePlan: commands run alongside', () => {
  const node = (dir: string, script: string) => ({ program: process.execPath, args: ['-e', script], cwd: dir });
  const plan = (dir: string, first: string, second: string, after: string) => ({
    stage: 't',
    platform: 'linux',
    steps: [
      { kind: 'run' as const, title: 'both', command: node(dir, first), alongside: [node(dir, second)] },
      { kind: 'run' as const, title: 'after', command: node(dir, after) },
    ],
  });

  it('runs them side by side (real processes), and the next step only once all have ended', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-plan-'));
    // Each waits for the other's file: one after the other, neither could end.
    const waitFor = (mine: string, theirs: string) =>
      `require("fs").writeFileSync(${JSON.stringify(join(dir, mine))}, ""); const t = setInterval(() => require("fs").existsSync(${JSON.stringify(
        join(dir, theirs),
      )}) && (clearInterval(t), setTimeout(() => require("fs").writeFileSync(${JSON.stringify(join(dir, `${mine}.done`))}, ""), 50)), 10)`;
    const after = `process.exit(require("fs").existsSync(${JSON.stringify(join(dir, 'a.done'))}) && require("fs").existsSync(${JSON.stringify(join(dir, 'b.done'))}) ? 0 : 9)`;
    await executePlan(plan(dir, waitFor('a', 'b'), waitFor('b', 'a'), after), new ToolRunner(), new StageLog('t', join(dir, 'log'), 2, () => undefined));
    expect(existsSync(join(dir, 'a.done')) && existsSync(join(dir, 'b.done'))).toBe(true);
  });

  it('fails when one fails, after the other has ended, and runs nothing after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-plan-'));
    const slow = `setTimeout(() => require("fs").writeFileSync(${JSON.stringify(join(dir, 'slow.done'))}, ""), 300)`;
    const after = `require("fs").writeFileSync(${JSON.stringify(join(dir, 'after.ran'))}, "")`;
    const error = await executePlan(plan(dir, 'process.exit(4)', slow, after), new ToolRunner(), new StageLog('t', join(dir, 'log'), 2, () => undefined)).catch(
      (e) => e,
    );
    expect(String(error)).toMatch(/exited with code 4/);
    expect(existsSync(join(dir, 'slow.done'))).toBe(true);
    expect(existsSync(join(dir, 'after.ran'))).toBe(false);
  });
});

describe('applyFileOperation', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fipskit-ops-'))));
  // Windows files have no executable bit, and only an administrator (or Developer Mode) may create a symlink;
  // both operations come only from Linux and macOS plans.
  const posixOnly = process.platform === 'win32' ? it.skip : it;

  it('copies every file matching a pattern', () => {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a.h'), 'a');
    writeFileSync(join(dir, 'src', 'b.h'), 'b');
    writeFileSync(join(dir, 'src', 'c.c'), 'c');
    applyFileOperation({ op: 'copy', from: join(dir, 'src', '*.h'), to: join(dir, 'out', 'include') });
    expect(readFileSync(join(dir, 'out', 'include', 'b.h'), 'utf8')).toBe('b');
    expect(existsSync(join(dir, 'out', 'include', 'c.c'))).toBe(false);
  });

  posixOnly('keeps the executable bit of a copied file', () => {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'tool'), '#!/bin/sh');
    chmodSync(join(dir, 'src', 'tool'), 0o755);
    applyFileOperation({ op: 'copy', from: join(dir, 'src', 'tool'), to: join(dir, 'out', 'bin', 'tool') });
    expect(statSync(join(dir, 'out', 'bin', 'tool')).mode & 0o111).toBe(0o111);
  });

  it('fails loudly when the build did not produce what is copied', () => {
    expect(() => applyFileOperation({ op: 'copy', from: join(dir, 'nothing', '*.h'), to: join(dir, 'o') })).toThrow(/Nothing matches/);
    expect(() => applyFileOperation({ op: 'copy', from: join(dir, 'libcrypto.so.3'), to: join(dir, 'o') })).toThrow(/did not produce it/);
  });

  posixOnly('creates relative symlinks, replacing an old one, that stay links when moved', () => {
    const link = join(dir, 'lib', 'libcrypto.so');
    applyFileOperation({ op: 'symlink', target: 'libcrypto.so.3', to: link });
    applyFileOperation({ op: 'symlink', target: 'libcrypto.so.3', to: link });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('libcrypto.so.3');
    applyFileOperation({ op: 'move', from: join(dir, 'lib'), to: join(dir, 'moved', 'lib') });
    expect(lstatSync(join(dir, 'moved', 'lib', 'libcrypto.so')).isSymbolicLink()).toBe(true);
  });

  it('moves and removes', () => {
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib', 'libcrypto.so.3'), 'elf');
    applyFileOperation({ op: 'move', from: join(dir, 'lib'), to: join(dir, 'moved', 'lib') });
    expect(readFileSync(join(dir, 'moved', 'lib', 'libcrypto.so.3'), 'utf8')).toBe('elf');
    expect(existsSync(join(dir, 'lib'))).toBe(false);
    applyFileOperation({ op: 'remove', to: join(dir, 'moved') });
    expect(existsSync(join(dir, 'moved'))).toBe(false);
  });
});

// Linux only: a real tmpfs. The full-scope OpenSSL install, the Windows install and the full CPython install
// move `make install`'s tree from buildDir into staging beside the output; buildDir may be on another disk.
(process.platform === 'linux' ? describe : describe.skip)('applyFileOperation: a move from a buildDir on another file system (a real tmpfs)', () => {
  const disk = mountSmallDisk(4);
  const onOtherDisk = typeof disk === 'string' ? it.skip : it;
  if (typeof disk === 'string') it.todo(`cross-file-system moves: ${disk}`);
  afterAll(() => typeof disk !== 'string' && disk.unmount());

  onOtherDisk('moves the whole tree into staging on the main disk, keeping modes and relative links, and leaves nothing behind', () => {
    const buildDir = join((disk as SmallDisk).dir, 'build');
    const destDir = join(buildDir, 'destdir', 'opt', 'fips');
    mkdirSync(join(destDir, 'bin'), { recursive: true });
    mkdirSync(join(destDir, 'lib', 'ossl-modules'), { recursive: true });
    writeFileSync(join(destDir, 'bin', 'openssl'), '#!/bin/sh\n');
    chmodSync(join(destDir, 'bin', 'openssl'), 0o755);
    writeFileSync(join(destDir, 'lib', 'libcrypto.so.3'), 'elf');
    writeFileSync(join(destDir, 'lib', 'ossl-modules', 'fips.so'), 'module');
    symlinkSync('libcrypto.so.3', join(destDir, 'lib', 'libcrypto.so'));
    const outputParent = mkdtempSync(join(tmpdir(), 'fipskit-move-'));
    const staging = join(outputParent, 'openssl.1234.fipskit-partial');
    // The point of the test: the two ends are on different file systems, where rename() fails with EXDEV.
    expect(statSync(buildDir).dev).not.toBe(statSync(outputParent).dev);

    applyFileOperation({ op: 'move', from: destDir, to: staging });

    expect(readFileSync(join(staging, 'lib', 'ossl-modules', 'fips.so'), 'utf8')).toBe('module');
    expect(statSync(join(staging, 'bin', 'openssl')).mode & 0o777).toBe(0o755);
    expect(lstatSync(join(staging, 'lib', 'libcrypto.so')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(staging, 'lib', 'libcrypto.so'))).toBe('libcrypto.so.3');
    expect(existsSync(destDir)).toBe(false);
    rmSync(outputParent, { recursive: true, force: true });
  });
});
