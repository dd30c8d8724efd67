import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ExecutorContext } from '@nx/devkit';
import pythonBuildExecutor from '../packages/python-pcbuild/src/executors/build/executor';
import openSslBuildExecutor from '../packages/openssl-fips/src/executors/build/executor';
import { SmallDisk, mountSmallDisk } from '../packages/core/src/testing/small-disk';
import { processesInside } from '../packages/core/src/testing/processes';
import verifyExecutor from '../packages/verify/src/executors/verify/executor';
import { WORKSPACE, interruptNx, isolatedNxEnvironment, runActivated, runNx, runNxAsync, secondCheckout, taskOutcome } from './support/workspace';
import { RemoteCacheServer, startRemoteCacheServer } from './support/remote-cache-server';
import { validateSbom } from '../packages/verify/src/executors/verify/lib/evidence/sbom';
import { createHash } from 'node:crypto';

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
    for (const id of ['openssl-version', 'fips-provider-active', 'sha256-from-fips', 'md5-refused', 'tls12-handshake', 'tls13-handshake', 'non-approved-cipher-refused']) {
      expect(check(report, id)).toMatchObject({ required: true, passed: true });
    }
    expect(cold.output).toMatch(/\[python\] \(\d+\/\d+\) Compile _hashlib/);
  });

  it('writes the auditor report (Markdown, HTML) and a schema-valid CycloneDX SBOM whose hashes are the files on disk', async () => {
    expect(cold.status).toBe(0);
    const verify = join(dist, 'verify');
    const markdown = readFileSync(join(verify, 'evidence.md'), 'utf8');
    expect(markdown).toContain('PASSED: all 13 required checks passed');
    expect(markdown).toContain('openssl fipsinstall ran on host');
    expect(readFileSync(join(verify, 'evidence.html'), 'utf8')).toContain('<h2>Files and their SHA-256</h2>');
    const json = readFileSync(join(verify, 'sbom.cdx.json'), 'utf8');
    expect(await validateSbom(json)).toBeUndefined();
    const files = JSON.parse(json).components.filter((c: { type: string }) => c.type === 'file');
    const names = files.map((f: { name: string }) => f.name);
    for (const expected of ['openssl/lib/ossl-modules/fips.so', 'openssl/lib/libcrypto.so.3', 'openssl/lib/libssl.so.3', 'fips-config/openssl.cnf', 'fips-config/fipsmodule.cnf']) {
      expect(names).toContain(expected);
    }
    expect(names.some((n: string) => /^python\/lib\/fipskit\/_ssl\..*\.so$/.test(n))).toBe(true);
    expect(names.some((n: string) => /_hashlib\..*\.so$/.test(n))).toBe(true);
    for (const file of files) {
      expect(file.hashes[0].content).toBe(createHash('sha256').update(readFileSync(join(dist, file.name))).digest('hex'));
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
    expect(cold.output).toMatch(/\[openssl\] The previous run was interrupted by SIGINT at .*: it stopped the running tools .*removed the unfinished output .* Starting openssl over\./);
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

  it('a second build is all cache hits except verify: no compiler runs, the proof is made again', () => {
    const logs = ['openssl/openssl-build.log', 'python/python-build.log'].map((l) => join(WORKSPACE, 'tmp', 'fipskit', 'fips-python', l));
    const before = logs.map((l) => statSync(l).mtimeMs);
    const reportBefore = statSync(join(dist, 'verify', 'report.json')).mtimeMs;
    const warm = runNx(['run', 'fips-python:build'], env);
    expect(warm.status).toBe(0);
    for (const task of ['openssl', 'fips-config', 'python']) expect(taskOutcome(warm.output, `fips-python:${task}`)).toMatch(/cache|existing outputs/);
    expect(taskOutcome(warm.output, 'fips-python:verify')).toBe('ran');
    expect(logs.map((l) => statSync(l).mtimeMs)).toEqual(before);
    expect(statSync(join(dist, 'verify', 'report.json')).mtimeMs).toBeGreaterThan(reportBefore);
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
function overlayCopy(name: string, prepare: (root: string) => void): string {
  const root = mkdtempSync(join(WORKSPACE, 'tmp', `e2e-${name}-`));
  cpSync(join(dist, 'python'), join(root, 'python'), { recursive: true, verbatimSymlinks: true });
  symlinkSync(join(dist, 'fips-config'), join(root, 'fips-config'));
  prepare(root);
  return join(root, 'python', 'bin', 'python3');
}

function verifyWith(python: string, outputDir: string) {
  return runNx(['run', 'fips-python:verify', `--python=${python}`, `--outputPath=dist/fips-python/${outputDir}`], env);
}

describe('verify catches every false green we know of', () => {
  it("fails on Debian's system python3.11 and names the failing checks", () => {
    const result = verifyWith('/usr/bin/python3.11', 'verify-system-python');
    expect(result.status).not.toBe(0);
    const report = readReport('verify-system-python');
    expect(report.failedRequired).toEqual(expect.arrayContaining(['openssl-version', 'fips-provider-active', 'md5-refused']));
    expect(result.output).toMatch(/FIPS verification failed: .*openssl-version/);
  });

  it('fails on a launcher whose FIPS module was tampered with (one byte flipped in a copy of fips.so)', () => {
    const python = overlayCopy('tampered', (root) => {
      cpSync(join(dist, 'openssl'), join(root, 'openssl'), { recursive: true, verbatimSymlinks: true });
      const module = join(root, 'openssl', 'lib', 'ossl-modules', 'fips.so');
      const bytes = readFileSync(module);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at] ^ 0xff;
      writeFileSync(module, bytes);
    });
    const result = verifyWith(python, 'verify-tampered');
    expect(result.status).not.toBe(0);
    const report = readReport('verify-tampered');
    expect(report.failedRequired).toContain('fips-provider-active');
    expect(check(report, 'openssl-version')?.passed).toBe(true);
  });

  it('fails on an overlay with the built-in md5 fallback left open (no hash routing)', () => {
    const python = overlayCopy('fallback-open', (root) => {
      symlinkSync(join(dist, 'openssl'), join(root, 'openssl'));
      // The same wrapper, loading our _hashlib, but without installing the hash routing.
      const wrapper = join(root, 'python', 'lib', 'fipskit', '_hashlib.py');
      const [loadOnly] = readFileSync(wrapper, 'utf8').split('import _fipskit_hashes');
      expect(loadOnly).toContain('sys.modules["_hashlib"] = _real');
      writeFileSync(wrapper, loadOnly);
    });
    const result = verifyWith(python, 'verify-fallback-open');
    expect(result.status).not.toBe(0);
    const report = readReport('verify-fallback-open');
    // Everything else is FIPS: only the MD5 fallback betrays it.
    expect(report.failedRequired).toEqual(['md5-refused']);
    expect(check(report, 'md5-refused')?.detail).toMatch(/hashlib\.md5/);
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
    expect(output).toMatch(/The openssl stage ran out of disk space \(No space left on device\) while writing to .*\/build \(0 MB free now; buildDir moves it\)/);
    expect(output).toMatch(/Nothing was published: the unfinished output was removed/);
    expect(readdirSync(dir).filter((name) => name.startsWith('openssl'))).toEqual([]);
  });
});

describe('full mode: a complete CPython built against the FIPS OpenSSL', () => {
  const context = { root: WORKSPACE, projectName: 'fips-python' } as ExecutorContext;
  const printed: string[] = [];
  let built: { success: boolean };

  beforeAll(async () => {
    built = await pythonBuildExecutor(
      {
        mode: 'full',
        sourceLock: 'dist/fips-python/sources/cpython.source.json',
        opensslPath: 'dist/fips-python/openssl',
        fipsConfigPath: 'dist/fips-python/fips-config',
        outputPath: 'dist/fips-python/python-full',
        buildDir: 'tmp/fipskit/fips-python/python-full',
      },
      context,
      { print: (l) => printed.push(l) },
    );
  });

  it('builds, and its launcher passes every required verification check', async () => {
    expect(printed.join('\n')).toMatch(/objects compiled/);
    expect(built.success).toBe(true);
    const verified = await verifyExecutor(
      {
        python: 'dist/fips-python/python-full/bin/python3',
        opensslPath: 'dist/fips-python/openssl',
        fipsConfigPath: 'dist/fips-python/fips-config',
        outputPath: 'dist/fips-python/verify-full',
      },
      context,
      { print: (l: string) => printed.push(l) },
    );
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
    expect(ssl.stdout).toMatch(/\(RPATH\)\s+Library rpath: \[\$ORIGIN\/[.\/]*openssl\/lib\]/);
    // OpenSSL's compiled-in directories are a fixed prefix, not a checkout path.
    const dirs = spawnSync(join(restored, 'openssl', 'bin', 'openssl'), ['version', '-d', '-m'], { encoding: 'utf8', env: { LD_LIBRARY_PATH: join(restored, 'openssl', 'lib') } });
    expect(dirs.stdout).not.toContain(WORKSPACE);
    expect(dirs.stdout).not.toContain(checkout);
  });

  it('a remote cache that fails or refuses the token: a clear message, nothing restored, the outputs intact; --skip-remote-cache builds from the local cache', async () => {
    const before = readFileSync(join(dist, 'openssl', 'build-info.json'), 'utf8');
    const fresh = isolatedNxEnvironment();
    remote.failWith = 500;
    try {
      const failing = await runNxAsync(['run', 'fips-python:openssl'], { ...fresh, NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remote.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: REMOTE_TOKEN });
      expect(failing.status).not.toBe(0);
      expect(failing.output).toMatch(/500/);
    } finally {
      remote.failWith = undefined;
    }
    const refused = await runNxAsync(['run', 'fips-python:openssl'], { ...fresh, NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remote.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'wrong-token' });
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(/Unauthorized: invalid token/);
    // Nothing half-restored: the OpenSSL output is as it was, and no build ran into it.
    expect(readFileSync(join(dist, 'openssl', 'build-info.json'), 'utf8')).toBe(before);
    const local = await runNxAsync(['run', 'fips-python:build', '--skip-remote-cache'], { ...env, NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remote.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'wrong-token' });
    expect(local.status).toBe(0);
    expect(taskOutcome(local.output, 'fips-python:openssl')).toMatch(/local cache|existing outputs/);
  });

  it('a slow remote cache only makes the build slower: the stages come from it intact and verify passes', async () => {
    remote.delayMs = 3000;
    try {
      const slow = await runNxAsync(['run', 'fips-python:build'], { ...isolatedNxEnvironment(), NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remote.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: REMOTE_TOKEN });
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
