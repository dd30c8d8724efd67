import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { Command, OUTPUT_MARKER, RecordingRunner, hostPlatform } from '@fipskit/core';
import verifyExecutor, { VerifyDeps } from './executor';
import { VerifyOptions } from './schema';
import { CHACHA20_ONLY, CipherOffer, StartTlsServer } from './lib/tls-server';
import { ISOLATED_VARIABLES, ScriptReport, VERIFY_SCRIPT } from './lib/verify-script';

const fixture = (name: string): ScriptReport => JSON.parse(readFileSync(join(__dirname, 'lib', '__fixtures__', name), 'utf8'));
const FALSE_GREEN = fixture('checks-fips-by-environment.json');
const ALL_PASSING: ScriptReport = { ...FALSE_GREEN, checks: FALSE_GREEN.checks.map((c) => ({ ...c, passed: c.required ? true : c.passed })) };
const withoutTls = (report: ScriptReport): ScriptReport => ({ ...report, checks: report.checks.filter((c) => !/^tls1|cipher-refused/.test(c.id)) });

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-verify-exec-'));
  const prefix = join(root, 'dist', 'p', 'openssl');
  mkdirSync(join(prefix, 'bin'), { recursive: true });
  mkdirSync(join(prefix, 'lib', 'ossl-modules'), { recursive: true });
  writeFileSync(join(prefix, 'lib', 'ossl-modules', 'fips.so'), 'the provider');
  writeFileSync(join(prefix, 'lib', 'libcrypto.so.3'), 'libcrypto');
  const source = {
    product: 'openssl', version: '3.0.22', origin: 'debian', sha256: '6'.repeat(64), fileName: 'openssl_3.0.22.orig.tar.gz',
    location: 'openssl=3.0.22-1~deb12u2', verification: "SHA-256 from Debian's signed Sources index",
  };
  writeFileSync(
    join(prefix, 'build-info.json'),
    JSON.stringify({
      version: '3.0.22',
      platform: hostPlatform(),
      arch: 'x64',
      source,
      configure: { target: 'linux-x86_64', arguments: ['linux-x86_64', 'enable-fips'], scope: 'targeted' },
      toolchain: { compiler: 'cc 12.2.0', perl: 'perl v5.36.0', make: 'GNU Make 4.3' },
      fipsProvider: { version: '3.0.22', validated: false, status: 'FIPS-capable, not validated', module: 'lib/ossl-modules/fips.so' },
      layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include', openssldir: 'ssl' },
      artifacts: { 'lib/libcrypto.so.3': 'x', 'lib/ossl-modules/fips.so': 'y' },
    }),
  );
  mkdirSync(join(root, 'dist', 'p', 'fips-config'), { recursive: true });
  writeFileSync(join(root, 'dist', 'p', 'fips-config', 'openssl.cnf'), '# fips\n');
  const python = join(root, 'dist', 'p', 'python', 'bin', 'python3');
  mkdirSync(join(python, '..'), { recursive: true });
  writeFileSync(python, '#!/bin/sh\nexit 99\n', { mode: 0o755 });
  writeFileSync(
    join(root, 'dist', 'p', 'python', 'fipskit-python.json'),
    JSON.stringify({ mode: 'overlay', interpreter: { path: '/usr/bin/python3.11', version: '3.11.2' }, source: { ...source, product: 'cpython', version: '3.11.2' }, modules: {} }),
  );
  const options: VerifyOptions = { python: 'dist/p/python/bin/python3', opensslPath: 'dist/p/openssl', fipsConfigPath: 'dist/p/fips-config', outputPath: 'dist/p/verify', tls: false };
  const printed: string[] = [];
  const context = { root, projectName: 'p' } as ExecutorContext;
  const deps = (runner: RecordingRunner, extra: Partial<VerifyDeps> = {}): VerifyDeps => ({
    runner,
    print: (l) => printed.push(l),
    now: () => new Date('2025-01-02T03:04:05Z'),
    hostname: () => 'builder',
    ...extra,
  });
  return { root, prefix, python, options, printed, context, deps, outputDir: join(root, 'dist', 'p', 'verify') };
}

/** Stands in for the interpreter: writes `report` where the script would. */
function interpreterAnswering(report: ScriptReport | undefined, response: { exitCode?: number; output?: string[] } = {}) {
  return new RecordingRunner().respond((c) => c.args[0] === VERIFY_SCRIPT, {
    exitCode: response.exitCode ?? 0,
    output: response.output,
    effect: (c: Command) => {
      if (report) writeFileSync(c.args[c.args.indexOf('--output') + 1], JSON.stringify(report));
    },
  });
}

const posixOnly = process.platform === 'win32' ? describe.skip : describe;

