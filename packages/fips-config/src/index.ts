export { default as fipsConfigExecutor, providerIsActive, MANIFEST_FILE } from './executors/configure/executor';
export type { FipsConfigOptions } from './executors/configure/schema';
export { renderOpenSslCnf, assertSafeConfigValue } from './executors/configure/lib/openssl-cnf';
export type { FipsProfile } from './executors/configure/lib/openssl-cnf';
export { planFipsConfig } from './executors/configure/lib/config-plan';
