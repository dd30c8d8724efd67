export { default as openSslBuildExecutor, buildOpenSsl, planOpenSslBuild } from './executors/build/executor';
export { PLAN_ROOTS } from './executors/build/lib/normalize-options';
export type { OpenSslBuildOptions } from './executors/build/schema';
export type { OpenSslBuildInfo } from './executors/build/lib/build-info';
export { BUILD_INFO_FILE, fipsModuleFileName, plannedBuildInfo, readBuildInfo } from './executors/build/lib/build-info';
export { readSourceLock } from './executors/build/lib/normalize-options';
export { preflightOpenSslBuild } from './executors/build/lib/preflight';
