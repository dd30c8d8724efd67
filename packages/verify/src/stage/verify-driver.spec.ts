import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CMVP_CERTIFICATES_FILE, RecordingRunner, StageLog, TargetPlatform } from '@fipskit/core';
import { VERIFY_DRIVER } from '../python/verify-files';
import { NormalizedVerifyOptions } from './normalize-options';
import { STAGE_LINE, activationEnvironment, driverCommand, driverConfig, driverFailure, libraryPath, runDriver } from './verify-driver';

const paths = { openssl: '/p/bin/openssl', opensslConf: '/cfg/openssl.cnf', libDir: '/p/lib', binDir: '/p/bin', modulesDir: '/p/lib/ossl-modules' };
const OPTIONS = {
  platform: 'linux',
  workspaceRoot: '/w',
  projectName: 'fp',
  python: '/w/dist/fp/python/bin/python3',
  activation: 'self',
  prefix: '/p',
  prefixInfo: { version: '3.5.7', fipsProvider: { version: '3.1.2' } },
  libcryptoDir: '/p/lib',
  movedCopy: { root: '/w/dist/fp', trees: ['/w/dist/fp/python', '/p', '/cfg'], python: '/w/dist/fp/python/bin/python3' },
  fipsConfigDir: '/cfg',
  auditFile: '/w/dist/fp/audit/audit.json',
  outputDir: '/w/dist/fp/verify',
  logFile: '/w/tmp/fipskit/fp/verify.log',
  profile: 'strict',
  tls: true,
  verbose: false,
  paths,
} as unknown as NormalizedVerifyOptions;

describe("the driver's configuration", () => {
  it.each<[TargetPlatform, string, string, string]>([
    ['linux', 'LD_LIBRARY_PATH', '/p/lib', ':'],
    ['darwin', 'DYLD_LIBRARY_PATH', '/p/lib', ':'],
    // Windows finds a prefix's DLLs beside its programs, on PATH.
    ['win32', 'PATH', '/p/bin', ';'],
  ])('on %s puts the prefix first on %s', (platform, variable, directory, separator) => {
    expect(libraryPath(paths, platform)).toEqual({ variable, directory, separator });
  });

  it('carries everything the run needs, resolved: the interpreter, the prefix in FIPS mode, the expectations and where things go', () => {
    const config = driverConfig(
      { ...OPTIONS, targetConfiguration: { sha256: 'f'.repeat(64), projects: ['fp'] } },
      { outputDir: '/w/dist/fp/verify.1.fipskit-partial', workParent: '/t' },
    );
    expect(config).toEqual({
      python: OPTIONS.python,
      pythonShown: OPTIONS.python,
      activationEnvironment: {},
      openssl: {
        program: '/p/bin/openssl',
        conf: '/cfg/openssl.cnf',
        modulesDir: '/p/lib/ossl-modules',
        libraryPath: { variable: 'LD_LIBRARY_PATH', directory: '/p/lib', separator: ':' },
      },
      prefix: '/p',
      expectations: {
        opensslVersion: '3.5.7',
        fipsProviderVersion: '3.1.2',
        libcryptoDir: '/p/lib',
        profile: 'strict',
        startModes: true,
        movedCopy: OPTIONS.movedCopy,
      },
      tls: true,
      fipsConfigDir: '/cfg',
      auditFile: '/w/dist/fp/audit/audit.json',
      projectName: 'fp',
      targetConfiguration: { sha256: 'f'.repeat(64), projects: ['fp'] },
      certificatesFile: CMVP_CERTIFICATES_FILE,
      outputDir: '/w/dist/fp/verify.1.fipskit-partial',
      logFile: '/w/tmp/fipskit/fp/verify.log',
      workParent: '/t',
      fipskitVersion: JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version,
      verbose: false,
    });
    expect(driverConfig(OPTIONS, { outputDir: '/o', workParent: '/t', generatedAt: '2025-01-02T03:04:05.000Z', host: 'builder' })).toMatchObject({
      generatedAt: '2025-01-02T03:04:05.000Z',
      host: 'builder',
      targetConfiguration: null,
    });
  });

  it('fips-env: the checks get the FIPS configuration and modules, and the interpreter is not started the other ways', () => {
    expect(activationEnvironment({ activation: 'fips-env', paths })).toEqual({ OPENSSL_CONF: '/cfg/openssl.cnf', OPENSSL_MODULES: '/p/lib/ossl-modules' });
    expect(activationEnvironment({ activation: 'self', paths })).toEqual({});
    const config = driverConfig({ ...OPTIONS, activation: 'fips-env', movedCopy: undefined }, { outputDir: '/o', workParent: '/t' });
    expect(config.activationEnvironment).toEqual({ OPENSSL_CONF: '/cfg/openssl.cnf', OPENSSL_MODULES: '/p/lib/ossl-modules' });
    expect(config.expectations).toEqual({
      opensslVersion: '3.5.7',
      fipsProviderVersion: '3.1.2',
      libcryptoDir: '/p/lib',
      profile: 'strict',
      startModes: false,
    });
  });

  it('runs the driver in the interpreter itself: isolated, without site, writing no bytecode', () => {
    expect(driverCommand('/py/bin/python3', '/t/config.json', '/t')).toEqual({
      title: 'FIPS verification inside /py/bin/python3',
      program: '/py/bin/python3',
      args: ['-I', '-S', '-B', VERIFY_DRIVER, '--config', '/t/config.json'],
      cwd: '/t',
    });
  });
});

