import { OptionShape, Stage, checkStageOptions } from '@fipskit/core';
import { FipsConfigOptions } from '../executors/configure/schema';
import { NormalizedFipsConfigOptions, normalizeOptions } from './normalize-options';
import { planFipsConfig } from './config-plan';
import { configureFips } from './configure-fips';

/** The options a fips-config target may hold, as schema.json declares them (stage.spec.ts holds the two together). */
export const FIPS_CONFIG_OPTION_SHAPE: OptionShape = {
  opensslPath: { type: 'string', required: true },
  outputPath: { type: 'string', required: true },
  profile: { type: ['strict', 'rhel-compatible', 'recipe-compatible'] },
  securityChecks: { type: 'boolean' },
  verbose: { type: 'boolean' },
};

/** The fips-config stage: fipsinstall on this machine, openssl.cnf and the activation scripts for an OpenSSL prefix. */
export const fipsConfigStage: Stage<FipsConfigOptions, NormalizedFipsConfigOptions> = {
  name: 'fips-config',
  executor: '@fipskit/fips-config:configure',
  options: (raw, where) => checkStageOptions<FipsConfigOptions>(raw, where, 'fips-config', FIPS_CONFIG_OPTION_SHAPE),
  normalize: (options, context) => normalizeOptions(options, context),
  plan: (options, request) => planFipsConfig(options, request.platform, request.planRoot),
  run: (options, runner, print) => configureFips(options, runner, print, () => new Date()),
};
