// Running processes: commands, runners, tool probes, the build environment.
export { describeCommand, echoingRunner, quoteForCmd, quoteForPosix } from './process/command';
export type { Command, ProcessResult, ProcessRunner, RunOptions } from './process/command';
export { ProcessError } from './process/process-error';
export { ToolRunner, childEnvironment } from './process/tool-runner';
export { RecordingRunner } from './process/recording-runner';
export { probeTool } from './process/probe-tool';
export {
  assertEnvironmentOption,
  buildEnvironment,
  describeBuildEnvironment,
  inEnvironment,
  leftOutWarning,
  parseCompilerCommand,
  redactedEnvironment,
} from './process/build-environment';

// Stage logs and executor results.
export { StageLog } from './log/stage-log';
export { executorResult } from './log/executor-result';

// Outputs: owned output directories, staging and publishing, digests, reproducible archives, disk space.
export { OUTPUT_MARKER, assertOutputIsOurs, buildOncePerTask, createStaging, nxTaskHash, publishOutput } from './output/owned-output';
export { sourceDateEpoch } from './output/source-date';
export { compareDigests, digestTree } from './output/tree-digest';
export type { TreeDifference } from './output/tree-digest';
export { storedZip } from './output/stored-zip';
export { MB, assertFreeSpace, describeBytes, explainDiskFull, freeBytes } from './output/disk-space';
export type { SpaceNeed } from './output/disk-space';

// Locks: one fipskit process at a time on shared state (the apt state and image bases in the cache, a build directory).
export { withCacheLock } from './locks/cache-lock';
export { withStageLock } from './locks/stage-lock';

// Platforms: target platforms and their file layouts, Windows paths.
export { hostArch, hostPlatform, pathsFor, sharedLibraryConvention } from './platform/target-platform';
export type { TargetArch, TargetPlatform } from './platform/target-platform';
export { hostAnsiCodePage, windowsPathProblem } from './platform/windows-paths';

// Build plans: the steps a stage runs, rendered (dry run) or executed.
export type { BuildPlan, FileOperation, FileStep, PlanStep, RunStep, TaskStep } from './plan/build-plan';
export { renderPlan } from './plan/render-plan';
export { executePlan } from './plan/execute-plan';
export { PLAN_ROOTS } from './plan/plan-roots';

// FIPS: validated providers, profiles, openssl.cnf, fipsinstall.
export { CERTIFICATE_DATA_AS_OF, VALIDATED_PROVIDERS, activeProviders, providerStatus } from './fips/validated-providers';
export type { ProviderStatus } from './fips/validated-providers';
export { CMVP_CERTIFICATES_FILE } from './fips/certificate-data';
export { DEFAULT_FIPS_PROFILE } from './fips/profiles';
export type { FipsProfile } from './fips/profiles';
export { FIPS_SECTION, FIPS_SECTION_PLACEHOLDER, providerIsActive, readFipsSection, renderOpenSslCnf } from './fips/openssl-cnf';
export { EMPTY_CONF_CONTENT, fipsInstallCommand, fipsInstallVerifyCommand, opensslEnvironment, providerListCommand, runFipsInstall } from './fips/fipsinstall';
export type { FipsInstallPaths, PrefixPaths } from './fips/fipsinstall';

// Sources: specs and locks, the source cache, downloads, Debian archives, release signatures.
export type { DebianSource, SourceLock, SourceProduct, SourceSpec } from './sources/source-spec';
export { defaultSourceCacheDir } from './sources/cache-dir';
export { sha256File } from './sources/sha256';
export { assertSupportedVersion, versionFromFileName } from './sources/source-version';
export { extractArchive } from './sources/safe-extract';
export { ContentCache } from './sources/content-cache';
export { reaches } from './sources/download';
export { planDebSrcLines, readSystemAptSources, systemCodename } from './sources/apt-sources';
export { checkDebianLock, debianSuites } from './sources/debian-archive';
export { fetchSource, resolveSource } from './sources/resolve-source';
export type { ResolveContext } from './sources/resolve-source';
export { PINNED_RELEASE_KEYS, spacedFingerprint } from './sources/release-keys';
export { loadReleaseKeyring } from './sources/release-signature';
export { authenticitySummary, lockSignaturePolicy } from './sources/source-authenticity';
export type { SourceAuthenticity } from './sources/source-authenticity';

// Nx cache: remote cache probe, compilers in cache keys.
export { probeRemoteCache } from './cache/remote-cache-probe';
export { assertCompilerInCacheKey } from './cache/compiler-identity';

// What one stage hands the next (build-info.json, source locks, the machine binding): here, so that no stage package
// depends on another.
export { BUILD_INFO_FILE, fipsModuleFileName, plannedBuildInfo, readBuildInfo } from './contracts/build-info';
export type { OpenSslBuildInfo, ToolchainIdentity } from './contracts/build-info';
export { compiledInDirectories, compiledInPrefix } from './contracts/compiled-in-directories';
export { readSourceLock } from './contracts/source-lock';
export { BINDING_FILE, renderBinding } from './contracts/machine-binding';
export { checkStageOptions } from './contracts/stage';
export type { OptionShape, OptionType, PlanRequest, Stage, StageContext } from './contracts/stage';

// The project model: a project's options and the Python versions it supports.
export {
  debianVersionProblem,
  defaultInterpreter,
  defaultMode,
  interpreterProblem,
  modeMismatch,
  normalizeProject,
  outputDirProblem,
} from './project/project-model';
export type { NamedProjectFile, PythonMode } from './project/project-model';
export { pythonVersionProblem } from './project/python-versions';
