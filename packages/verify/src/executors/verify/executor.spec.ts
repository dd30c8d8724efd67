import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { Command, ToolRunner, OUTPUT_MARKER, ProcessRunner, RunOptions } from '@fipskit/core';
import verifyExecutor, { VerifyDeps } from './executor';
import { VerifyOptions } from './schema';
import { VERIFY_DRIVER, VERIFY_SCRIPT } from '../../python/verify-files';
import { PRIMARY_PYTHON, callPython } from '../../testing/python-harness';
import { readGolden, writeGolden } from '../../python/__fixtures__/evidence-scenarios';
import {
  ALL_PASSING,
  FALSE_GREEN,
  SYSTEM_OPENSSL,
  checksRun,
  fakeInterpreter,
  openSslRuns,
  outputsAsGolden,
  ranModule,
  stageWorkspace,
  withoutTls,
  wrappedOpenSsl,
} from '../../stage/__fixtures__/stage-workspace';

/** The real runner, recording what it ran. */
class RecordingExeca implements ProcessRunner {
  readonly commands: Command[] = [];
  private readonly inner = new ToolRunner();
  run(command: Command, options?: RunOptions) {
    this.commands.push(command);
    return this.inner.run(command, options);
  }
}

const ISOLATED_VARIABLES = callPython(PRIMARY_PYTHON, 'fipskit_verify_run', [{ get: 'ISOLATED_VARIABLES' }])[0] as string[];
const posixOnly = process.platform === 'win32' ? describe.skip : describe;
const withOpenSsl = SYSTEM_OPENSSL && process.platform !== 'win32' ? describe : describe.skip;

