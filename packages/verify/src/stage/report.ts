import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderStatus } from '@fipskit/core';
import type { TargetConfigurationDigest } from './target-configuration';

/**
 * The verify stage's outputs and the shape of report.json, as the stage and its users read them. Python writes them
 * (python/fipskit_evidence.py, run by python/fipskit_verify_run.py); nothing here makes a report.
 */
export const REPORT_FILE = 'report.json';
export const SUMMARY_FILE = 'summary.txt';
export const EVIDENCE_MARKDOWN = 'evidence.md';
export const EVIDENCE_HTML = 'evidence.html';
export const SBOM_FILE = 'sbom.cdx.json';
/** Everything the stage publishes, all written by the driver. */
export const OUTPUT_FILES = [REPORT_FILE, SUMMARY_FILE, EVIDENCE_MARKDOWN, EVIDENCE_HTML, SBOM_FILE] as const;

export interface ScriptCheck {
  id: string;
  title: string;
  required: boolean;
  passed: boolean;
  detail: string;
}

export interface ScriptProvider {
  /** The name the provider was loaded under (`fips`, `base`, `default`…). */
  name: string;
  /** Its own name parameter, e.g. "OpenSSL FIPS Provider". */
  description: string | null;
  version: string | null;
  buildinfo: string | null;
  /** 1 when running (for fips: self-tests passed). */
  status: number | null;
}

/** What fipskit_verify.py writes inside the interpreter. */
export interface ScriptReport {
  reportVersion: number;
  interpreter: { executable: string; version: string; implementation: string };
  openssl: { version: string | null; libcrypto_path: string | null; api_version: string | null };
  fips_provider: (ScriptProvider & { loaded: boolean }) | null;
  /** The FIPS module file the process mapped (several joined by "; "), when a provider ran; older scripts omit it. */
  fips_module?: string | null;
  providers: ScriptProvider[];
  default_properties_fips: boolean;
  profile: 'strict' | 'rhel-compatible' | 'recipe-compatible';
  startup_errors: string[];
  checks: ScriptCheck[];
}

/** Whether FIPS mode holds inside the interpreter, decided by the required checks alone; `summary` opens with it. */
export interface FipsModeVerdict {
  inForce: boolean;
  summary: string;
}

/** Whether a FIPS 140 compliance claim can rest on this Python: FIPS mode in force and a CMVP-validated provider. */
export interface ComplianceVerdict {
  claimable: boolean;
  summary: string;
  /** The provider a claim would rest on: the one that ran, or, when none ran, the one the prefix holds. */
  fipsProviderVersion: string;
  /** The OpenSSL release of libcrypto and libssl: it differs from the provider's in a split build. */
  librariesVersion: string;
  certificate?: { standard: string; number: string };
  /** What to do for a claim, when none can be made now. */
  nextStep?: string;
}

/** What the evidence says about the FIPS module file that ran. */
export interface FipsModuleEvidence {
  path: string | null;
  sha256: string | null;
  builtSha256: string;
  audit: { file: string; auditedAt: string; reproduced: boolean; opensslOutputReproduced?: boolean } | null;
  statement: string;
}

/** report.json: what the script found inside the interpreter, plus what the stage knows about the build. */
export interface VerifyReport extends ScriptReport {
  verdict: { fipsMode: FipsModeVerdict; compliance: ComplianceVerdict };
  generatedAt: string;
  host: string;
  /** The interpreter as configured (a launcher script, usually); `interpreter.executable` is what it ran. */
  python: string;
  opensslPrefix: { path: string; version: string; fipsProviderVersion: string };
  fipsProviderValidation: ProviderStatus & { source: 'running provider' | 'build-info.json' };
  fipsModule: FipsModuleEvidence | null;
  targetConfiguration: TargetConfigurationDigest | null;
  tls: { checked: boolean; server: string | null };
  /** The same as `verdict.fipsMode.inForce`; the exit status follows it. */
  passed: boolean;
  failedRequired: string[];
  /** How the FIPS configuration is bound, when fips-config.json says (a bundle's fipskit-setup writes it). */
  fipsinstall?: { binding: 'machine' | 'self-test-onload' };
}

/** The report the driver wrote into `dir`, or what is wrong with it. */
export function readReport(dir: string): VerifyReport | string {
  const file = join(dir, REPORT_FILE);
  if (!existsSync(file)) return `it wrote no ${REPORT_FILE}`;
  let report: VerifyReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return `its ${REPORT_FILE} is not JSON: ${(error as Error).message}`;
  }
  if (typeof report?.passed !== 'boolean' || !Array.isArray(report.failedRequired)) return `its ${REPORT_FILE} has no verdict`;
  const missing = OUTPUT_FILES.filter((name) => !existsSync(join(dir, name)));
  return missing.length ? `it did not write ${missing.join(', ')}` : report;
}
