export { default as verifyExecutor, verifyFips } from './executors/verify/executor';
export type { VerifyDeps } from './executors/verify/executor';
export type { VerifyOptions } from './executors/verify/schema';
export { VERIFY_OPTION_SHAPE, verifyStage } from './stage/stage';
export { REPORT_FILE, SUMMARY_FILE } from './stage/report';
export type { ScriptCheck, ScriptReport, VerifyReport } from './stage/report';
export { VERIFY_DRIVER, VERIFY_PYTHON_DIR, VERIFY_SCRIPT, verifyRuntimeFiles } from './python/verify-files';
export { SBOM_SPEC_VERSION, validateSbom } from './evidence/sbom';
