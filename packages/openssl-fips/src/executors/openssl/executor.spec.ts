import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { RecordingRunner } from '@fipskit/core';
import openSslBuildExecutor from './executor';

function workspace(lock: object) {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-ossl-'));
  mkdirSync(join(root, 'dist', 'p', 'sources'), { recursive: true });
  writeFileSync(join(root, 'dist', 'p', 'sources', 'openssl.source.json'), JSON.stringify(lock));
  return { root, context: { root, projectName: 'p' } as ExecutorContext };
}
const lock = {
  product: 'openssl',
  version: '3.0.22',
  origin: 'url',
  sha256: 'a'.repeat(64),
  fileName: 'openssl-3.0.22.tar.gz',
  location: 'https://example.invalid/openssl-3.0.22.tar.gz',
  verification: 'pinned',
};
const options = { sourceLock: 'dist/p/sources/openssl.source.json', outputPath: 'dist/p/openssl' };

describe('openssl build executor', () => {
  it('refuses an output directory holding files it did not create before running anything, and keeps them', async () => {
    const { root, context } = workspace(lock);
    mkdirSync(join(root, 'dist', 'p', 'openssl'), { recursive: true });
    writeFileSync(join(root, 'dist', 'p', 'openssl', 'keep.me'), 'user data');
    const runner = new RecordingRunner();
    const printed: string[] = [];
    expect(await openSslBuildExecutor(options, context, { runner, print: (l) => printed.push(l) })).toEqual({ success: false });
    expect(printed.join('\n')).toMatch(/keep\.me.*never deletes/);
    expect(runner.commands).toHaveLength(0);
    expect(readFileSync(join(root, 'dist', 'p', 'openssl', 'keep.me'), 'utf8')).toBe('user data');
  });

  it('refuses OpenSSL 1.1.1 from the lock before running anything', async () => {
    const { context } = workspace({ ...lock, version: '1.1.1w' });
    const runner = new RecordingRunner();
    const printed: string[] = [];
    expect(await openSslBuildExecutor(options, context, { runner, print: (l) => printed.push(l) })).toEqual({ success: false });
    expect(printed.join('\n')).toMatch(/1\.1\.1w/);
    expect(runner.commands).toHaveLength(0);
  });

  it('explains a missing source lock', async () => {
    const { context } = workspace(lock);
    const printed: string[] = [];
    await openSslBuildExecutor({ ...options, sourceLock: 'nowhere.json' }, context, { runner: new RecordingRunner(), print: (l) => printed.push(l) });
    expect(printed.join('\n')).toMatch(/does not exist.*"sources" target/);
  });

  // A real build is for this machine's platform only, so the preflight is the host's.
  const host =
    process.platform === 'win32'
      ? { missing: ['jom', 'nmake'], message: /nmake not found: it comes with the MSVC environment/, probed: ['perl', 'cl', 'jom', 'nmake', 'nasm'] }
      : { missing: ['make'], message: /make not found on PATH/, probed: ['perl', 'make', process.platform === 'linux' ? 'gcc' : 'cc'] };

  it('stops at the preflight when a tool is missing, with nothing written', async () => {
    const { root, context } = workspace(lock);
    const runner = new RecordingRunner().respond((c) => host.missing.includes(c.program), { exitCode: 127 });
    const printed: string[] = [];
    expect((await openSslBuildExecutor(options, context, { runner, print: (l) => printed.push(l) })).success).toBe(false);
    expect(printed.join('\n')).toMatch(host.message);
    expect(runner.commands.map((c) => c.program)).toEqual(host.probed);
    expect(() => readFileSync(join(root, 'dist', 'p', 'openssl', '.fipskit-output.json'))).toThrow();
  });

  it('prints the Windows plan on any host with dryRun, running nothing', async () => {
    const { context } = workspace(lock);
    const runner = new RecordingRunner();
    const printed: string[] = [];
    expect(await openSslBuildExecutor({ ...options, platform: 'win32', dryRun: true }, context, { runner, print: (l) => printed.push(l) })).toEqual({
      success: true,
    });
    const text = printed.join('\n');
    expect(text).toContain(
      '$ perl C:\\workspace\\tmp\\fipskit\\p\\openssl\\src\\Configure VC-WIN64A enable-fips no-tests no-uplink "--prefix=C:\\Program Files\\fipskit\\openssl-3.0.22"',
    );
    expect(text).toContain('$ nmake DESTDIR=C:\\workspace\\tmp\\fipskit\\p\\openssl\\destdir install_sw install_ssldirs install_fips');
    expect(runner.commands).toHaveLength(0);
  });

  it('shows the declared build settings in the plan, and refuses a malformed one', async () => {
    const { context } = workspace(lock);
    const printed: string[] = [];
    await openSslBuildExecutor({ ...options, platform: 'win32', dryRun: true, environment: { CL: '/MP' } }, context, {
      runner: new RecordingRunner(),
      print: (l) => printed.push(l),
    });
    const text = printed.join('\n');
    expect(text).toMatch(/^environment: only PATH, PATHEXT, .*; declared: CL=\/MP$/m);
    await expect(
      openSslBuildExecutor({ ...options, platform: 'win32', dryRun: true, environment: { 'BAD NAME': 'x' } }, context, {
        runner: new RecordingRunner(),
        print: (l) => printed.push(l),
      }),
    ).resolves.toEqual({ success: false });
    expect(printed.join('\n')).toContain('environment: "BAD NAME" is not a variable name');
  });
});
