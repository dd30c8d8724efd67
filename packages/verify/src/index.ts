export { default as verifyExecutor, verifyFips } from './executors/verify/executor';
export type { VerifyDeps } from './executors/verify/executor';
export type { VerifyOptions } from './executors/verify/schema';
export { REPORT_FILE, SUMMARY_FILE, buildReport, renderSummary, checkVerdict } from './executors/verify/lib/report';
export type { VerifyReport } from './executors/verify/lib/report';
export { VERIFY_SCRIPT, ISOLATED_VARIABLES, expectedChecks } from './executors/verify/lib/verify-script';
export type { ScriptCheck, ScriptReport } from './executors/verify/lib/verify-script';
