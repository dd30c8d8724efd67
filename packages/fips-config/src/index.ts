export { default as fipsConfigExecutor, configureFips, MANIFEST_FILE } from './executors/configure/executor';
export { FIPS_CONFIG_OPTION_SHAPE, fipsConfigStage } from './executors/configure/stage';
export type { FipsConfigOptions } from './executors/configure/schema';
export { planFipsConfig } from './executors/configure/lib/config-plan';
export { normalizeOptions as normalizeFipsConfigOptions, NATIVE_VIEW } from './executors/configure/lib/normalize-options';
export type { ProgramView, NormalizedFipsConfigOptions } from './executors/configure/lib/normalize-options';
