export { default as openSslBuildExecutor, buildOpenSsl, planOpenSslBuild } from './executors/build/executor';
export { OPENSSL_OPTION_SHAPE, opensslStage } from './executors/build/stage';
export type { OpenSslBuildOptions } from './executors/build/schema';
export type { BuildInfoOptions } from './executors/build/lib/build-info';
export { collectBuildInfo, writeBuildInfo } from './executors/build/lib/build-info';
export { normalizeOptions as normalizeOpenSslOptions } from './executors/build/lib/normalize-options';
export { preflightOpenSslBuild } from './executors/build/lib/preflight';
// The contracts of this stage's output live in @fipskit/core, which the later stages read them from; these few are
// also exported here, for callers that build OpenSSL through this package and read what it wrote.
export { BUILD_INFO_FILE, compiledInDirectories, compiledInPrefix, readBuildInfo, readSourceLock } from '@fipskit/core';
