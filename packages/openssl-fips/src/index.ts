export { default as openSslBuildExecutor, buildOpenSsl } from './executors/build/executor';
export type { OpenSslBuildOptions } from './executors/build/schema';
export type { OpenSslBuildInfo } from './executors/build/lib/build-info';
export { BUILD_INFO_FILE, fipsModuleFileName, readBuildInfo } from './executors/build/lib/build-info';
