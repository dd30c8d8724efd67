import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ExecutorContext } from '@nx/devkit';
import pythonBuildExecutor from '../packages/python-pcbuild/src/executors/python/executor';
import openSslBuildExecutor from '../packages/openssl-fips/src/executors/openssl/executor';
import { SmallDisk, mountSmallDisk } from '../packages/core/src/testing/small-disk';
import { processesInside } from '../packages/core/src/testing/processes';
import verifyExecutor from '../packages/verify/src/executors/verify/executor';
import { WORKSPACE, interruptNx, isolatedNxEnvironment, runActivated, runNx, runNxAsync, secondCheckout, taskOutcome } from './support/workspace';
import { RemoteCacheServer, startRemoteCacheServer } from './support/remote-cache-server';
import { editZipSlot } from './support/zip-slot';
import { validateSbom } from '../packages/verify/src/evidence/sbom';
import { createHash, createHmac } from 'node:crypto';
import { ToolRunner, defaultSourceCacheDir, resolveSource } from '../packages/core/src';
import { PCBUILD_REFERENCE_SOURCES } from '../packages/python-pcbuild/src/windows/pcbuild-reference-sources';

/**
 * The committed fips-python project, built for real: Debian's OpenSSL and CPython source tarballs,
 * real compiles, a real fipsinstall on this machine, the overlay on Debian's python3.11 and the
 * verifier with a FIPS TLS server on loopback. Built once; every test below reuses it.
 */
// Real builds: minutes, not the default 5 s.
jest.setTimeout(60 * 60 * 1000);

const dist = join(WORKSPACE, 'dist', 'fips-python');
const env = isolatedNxEnvironment();
const opensslBuildDir = join(WORKSPACE, 'tmp', 'fipskit', 'fips-python', 'openssl');
let cold: { status: number; output: string };
let interrupted: { status: number; output: string; distEntries: string[]; lockLeft: boolean; toolsLeft: number[] };
let remote: RemoteCacheServer;
const REMOTE_TOKEN = 'fipskit-e2e-write-token';

beforeAll(async () => {
  rmSync(dist, { recursive: true, force: true });
  // Ctrl-C while OpenSSL compiles; the cold build below is then the run after an interruption.
  const run = await interruptNx(['run', 'fips-python:build'], env, /objects compiled/, 'SIGINT');
  interrupted = {
    ...run,
    distEntries: existsSync(dist) ? readdirSync(dist) : [],
    lockLeft: existsSync(join(opensslBuildDir, '.fipskit-lock')),
    toolsLeft: processesInside(opensslBuildDir),
  };
  // The cold build also fills a self-hosted remote cache on loopback, as a team's CI would.
  remote = await startRemoteCacheServer({ token: REMOTE_TOKEN });
  cold = await runNxAsync(['run', 'fips-python:build'], {
    ...env,
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remote.url,
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: REMOTE_TOKEN,
  });
  if (cold.status !== 0) console.log(cold.output);
});

afterAll(async () => {
  await remote?.close();
});

interface Report {
  verdict: {
    fipsMode: { inForce: boolean; summary: string };
    compliance: { claimable: boolean; summary: string; fipsProviderVersion: string; nextStep?: string };
  };
  passed: boolean;
  failedRequired: string[];
  checks: Array<{ id: string; passed: boolean; required: boolean; detail: string }>;
  openssl: { version: string };
}
const readReport = (dir: string): Report => JSON.parse(readFileSync(join(dist, dir, 'report.json'), 'utf8'));
const check = (report: Report, id: string) => report.checks.find((c) => c.id === id);

