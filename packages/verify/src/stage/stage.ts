import { OptionShape, Stage, checkStageOptions } from '@fipskit/core';
import { VerifyOptions } from '../executors/verify/schema';
import { NormalizedVerifyOptions, normalizeOptions } from './normalize-options';
import { planVerify } from './verify-plan';
import { verifyFips } from './verify-run';

/** The options a verify target may hold, as schema.json declares them (stage.spec.ts holds the two together). */
export const VERIFY_OPTION_SHAPE: OptionShape = {
  python: { type: 'string', required: true },
  activation: { type: ['self', 'fips-env'] },
  opensslPath: { type: 'string', required: true },
  fipsConfigPath: { type: 'string', required: true },
  outputPath: { type: 'string', required: true },
  auditPath: { type: 'string' },
  profile: { type: ['strict', 'rhel-compatible', 'recipe-compatible'] },
  tls: { type: 'boolean' },
  verbose: { type: 'boolean' },
};

/**
 * The verify stage: FIPS mode proved from inside the interpreter (the checks, the TLS handshakes against a FIPS
 * server, the evidence). Its run fails when the proof does.
 */
export const verifyStage: Stage<VerifyOptions, NormalizedVerifyOptions> = {
  name: 'verify',
  executor: '@fipskit/verify:verify',
  options: (raw, where) => checkStageOptions<VerifyOptions>(raw, where, 'verify', VERIFY_OPTION_SHAPE),
  normalize: (options, context) => normalizeOptions(options, context),
  plan: (options, request) => planVerify(options, request),
  run: async (options, runner, print) => {
    const report = await verifyFips(options, runner, print);
    if (!report.passed) throw new Error(`FIPS verification failed: ${report.failedRequired.join(', ')} (details in ${options.outputDir})`);
  },
};
