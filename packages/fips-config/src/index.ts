export { default as fipsConfigExecutor, configureFips, providerIsActive, MANIFEST_FILE } from './executors/configure/executor';
export type { FipsConfigOptions } from './executors/configure/schema';
export { renderOpenSslCnf, readFipsSection, FIPS_SECTION_PLACEHOLDER } from './executors/configure/lib/openssl-cnf';
export type { FipsProfile } from './executors/configure/lib/openssl-cnf';
export { planFipsConfig } from './executors/configure/lib/config-plan';
export { normalizeOptions as normalizeFipsConfigOptions, NATIVE_VIEW } from './executors/configure/lib/normalize-options';
export type { ProgramView, NormalizedFipsConfigOptions } from './executors/configure/lib/normalize-options';
