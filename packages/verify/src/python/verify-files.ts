import { join } from 'node:path';

/** The Python side of verification: the checks inside the interpreter, the run around them, and the evidence. */
export const VERIFY_PYTHON_DIR = __dirname;
/** The stdlib-only checks that run inside the interpreter under test. */
export const VERIFY_SCRIPT = join(VERIFY_PYTHON_DIR, 'fipskit_verify.py');
/** The run around them: TLS servers, the checks, report.json and the evidence (--config for the stage, --bundle on a target). */
export const VERIFY_DRIVER = join(VERIFY_PYTHON_DIR, 'fipskit_verify_run.py');

/**
 * What a shipped bundle carries to verify itself where it runs, with no Node.js: the same files the verify stage runs
 * (name → path on this machine).
 */
export function verifyRuntimeFiles(certificates: string): Record<string, string> {
  return {
    'fipskit_verify.py': VERIFY_SCRIPT,
    'fipskit_verify_run.py': VERIFY_DRIVER,
    'fipskit_evidence.py': join(VERIFY_PYTHON_DIR, 'fipskit_evidence.py'),
    'cmvp-certificates.json': certificates,
  };
}
