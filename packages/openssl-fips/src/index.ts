export { default as openSslBuildExecutor } from './executors/openssl/executor';
export { buildOpenSsl, planOpenSslBuild } from './stage/openssl-build';
export { OPENSSL_OPTION_SHAPE, opensslStage } from './stage/stage';
export type { OpenSslBuildOptions } from './executors/openssl/schema';
export type { BuildInfoOptions } from './stage/build-info';
export { collectBuildInfo, writeBuildInfo } from './stage/build-info';
export { normalizeOptions as normalizeOpenSslOptions } from './stage/normalize-options';
export { preflightOpenSslBuild } from './stage/preflight';
// The contracts of this stage's output live in @fipskit/core, which the later stages read them from; these few are
// also exported here, for callers that build OpenSSL through this package and read what it wrote.
export { BUILD_INFO_FILE, compiledInDirectories, compiledInPrefix, readBuildInfo, readSourceLock } from '@fipskit/core';
