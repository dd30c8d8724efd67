import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecaRunner, RecordingRunner, StageLog } from '@fipskit/core';
import { ISOLATED_VARIABLES, VERIFY_SCRIPT, checkScriptReport, expectedChecks, runVerifyScript, verifyScriptArgs, verifyScriptCommand } from './verify-script';

describe('verifyScriptArgs', () => {
  it('passes the expectations, the profile and the report file', () => {
    expect(verifyScriptArgs({ opensslVersion: '3.0.22', fipsProviderVersion: '3.0.9', libcryptoDir: '/p/lib', profile: 'strict' }, '/w/checks.json')).toEqual([
      VERIFY_SCRIPT, '--expected-openssl-version', '3.0.22', '--expected-fips-version', '3.0.9', '--expected-libcrypto-dir', '/p/lib',
      '--profile', 'strict', '--output', '/w/checks.json',
    ]);
  });

  it('adds the TLS server when there is one', () => {
    const args = verifyScriptArgs({ opensslVersion: '3.0.22', profile: 'recipe-compatible', tls: { host: '127.0.0.1', port: 4433, caFile: '/w/ca.pem' } }, '/w/c.json');
    expect(args).toEqual([
      VERIFY_SCRIPT, '--expected-openssl-version', '3.0.22', '--profile', 'recipe-compatible',
      '--tls-host', '127.0.0.1', '--tls-port', '4433', '--tls-ca', '/w/ca.pem', '--output', '/w/c.json',
    ]);
  });
});

describe('verifyScriptCommand', () => {
  it('removes every variable that could hand the interpreter a FIPS setup of ours', () => {
    const command = verifyScriptCommand('/py/bin/python3', { opensslVersion: '3.0.22', profile: 'strict' }, '/w/c.json', '/w');
    expect(command.program).toBe('/py/bin/python3');
    expect(command.cwd).toBe('/w');
    expect(command.env).toEqual({
      OPENSSL_CONF: undefined,
      OPENSSL_CONF_INCLUDE: undefined,
      OPENSSL_MODULES: undefined,
      LD_LIBRARY_PATH: undefined,
      LD_PRELOAD: undefined,
      DYLD_LIBRARY_PATH: undefined,
      DYLD_INSERT_LIBRARIES: undefined,
      PYTHONPATH: undefined,
      PYTHONHOME: undefined,
    });
    expect(Object.keys(command.env!)).toEqual([...ISOLATED_VARIABLES]);
  });
});

describe('expectedChecks', () => {
  const tls = { host: '127.0.0.1', port: 4433, caFile: 'ca.pem' };
  const ids = (checks: Array<{ id: string }>) => checks.map((c) => c.id);

  it('lists the TLS checks only with a server, and makes the provider set binding only for the strict profile', () => {
    expect(ids(expectedChecks({ profile: 'strict' }))).not.toContain('tls12-handshake');
    expect(ids(expectedChecks({ profile: 'strict', tls, chachaPort: 4434 }))).toEqual(expect.arrayContaining(['tls12-handshake', 'tls13-handshake', 'non-approved-cipher-refused']));
    expect(expectedChecks({ profile: 'strict', tls }).find((c) => c.id === 'only-fips-and-base')!.required).toBe(true);
    expect(expectedChecks({ profile: 'recipe-compatible', tls }).find((c) => c.id === 'only-fips-and-base')!.required).toBe(false);
    expect(expectedChecks({ profile: 'rhel-compatible', tls }).find((c) => c.id === 'usedforsecurity-exemption')!.required).toBe(true);
    expect(expectedChecks({ profile: 'strict', tls }).find((c) => c.id === 'usedforsecurity-exemption')!.required).toBe(false);
  });

  it('requires every start mode for a Python that brings its own FIPS setup, the symlink one only where symlinks start programs', () => {
    const modes = ['start-isolated', 'start-through-symlink', 'start-moved-copy', 'venv-interpreter', 'child-clean-environment', 'multiprocessing-manager'];
    const linux = expectedChecks({ profile: 'strict', startModes: true, movedCopy: { unavailable: 'x' } }, 'linux');
    expect(linux.filter((c) => modes.includes(c.id))).toEqual(modes.map((id) => ({ id, required: true })));
    expect(ids(expectedChecks({ profile: 'strict', startModes: true }, 'win32')).filter((id) => modes.includes(id))).toEqual(['start-isolated', 'venv-interpreter', 'child-clean-environment', 'multiprocessing-manager']);
    expect(ids(expectedChecks({ profile: 'strict' })).filter((id) => modes.includes(id))).toEqual([]);
  });

  it('passes each start mode and the moved copy to the script', () => {
    const args = verifyScriptArgs({ opensslVersion: '3.0.22', profile: 'strict', tls, chachaPort: 4434, startModes: true, movedCopy: { root: '/d', trees: ['/d/python', '/d/openssl'], python: '/d/python/bin/python3' } }, '/out.json', 'v.py');
    expect(args).toEqual([
      'v.py', '--expected-openssl-version', '3.0.22', '--profile', 'strict',
      '--tls-host', '127.0.0.1', '--tls-port', '4433', '--tls-ca', 'ca.pem', '--chacha-port', '4434',
      '--start-modes', '--moved-copy-root', '/d', '--moved-copy', '/d/python', '--moved-copy', '/d/openssl', '--moved-copy-python', '/d/python/bin/python3',
      '--output', '/out.json',
    ]);
  });
});

