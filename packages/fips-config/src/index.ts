export { default as fipsConfigExecutor } from './executors/configure/executor';
export { configureFips, MANIFEST_FILE } from './stage/configure-fips';
export { FIPS_CONFIG_OPTION_SHAPE, fipsConfigStage } from './stage/stage';
export type { FipsConfigOptions } from './executors/configure/schema';
export { planFipsConfig } from './stage/config-plan';
export { normalizeOptions as normalizeFipsConfigOptions, NATIVE_VIEW } from './stage/normalize-options';
export type { ProgramView, NormalizedFipsConfigOptions } from './stage/normalize-options';
