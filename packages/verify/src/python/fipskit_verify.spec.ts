import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  SCRIPT_SCENARIOS,
  ScriptExpectations,
  runScriptDirectly,
  scenarioEnvironment,
  strictFipsConfig,
  tamperedModuleDir,
  unmetExpectations,
} from '../testing/script-scenarios';

// The checks run inside real interpreters: Debian's system Python (absolute path: `python3.11` on PATH
// may be a pyenv shim) and the FIPS prefix the workspace's fips-python project builds. They skip when
// the prefix is missing; `npm test` runs the unit tests after the e2e suite has built it.
const WORKSPACE = resolve(__dirname, '..', '..', '..', '..');
const SYSTEM_PYTHON = '/usr/bin/python3.11';
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const built = { prefix: join(WORKSPACE, 'dist', 'fips-python', 'openssl'), fipsConfigDir: join(WORKSPACE, 'dist', 'fips-python', 'fips-config') };
const available = existsSync(SYSTEM_PYTHON) && existsSync(join(built.prefix, 'build-info.json')) && existsSync(join(built.fipsConfigDir, 'fipsmodule.cnf'));
// The scenarios need the strict profile (no provider with MD5 at all), whatever the project's profile is.
const paths = { prefix: built.prefix, fipsConfigDir: available ? strictFipsConfig(built.fipsConfigDir) : built.fipsConfigDir };
const describeWithPrefix = available ? describe : describe.skip;
const title = available
  ? 'fipskit_verify.py inside real interpreters'
  : `fipskit_verify.py inside real interpreters — SKIPPED: needs ${SYSTEM_PYTHON} and the FIPS OpenSSL at dist/fips-python (build it with nx run fips-python:fips-config)`;

function expectations(): ScriptExpectations {
  const info = JSON.parse(readFileSync(join(paths.prefix, 'build-info.json'), 'utf8'));
  return {
    opensslVersion: info.version,
    fipsProviderVersion: info.fipsProvider.version,
    libcryptoDir: join(paths.prefix, 'lib'),
    profile: 'strict',
    startModes: true,
  };
}

