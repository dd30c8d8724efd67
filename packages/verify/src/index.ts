export { default as verifyExecutor, verifyFips } from './executors/verify/executor';
export type { VerifyDeps } from './executors/verify/executor';
export type { VerifyOptions } from './executors/verify/schema';
export { REPORT_FILE, SUMMARY_FILE } from './executors/verify/lib/report';
export type { ScriptCheck, ScriptReport, VerifyReport } from './executors/verify/lib/report';
export { VERIFY_DRIVER, VERIFY_PYTHON_DIR, VERIFY_SCRIPT, verifyRuntimeFiles } from './executors/verify/python/verify-files';
export { SBOM_SPEC_VERSION, validateSbom } from './executors/verify/lib/evidence/sbom';
