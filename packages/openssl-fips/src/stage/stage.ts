import { OptionShape, Stage, checkStageOptions } from '@fipskit/core';
import { OpenSslBuildOptions } from '../executors/openssl/schema';
import { NormalizedOpenSslOptions, normalizeOptions } from './normalize-options';
import { buildOpenSsl, planOpenSslBuild } from './openssl-build';

/** The options an openssl target may hold, as schema.json declares them (stage.spec.ts holds the two together). */
export const OPENSSL_OPTION_SHAPE: OptionShape = {
  sourceLock: { type: 'string', required: true },
  fipsProviderSourceLock: { type: 'string' },
  outputPath: { type: 'string', required: true },
  buildDir: { type: 'string' },
  platform: { type: ['auto', 'linux', 'darwin', 'win32'] },
  configureTarget: { type: 'string' },
  configureArgs: { type: 'string[]' },
  tests: { type: 'boolean' },
  legacyProvider: { type: 'boolean' },
  scope: { type: ['targeted', 'full'] },
  installDocs: { type: 'boolean' },
  jobs: { type: 'number' },
  dryRun: { type: 'boolean' },
  cacheDir: { type: 'string' },
  environment: { type: 'string-record' },
  verbose: { type: 'boolean' },
};

/** The openssl stage: OpenSSL with its FIPS provider, built from the locked source into a prefix. */
export const opensslStage: Stage<OpenSslBuildOptions, NormalizedOpenSslOptions> = {
  name: 'openssl',
  executor: '@fipskit/openssl-fips:build',
  options: (raw, where) => checkStageOptions<OpenSslBuildOptions>(raw, where, 'openssl', OPENSSL_OPTION_SHAPE),
  normalize: (options, context) => normalizeOptions(options, context),
  plan: (options, request) => planOpenSslBuild(options, { root: request.root, projectName: request.projectName }, request.platform),
  run: (options, runner, print) => buildOpenSsl(options, runner, print),
};