describe('verify executor start', () => {
  it("does not load CycloneDX's library with the executor: that waits until the checks run", () => {
    let loaded = false;
    jest.isolateModules(() => {
      jest.doMock('@cyclonedx/cyclonedx-library', () => {
        loaded = true;
        return jest.requireActual('@cyclonedx/cyclonedx-library');
      });
      require('./executor');
    });
    expect(loaded).toBe(false);
  });
});

posixOnly('verify executor', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => (s = setup()));
  afterEach(() => rmSync(s.root, { recursive: true, force: true }));

  it('runs the script in the interpreter with the exact arguments and a stripped environment, then publishes the report', async () => {
    const runner = interpreterAnswering(withoutTls(ALL_PASSING));
    const result = await verifyExecutor(s.options, s.context, s.deps(runner));
    expect(result).toEqual({ success: true });
    expect(runner.commands).toHaveLength(1);
    const [run] = runner.commands;
    expect(run.program).toBe(s.python);
    expect(run.args).toEqual([
      VERIFY_SCRIPT,
      '--expected-openssl-version', '3.0.22',
      '--expected-fips-version', '3.0.22',
      '--expected-libcrypto-dir', join(s.prefix, 'lib'),
      '--profile', 'rhel-compatible',
      '--start-modes',
      // The python stage's output with the siblings it finds relative to itself, copied as a moved checkout would be.
      '--moved-copy-root', join(s.root, 'dist', 'p'),
      '--moved-copy', join(s.root, 'dist', 'p', 'python'),
      '--moved-copy', s.prefix,
      '--moved-copy', join(s.root, 'dist', 'p', 'fips-config'),
      '--moved-copy-python', s.python,
      '--output', join(run.cwd, 'checks.json'),
    ]);
    expect(run.cwd.startsWith(join(tmpdir(), 'fipskit-verify-'))).toBe(true);
    expect(run.env).toEqual(Object.fromEntries(ISOLATED_VARIABLES.map((v) => [v, undefined])));
    // The work directory is gone, the report directory is fipskit's.
    expect(existsSync(run.cwd)).toBe(false);
    expect(existsSync(join(s.outputDir, OUTPUT_MARKER))).toBe(true);
    const report = JSON.parse(readFileSync(join(s.outputDir, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ passed: true, failedRequired: [], host: 'builder', generatedAt: '2025-01-02T03:04:05.000Z', python: s.python, tls: { checked: false, server: null } });
    expect(report.opensslPrefix).toEqual({ path: s.prefix, version: '3.0.22', fipsProviderVersion: '3.0.22' });
    const summary = readFileSync(join(s.outputDir, 'summary.txt'), 'utf8');
    expect(summary.split('\n')[0]).toBe('FIPS mode: IN FORCE. All 17 required checks passed inside the interpreter.');
    expect(s.printed).toContain('FIPS mode: IN FORCE. All 17 required checks passed inside the interpreter.');
    expect(report.verdict.compliance).toMatchObject({ claimable: false, fipsProviderVersion: '3.0.22', librariesVersion: '3.0.22' });
    expect(s.printed.some((l) => /^PASS {2}fips-provider-active /.test(l))).toBe(true);
  });

  it('fails, naming the failed required checks, and still publishes the report', async () => {
    const runner = interpreterAnswering(withoutTls(FALSE_GREEN), { exitCode: 1 });
    const result = await verifyExecutor(s.options, s.context, s.deps(runner));
    expect(result).toEqual({ success: false });
    // FIPS by environment variables: MD5 falls back to the built-in, and no other way of starting it is FIPS.
    const failed = ['md5-refused', 'start-isolated', 'start-through-symlink', 'start-moved-copy', 'venv-interpreter', 'child-clean-environment'];
    expect(s.printed.at(-1)).toBe(`[verify] FIPS verification failed: ${failed.join(', ')} (details in ${join(s.outputDir, 'summary.txt')})`);
    const report = JSON.parse(readFileSync(join(s.outputDir, 'report.json'), 'utf8'));
    expect(report.passed).toBe(false);
    expect(report.failedRequired).toEqual(failed);
  });

  it('passes the profile through, and does not fail active default/legacy providers under recipe-compatible', async () => {
    const providers = withoutTls(ALL_PASSING);
    const script = { ...providers, checks: providers.checks.map((c) => (c.id === 'only-fips-and-base' ? { ...c, required: false, passed: false } : c)) };
    const runner = interpreterAnswering(script);
    const result = await verifyExecutor({ ...s.options, profile: 'recipe-compatible' }, s.context, s.deps(runner));
    expect(result.success).toBe(true);
    expect(runner.commands[0].args).toContain('recipe-compatible');
  });

  it('with tls, makes certificates with the prefix\'s openssl, hands the FIPS server and the ChaCha20-only server to the script and always stops them', async () => {
    const stops: number[] = [];
    const started: Array<{ program: string; env: Record<string, string | undefined>; offer?: CipherOffer }> = [];
    const startTlsServer: StartTlsServer = async (openssl, material, cwd, options) => {
      started.push({ ...openssl, offer: options?.offer });
      expect(material.caFile).toBe(join(cwd, 'ca.pem'));
      const port = 45555 + started.length - 1;
      return { host: '127.0.0.1', port, command: { program: openssl.program, args: [], cwd }, stop: async () => void stops.push(port) };
    };
    const runner = interpreterAnswering(ALL_PASSING);
    const result = await verifyExecutor({ ...s.options, tls: true }, s.context, s.deps(runner, { startTlsServer }));
    expect(result).toEqual({ success: true });
    expect(runner.argv().map((a) => a.slice(0, 2))).toEqual([
      [join(s.prefix, 'bin', 'openssl'), 'req'],
      [join(s.prefix, 'bin', 'openssl'), 'req'],
      [join(s.prefix, 'bin', 'openssl'), 'x509'],
      [s.python, VERIFY_SCRIPT],
    ]);
    expect(runner.commands[0].env).toMatchObject({
      OPENSSL_CONF: join(s.root, 'dist', 'p', 'fips-config', 'openssl.cnf'),
      OPENSSL_MODULES: join(s.prefix, 'lib', 'ossl-modules'),
    });
    expect(started[0]).toMatchObject({ env: runner.commands[0].env, offer: undefined });
    // The second server runs the same openssl outside FIPS mode (an empty configuration), offering ChaCha20 only.
    expect(started[1]).toMatchObject({ program: join(s.prefix, 'bin', 'openssl'), offer: CHACHA20_ONLY, env: { OPENSSL_CONF: join(runner.commands[3].cwd, 'default-provider.cnf') } });
    const args = runner.commands[3].args;
    expect(args.slice(args.indexOf('--tls-host'), args.indexOf('--start-modes'))).toEqual([
      '--tls-host', '127.0.0.1', '--tls-port', '45555', '--tls-ca', join(runner.commands[3].cwd, 'ca.pem'), '--chacha-port', '45556',
    ]);
    expect(stops.sort()).toEqual([45555, 45556]);
    expect(JSON.parse(readFileSync(join(s.outputDir, 'report.json'), 'utf8')).tls).toEqual({ checked: true, server: '127.0.0.1:45555' });
  });

  it('starts both servers side by side, and stops the one that started when the other could not', async () => {
    const stops: string[] = [];
    let pending = 0;
    let together = 0;
    const startTlsServer: StartTlsServer = async (openssl, _m, cwd, options) => {
      pending++;
      together = Math.max(together, pending);
      await new Promise((resolve) => setTimeout(resolve, 20));
      pending--;
      if (options?.offer) throw new Error('The TLS test server openssl s_server … exited with code 1.');
      return { host: '127.0.0.1', port: 45555, command: { program: openssl.program, args: [], cwd }, stop: async () => void stops.push('fips') };
    };
    const runner = interpreterAnswering(ALL_PASSING);
    const result = await verifyExecutor({ ...s.options, tls: true }, s.context, s.deps(runner, { startTlsServer }));
    expect(result).toEqual({ success: false });
    expect(together).toBe(2);
    expect(stops).toEqual(['fips']);
    expect(s.printed.join('\n')).toContain('The TLS test server openssl s_server … exited with code 1.');
    // The checks never ran without their servers.
    expect(runner.argv().map((a) => a[1])).toEqual(['req', 'req', 'x509']);
  });

  it('stops the server and fails with the interpreter\'s output when it crashed', async () => {
    const stops: number[] = [];
    const startTlsServer: StartTlsServer = async (_o, _m, cwd) => ({ host: '127.0.0.1', port: 1, command: { program: 'x', args: [], cwd }, stop: async () => void stops.push(1) });
    const runner = interpreterAnswering(undefined, { exitCode: 134, output: ['Fatal Python error: init_import_site: Failed to import the site module'] });
    const result = await verifyExecutor({ ...s.options, tls: true }, s.context, s.deps(runner, { startTlsServer }));
    expect(result).toEqual({ success: false });
    expect(stops).toHaveLength(2);
    const message = s.printed.join('\n');
    expect(message).toContain(`${s.python} did not produce a FIPS verification report (exit code 134; it wrote no report)`);
    expect(message).toContain('Fatal Python error: init_import_site');
    expect(existsSync(s.outputDir)).toBe(false);
  });

  it('refuses before running anything when the interpreter is missing', async () => {
    const runner = interpreterAnswering(ALL_PASSING);
    const result = await verifyExecutor({ ...s.options, python: 'dist/p/python/bin/python9' }, s.context, s.deps(runner));
    expect(result.success).toBe(false);
    expect(s.printed.join('\n')).toContain(`The interpreter to verify, ${join(s.root, 'dist', 'p', 'python', 'bin', 'python9')}, does not exist`);
    expect(runner.commands).toHaveLength(0);
  });

  it('refuses a report directory holding files fipskit did not create, and keeps them', async () => {
    mkdirSync(s.outputDir, { recursive: true });
    writeFileSync(join(s.outputDir, 'notes.txt'), 'mine');
    const runner = interpreterAnswering(ALL_PASSING);
    const result = await verifyExecutor(s.options, s.context, s.deps(runner));
    expect(result.success).toBe(false);
    expect(s.printed.join('\n')).toContain('notes.txt');
    expect(readFileSync(join(s.outputDir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(runner.commands).toHaveLength(0);
  });

  it('prints the tools\' output when verbose', async () => {
    const runner = new RecordingRunner().respond(() => true, {
      output: ['fipskit_verify: 12 checks, all required passed'],
      effect: (c) => writeFileSync(c.args[c.args.indexOf('--output') + 1], JSON.stringify(withoutTls(ALL_PASSING))),
    });
    await verifyExecutor({ ...s.options, verbose: true }, s.context, s.deps(runner));
    expect(s.printed).toContain('fipskit_verify: 12 checks, all required passed');
  });
});

// The whole stage for real: the prefix's openssl makes certificates and serves TLS in FIPS mode, and the
// interpreter is Debian's python3.11 as installed (no FIPS of its own), which must fail.
const WORKSPACE = resolve(__dirname, '..', '..', '..', '..', '..');
const SYSTEM_PYTHON = '/usr/bin/python3.11';
const available = existsSync(SYSTEM_PYTHON) && existsSync(join(WORKSPACE, 'dist', 'fips-python', 'openssl', 'build-info.json')) && existsSync(join(WORKSPACE, 'dist', 'fips-python', 'fips-config', 'openssl.cnf'));
const realTitle = available
  ? 'verify executor against the real FIPS prefix'
  : `verify executor against the real FIPS prefix — SKIPPED: needs ${SYSTEM_PYTHON} and dist/fips-python (build it with nx run fips-python:fips-config)`;

(available ? describe : describe.skip)(realTitle, () => {
  it('fails the system interpreter, naming the checks, after real TLS 1.2/1.3 handshakes with a FIPS s_server', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fipskit-verify-real-'));
    const printed: string[] = [];
    try {
      const result = await verifyExecutor(
        {
          python: SYSTEM_PYTHON,
          opensslPath: join(WORKSPACE, 'dist', 'fips-python', 'openssl'),
          fipsConfigPath: join(WORKSPACE, 'dist', 'fips-python', 'fips-config'),
          outputPath: join(out, 'verify'),
        },
        { root: out, projectName: 'verify-real' } as ExecutorContext,
        { print: (l) => printed.push(l) },
      );
      expect(result.success).toBe(false);
      const report = JSON.parse(readFileSync(join(out, 'verify', 'report.json'), 'utf8'));
      expect(report.failedRequired).toEqual(expect.arrayContaining(['libcrypto-path', 'fips-provider-active', 'sha256-from-fips', 'default-properties-fips', 'md5-refused']));
      const byId = Object.fromEntries(report.checks.map((c: { id: string }) => [c.id, c]));
      expect(byId['tls12-handshake']).toMatchObject({ passed: true, detail: expect.stringMatching(/^TLSv1\.2 with ECDHE-ECDSA-AES/) });
      expect(byId['tls13-handshake']).toMatchObject({ passed: true, detail: expect.stringMatching(/^TLSv1\.3 with TLS_AES_/) });
      // A non-FIPS client takes the ChaCha20 the second server offers: the check can fail, and does here.
      expect(byId['non-approved-cipher-refused']).toMatchObject({ passed: false, detail: expect.stringMatching(/^connected to the ChaCha20-only server with (TLS_CHACHA20_POLY1305_SHA256|ECDHE-ECDSA-CHACHA20-POLY1305)/) });
      expect(printed.join('\n')).toMatch(/\[verify\] FIPS verification failed: .*fips-provider-active.*md5-refused/);
      const [host, port] = report.tls.server.split(':');
      const stillListening = await new Promise((done) => {
        const socket = createConnection({ host, port: Number(port) });
        socket.once('connect', () => (socket.destroy(), done(true)));
        socket.once('error', () => done(false));
      });
      expect(stillListening).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
