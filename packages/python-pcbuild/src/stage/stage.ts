import { OptionShape, PlanRequest, Stage, checkStageOptions } from '@fipskit/core';
import { PythonBuildOptions } from '../executors/python/schema';
import { NormalizedPythonOptions, normalizeOptions } from './normalize-options';
import { buildForMode, planPythonForDisplay } from './python-build';

/** The options a python target may hold, as schema.json declares them (stage.spec.ts holds the two together). */
export const PYTHON_OPTION_SHAPE: OptionShape = {
  mode: { type: ['overlay', 'full', 'pcbuild'] },
  interpreter: { type: 'string' },
  route: { type: ['import-library', 'full-core'] },
  platform: { type: ['auto', 'linux', 'darwin', 'win32'] },
  dryRun: { type: 'boolean' },
  jobs: { type: 'number' },
  testSuite: { type: 'boolean' },
  sourceLock: { type: 'string', required: true },
  opensslPath: { type: 'string', required: true },
  fipsConfigPath: { type: 'string', required: true },
  outputPath: { type: 'string', required: true },
  buildDir: { type: 'string' },
  cacheDir: { type: 'string' },
  environment: { type: 'string-record' },
  verbose: { type: 'boolean' },
};

/**
 * The options resolved for a plan for `request.platform` (a dry run): the OpenSSL it is planned against is what
 * `request.openssl` says build-info.json will hold, when given.
 */
export function normalizePythonForPlan(options: PythonBuildOptions, request: PlanRequest): NormalizedPythonOptions {
  return normalizeOptions({ ...options, platform: request.platform, dryRun: true }, { root: request.root, projectName: request.projectName }, request.host, {
    openssl: request.openssl,
  });
}

/** The python stage: _ssl and _hashlib on the FIPS OpenSSL (an overlay launcher, a full CPython, or PCbuild's .pyd files). */
export const pythonStage: Stage<PythonBuildOptions, NormalizedPythonOptions> = {
  name: 'python',
  executor: '@fipskit/python-pcbuild:build',
  options: (raw, where) => checkStageOptions<PythonBuildOptions>(raw, where, 'python', PYTHON_OPTION_SHAPE),
  normalize: (options, context) => normalizeOptions(options, context),
  plan: (options, request) => planPythonForDisplay(normalizePythonForPlan(options, request), request.runner),
  run: (options, runner, print) => buildForMode(options, runner, print),
};