describe('runVerifyScript', () => {
  let dir: string;
  let log: StageLog;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fipskit-verify-run-'));
    log = new StageLog('verify', join(dir, 'verify.log'), 1, () => undefined);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const command = () => verifyScriptCommand('/py/bin/python3', { opensslVersion: '3.0.22', profile: 'strict' }, join(dir, 'c.json'), dir);

  it('reads the report even though the script exits 1 for a failed check', async () => {
    const runner = new RecordingRunner().respond(() => true, {
      exitCode: 1,
      effect: () => writeFileSync(join(dir, 'c.json'), JSON.stringify({ interpreter: {}, checks: [{ id: 'x', passed: false }] })),
    });
    const report = await runVerifyScript(runner, log, command(), join(dir, 'c.json'));
    expect(report.checks).toHaveLength(1);
  });

  it('fails with the output tail when the interpreter crashed before writing a report', async () => {
    const runner = new RecordingRunner().respond(() => true, { exitCode: 139, output: ['Fatal Python error: Segmentation fault'] });
    await expect(runVerifyScript(runner, log, command(), join(dir, 'c.json'))).rejects.toThrow(
      /\/py\/bin\/python3 did not produce a FIPS verification report \(exit code 139; it wrote no report\).*Last lines of its output:\n {2}Fatal Python error: Segmentation fault\nFull log: /s,
    );
  });

  it('fails when the report is not JSON', async () => {
    const runner = new RecordingRunner().respond(() => true, { effect: () => writeFileSync(join(dir, 'c.json'), 'Traceback (most recent call last):') });
    await expect(runVerifyScript(runner, log, command(), join(dir, 'c.json'))).rejects.toThrow(/its report is not JSON/);
    expect(checkScriptReport('{"checks": 1}')).toBe('its report has no checks');
  });

  it('really runs the program with those variables removed, leaving the parent environment alone', async () => {
    const fake = join(dir, 'python');
    writeFileSync(fake, `#!/bin/sh\nenv > "${dir}/env.txt"\nwhile [ $# -gt 0 ]; do [ "$1" = --output ] && printf '{"interpreter":{},"checks":[]}' > "$2"; shift; done\n`, { mode: 0o755 });
    const saved = { ...process.env };
    Object.assign(process.env, { OPENSSL_CONF: '/x.cnf', OPENSSL_MODULES: '/m', LD_LIBRARY_PATH: '/l', PYTHONPATH: '/pp', PYTHONHOME: '/ph', FIPSKIT_KEPT: 'yes' });
    try {
      await runVerifyScript(new ExecaRunner(), log, { ...command(), program: fake }, join(dir, 'c.json'));
      const seen = readFileSync(join(dir, 'env.txt'), 'utf8');
      expect(seen).toContain('FIPSKIT_KEPT=yes');
      for (const name of ['OPENSSL_CONF', 'OPENSSL_MODULES', 'LD_LIBRARY_PATH', 'PYTHONPATH', 'PYTHONHOME']) expect(seen).not.toMatch(new RegExp(`^${name}=`, 'm'));
      expect(process.env.OPENSSL_CONF).toBe('/x.cnf');
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