describeWithPrefix(title, () => {
  it('fails the system interpreter: wrong OpenSSL, no fips provider, MD5 produced', () => {
    const { report, exitCode } = runScriptDirectly(SYSTEM_PYTHON, expectations(), scenarioEnvironment('bare'));
    const scenario = { ...SCRIPT_SCENARIOS.bareSystemPython };
    // Should Debian's own OpenSSL ever reach the prefix's version, the version alone cannot tell them apart.
    if (report.openssl.version?.split(' ').includes(expectations().opensslVersion)) {
      scenario.mustFail = scenario.mustFail.filter((id) => id !== 'openssl-version');
    }
    expect(unmetExpectations(report, scenario)).toEqual([]);
    expect(exitCode).toBe(1);
    expect(report.fips_provider).toBeNull();
    expect(report.providers.map((p) => p.name)).not.toContain('fips');
  });

  it('catches the gh-116800 false green: FIPS provider active, yet hashlib.md5 is the built-in _md5', () => {
    const { report, exitCode } = runScriptDirectly(SYSTEM_PYTHON, expectations(), scenarioEnvironment('fips-by-environment', paths));
    expect(unmetExpectations(report, SCRIPT_SCENARIOS.poorMansFipsPython)).toEqual([]);
    expect(exitCode).toBe(1);
    expect(report.fips_provider).toMatchObject({ name: 'fips', status: 1, loaded: true, version: expectations().fipsProviderVersion });
    expect(report.providers.map((p) => p.name).sort()).toEqual(['base', 'fips']);
    expect(report.default_properties_fips).toBe(true);
    expect(report.openssl.libcrypto_path).toBe(join(paths.prefix, 'lib', 'libcrypto.so.3'));
    const md5 = report.checks.find((c) => c.id === 'md5-refused')!;
    expect(md5.detail).toContain('gh-116800');
    expect(md5.detail).toContain('OpenSSL MD5 with properties (default): none');
  });

  it('notices a FIPS module with one changed byte: the provider refuses to load', () => {
    const modules = tamperedModuleDir(paths.prefix);
    try {
      const { report } = runScriptDirectly(SYSTEM_PYTHON, expectations(), scenarioEnvironment('fips-by-environment', paths, modules));
      expect(unmetExpectations(report, SCRIPT_SCENARIOS.tamperedFipsModule)).toEqual([]);
      expect(report.fips_provider).toBeNull();
      expect(report.checks.find((c) => c.id === 'fips-provider-active')!.detail).toMatch(/did not load: module integrity or self-test failure/);
    } finally {
      rmSync(modules, { recursive: true, force: true });
    }
  });

  it('fails only the TLS checks when the test server is unreachable, and still reports every other check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-no-server-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), '');
      const { report } = runScriptDirectly(
        SYSTEM_PYTHON,
        { ...expectations(), tls: { host: '127.0.0.1', port: 9, caFile: join(dir, 'ca.pem') } },
        scenarioEnvironment('fips-by-environment', paths),
      );
      const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
      for (const id of ['tls12-handshake', 'tls13-handshake']) {
        expect(byId[id]).toMatchObject({ required: true, passed: false });
      }
      // An empty CA file is refused before any connection; the check records the exception instead of stopping the run.
      expect(byId['tls12-handshake'].detail).toMatch(/^the check raised SSLError/);
      expect(byId['fips-provider-active'].passed).toBe(true);
      expect(report.checks.at(-1)!.id).toBe('os-fips-switch');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  (existsSync(SYSTEM_CA_BUNDLE) ? it : it.skip)("says so when nothing listens on the ChaCha20 server's port, instead of counting it as a refusal", () => {
    const { report } = runScriptDirectly(
      SYSTEM_PYTHON,
      { ...expectations(), tls: { host: '127.0.0.1', port: 9, caFile: SYSTEM_CA_BUNDLE }, chachaPort: 9 },
      scenarioEnvironment('fips-by-environment', paths),
    );
    const refused = report.checks.find((c) => c.id === 'non-approved-cipher-refused')!;
    expect(refused.passed).toBe(false);
    expect(refused.detail).toMatch(/^cannot reach the ChaCha20-only server at 127\.0\.0\.1:9/);
    const handshake = report.checks.find((c) => c.id === 'tls13-handshake')!;
    expect(handshake).toMatchObject({ passed: false });
    expect(handshake.detail).toMatch(/^cannot reach the test server at 127\.0\.0\.1:9/);
  });

  it('holds the recipe-compatible profile to everything but the provider set', () => {
    const { report } = runScriptDirectly(SYSTEM_PYTHON, { ...expectations(), profile: 'recipe-compatible' }, scenarioEnvironment('bare'));
    expect(report.profile).toBe('recipe-compatible');
    expect(report.checks.find((c) => c.id === 'only-fips-and-base')).toMatchObject({ required: false, passed: false });
    expect(report.checks.find((c) => c.id === 'md5-refused')).toMatchObject({ required: true });
  });

  it('prints exactly one JSON object on stdout when no --output is given', async () => {
    const child = spawn(SYSTEM_PYTHON, [join(__dirname, 'fipskit_verify.py'), '--expected-openssl-version', '9.9.9'], {
      env: scenarioEnvironment('bare'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.checks.find((c: { id: string }) => c.id === 'openssl-version').passed).toBe(false);
  });
});

describe('fipskit_verify.py without a FIPS prefix', () => {
  const haveSystemPython = existsSync(SYSTEM_PYTHON);

  (haveSystemPython ? it : it.skip)('judges ciphers by algorithm, and PSK/SRP suites by whether the interpreter could ever offer them', () => {
    const probe = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(__dirname)})`,
      'import fipskit_verify as v',
      'def c(name, kea, auth, sym, mac=None): return {"name": name, "kea": kea, "auth": auth, "symmetric": sym, "digest": mac}',
      'cases = [c("ECDHE-ECDSA-AES128-GCM-SHA256", "kx-ecdhe", "auth-ecdsa", "aes-128-gcm"), c("AES256-SHA", "kx-rsa", "auth-rsa", "aes-256-cbc", "sha1"),',
      '  c("ECDHE-RSA-CHACHA20-POLY1305", "kx-ecdhe", "auth-rsa", "chacha20-poly1305"), c("DHE-RSA-CAMELLIA256-SHA", "kx-dhe", "auth-rsa", "camellia-256-cbc", "sha1"),',
      '  c("DES-CBC3-SHA", "kx-rsa", "auth-rsa", "des-ede3-cbc", "sha1"), c("PSK-AES128-GCM-SHA256", "kx-psk", "auth-psk", "aes-128-gcm"), c("SRP-AES-128-CBC-SHA", "kx-srp", "auth-srp", "aes-128-cbc", "sha1")]',
      'print(json.dumps([[x["name"], v.cipher_problems(x), v.is_dormant(x, False), v.is_dormant(x, True)] for x in cases]))',
    ].join('\n');
    // -B: importing the script must not leave __pycache__ in the package.
    const result = spawnSync(SYSTEM_PYTHON, ['-B', '-c', probe], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([
      ['ECDHE-ECDSA-AES128-GCM-SHA256', [], false, false],
      ['AES256-SHA', [], false, false],
      ['ECDHE-RSA-CHACHA20-POLY1305', ['CHACHA20', 'cipher chacha20-poly1305'], false, false],
      ['DHE-RSA-CAMELLIA256-SHA', ['CAMELLIA', 'cipher camellia-256-cbc'], false, false],
      ['DES-CBC3-SHA', ['DES', 'cipher des-ede3-cbc'], false, false],
      ['PSK-AES128-GCM-SHA256', ['PSK', 'kx-psk', 'auth-psk'], true, false],
      ['SRP-AES-128-CBC-SHA', ['SRP', 'kx-srp', 'auth-srp'], true, true],
    ]);
  });

  (haveSystemPython ? it : it.skip)('still reports from a Python that refuses its hash and ssl modules at start (a fipskit Python without FIPS mode)', () => {
    // As a fipskit Python does when its FIPS provider fails: _hashlib, _ssl and the built-in hash modules refuse to
    // import, and so does everything that needs them (random, hence tempfile). The script must report that, not crash.
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-refusing-python-'));
    try {
      writeFileSync(
        join(dir, 'sitecustomize.py'),
        [
          'import sys',
          'class FipsModeError(ImportError): pass',
          'class Refuse:',
          '    def find_spec(self, name, path=None, target=None):',
          '        if name in ("_hashlib", "_ssl", "_md5", "_sha1", "_sha256", "_sha512", "_sha3", "_blake2"):',
          '            raise FipsModeError("this Python runs in FIPS mode only, and FIPS mode is not in force")',
          'sys.meta_path.insert(0, Refuse())',
          'for name in ("_sha512", "random", "tempfile"): sys.modules.pop(name, None)',
        ].join('\n') + '\n',
      );
      const env = { ...scenarioEnvironment('bare'), PYTHONPATH: dir };
      const { report, exitCode } = runScriptDirectly(
        SYSTEM_PYTHON,
        { opensslVersion: '3.0.22', fipsProviderVersion: '3.0.22', libcryptoDir: dir, profile: 'strict', startModes: false },
        env,
      );
      expect(exitCode).toBe(1);
      expect(report.checks[0]).toMatchObject({ id: 'startup', passed: false });
      expect(report.checks[0].detail).toMatch(/FipsModeError: this Python runs in FIPS mode only/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  (haveSystemPython ? it : it.skip)('refuses --tls-port without --tls-ca (exit 2)', () => {
    const result = spawnSync(SYSTEM_PYTHON, [join(__dirname, 'fipskit_verify.py'), '--expected-openssl-version', '3.0.0', '--tls-port', '1'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--tls-port and --chacha-port need --tls-ca');
  });
});
