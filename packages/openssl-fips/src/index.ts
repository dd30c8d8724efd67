export { default as openSslBuildExecutor, buildOpenSsl, planOpenSslBuild } from './executors/build/executor';
export { PLAN_ROOTS } from './executors/build/lib/normalize-options';
export type { OpenSslBuildOptions } from './executors/build/schema';
export type { BuildInfoOptions, CompiledInDirectories, OpenSslBuildInfo } from './executors/build/lib/build-info';
export { BUILD_INFO_FILE, collectBuildInfo, compiledInDirectories, fipsModuleFileName, plannedBuildInfo, readBuildInfo, writeBuildInfo } from './executors/build/lib/build-info';
export { compiledInPrefix } from './executors/build/lib/openssl-plan';
export { normalizeOptions as normalizeOpenSslOptions, readSourceLock } from './executors/build/lib/normalize-options';
export { preflightOpenSslBuild } from './executors/build/lib/preflight';