describe('nx run fips-python:build on a fresh workspace', () => {
  it('produces a Python whose verification passes every required check', () => {
    expect(cold.status).toBe(0);
    const report = readReport('verify');
    expect(report.failedRequired).toEqual([]);
    expect(report.passed).toBe(true);
    // Debian's provider: FIPS mode holds, and no claim can rest on it.
    expect(report.verdict.fipsMode.inForce).toBe(true);
    // No provider with an active certificate fits 3.0.22 libraries (#4282 historical since 2026-09-21): newer libraries and 3.1.2.
    expect(report.verdict.compliance).toMatchObject({
      claimable: false,
      nextStep: expect.stringContaining('3.1.2 (FIPS 140-3, certificate #4985, until 2030-03-10)'),
    });
    for (const id of [
      'openssl-version',
      'fips-provider-active',
      'sha256-from-fips',
      'md5-refused',
      'tls12-handshake',
      'tls13-handshake',
      'non-approved-cipher-refused',
    ]) {
      expect(check(report, id)).toMatchObject({ required: true, passed: true });
    }
    expect(cold.output).toMatch(/\[python\] \(\d+\/\d+\) Compile _ssl and _hashlib/);
  });

  it('writes the auditor report (Markdown, HTML) and a schema-valid CycloneDX SBOM whose hashes are the files on disk', async () => {
    expect(cold.status).toBe(0);
    const verify = join(dist, 'verify');
    const markdown = readFileSync(join(verify, 'evidence.md'), 'utf8');
    const { verdict } = readReport('verify');
    expect(markdown.split('\n').slice(4, 7)).toEqual([verdict.fipsMode.summary, '', verdict.compliance.summary]);
    expect(readFileSync(join(verify, 'summary.txt'), 'utf8').split('\n').slice(0, 2)).toEqual([verdict.fipsMode.summary, verdict.compliance.summary]);
    expect(markdown).toContain('openssl fipsinstall ran on host');
    expect(readFileSync(join(verify, 'evidence.html'), 'utf8')).toContain('<h2>Files and their SHA-256</h2>');
    const json = readFileSync(join(verify, 'sbom.cdx.json'), 'utf8');
    expect(await validateSbom(json)).toBeUndefined();
    const files = JSON.parse(json).components.filter((c: { type: string }) => c.type === 'file');
    const names = files.map((f: { name: string }) => f.name);
    for (const expected of [
      'openssl/lib/ossl-modules/fips.so',
      'openssl/lib/libcrypto.so.3',
      'openssl/lib/libssl.so.3',
      'fips-config/openssl.cnf',
      'fips-config/fipsmodule.cnf',
    ]) {
      expect(names).toContain(expected);
    }
    expect(names.some((n: string) => /^python\/lib\/fipskit\/_ssl\..*\.so$/.test(n))).toBe(true);
    expect(names.some((n: string) => /_hashlib\..*\.so$/.test(n))).toBe(true);
    for (const file of files) {
      expect(file.hashes[0].content).toBe(
        createHash('sha256')
          .update(readFileSync(join(dist, file.name)))
          .digest('hex'),
      );
    }
  });

  it('builds OpenSSL from a verified source and configures FIPS, showing each stage', () => {
    expect(cold.status).toBe(0);
    expect(taskOutcome(cold.output, 'fips-python:openssl')).toBe('ran');
    expect(cold.output).toMatch(/\[openssl\] \(\d+\/\d+\) Compile libraries, FIPS provider and openssl/);
    expect(cold.output).toMatch(/\[openssl\]\s+\d+\/\d+ objects compiled \(100%\)/);
    expect(cold.output).toMatch(/\[fips-config\] \(1\/4\) openssl fipsinstall/);
    // Compiler command lines stay in the log file.
    expect(cold.output).not.toMatch(/gcc .* -c -o /);
    const info = JSON.parse(readFileSync(join(dist, 'openssl', 'build-info.json'), 'utf8'));
    expect(info.source.origin).toBe('debian');
    expect(info.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(info.fipsProvider.module).toBe('lib/ossl-modules/fips.so');
    expect(JSON.stringify(info)).not.toContain(WORKSPACE);
  });

  it('Ctrl-C while OpenSSL compiles: the compilers stop, nothing is published or cached, and the next run says it starts over', () => {
    expect(interrupted.output).toMatch(/\[openssl\]\s+\d+\/\d+ objects compiled/);
    expect(interrupted.status).not.toBe(0);
    // No openssl output and no half-written staging directory beside it.
    expect(interrupted.distEntries.filter((name) => name.startsWith('openssl'))).toEqual([]);
    expect(interrupted.lockLeft).toBe(false);
    expect(interrupted.toolsLeft).toEqual([]);
    expect(cold.output).toMatch(
      /\[openssl\] The previous run was interrupted by SIGINT at .*: it stopped the running tools .*removed the unfinished output .* Starting openssl over\./,
    );
    // Nx cached nothing from the interrupted run: the next run compiled.
    expect(taskOutcome(cold.output, 'fips-python:openssl')).toBe('ran');
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

  it('a second build is all cache hits, sources and verify included: no compiler run, no resolution, the proof of today restored', () => {
    const logs = ['openssl/openssl-build.log', 'python/python-build.log', 'verify.log'].map((l) => join(WORKSPACE, 'tmp', 'fipskit', 'fips-python', l));
    const before = logs.map((l) => statSync(l).mtimeMs);
    const report = readFileSync(join(dist, 'verify', 'report.json'), 'utf8');
    const warm = runNx(['run', 'fips-python:build'], env);
    expect(warm.status).toBe(0);
    for (const task of ['sources', 'openssl', 'fips-config', 'python', 'verify']) {
      expect([task, taskOutcome(warm.output, `fips-python:${task}`)]).toEqual([task, expect.stringMatching(/cache|existing outputs/)]);
    }
    expect(logs.map((l) => statSync(l).mtimeMs)).toEqual(before);
    expect(readFileSync(join(dist, 'verify', 'report.json'), 'utf8')).toBe(report);
  });

  it('verify proves afresh, and fails, when the FIPS module on disk is tampered with; a whole build puts the cached module back and restores the proof', () => {
    const module = join(dist, 'openssl', 'lib', 'ossl-modules', 'fips.so');
    const intact = readFileSync(module);
    const tampered = Buffer.from(intact);
    tampered[tampered.length - 1] ^= 0xff;
    writeFileSync(module, tampered);
    // Without its dependencies Nx leaves the stages' files out of the key: verify is then never taken from the cache.
    const alone = runNx(['run', 'fips-python:verify', '--excludeTaskDependencies'], env);
    expect(taskOutcome(alone.output, 'fips-python:verify')).toBe('ran');
    expect(alone.status).not.toBe(0);
    // The prefix's own openssl cannot even make the test certificate: the FIPS provider fails its self-test and loads no algorithm.
    expect(alone.output).toMatch(/\[verify\] create a throwaway CA \(FIPS mode\) failed[\s\S]*unsupported/);
    // With them, Nx first restores the openssl output it cached (the module's bytes are back), and the proof made on
    // exactly those bytes today is restored with it.
    const whole = runNx(['run', 'fips-python:verify'], env);
    expect(whole.status).toBe(0);
    expect(taskOutcome(whole.output, 'fips-python:openssl')).toBe('local cache');
    expect(taskOutcome(whole.output, 'fips-python:verify')).toBe('local cache');
    expect(readFileSync(module)).toEqual(intact);
    expect(readReport('verify').failedRequired).toEqual([]);
  });

  it('verify runs again in an environment the interpreter sees (TZ), not in one that differs only in shell bookkeeping', () => {
    const bookkeeping = runNx(['run', 'fips-python:verify'], { ...env, OLDPWD: '/elsewhere', SHLVL: '7' });
    expect(taskOutcome(bookkeeping.output, 'fips-python:verify')).toMatch(/cache|existing outputs/);
    const reaching = runNx(['run', 'fips-python:verify'], { ...env, TZ: 'America/New_York' });
    expect(reaching.status).toBe(0);
    expect(taskOutcome(reaching.output, 'fips-python:verify')).toBe('ran');
  });

  it("FIPSKIT_REFRESH_SOURCES=1 resolves again from Debian's archive, never from the cache; the same locks leave OpenSSL cached", () => {
    const locks = ['openssl', 'cpython'].map((p) => readFileSync(join(dist, 'sources', `${p}.source.json`), 'utf8'));
    const refreshed = runNx(['run', 'fips-python:build'], { ...env, FIPSKIT_REFRESH_SOURCES: '1' });
    expect(refreshed.status).toBe(0);
    expect(taskOutcome(refreshed.output, 'fips-python:sources')).toBe('ran');
    expect(refreshed.output).toContain("[sources] asking Debian's archive for its current source index");
    expect(['openssl', 'cpython'].map((p) => readFileSync(join(dist, 'sources', `${p}.source.json`), 'utf8'))).toEqual(locks);
    expect(taskOutcome(refreshed.output, 'fips-python:openssl')).toMatch(/cache|existing outputs/);
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

  it('changing a python-stage option reruns the python stage only, not OpenSSL or fips-config', () => {
    const changed = runNx(['run', 'fips-python:python', '--buildDir=tmp/fipskit/fips-python/python-elsewhere'], env);
    expect(changed.status).toBe(0);
    expect(taskOutcome(changed.output, 'fips-python:openssl')).toMatch(/cache|existing outputs/);
    expect(taskOutcome(changed.output, 'fips-python:fips-config')).toMatch(/cache|existing outputs/);
    expect(taskOutcome(changed.output, 'fips-python:python')).toBe('ran');
  });

  it('refuses an unknown option before any work starts', () => {
    const bad = runNx(['run', 'fips-python:openssl', '--notAnOption=1', '--skip-nx-cache'], env);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/notAnOption/);
    expect(bad.output).not.toMatch(/\(1\/\d+\) Configure/);
  });
});

/** A copy of the overlay beside (links to, or copies of) the OpenSSL prefix and FIPS config it expects. */
function overlayCopy(name: string, prepare: (root: string) => void): { root: string; python: string } {
  const root = mkdtempSync(join(WORKSPACE, 'tmp', `e2e-${name}-`));
  cpSync(join(dist, 'python'), join(root, 'python'), { recursive: true, verbatimSymlinks: true });
  symlinkSync(join(dist, 'fips-config'), join(root, 'fips-config'));
  prepare(root);
  return { root, python: join(root, 'python', 'bin', 'python3') };
}

/** verify for another interpreter; with a copy's root, against the OpenSSL and configuration beside that copy. */
function verifyWith(python: string, outputDir: string, root?: string) {
  const beside = root ? [`--opensslPath=${join(root, 'openssl')}`, `--fipsConfigPath=${join(root, 'fips-config')}`] : [];
  return runNx(['run', 'fips-python:verify', `--python=${python}`, `--outputPath=dist/fips-python/${outputDir}`, ...beside], env);
}

/** Runs code in a Python and returns what it printed, stderr included. */
function runPython(python: string, args: string[], extraEnv: Record<string, string> = {}, cwd = WORKSPACE) {
  const result = spawnSync(python, args, { encoding: 'utf8', cwd, env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/', ...extraEnv } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const FIPS_PROBE = [
  'import hashlib, ssl, _hashlib',
  'try:',
  '    hashlib.md5(b"x"); md5 = "allowed"',
  'except ValueError:',
  '    md5 = "refused"',
  'print(ssl.OPENSSL_VERSION, _hashlib.get_fips_mode(), md5, sep="|")',
].join('\n');

describe('verify catches every false green we know of', () => {
  it("fails on Debian's system python3.11 and names the failing checks", () => {
    const result = verifyWith('/usr/bin/python3.11', 'verify-system-python');
    expect(result.status).not.toBe(0);
    const report = readReport('verify-system-python');
    expect(report.failedRequired).toEqual(
      expect.arrayContaining([
        'openssl-version',
        'fips-provider-active',
        'md5-refused',
        'non-approved-cipher-refused',
        'start-isolated',
        'child-clean-environment',
      ]),
    );
    // Debian's own OpenSSL takes the ChaCha20-only server's offer: the refusal check is a real check.
    expect(check(report, 'non-approved-cipher-refused')?.detail).toMatch(/^connected to the ChaCha20-only server/);
    expect(result.output).toMatch(/FIPS verification failed: .*openssl-version/);
  });

  it('a FIPS module tampered with (one byte flipped in a copy of fips.so): the first failure names the provider and its self-test', () => {
    const { python } = overlayCopy('tampered', (dir) => {
      cpSync(join(dist, 'openssl'), join(dir, 'openssl'), { recursive: true, verbatimSymlinks: true });
      const module = join(dir, 'openssl', 'lib', 'ossl-modules', 'fips.so');
      const bytes = readFileSync(module);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at] ^ 0xff;
      writeFileSync(module, bytes);
    });
    // The TLS server runs from the workspace's intact prefix: a tampered one could not even make its certificate.
    const result = verifyWith(python, 'verify-tampered');
    expect(result.status).not.toBe(0);
    const report = readReport('verify-tampered');
    expect(report.failedRequired[0]).toBe('startup');
    expect(check(report, 'startup')?.detail).toMatch(
      /FipsModeError: .*the FIPS provider is not active: .* did not start, so its integrity check or self-tests failed/,
    );
    expect(report.failedRequired).toContain('fips-provider-active');
    // The Python refuses loudly at start, and hashlib/ssl refuse to import: never a silent default provider.
    const run = runPython(python, ['-c', FIPS_PROBE]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/^fipskit: this Python runs in FIPS mode only, and FIPS mode is not in force: the FIPS provider is not active/m);
    expect(run.stderr).toMatch(/FipsModeError/);
    // The configuration is intact: the module changed, and rebuilding it is the advice.
    expect(run.stderr).toMatch(/rebuild it \(`nx run fips-python:openssl --skip-nx-cache`\)/);
    expect(run.stderr).not.toMatch(/OpenSSL need not be rebuilt/);
  });

  it('a configuration whose module MAC was changed after fipsinstall: the refusal says to run fips-config again, not to rebuild OpenSSL', () => {
    const { python } = overlayCopy('changed-mac', (dir) => {
      symlinkSync(join(dist, 'openssl'), join(dir, 'openssl'));
      rmSync(join(dir, 'fips-config'));
      cpSync(join(dist, 'fips-config'), join(dir, 'fips-config'), { recursive: true });
      const cnf = join(dir, 'fips-config', 'openssl.cnf');
      writeFileSync(
        cnf,
        readFileSync(cnf, 'utf8').replace(/^(module-mac\s*=\s*)(.)/m, (_all, head: string, first: string) => `${head}${first === 'A' ? 'B' : 'A'}`),
      );
    });
    const run = runPython(python, ['-c', FIPS_PROBE]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(
      /the module MAC in .*\/openssl\.cnf is not the one fipsinstall wrote for this module .* Run `nx run fips-python:fips-config` on this machine again; OpenSSL need not be rebuilt/,
    );
  });

  it('fails on an overlay with the built-in md5 fallback left open (no hash routing)', () => {
    const { root, python } = overlayCopy('fallback-open', (dir) => {
      symlinkSync(join(dist, 'openssl'), join(dir, 'openssl'));
      // The same runtime, loading our _hashlib, but without routing the built-in hash modules to OpenSSL.
      editZipSlot(join(dir, 'python', 'lib', 'python311.zip'), {
        '_fipskit_boot.py': {
          find: 'for hook in (_FipskitModulesFirst, _OpenSslRoutedModules, _StdlibPatches)',
          replace: 'for hook in (_FipskitModulesFirst, _StdlibPatches)',
        },
        '_md5.py': { drop: true },
      });
    });
    const result = verifyWith(python, 'verify-fallback-open', root);
    expect(result.status).not.toBe(0);
    const report = readReport('verify-fallback-open');
    // Everything else is FIPS: only the MD5 fallback betrays it, in this process and in a start with -S that imports _md5 first.
    expect(report.failedRequired).toEqual(['md5-refused', 'start-environment']);
    expect(check(report, 'start-environment')?.detail).toMatch(/-S, then CPython's _md5 before hashlib: CPython's MD5 computed/);
    expect(check(report, 'md5-refused')?.detail).toMatch(/^still produced an MD5 digest: hashlib\.new\('md5'\).* CPython fell back to its built-in _md5/);
  });

  it('fails on a Python whose 3.11 multiprocessing still authenticates with HMAC-MD5', () => {
    const { root, python } = overlayCopy('md5-multiprocessing', (dir) => {
      symlinkSync(join(dist, 'openssl'), join(dir, 'openssl'));
      editZipSlot(join(dir, 'python', 'lib', 'python311.zip'), {
        // Only multiprocessing's patch is taken out; the others stay.
        '_fipskit_boot.py': { find: 'PATCHES = {"multiprocessing.connection": _hmac_sha256_authentication, ', replace: 'PATCHES = {' },
      });
    });
    const result = verifyWith(python, 'verify-md5-multiprocessing', root);
    expect(result.status).not.toBe(0);
    const report = readReport('verify-md5-multiprocessing');
    expect(report.failedRequired).toEqual(['multiprocessing-manager']);
    expect(check(report, 'multiprocessing-manager')?.detail).toMatch(/a spawn Manager\(\) failed/);
  });

  it('fails on a process with a second libcrypto mapped (an extension that brought its own)', () => {
    const venv = mkdtempSync(join(WORKSPACE, 'tmp', 'e2e-second-libcrypto-'));
    expect(runPython(join(dist, 'python', 'bin', 'python3'), ['-m', 'venv', '--without-pip', venv]).status).toBe(0);
    // Loaded at start-up by a .pth file, as an extension module linked to another OpenSSL would be.
    const sitePackages = join(venv, 'lib', 'python3.11', 'site-packages');
    writeFileSync(join(sitePackages, 'second_libcrypto.pth'), 'import ctypes; ctypes.CDLL("/lib/x86_64-linux-gnu/libcrypto.so.3")\n');
    const result = verifyWith(join(venv, 'bin', 'python'), 'verify-second-libcrypto');
    expect(result.status).not.toBe(0);
    const report = readReport('verify-second-libcrypto');
    // The .pth runs before fipskit's sitecustomize: the Python itself refuses, naming the intruder, and verify reports it first.
    expect(report.failedRequired[0]).toBe('startup');
    expect(check(report, 'startup')?.detail).toMatch(
      /FipsModeError: .*another libcrypto is loaded in this process \(\/usr\/lib\/x86_64-linux-gnu\/libcrypto\.so\.3\)/,
    );
    expect(report.failedRequired).toContain('libcrypto-path');
  });
});

describe('a fipskit Python is FIPS however it is started, or refuses loudly', () => {
  const python = join(dist, 'python', 'bin', 'python3');
  const expectFips = (result: { status: number | null; stdout: string; stderr: string }) => {
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('|')).toEqual([expect.stringContaining('OpenSSL 3.0.22'), '1', 'refused']);
  };

  it('verify started it every way users do, and each was FIPS', () => {
    const report = readReport('verify');
    for (const id of [
      'startup',
      'start-isolated',
      'start-through-symlink',
      'start-moved-copy',
      'venv-interpreter',
      'child-clean-environment',
      'multiprocessing-manager',
      'usedforsecurity-exemption',
    ]) {
      expect(check(report, id)).toMatchObject({ required: true, passed: true });
    }
  });

  it.each([['-I'], ['-E'], ['-S'], ['-s']])('%s', (flag) => expectFips(runPython(python, [flag, '-c', FIPS_PROBE])));

  it("PYTHONHOME or PYTHONPLATLIBDIR naming the system's installation: refused before Python starts, naming the variable and the fix", () => {
    for (const [name, value] of [
      ['PYTHONHOME', '/usr'],
      ['PYTHONPLATLIBDIR', '/usr/lib'],
    ]) {
      const result = runPython(python, ['-c', FIPS_PROBE], { [name]: value });
      expect({ name, status: result.status, stdout: result.stdout }).toEqual({ name, status: 1, stdout: '' });
      expect(result.stderr).toContain(`fipskit: this Python runs in FIPS mode only, and ${name}=${value} would start it outside FIPS mode`);
      expect(result.stderr).toContain(`Unset ${name}`);
      // -I ignores the environment: the same start is FIPS.
      expectFips(runPython(python, ['-I', '-c', FIPS_PROBE], { [name]: value }));
    }
  });

  it("-S with PYTHONPATH at the system's lib-dynload, and a sitecustomize earlier on sys.path, are FIPS", () => {
    expectFips(runPython(python, ['-S', '-c', FIPS_PROBE], { PYTHONPATH: '/usr/lib/python3.11/lib-dynload' }));
    const hooks = mkdtempSync(join(WORKSPACE, 'tmp', 'e2e-hook-'));
    writeFileSync(join(hooks, 'sitecustomize.py'), `open(${JSON.stringify(join(hooks, 'ran'))}, "w").close()\n`);
    expectFips(runPython(python, ['-c', FIPS_PROBE], { PYTHONPATH: hooks }));
    // The hook still ran, after fipskit's.
    expect(existsSync(join(hooks, 'ran'))).toBe(true);
  });

  it("-S, then CPython's _md5 before anything imports hashlib: OpenSSL refuses it", () => {
    const result = runPython(python, ['-S', '-c', 'import _md5\ntry:\n    _md5.md5(b"x"); print("computed")\nexcept ValueError:\n    print("refused")']);
    expect(result).toEqual({ status: 0, stdout: 'refused\n', stderr: '' });
  });

  it('a venv made with --copies, and a start through a bare name PATH resolves to the system Python', () => {
    const dir = mkdtempSync(join(WORKSPACE, 'tmp', 'e2e-copies-'));
    expect(runPython(python, ['-m', 'venv', '--copies', '--without-pip', join(dir, 'venv')]).status).toBe(0);
    expectFips(runPython(join(dir, 'venv', 'bin', 'python'), ['-c', FIPS_PROBE]));
    const bare = spawnSync(python, ['-c', FIPS_PROBE], { argv0: 'python3', encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expectFips({ status: bare.status, stdout: bare.stdout, stderr: bare.stderr });
  });

  it('the interpreter binary itself, started with no fipskit variables, from another directory', () => {
    expectFips(runPython(join(dist, 'python', 'bin', 'python3.11'), ['-c', FIPS_PROBE], {}, '/'));
  });

  it('a venv with --system-site-packages, and a venv made from that venv', () => {
    const dir = mkdtempSync(join(WORKSPACE, 'tmp', 'e2e-venvs-'));
    expect(runPython(python, ['-m', 'venv', '--without-pip', '--system-site-packages', join(dir, 'system')]).status).toBe(0);
    expect(runPython(join(dir, 'system', 'bin', 'python'), ['-m', 'venv', '--without-pip', join(dir, 'nested')]).status).toBe(0);
    expectFips(runPython(join(dir, 'system', 'bin', 'python'), ['-c', FIPS_PROBE]));
    expectFips(runPython(join(dir, 'nested', 'bin', 'python'), ['-c', FIPS_PROBE]));
  });

  it("pip's build isolation builds in FIPS mode, and the console script it installs runs in FIPS mode", () => {
    const dir = mkdtempSync(join(WORKSPACE, 'tmp', 'e2e-pip-'));
    expect(runPython(python, ['-m', 'venv', join(dir, 'venv')]).stderr).toBe('');
    const pkg = join(dir, 'fips_tool');
    mkdirSync(pkg, { recursive: true });
    // The build backend runs in pip's isolated environment (a new interpreter from sys.executable): it refuses to build outside FIPS.
    writeFileSync(join(pkg, 'pyproject.toml'), '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n');
    writeFileSync(
      join(pkg, 'setup.py'),
      [
        'import _hashlib, hashlib',
        'assert _hashlib.get_fips_mode() == 1, "build not in FIPS mode"',
        'try:',
        '    hashlib.md5(b"x")',
        'except ValueError:',
        '    pass',
        'else:',
        '    raise SystemExit("MD5 works in the build")',
        'from setuptools import setup',
        'setup(name="fips-tool", version="1", py_modules=["fips_tool"], entry_points={"console_scripts": ["fips-tool=fips_tool:main"]})',
      ].join('\n'),
    );
    writeFileSync(join(pkg, 'fips_tool.py'), `def main():\n    exec(${JSON.stringify(FIPS_PROBE)})\n`);
    const install = runPython(join(dir, 'venv', 'bin', 'python'), ['-m', 'pip', 'install', '--no-index', '--find-links', '/usr/share/python-wheels', pkg]);
    expect(install.stderr).not.toMatch(/build not in FIPS mode|MD5 works in the build/);
    expect(install.status).toBe(0);
    expectFips(runPython(join(dir, 'venv', 'bin', 'fips-tool'), []));
  });

  it('the standard library as FIPS allows: uuid3 (usedforsecurity=False) works under rhel-compatible, MD5 for security does not', () => {
    const result = runPython(python, [
      '-c',
      'import uuid, hashlib\nprint(uuid.uuid3(uuid.NAMESPACE_DNS, "python.org"))\ntry:\n    hashlib.md5(b"x")\nexcept ValueError as e:\n    print("md5 refused")',
    ]);
    expect(result.stdout.split('\n').slice(0, 2)).toEqual(['6fa459ea-ee8a-3ca4-894e-db77e160355e', 'md5 refused']);
  });

  it('fipskit adds no warning of its own: -X warn_default_encoding with EncodingWarning as an error still starts and hashes', () => {
    const result = runPython(python, [
      '-X',
      'warn_default_encoding',
      '-W',
      'error::EncodingWarning',
      '-c',
      'import hashlib, ssl\nprint(hashlib.sha256(b"abc").hexdigest())',
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it("Debian's python3-cryptography imports and works on the FIPS libcrypto, the only one in the process", () => {
    const code = [
      'import os',
      'from cryptography.hazmat.backends.openssl.backend import backend',
      'from cryptography.hazmat.primitives import hashes',
      'from cryptography.exceptions import InternalError, UnsupportedAlgorithm',
      'h = hashes.Hash(hashes.SHA256()); h.update(b"abc")',
      'try:',
      '    hashes.Hash(hashes.MD5()); md5 = "allowed"',
      // Debian's 38.x lets OpenSSL refuse it (InternalError); later versions refuse it themselves.
      'except (InternalError, UnsupportedAlgorithm):',
      '    md5 = "refused"',
      'maps = sorted({os.path.realpath(l.split()[-1]) for l in open("/proc/self/maps") if "libcrypto" in l})',
      'print(backend.openssl_version_text(), backend._fips_enabled, h.finalize().hex(), md5, maps, sep="|")',
    ].join('\n');
    const result = runPython(python, ['-c', code]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('|')).toEqual([
      expect.stringContaining('OpenSSL 3.0.22'),
      'True',
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      'refused',
      `['${join(dist, 'openssl', 'lib', 'libcrypto.so.3')}']`,
    ]);
  });

  it('moved away from its FIPS configuration it refuses hashlib and ssl, saying what is wrong and how to fix it; FIPSKIT_ALLOW_NON_FIPS=1 is the only way past', () => {
    const { python: alone } = overlayCopy('alone', (dir) => {
      symlinkSync(join(dist, 'openssl'), join(dir, 'openssl'));
      rmSync(join(dir, 'fips-config'));
    });
    const refused = runPython(alone, ['-c', FIPS_PROBE]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(
      /FipsModeError: this Python runs in FIPS mode only, and FIPS mode is not in force: its FIPS configuration .*\/fips-config\/openssl\.cnf does not exist\. This Python must stay beside the fips-config and openssl outputs it was built with/,
    );
    // hashlib alone (the check at start-up already loaded the real _hashlib once) refuses too, and so does hmac.
    for (const code of ['import hashlib; hashlib.md5(b"x")', 'import hashlib; hashlib.sha256(b"x")', 'import hmac; hmac.new(b"k", b"m", "sha256")']) {
      const alsoRefused = runPython(alone, ['-c', code]);
      expect({ code, status: alsoRefused.status }).toEqual({ code, status: 1 });
      expect(alsoRefused.stderr).toMatch(/\nfipskit\.FipsModeError|_fipskit_boot\.FipsModeError: this Python runs in FIPS mode only/);
    }
    // Code that uses no cryptography still runs.
    expect(runPython(alone, ['-c', 'print("still runs")']).stdout).toBe('still runs\n');
    const optedOut = runPython(alone, ['-c', FIPS_PROBE], { FIPSKIT_ALLOW_NON_FIPS: '1' });
    expect(optedOut.stderr).toMatch(/^fipskit: WARNING: .* Continuing without FIPS because FIPSKIT_ALLOW_NON_FIPS=1\.$/m);
    expect(optedOut.stdout.trim().split('|').slice(1)).toEqual(['0', 'allowed']);
  });
});

describe('disk full while OpenSSL compiles (a real 400 MB tmpfs, filled by another writer mid-compile)', () => {
  const disk = mountSmallDisk(400);
  const onSmallDisk = typeof disk === 'string' ? it.skip : it;
  if (typeof disk === 'string') it.todo(`disk-full build test: ${disk}`);
  afterAll(() => typeof disk !== 'string' && disk.unmount());

  onSmallDisk('a clear message naming the full directory, and nothing published', async () => {
    const { dir, fill } = disk as SmallDisk;
    const printed: string[] = [];
    let filled = false;
    const result = await openSslBuildExecutor(
      { sourceLock: 'dist/fips-python/sources/openssl.source.json', outputPath: join(dir, 'openssl'), buildDir: join(dir, 'build') },
      { root: WORKSPACE, projectName: 'fips-python' } as ExecutorContext,
      {
        print: (line) => {
          printed.push(line);
          if (!filled && /objects compiled/.test(line)) {
            filled = true;
            fill(0);
          }
        },
      },
    );
    const output = printed.join('\n');
    expect(filled).toBe(true);
    expect(result.success).toBe(false);
    expect(output).toMatch(
      /The openssl stage ran out of disk space \(No space left on device\) while writing to .*\/build \(0 MB free now; buildDir moves it\)/,
    );
    expect(output).toMatch(/Nothing was published: the unfinished output was removed/);
    expect(readdirSync(dir).filter((name) => name.startsWith('openssl'))).toEqual([]);
  });
});

const FULL_MODE_CONTEXT = { root: WORKSPACE, projectName: 'fips-python' } as ExecutorContext;

/** The python stage in full mode against the workspace's FIPS OpenSSL and configuration, into dist/fips-python/<name>. */
function buildFullMode(sourceLock: string, name: string, printed: string[]) {
  return pythonBuildExecutor(
    {
      mode: 'full',
      testSuite: true,
      sourceLock,
      opensslPath: 'dist/fips-python/openssl',
      fipsConfigPath: 'dist/fips-python/fips-config',
      outputPath: `dist/fips-python/${name}`,
      buildDir: `tmp/fipskit/fips-python/${name}`,
    },
    FULL_MODE_CONTEXT,
    { print: (l) => printed.push(l) },
  );
}

/** The verify stage for a full-mode Python of dist/fips-python, its report in dist/fips-python/<report>. */
function verifyFullMode(name: string, report: string, printed: string[]) {
  return verifyExecutor(
    {
      python: `dist/fips-python/${name}/bin/python3`,
      opensslPath: 'dist/fips-python/openssl',
      fipsConfigPath: 'dist/fips-python/fips-config',
      outputPath: `dist/fips-python/${report}`,
    },
    FULL_MODE_CONTEXT,
    { print: (l: string) => printed.push(l) },
  );
}

describe('full mode: a complete CPython built against the FIPS OpenSSL', () => {
  const printed: string[] = [];
  let built: { success: boolean };

  beforeAll(async () => {
    built = await buildFullMode('dist/fips-python/sources/cpython.source.json', 'python-full', printed);
  });

  it('builds, and its launcher passes every required verification check', async () => {
    expect(printed.join('\n')).toMatch(/objects compiled/);
    expect(built.success).toBe(true);
    const verified = await verifyFullMode('python-full', 'verify-full', printed);
    expect(verified.success).toBe(true);
    expect(readReport('verify-full').failedRequired).toEqual([]);
  });

  it('both Pythons keep working after being moved, with their OpenSSL beside them', () => {
    const root = mkdtempSync(join(WORKSPACE, 'tmp', 'e2e-moved-'));
    for (const stage of ['openssl', 'fips-config', 'python', 'python-full']) {
      cpSync(join(dist, stage), join(root, stage), { recursive: true, verbatimSymlinks: true });
    }
    const probe = [
      'import hashlib, ssl, sys',
      'maps = [l.split()[-1] for l in open("/proc/self/maps") if "libcrypto" in l]',
      'try:',
      '    hashlib.md5(b"x"); md5 = "allowed"',
      'except ValueError:',
      '    md5 = "refused"',
      'print(ssl.OPENSSL_VERSION, md5, sorted(set(maps)), sep="|")',
    ].join('\n');
    for (const python of ['python', 'python-full']) {
      const result = spawnSync(join(root, python, 'bin', 'python3'), ['-c', probe], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      expect(result.stderr).toBe('');
      const [version, md5, maps] = result.stdout.trim().split('|');
      expect(version).toContain('3.0.22');
      expect(md5).toBe('refused');
      expect(maps).toBe(JSON.stringify([join(root, 'openssl', 'lib', 'libcrypto.so.3')]).replace(/"/g, "'"));
    }
  });
});

/**
 * CPython 3.13 from Debian trixie's source (3.13.5, the upstream tarball by the SHA-256 in Debian's signed index), built in
 * full mode against the same FIPS OpenSSL: its hash modules have 3.12's names (_sha2, HACL*), and every check holds.
 */
describe('full mode for CPython 3.13: built from source and verified like 3.11', () => {
  const printed: string[] = [];
  const output = join(dist, 'python-full-3.13');
  let built: { success: boolean };

  beforeAll(async () => {
    const reference = PCBUILD_REFERENCE_SOURCES['3.13'];
    const lock = await resolveSource('cpython', reference.spec, { workspaceRoot: WORKSPACE, cacheDir: defaultSourceCacheDir(), runner: new ToolRunner() });
    const lockFile = join(dist, 'sources-3.13', 'cpython.source.json');
    mkdirSync(join(dist, 'sources-3.13'), { recursive: true });
    writeFileSync(lockFile, JSON.stringify(lock, null, 2) + '\n');
    built = await buildFullMode('dist/fips-python/sources-3.13/cpython.source.json', 'python-full-3.13', printed);
  });

  it('builds CPython 3.13.5, and verify passes every required check, the start modes included', async () => {
    if (!built.success) console.log(printed.slice(-40).join('\n'));
    expect(built.success).toBe(true);
    const verified = await verifyFullMode('python-full-3.13', 'verify-full-3.13', printed);
    const report = readReport('verify-full-3.13');
    expect(report.failedRequired).toEqual([]);
    expect(verified.success).toBe(true);
    expect(report.checks.filter((c) => c.required).map((c) => c.id)).toEqual(
      expect.arrayContaining(['start-isolated', 'venv-interpreter', 'start-environment', 'md5-refused']),
    );
  });

  it("3.13's hash module names reach OpenSSL: _sha2 computes there, _md5 is refused, hmac works, even with -S", () => {
    const code = [
      'import sys, _hashlib',
      'import _sha2, _md5',
      'print(sys.version.split()[0], type(_sha2.sha256(b"abc")) is _hashlib.HASH, _sha2.sha256(b"abc").hexdigest()[:16])',
      'try:',
      '    _md5.md5(b"x"); print("md5 computed")',
      'except ValueError:',
      '    print("md5 refused")',
      'import hmac; print("hmac", hmac.new(b"k", b"m", "sha256").hexdigest()[:16])',
    ].join('\n');
    for (const flags of [[], ['-S'], ['-I']]) {
      const result = runPython(join(output, 'bin', 'python3'), [...flags, '-c', code]);
      expect({ flags, stderr: result.stderr, lines: result.stdout.trim().split('\n') }).toEqual({
        flags,
        stderr: '',
        lines: ['3.13.5 True ba7816bf8f01cfea', 'md5 refused', `hmac ${createHmac('sha256', 'k').update('m').digest('hex').slice(0, 16)}`],
      });
    }
  });
});

describe('remote cache: a second checkout at another path, with its own empty local cache', () => {
  let checkout: string;
  let second: { status: number; output: string };
  beforeAll(async () => {
    checkout = secondCheckout();
    remote.requests.length = 0;
    second = await runNxAsync(
      ['run', 'fips-python:build'],
      { ...isolatedNxEnvironment(), NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remote.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: REMOTE_TOKEN },
      checkout,
    );
    if (second.status !== 0) console.log(second.output);
  });
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  it('restores OpenSSL and the Python stage from the remote cache with no compiler run, and verify passes there', () => {
    expect(second.status).toBe(0);
    expect(taskOutcome(second.output, 'fips-python:openssl')).toBe('remote cache');
    expect(taskOutcome(second.output, 'fips-python:python')).toBe('remote cache');
    // The stages' executors never ran: no build logs, no build directories.
    for (const stage of ['openssl', 'python']) expect(existsSync(join(checkout, 'tmp', 'fipskit', 'fips-python', stage))).toBe(false);
    const report = JSON.parse(readFileSync(join(checkout, 'dist', 'fips-python', 'verify', 'report.json'), 'utf8'));
    expect(report.failedRequired).toEqual([]);
    expect(report.passed).toBe(true);
    // The interpreter really loaded the restored libcrypto, from the second checkout.
    expect(report.checks.find((c: { id: string }) => c.id === 'libcrypto-path').detail).toContain(join(checkout, 'dist', 'fips-python', 'openssl', 'lib'));
    expect(remote.requests.filter((r) => r.method === 'GET' && r.status === 200).length).toBeGreaterThanOrEqual(2);
  });

  it('never takes fipsinstall output from another checkout or machine: fips-config and verify run here', () => {
    expect(taskOutcome(second.output, 'fips-python:fips-config')).toBe('ran');
    expect(taskOutcome(second.output, 'fips-python:verify')).toBe('ran');
    const manifest = JSON.parse(readFileSync(join(checkout, 'dist', 'fips-python', 'fips-config', 'fips-config.json'), 'utf8'));
    expect(manifest.fipsinstall.verify.join('\n')).toMatch(/VERIFY PASSED/);
    expect(readFileSync(join(checkout, 'dist', 'fips-python', 'fips-config', 'fips-env.sh'), 'utf8')).toContain(join(checkout, 'dist'));
  });

  it('nothing the restored stages use points into the first checkout', () => {
    const restored = join(checkout, 'dist', 'fips-python');
    for (const file of ['openssl/build-info.json', 'python/fipskit-python.json', 'python/bin/python3']) {
      expect(readFileSync(join(restored, file), 'utf8')).not.toContain(WORKSPACE);
    }
    const ssl = spawnSync('sh', ['-c', 'readelf -d "$1"/lib/fipskit/_ssl*.so', 'sh', join(restored, 'python')], { encoding: 'utf8' });
    expect(ssl.stdout).toMatch(/\(RPATH\)\s+Library rpath: \[\$ORIGIN\/[./]*openssl\/lib\]/);
    // OpenSSL's compiled-in directories are a fixed prefix, not a checkout path.
    const dirs = spawnSync(join(restored, 'openssl', 'bin', 'openssl'), ['version', '-d', '-m'], {
      encoding: 'utf8',
      env: { LD_LIBRARY_PATH: join(restored, 'openssl', 'lib') },
    });
    expect(dirs.stdout).not.toContain(WORKSPACE);
    expect(dirs.stdout).not.toContain(checkout);
  });

  it('the reproducibility audit there rebuilds OpenSSL and the Python stage from source at that path: every file is what the remote cache delivered, and verify cites it', async () => {
    const restored = join(checkout, 'dist', 'fips-python');
    const audit = await runNxAsync(['run', 'fips-python:audit'], isolatedNxEnvironment(), checkout);
    if (audit.status !== 0) console.log(audit.output);
    expect(audit.status).toBe(0);
    const report = JSON.parse(readFileSync(join(restored, 'audit', 'audit.json'), 'utf8'));
    expect(report.stages.map((s: { target: string; reproduced: boolean; differences: unknown[] }) => [s.target, s.reproduced, s.differences])).toEqual([
      ['fips-python:openssl', true, []],
      ['fips-python:python', true, []],
    ]);
    // Every file of each output was compared: the libraries, the FIPS module, the modules, the runtime zip, build-info.json.
    expect(report.stages[0].files).toBeGreaterThan(100);
    const module = readFileSync(join(restored, 'openssl', 'lib', 'ossl-modules', 'fips.so'));
    expect(report.fipsModule).toEqual({ path: 'lib/ossl-modules/fips.so', sha256: createHash('sha256').update(module).digest('hex'), reproduced: true });
    expect(existsSync(join(restored, 'openssl.audit'))).toBe(false);

    const verify = await runNxAsync(['run', 'fips-python:verify'], isolatedNxEnvironment(), checkout);
    expect(verify.status).toBe(0);
    const evidence = JSON.parse(readFileSync(join(restored, 'verify', 'report.json'), 'utf8'));
    expect(evidence.fipsModule).toMatchObject({
      path: join(restored, 'openssl', 'lib', 'ossl-modules', 'fips.so'),
      sha256: report.fipsModule.sha256,
      audit: { reproduced: true },
    });
    expect(evidence.fipsModule.statement).toMatch(/A rebuild from its locked source with no cache gave the same bytes/);
    expect(readFileSync(join(restored, 'verify', 'evidence.html'), 'utf8')).toContain('A rebuild from its locked source with no cache gave the same bytes');
  });

  it('an output changed after it was built fails the audit, naming the file', async () => {
    const restored = join(checkout, 'dist', 'fips-python');
    const [module] = readdirSync(join(restored, 'python', 'lib', 'fipskit')).filter((name) => name.startsWith('_ssl.'));
    const file = join(restored, 'python', 'lib', 'fipskit', module);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(file, bytes);
    // Without its dependencies: Nx would put its cached copy back over the changed file first.
    const audit = await runNxAsync(['run', 'fips-python:audit', '--stages=python', '--excludeTaskDependencies'], isolatedNxEnvironment(), checkout);
    expect(audit.status).not.toBe(0);
    // fipskit-python.json still records the module as built: only the changed file differs.
    expect(audit.output).toMatch(
      new RegExp(`fips-python:python: 1 of \\d+ entries differ from a rebuild from source: lib/fipskit/${module.replace(/\./g, '\\.')}`),
    );
    const report = JSON.parse(readFileSync(join(restored, 'audit', 'audit.json'), 'utf8'));
    expect(report.stages[0]).toMatchObject({ reproduced: false, rebuiltKeptAt: 'dist/fips-python/python.audit' });
    expect(report.stages[0].differences.map((d: { path: string }) => d.path)).toEqual([`lib/fipskit/${module}`]);
  });

  it('a remote cache that fails or refuses the token: a clear message, nothing restored, the outputs intact; --skip-remote-cache builds from the local cache', async () => {
    const before = readFileSync(join(dist, 'openssl', 'build-info.json'), 'utf8');
    const fresh = isolatedNxEnvironment();
    remote.failWith = 500;
    try {
      const failing = await runNxAsync(['run', 'fips-python:openssl'], {
        ...fresh,
        NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remote.url,
        NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: REMOTE_TOKEN,
      });
      expect(failing.status).not.toBe(0);
      expect(failing.output).toMatch(/500/);
    } finally {
      remote.failWith = undefined;
    }
    const refused = await runNxAsync(['run', 'fips-python:openssl'], {
      ...fresh,
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remote.url,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'wrong-token',
    });
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(/Unauthorized: invalid token/);
    // Nothing half-restored: the OpenSSL output is as it was, and no build ran into it.
    expect(readFileSync(join(dist, 'openssl', 'build-info.json'), 'utf8')).toBe(before);
    const local = await runNxAsync(['run', 'fips-python:build', '--skip-remote-cache'], {
      ...env,
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remote.url,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'wrong-token',
    });
    expect(local.status).toBe(0);
    expect(taskOutcome(local.output, 'fips-python:openssl')).toMatch(/local cache|existing outputs/);
  });

  it('a slow remote cache only makes the build slower: the stages come from it intact and verify passes', async () => {
    remote.delayMs = 3000;
    try {
      const slow = await runNxAsync(['run', 'fips-python:build'], {
        ...isolatedNxEnvironment(),
        NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remote.url,
        NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: REMOTE_TOKEN,
      });
      expect(slow.status).toBe(0);
      expect(taskOutcome(slow.output, 'fips-python:openssl')).toBe('remote cache');
      expect(slow.output).not.toMatch(/\[sources\] warning/);
      expect(readReport('verify').failedRequired).toEqual([]);
    } finally {
      remote.delayMs = 0;
    }
  });

  it('a remote cache that never answers: a warning saying so before Nx waits on it, and nothing restored or changed', async () => {
    const before = readFileSync(join(dist, 'openssl', 'build-info.json'), 'utf8');
    remote.silent = true;
    try {
      const hung = await interruptNx(
        ['run', 'fips-python:build'],
        { ...isolatedNxEnvironment(), NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remote.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: REMOTE_TOKEN },
        /did not answer within/,
        'SIGINT',
      );
      expect(hung.output).toContain(
        `[sources] warning: the remote cache ${remote.url} did not answer within 10 s. Nx waits for its remote cache without a time limit, so this build may stop without a word at the first cached stage: fix the server, or build locally with --skip-remote-cache`,
      );
      expect(hung.status).not.toBe(0);
    } finally {
      remote.silent = false;
    }
    expect(readFileSync(join(dist, 'openssl', 'build-info.json'), 'utf8')).toBe(before);
  });
});
