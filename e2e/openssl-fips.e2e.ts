import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE, isolatedNxEnvironment, runActivated, runNx, taskOutcome } from './support/workspace';

/**
 * The committed fips-python project, built for real: Debian's OpenSSL source tarball, a real
 * compile, a real fipsinstall on this machine. Built once; every test below reuses it.
 */
const dist = join(WORKSPACE, 'dist', 'fips-python');
const env = isolatedNxEnvironment();
let cold: { status: number; output: string };

beforeAll(() => {
  rmSync(dist, { recursive: true, force: true });
  cold = runNx(['run', 'fips-python:fips-config'], env);
  if (cold.status !== 0) console.log(cold.output);
});

describe('fips-python:fips-config on a fresh workspace', () => {
  it('builds OpenSSL from a verified source and configures FIPS, showing each stage', () => {
    expect(cold.status).toBe(0);
    expect(taskOutcome(cold.output, 'fips-python:openssl')).toBe('ran');
    expect(cold.output).toMatch(/\[openssl\] \(\d+\/\d+\) Compile libraries, FIPS provider and openssl/);
    expect(cold.output).toMatch(/\[openssl\]\s+\d+\/\d+ objects compiled \(100%\)/);
    expect(cold.output).toMatch(/\[fips-config\] \(1\/3\) openssl fipsinstall/);
    // Compiler command lines stay in the log file.
    expect(cold.output).not.toMatch(/gcc .* -c -o /);
    const info = JSON.parse(readFileSync(join(dist, 'openssl', 'build-info.json'), 'utf8'));
    expect(info.source.origin).toBe('debian');
    expect(info.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(info.fipsProvider.module).toBe('lib/ossl-modules/fips.so');
    expect(JSON.stringify(info)).not.toContain(WORKSPACE);
  });

  it('with fips-env.sh sourced, openssl shows the fips provider active, refuses MD5 and computes SHA-256', () => {
    const script = join(dist, 'fips-config', 'fips-env.sh');
    const providers = runActivated(script, 'openssl list -providers');
    expect(providers.output).toMatch(/ {2}fips\n(\s+\w.*\n)*?\s+status: active/);
    const md5 = runActivated(script, 'openssl dgst -md5 /dev/null');
    expect(md5.status).not.toBe(0);
    expect(md5.output).toMatch(/unsupported|disabled|not supported|Error setting digest/i);
    const sha = runActivated(script, 'openssl dgst -sha256 /dev/null');
    expect(sha.status).toBe(0);
    expect(sha.output).toContain('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const version = runActivated(script, 'openssl version');
    expect(version.output).toContain(JSON.parse(readFileSync(join(dist, 'openssl', 'build-info.json'), 'utf8')).version);
  });

  it('fipsmodule.cnf was written on this machine by fipsinstall, with install status', () => {
    const cnf = readFileSync(join(dist, 'fips-config', 'fipsmodule.cnf'), 'utf8');
    expect(cnf).toMatch(/module-mac\s*=\s*[0-9A-F:]{95}/);
    expect(cnf).toMatch(/install-status\s*=\s*INSTALL_SELF_TEST_KATS_RUN/);
    const manifest = JSON.parse(readFileSync(join(dist, 'fips-config', 'fips-config.json'), 'utf8'));
    expect(manifest.fipsinstall.verify.join('\n')).toMatch(/VERIFY PASSED/);
  });

  it('a second run is a full cache hit: no compiler runs', () => {
    const log = join(WORKSPACE, 'tmp', 'fipskit', 'fips-python', 'openssl', 'openssl-build.log');
    const before = statSync(log).mtimeMs;
    const warm = runNx(['run', 'fips-python:fips-config'], env);
    expect(warm.status).toBe(0);
    expect(taskOutcome(warm.output, 'fips-python:openssl')).toMatch(/cache|existing outputs/);
    expect(taskOutcome(warm.output, 'fips-python:fips-config')).toMatch(/cache|existing outputs/);
    expect(statSync(log).mtimeMs).toBe(before);
  });

  it('deleted outputs are restored from the cache, and still work', () => {
    rmSync(join(dist, 'openssl'), { recursive: true, force: true });
    const restored = runNx(['run', 'fips-python:fips-config'], env);
    expect(restored.status).toBe(0);
    expect(taskOutcome(restored.output, 'fips-python:openssl')).toBe('local cache');
    const sha = runActivated(join(dist, 'fips-config', 'fips-env.sh'), 'openssl dgst -sha256 /dev/null');
    expect(sha.status).toBe(0);
  });

  it('changing a fips-config option reruns fips-config only, not the OpenSSL build', () => {
    const changed = runNx(['run', 'fips-python:fips-config', '--securityChecks=false'], env);
    expect(changed.status).toBe(0);
    expect(taskOutcome(changed.output, 'fips-python:openssl')).toMatch(/cache|existing outputs/);
    expect(taskOutcome(changed.output, 'fips-python:fips-config')).toBe('ran');
    expect(readFileSync(join(dist, 'fips-config', 'fipsmodule.cnf'), 'utf8')).toMatch(/security-checks\s*=\s*0/);
    // Back to the committed configuration for the tests that follow.
    expect(runNx(['run', 'fips-python:fips-config'], env).status).toBe(0);
  });

  it('refuses an unknown option before any work starts', () => {
    const bad = runNx(['run', 'fips-python:openssl', '--notAnOption=1', '--skip-nx-cache'], env);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/notAnOption/);
    expect(bad.output).not.toMatch(/\(1\/\d+\) Configure/);
  });
});