describe('runDriver', () => {
  let dir: string;
  let printed: string[];
  let log: StageLog;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fipskit-verify-driver-'));
    printed = [];
    log = new StageLog('verify', join(dir, 'verify.log'), 2, (l) => printed.push(l));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const output = [
    `${STAGE_LINE}step Run the checks inside /py`,
    `${STAGE_LINE}log fipskit_verify: 17 checks`,
    `${STAGE_LINE}info s_server is listening`,
    'Traceback (most recent call last):',
    `${STAGE_LINE}error The TLS test server exited.`,
    `${STAGE_LINE}error Its output:`,
  ];

  it.each([false, true])("shows steps and notes as the stage's, keeps errors, logs what was not meant for the stage (verbose %s)", async (verbose) => {
    const runner = new RecordingRunner().respond(() => true, { exitCode: 1, output });
    const command = driverCommand('/py', join(dir, 'config.json'), dir);
    const run = await runDriver(runner, log, command, { verbose, print: (l) => printed.push(l) });
    expect(run).toEqual({ exitCode: 1, errors: ['The TLS test server exited.', 'Its output:'], tail: ['Traceback (most recent call last):'] });
    expect(printed).toEqual([
      '[verify] (1/2) Run the checks inside /py',
      ...(verbose ? ['fipskit_verify: 17 checks'] : []),
      '[verify] s_server is listening',
      ...(verbose ? ['Traceback (most recent call last):'] : []),
    ]);
    const written = readFileSync(log.logFile, 'utf8');
    expect(written).toContain(`$ /py -I -S -B ${VERIFY_DRIVER} --config ${join(dir, 'config.json')}\n  (cwd: ${dir})\n`);
    expect(written).toContain('# (1/2) Run the checks inside /py\n');
    expect(written).toContain('Traceback (most recent call last):\n');
    expect(written).not.toContain(STAGE_LINE);
    expect(driverFailure(command, run, 'it wrote no report.json', log.logFile)).toBe(
      [
        `/py could not run fipskit's verification, ${VERIFY_DRIVER} (exit code 1; it wrote no report.json): it must be a working Python 3.8 or later. Run it by hand to see why.`,
        'Last lines of its output:',
        '  Traceback (most recent call last):',
        `Full log: ${log.logFile}`,
      ].join('\n'),
    );
  });
});
