import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PLAN_ROOTS, PlanRequest, ProcessRunner, plannedBuildInfo } from '@fipskit/core';
// eslint-disable-next-line @nx/enforce-module-boundaries -- core's test helper, which its package does not export (testing/ is not published)
import { optionShapeOfSchema } from '../../../core/src/testing/option-shape';
import { VERIFY_DRIVER } from '../python/verify-files';
import { VERIFY_OPTION_SHAPE, verifyStage } from './stage';

const lock = {
  product: 'openssl',
  version: '3.0.9',
  origin: 'url',
  location: '/x/openssl-3.0.9.tar.gz',
  fileName: 'openssl-3.0.9.tar.gz',
  sha256: 'a'.repeat(64),
};
const noRunner: ProcessRunner = {
  run: () => {
    throw new Error('a plan runs nothing');
  },
} as unknown as ProcessRunner;

function request(platform: 'linux' | 'win32', host: 'linux' | 'win32' = 'linux'): PlanRequest {
  return {
    root: '/work/ws',
    projectName: 'app',
    platform,
    host,
    planRoot: platform === host ? '/work/ws' : PLAN_ROOTS[platform],
    runner: noRunner,
    openssl: plannedBuildInfo(lock as never, platform),
  };
}

const options = {
  python: 'dist/app/python/bin/python3',
  opensslPath: 'dist/app/openssl',
  fipsConfigPath: 'dist/app/fips-config',
  outputPath: 'dist/app/verify',
  auditPath: 'dist/app/audit',
  profile: 'strict' as const,
};

describe('verifyStage', () => {
  it('checks the options schema.json declares, no more and no fewer', () => {
    expect(VERIFY_OPTION_SHAPE).toEqual(optionShapeOfSchema(join(__dirname, '..', 'executors', 'verify', 'schema.json')));
  });

  it('refuses a target without the interpreter to verify, naming the target and the fix', () => {
    expect(() => verifyStage.options({ opensslPath: 'a', fipsConfigPath: 'b', outputPath: 'c' }, 'app:verify')).toThrow(
      /^The options of app:verify \(the verify stage\) are not what the stage reads: python is missing \(it must be a string\)\. Set it/,
    );
  });

  it('refuses an activation it does not know', () => {
    expect(() => verifyStage.options({ ...options, activation: 'env' }, 'app:verify')).toThrow('activation is string "env", not one of "self", "fips-env"');
  });

  it('plans the driver run inside the interpreter, with the configuration it reads, on this machine', async () => {
    const plan = await verifyStage.plan(options, request('linux'));
    expect(plan.stage).toBe('verify');
    expect(plan.steps.map((s) => s.title)).toEqual([
      "The verification driver's configuration",
      'FIPS verification inside /work/ws/dist/app/python/bin/python3',
      'Validate the SBOM',
      'Publish the evidence',
    ]);
    const work = join(tmpdir(), 'fipskit-verify-XXXXXX');
    const [files, run] = plan.steps;
    if (files.kind !== 'files' || run.kind !== 'run') throw new Error('unexpected steps');
    expect(run.command).toMatchObject({
      program: '/work/ws/dist/app/python/bin/python3',
      args: ['-I', '-S', '-B', VERIFY_DRIVER, '--config', join(work, 'config.json')],
      cwd: work,
    });
    const write = files.operations[0];
    if (write.op !== 'write') throw new Error('unexpected operation');
    const config = JSON.parse(write.content);
    expect(config).toMatchObject({
      python: '/work/ws/dist/app/python/bin/python3',
      openssl: {
        program: '/work/ws/dist/app/openssl/bin/openssl',
        conf: '/work/ws/dist/app/fips-config/openssl.cnf',
        modulesDir: '/work/ws/dist/app/openssl/lib/ossl-modules',
        libraryPath: { variable: 'LD_LIBRARY_PATH', directory: '/work/ws/dist/app/openssl/lib', separator: ':' },
      },
      expectations: {
        opensslVersion: '3.0.9',
        profile: 'strict',
        startModes: true,
        movedCopy: {
          root: '/work/ws/dist/app',
          trees: ['/work/ws/dist/app/python', '/work/ws/dist/app/openssl', '/work/ws/dist/app/fips-config'],
          python: '/work/ws/dist/app/python/bin/python3',
        },
      },
      auditFile: '/work/ws/dist/app/audit/audit.json',
      outputDir: '/work/ws/dist/app/verify.staging',
      workParent: work,
    });
  });

  it("plans Windows from here with the installed python.exe, its DLLs and Windows' paths, and no tree to move", async () => {
    const python = 'C:\\Program Files\\Python311\\python.exe';
    const plan = await verifyStage.plan({ ...options, python }, request('win32'));
    const [files, run] = plan.steps;
    if (files.kind !== 'files' || run.kind !== 'run') throw new Error('unexpected steps');
    expect(run.command.args.slice(-1)[0]).toBe('%TEMP%\\fipskit-verify-XXXXXX\\config.json');
    const write = files.operations[0];
    if (write.op !== 'write') throw new Error('unexpected operation');
    const config = JSON.parse(write.content);
    const root = PLAN_ROOTS.win32;
    expect(config.openssl.program).toBe(`${root}\\dist\\app\\openssl\\bin\\openssl.exe`);
    expect(config.openssl.libraryPath).toEqual({ variable: 'PATH', directory: `${root}\\dist\\app\\openssl\\bin`, separator: ';' });
    expect(config.expectations.libcryptoDir).toBe('C:\\Program Files\\Python311\\DLLs');
    expect(config.expectations.startModes).toBe(true);
    expect(config.expectations.movedCopy).toBeUndefined();
  });

  it('needs what the openssl stage records, and says so', () => {
    expect(() => verifyStage.plan(options, { ...request('linux'), openssl: undefined })).toThrow(/plan the openssl stage first/);
  });
});