const listening = (server: string) =>
  new Promise((done) => {
    const [host, port] = server.split(':');
    const socket = createConnection({ host, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });

/** A stage workspace whose interpreter runs the driver for real and answers the checks as told. */
function setup(answer: Parameters<typeof fakeInterpreter>[2] & { libcrypto?: boolean } = {}) {
  const s = stageWorkspace({ libcrypto: answer.libcrypto });
  const record = join(s.root, 'record');
  fakeInterpreter(s.python, record, answer);
  const printed: string[] = [];
  const runner = new RecordingExeca();
  const deps = (extra: Partial<VerifyDeps> = {}): VerifyDeps => ({
    runner,
    print: (l) => printed.push(l),
    now: () => new Date('2025-01-02T03:04:05Z'),
    hostname: () => 'builder',
    ...extra,
  });
  const run = (options: Partial<VerifyOptions> = {}, extra: Partial<VerifyDeps> = {}) => verifyExecutor({ ...s.options, ...options }, s.context, deps(extra));
  const leftovers = () => readdirSync(dirname(s.outputDir)).filter((name) => name.startsWith('verify.'));
  return { ...s, record, printed, runner, run, leftovers };
}

describe('verify executor start', () => {
  it("does not load CycloneDX's library with the executor: that waits until the checks run", () => {
    let loaded = false;
    jest.isolateModules(() => {
      jest.doMock('@cyclonedx/cyclonedx-library', () => {
        loaded = true;
        return jest.requireActual('@cyclonedx/cyclonedx-library');
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a load of its own inside isolateModules
      require('./executor');
    });
    expect(loaded).toBe(false);
  });
});

posixOnly('verify executor', () => {
  let s: ReturnType<typeof setup>;
  afterEach(() => rmSync(s.root, { recursive: true, force: true }));

  it("refuses to write another interpreter's report over the target's evidence, before running anything; with an output of its own it runs", async () => {
    s = setup({ report: withoutTls(ALL_PASSING) });
    await expect(s.run()).resolves.toEqual({ success: true });
    const evidence = readFileSync(join(s.outputDir, 'report.json'), 'utf8');
    const context = {
      ...s.context,
      targetName: 'verify',
      projectsConfigurations: { version: 2, projects: { p: { root: 'p', targets: { verify: { executor: '@fipskit/verify:verify', options: s.options } } } } },
    } as ExecutorContext;
    const other = join(s.root, 'other', 'python3.11');
    mkdirSync(dirname(other), { recursive: true });
    fakeInterpreter(other, join(s.root, 'other-record'), { report: withoutTls(ALL_PASSING) });
    const printed: string[] = [];
    await expect(verifyExecutor({ ...s.options, python: other }, context, { runner: s.runner, print: (l) => printed.push(l) })).resolves.toEqual({
      success: false,
    });
    expect(printed.join('\n')).toContain(
      `--python=${other} is not the interpreter this target verifies (dist/p/python/bin/python3), and its report would replace that one's evidence in dist/p/verify. Give it an output of its own: add --outputPath=dist/p/verify-python3.11. Nothing was run.`,
    );
    expect(readFileSync(join(s.outputDir, 'report.json'), 'utf8')).toBe(evidence);
    expect(existsSync(join(s.root, 'other-record', 'args'))).toBe(false);
    await expect(
      verifyExecutor({ ...s.options, python: other, outputPath: 'dist/p/verify-python3.11' }, context, { runner: s.runner, print: () => undefined }),
    ).resolves.toEqual({ success: true });
    expect(existsSync(join(s.root, 'dist', 'p', 'verify-python3.11', 'report.json'))).toBe(true);
    expect(readFileSync(join(s.outputDir, 'report.json'), 'utf8')).toBe(evidence);
  });

  it('runs the driver in the interpreter, which runs the checks there with the exact arguments and a stripped environment, then publishes the report', async () => {
    s = setup({ report: withoutTls(ALL_PASSING) });
    const saved = { ...process.env };
    Object.assign(process.env, {
      OPENSSL_CONF: '/x.cnf',
      OPENSSL_MODULES: '/m',
      LD_LIBRARY_PATH: '/l',
      PYTHONPATH: '/pp',
      PYTHONHOME: '/ph',
      FIPSKIT_KEPT: 'yes',
    });
    let result: { success: boolean };
    try {
      result = await s.run();
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    expect(result).toEqual({ success: true });
    // One process: the interpreter under test, isolated, without site and bytecode, running the driver.
    expect(s.runner.commands).toHaveLength(1);
    const [driver] = s.runner.commands;
    expect(driver.program).toBe(s.python);
    expect(driver.args).toEqual(['-I', '-S', '-B', VERIFY_DRIVER, '--config', join(driver.cwd, 'config.json')]);
    expect(driver.cwd.startsWith(join(tmpdir(), 'fipskit-verify-'))).toBe(true);
    const checks = checksRun(s.record)!;
    const work = dirname(checks.args.at(-1)!);
    expect(dirname(work)).toBe(driver.cwd);
    expect(checks.args).toEqual([
      VERIFY_SCRIPT,
      '--expected-openssl-version',
      '3.0.22',
      '--expected-fips-version',
      '3.0.22',
      '--expected-libcrypto-dir',
      join(s.prefix, 'lib'),
      '--profile',
      'rhel-compatible',
      '--start-modes',
      // The python stage's output with the siblings it finds relative to itself, copied as a moved checkout would be.
      '--moved-copy-root',
      s.dist,
      '--moved-copy',
      join(s.dist, 'python'),
      '--moved-copy',
      s.prefix,
      '--moved-copy',
      s.fipsConfig,
      '--moved-copy-python',
      s.python,
      '--output',
      join(work, 'checks.json'),
    ]);
    for (const name of ISOLATED_VARIABLES) expect(checks.env).not.toHaveProperty(name);
    expect(checks.env.FIPSKIT_KEPT).toBe('yes');
    expect(process.env.OPENSSL_CONF).toBe(saved.OPENSSL_CONF);
    // The work directory is gone, the report directory is fipskit's and holds the five outputs.
    expect(existsSync(driver.cwd)).toBe(false);
    expect(readdirSync(s.outputDir).sort()).toEqual([OUTPUT_MARKER, 'evidence.html', 'evidence.md', 'report.json', 'sbom.cdx.json', 'summary.txt'].sort());
    expect(s.leftovers()).toEqual([]);
    const report = JSON.parse(readFileSync(join(s.outputDir, 'report.json'), 'utf8'));
    expect(report).toMatchObject({
      passed: true,
      failedRequired: [],
      host: 'builder',
      generatedAt: '2025-01-02T03:04:05.000Z',
      python: s.python,
      tls: { checked: false, server: null },
    });
    expect(report.opensslPrefix).toEqual({ path: s.prefix, version: '3.0.22', fipsProviderVersion: '3.0.22' });
    expect(report).not.toHaveProperty('fipsinstall');
    const summary = readFileSync(join(s.outputDir, 'summary.txt'), 'utf8');
    expect(summary.split('\n')[0]).toBe('FIPS mode: IN FORCE. All 18 required checks passed inside the interpreter.');
    expect(s.printed).toContain('FIPS mode: IN FORCE. All 18 required checks passed inside the interpreter.');
    expect(report.verdict.compliance).toMatchObject({ claimable: false, fipsProviderVersion: '3.0.22', librariesVersion: '3.0.22' });
    expect(s.printed.some((l) => /^PASS {2}fips-provider-active /.test(l))).toBe(true);
  });

  it("shows the driver's steps as the stage's progress, and keeps the tools' output in the log", async () => {
    s = setup({ report: withoutTls(ALL_PASSING), output: ['fipskit_verify: 17 checks, all required passed'] });
    await s.run();
    expect(s.printed.filter((l) => /^\[verify\] \(\d\/\d\)/.test(l))).toEqual([
      `[verify] (1/2) Run the checks inside ${s.python}`,
      '[verify] (2/2) Write report.json, summary.txt, the auditor report (evidence.md, evidence.html) and the SBOM (sbom.cdx.json)',
    ]);
    expect(s.printed.at(-1)).toMatch(/^\[verify\] took \d+\.\d s: Run the checks inside .* s, Write report\.json.* s$/);
    expect(s.printed).not.toContain('fipskit_verify: 17 checks, all required passed');
    const log = readFileSync(join(s.root, 'tmp', 'fipskit', 'p', 'verify.log'), 'utf8');
    expect(log).toContain(`$ ${s.python} -I -S -B ${VERIFY_DRIVER} --config `);
    expect(log).toContain(`# (1/2) Run the checks inside ${s.python}\n`);
    expect(log).toContain(`$ ${s.python} ${VERIFY_SCRIPT} --expected-openssl-version 3.0.22`);
    expect(log).toContain('fipskit_verify: 17 checks, all required passed\n');
    expect(log).not.toContain('fipskit-verify:');
  });

  it("prints the tools' output when verbose", async () => {
    s = setup({ report: withoutTls(ALL_PASSING), output: ['fipskit_verify: 12 checks, all required passed'] });
    await s.run({ verbose: true });
    expect(s.printed).toContain('fipskit_verify: 12 checks, all required passed');
  });

  it('fails, naming the failed required checks, and still publishes the report', async () => {
    s = setup({ report: withoutTls(FALSE_GREEN), exitCode: 1 });
    const result = await s.run();
    expect(result).toEqual({ success: false });
    // FIPS by environment variables: MD5 falls back to the built-in, and no other way of starting it is FIPS.
    const failed = [
      'md5-refused',
      'start-isolated',
      'start-through-symlink',
      'start-moved-copy',
      'venv-interpreter',
      'child-clean-environment',
      'start-environment',
    ];
    expect(s.printed.at(-1)).toBe(`[verify] FIPS verification failed: ${failed.join(', ')} (details in ${join(s.outputDir, 'summary.txt')})`);
    const report = JSON.parse(readFileSync(join(s.outputDir, 'report.json'), 'utf8'));
    expect(report.passed).toBe(false);
    expect(report.failedRequired).toEqual(failed);
  });

  it('passes the profile through, and does not fail active default/legacy providers under recipe-compatible', async () => {
    const providers = withoutTls(ALL_PASSING);
    s = setup({
      report: { ...providers, checks: providers.checks.map((c) => (c.id === 'only-fips-and-base' ? { ...c, required: false, passed: false } : c)) },
    });
    const result = await s.run({ profile: 'recipe-compatible' });
    expect(result.success).toBe(true);
    expect(checksRun(s.record)!.args).toContain('recipe-compatible');
  });

  it('fips-env: the checks run with the FIPS configuration and modules set for them, and the interpreter is not started the other ways', async () => {
    s = setup({ report: withoutTls(ALL_PASSING) });
    await s.run({ activation: 'fips-env' });
    const checks = checksRun(s.record)!;
    expect(checks.env).toMatchObject({ OPENSSL_CONF: join(s.fipsConfig, 'openssl.cnf'), OPENSSL_MODULES: join(s.prefix, 'lib', 'ossl-modules') });
    expect(checks.env).not.toHaveProperty('LD_LIBRARY_PATH');
    expect(checks.args).not.toContain('--start-modes');
    expect(checks.args).not.toContain('--moved-copy-root');
  });

  it("fails with the interpreter's output when it crashed in the checks, and publishes nothing", async () => {
    s = setup({ exitCode: 134, output: ['Fatal Python error: init_import_site: Failed to import the site module'] });
    const result = await s.run();
    expect(result).toEqual({ success: false });
    const message = s.printed.join('\n');
    expect(message).toContain(`[verify] ${s.python} did not produce a FIPS verification report (exit code 134; it wrote no report)`);
    expect(message).toContain('Fatal Python error: init_import_site');
    expect(message).toContain(`Full log: ${join(s.root, 'tmp', 'fipskit', 'p', 'verify.log')}`);
    expect(existsSync(s.outputDir)).toBe(false);
    expect(s.leftovers()).toEqual([]);
  });

  it('says so, naming the interpreter, the driver and the log, when the interpreter cannot run the driver at all', async () => {
    s = setup();
    writeFileSync(s.python, '#!/bin/sh\necho "python3: cannot open shared object file"\nexit 99\n');
    const result = await s.run();
    expect(result).toEqual({ success: false });
    const message = s.printed.join('\n');
    expect(message).toContain(
      `[verify] ${s.python} could not run fipskit's verification, ${VERIFY_DRIVER} (exit code 99; it wrote no report.json): it must be a working Python 3.8 or later.`,
    );
    expect(message).toContain('Last lines of its output:\n  python3: cannot open shared object file');
    expect(message).toContain(`Full log: ${join(s.root, 'tmp', 'fipskit', 'p', 'verify.log')}`);
    expect(existsSync(s.outputDir)).toBe(false);
    expect(s.leftovers()).toEqual([]);
  });

  it('refuses before running anything when the interpreter is missing', async () => {
    s = setup({ report: ALL_PASSING });
    const result = await s.run({ python: 'dist/p/python/bin/python9' });
    expect(result.success).toBe(false);
    expect(s.printed.join('\n')).toContain(`The interpreter to verify, ${join(s.dist, 'python', 'bin', 'python9')}, does not exist`);
    expect(s.runner.commands).toHaveLength(0);
  });

  it('refuses a report directory holding files fipskit did not create, and keeps them', async () => {
    s = setup({ report: ALL_PASSING });
    mkdirSync(s.outputDir, { recursive: true });
    writeFileSync(join(s.outputDir, 'notes.txt'), 'mine');
    const result = await s.run();
    expect(result.success).toBe(false);
    expect(s.printed.join('\n')).toContain('notes.txt');
    expect(readFileSync(join(s.outputDir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(s.runner.commands).toHaveLength(0);
  });
});

withOpenSsl("verify executor with TLS servers (the prefix's openssl is a wrapper of the system's)", () => {
  let s: ReturnType<typeof setup>;
  afterEach(() => rmSync(s.root, { recursive: true, force: true }));

  it("makes certificates with the prefix's openssl in FIPS mode, hands the FIPS server and the ChaCha20-only server to the checks, and always stops them", async () => {
    s = setup({ report: ALL_PASSING, libcrypto: false });
    wrappedOpenSsl(join(s.prefix, 'bin', 'openssl'), s.record);
    const result = await s.run({ tls: true });
    expect(result).toEqual({ success: true });
    // The CA and the server's request side by side, then the signature, then both servers side by side.
    const runs = openSslRuns(s.record);
    const kind = (args: string[]) => (args[0] === 's_server' ? (args.includes('-cipher') ? 'chacha20 server' : 'fips server') : args.slice(0, 2).join(' '));
    expect(
      runs
        .slice(0, 2)
        .map((r) => kind(r.args))
        .sort(),
    ).toEqual(['req -new', 'req -x509']);
    expect(kind(runs[2].args)).toBe('x509 -req');
    expect(
      runs
        .slice(3)
        .map((r) => kind(r.args))
        .sort(),
    ).toEqual(['chacha20 server', 'fips server']);
    const fipsServer = runs.find((r) => kind(r.args) === 'fips server')!;
    const chachaServer = runs.find((r) => kind(r.args) === 'chacha20 server')!;
    const fipsEnv = { OPENSSL_CONF: join(s.fipsConfig, 'openssl.cnf'), OPENSSL_MODULES: join(s.prefix, 'lib', 'ossl-modules'), OPENSSL_CONF_INCLUDE: null };
    for (const run of [...runs.slice(0, 3), fipsServer]) expect(run.env).toMatchObject(fipsEnv);
    expect(runs[0].env.LD_LIBRARY_PATH!.split(':')[0]).toBe(join(s.prefix, 'lib'));
    const checks = checksRun(s.record)!;
    const work = dirname(checks.args.at(-1)!);
    // The second server runs the same openssl outside FIPS mode (an empty configuration), offering ChaCha20 only.
    expect(chachaServer.env).toMatchObject({ ...fipsEnv, OPENSSL_CONF: join(work, 'default-provider.cnf') });
    expect(chachaServer.args.slice(-4)).toEqual(['-cipher', 'ECDHE-ECDSA-CHACHA20-POLY1305', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256']);
    const [fipsPort, chachaPort] = [fipsServer, chachaServer].map((r) => r.args[2].split(':')[1]);
    const args = checks.args;
    expect(args.slice(args.indexOf('--tls-host'), args.indexOf('--start-modes'))).toEqual([
      '--tls-host',
      '127.0.0.1',
      '--tls-port',
      fipsPort,
      '--tls-ca',
      join(work, 'ca.pem'),
      '--chacha-port',
      chachaPort,
    ]);
    expect(s.printed).toContain(`[verify] s_server is listening on 127.0.0.1:${fipsPort}, the ChaCha20-only server on 127.0.0.1:${chachaPort}`);
    expect(s.printed.filter((l) => /^\[verify\] \(\d\/4\)/.test(l))).toEqual([
      `[verify] (1/4) Create a throwaway CA and server certificate with ${join(s.prefix, 'bin', 'openssl')} in FIPS mode`,
      '[verify] (2/4) Start two TLS servers on 127.0.0.1: openssl s_server in FIPS mode, and one offering only ChaCha20-Poly1305 (default provider) that the client must refuse',
      `[verify] (3/4) Run the checks inside ${s.python}`,
      '[verify] (4/4) Write report.json, summary.txt, the auditor report (evidence.md, evidence.html) and the SBOM (sbom.cdx.json)',
    ]);
    expect(await listening(`127.0.0.1:${fipsPort}`)).toBe(false);
    expect(await listening(`127.0.0.1:${chachaPort}`)).toBe(false);
    expect(JSON.parse(readFileSync(join(s.outputDir, 'report.json'), 'utf8')).tls).toEqual({ checked: true, server: `127.0.0.1:${fipsPort}` });
    expect(readFileSync(join(s.root, 'tmp', 'fipskit', 'p', 'verify.log'), 'utf8')).toMatch(/^\[s_server\] ACCEPT$/m);
  });

  it('starts both servers side by side, and stops the one that started when the other could not', async () => {
    s = setup({ report: ALL_PASSING, libcrypto: false });
    wrappedOpenSsl(join(s.prefix, 'bin', 'openssl'), s.record, { failOffering: 'TLS_CHACHA20_POLY1305_SHA256', fipsServerDelay: 0.5 });
    const result = await s.run({ tls: true });
    expect(result).toEqual({ success: false });
    const servers = openSslRuns(s.record).filter((r) => r.args[0] === 's_server');
    expect(servers).toHaveLength(2);
    // The ChaCha20 server was started while the FIPS server was still starting (half a second), not after it listened.
    expect(Math.abs(servers[1].at - servers[0].at)).toBeLessThan(0.4);
    const fipsServer = servers.find((r) => !r.args.includes('-cipher'))!;
    expect(s.printed.join('\n')).toMatch(
      /\[verify\] The TLS test server .*openssl s_server -accept 127\.0\.0\.1:\d+ .*-ciphersuites TLS_CHACHA20_POLY1305_SHA256 exited with code 1\.\nIts output:\n {2}s_server: no cipher can be used/,
    );
    expect(await listening(fipsServer.args[2])).toBe(false);
    // The checks never ran without their servers.
    expect(checksRun(s.record)).toBeUndefined();
    expect(existsSync(s.outputDir)).toBe(false);
  });

  it("stops the servers and fails with the interpreter's output when it crashed", async () => {
    s = setup({ exitCode: 134, output: ['Fatal Python error: init_import_site: Failed to import the site module'], libcrypto: false });
    symlinkSync(SYSTEM_OPENSSL!, join(s.prefix, 'bin', 'openssl'));
    const result = await s.run({ tls: true });
    expect(result).toEqual({ success: false });
    const listeningLine = s.printed.find((l) => l.includes('s_server is listening on'))!;
    const [fips, chacha] = listeningLine.match(/127\.0\.0\.1:\d+/g)!;
    expect(await listening(fips)).toBe(false);
    expect(await listening(chacha)).toBe(false);
    const message = s.printed.join('\n');
    expect(message).toContain(`${s.python} did not produce a FIPS verification report (exit code 134; it wrote no report)`);
    expect(message).toContain('Fatal Python error: init_import_site');
    expect(existsSync(s.outputDir)).toBe(false);
  });
});

/** FIPSKIT_WRITE_GOLDEN=1 writes executor-outputs.json from what the stage writes now (review the diff before committing). */
const executorGolden =
  readGolden<Record<string, { tls: boolean; profile: VerifyOptions['profile']; outputs: Record<string, string> }>>('executor-outputs.json');
if (process.env.FIPSKIT_WRITE_GOLDEN === '1') afterAll(() => writeGolden('executor-outputs.json', executorGolden));

describe.each(Object.entries(executorGolden))('the stage writes what it wrote before it ran in Python: %s', (name, golden) => {
  const run = golden.tls ? withOpenSsl : posixOnly;
  run('', () => {
    it('report.json, summary.txt, evidence.md, evidence.html and sbom.cdx.json, byte for byte', async () => {
      const answer = name.startsWith('the false green') ? FALSE_GREEN : ALL_PASSING;
      const s = setup({ libcrypto: !golden.tls });
      try {
        fakeInterpreter(s.python, s.record, { report: ranModule(golden.tls ? answer : withoutTls(answer), s.module) });
        if (golden.tls) symlinkSync(SYSTEM_OPENSSL!, join(s.prefix, 'bin', 'openssl'));
        await s.run({ tls: golden.tls, profile: golden.profile });
        // The SBOM names the fipskit release that wrote it.
        const release = (text: string) => text.replace(/("name": "fipskit",\s*"version": ")[^"]*"/, '$1@VERSION@"');
        const outputs = outputsAsGolden(s.outputDir, s.root);
        if (process.env.FIPSKIT_WRITE_GOLDEN === '1') golden.outputs = Object.fromEntries(Object.keys(golden.outputs).map((file) => [file, outputs[file]]));
        for (const file of Object.keys(golden.outputs)) expect({ file, text: release(outputs[file]) }).toEqual({ file, text: release(golden.outputs[file]) });
      } finally {
        rmSync(s.root, { recursive: true, force: true });
      }
    });
  });
});

// The whole stage for real: the prefix's openssl makes certificates and serves TLS in FIPS mode, and the
// interpreter is Debian's python3.11 as installed (no FIPS of its own), which must fail.
const WORKSPACE = resolve(__dirname, '..', '..', '..', '..', '..');
const SYSTEM_PYTHON = '/usr/bin/python3.11';
const available =
  existsSync(SYSTEM_PYTHON) &&
  existsSync(join(WORKSPACE, 'dist', 'fips-python', 'openssl', 'build-info.json')) &&
  existsSync(join(WORKSPACE, 'dist', 'fips-python', 'fips-config', 'openssl.cnf'));
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
      expect(report.failedRequired).toEqual(
        expect.arrayContaining(['libcrypto-path', 'fips-provider-active', 'sha256-from-fips', 'default-properties-fips', 'md5-refused']),
      );
      const byId = Object.fromEntries(report.checks.map((c: { id: string }) => [c.id, c]));
      expect(byId['tls12-handshake']).toMatchObject({ passed: true, detail: expect.stringMatching(/^TLSv1\.2 with ECDHE-ECDSA-AES/) });
      expect(byId['tls13-handshake']).toMatchObject({ passed: true, detail: expect.stringMatching(/^TLSv1\.3 with TLS_AES_/) });
      // A non-FIPS client takes the ChaCha20 the second server offers: the check can fail, and does here.
      expect(byId['non-approved-cipher-refused']).toMatchObject({
        passed: false,
        detail: expect.stringMatching(/^connected to the ChaCha20-only server with (TLS_CHACHA20_POLY1305_SHA256|ECDHE-ECDSA-CHACHA20-POLY1305)/),
      });
      expect(printed.join('\n')).toMatch(/\[verify\] FIPS verification failed: .*fips-provider-active.*md5-refused/);
      expect(await listening(report.tls.server)).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
