import { ProviderStatus, ProviderValidation, VALIDATED_PROVIDERS, providerStatus, validatedProvidersFor } from '@fipskit/core';
import { VerifyProfile } from './normalize-options';
import { ScriptCheck, ScriptReport, expectedChecks } from './verify-script';
import { FipsModuleEvidence } from './fips-module';
import { TargetConfigurationDigest } from './target-configuration';

export const REPORT_FILE = 'report.json';
export const SUMMARY_FILE = 'summary.txt';

/** Longest detail shown in the summary; report.json keeps all of it. */
const SUMMARY_DETAIL_LIMIT = 400;

/**
 * Whether FIPS mode holds inside the interpreter: decided by the required checks alone. `summary` opens with its
 * headline ("FIPS mode: IN FORCE.") and says why in the same line.
 */
export interface FipsModeVerdict {
  inForce: boolean;
  summary: string;
}

/**
 * Whether a FIPS 140 compliance claim can rest on this Python: only when FIPS mode is in force and the provider is a
 * CMVP-validated version. Passing every check with a FIPS-capable provider is not enough, and the verdict says so.
 */
export interface ComplianceVerdict {
  claimable: boolean;
  /** Opens with its headline ("FIPS 140 compliance: NOT CLAIMABLE.") and names the provider and its status. */
  summary: string;
  /** The provider a claim would rest on: the one that ran, or, when none ran, the one the prefix holds. */
  fipsProviderVersion: string;
  /** The OpenSSL release of libcrypto and libssl: it differs from the provider's in a split build. */
  librariesVersion: string;
  /** The provider version's CMVP certificate, when it has one. */
  certificate?: { standard: string; number: string };
  /** What to do for a claim, when none can be made now. */
  nextStep?: string;
}

/** The two statements every output leads with, kept apart so that passing checks never read as compliance. */
export interface ReportVerdict {
  fipsMode: FipsModeVerdict;
  compliance: ComplianceVerdict;
}

/** report.json: what the script found inside the interpreter, plus what this stage knows about the build. */
export interface VerifyReport extends ScriptReport {
  verdict: ReportVerdict;
  generatedAt: string;
  host: string;
  /** The interpreter as configured (a launcher script, usually); `interpreter.executable` is what it ran. */
  python: string;
  opensslPrefix: { path: string; version: string; fipsProviderVersion: string };
  /** CMVP status of the FIPS provider that actually ran (or, when none ran, the one the prefix holds). */
  fipsProviderValidation: ProviderStatus & { source: 'running provider' | 'build-info.json' };
  /** The FIPS module file that ran, its SHA-256, and whether a rebuild from source with no cache reproduced it. */
  fipsModule: FipsModuleEvidence | null;
  /** SHA-256 of the Nx targets (as resolved, inferred and overridden) that made this Python; null outside Nx. */
  targetConfiguration: TargetConfigurationDigest | null;
  tls: { checked: boolean; server: string | null };
  /** The same as `verdict.fipsMode.inForce`; the exit status follows it. */
  passed: boolean;
  failedRequired: string[];
}

export interface ReportContext {
  generatedAt: Date;
  host: string;
  python: string;
  prefix: string;
  opensslVersion: string;
  fipsProviderVersion: string;
  profile: VerifyProfile;
  /** `host:port` of the s_server the handshakes went to, when TLS was checked. */
  tlsServer?: string;
  /** The checks the script was asked to run (expectedChecks): one it did not report fails. */
  plannedChecks: Array<{ id: string; required: boolean }>;
  /** The module file that ran, its SHA-256 and its audit. */
  fipsModule?: FipsModuleEvidence;
  /** The Nx targets that made this Python. */
  targetConfiguration?: TargetConfigurationDigest;
}

export type CheckVerdict = 'PASS' | 'FAIL' | 'INFO';

/** Required checks pass or fail the run; the others are information. */
export function checkVerdict(check: ScriptCheck): CheckVerdict {
  if (!check.required) return 'INFO';
  return check.passed ? 'PASS' : 'FAIL';
}

export function buildReport(script: ScriptReport, context: ReportContext): VerifyReport {
  const tls = context.tlsServer !== undefined;
  const reported = new Set(script.checks.map((c) => c.id));
  // A check the script did not report (an older script, a launcher that ran something else) fails.
  const missing: ScriptCheck[] = context.plannedChecks
    .filter(({ id }) => !reported.has(id))
    .map(({ id, required }) => ({ id, title: id, required, passed: false, detail: 'not reported by the interpreter: this check did not run' }));
  const checks = [...script.checks, ...missing];
  const failedRequired = checks.filter((c) => checkVerdict(c) === 'FAIL').map((c) => c.id);
  const passed = checks.length > 0 && failedRequired.length === 0;
  const runningVersion = script.fips_provider?.version ?? undefined;
  const fipsProviderValidation = providerStatus(runningVersion ?? context.fipsProviderVersion);
  const required = checks.filter((c) => c.required).length;
  return {
    verdict: {
      fipsMode: fipsModeVerdict(passed, required, failedRequired),
      compliance: complianceVerdict(passed, failedRequired, fipsProviderValidation, runningVersion !== undefined, context.opensslVersion),
    },
    generatedAt: context.generatedAt.toISOString(),
    host: context.host,
    python: context.python,
    ...script,
    checks,
    opensslPrefix: { path: context.prefix, version: context.opensslVersion, fipsProviderVersion: context.fipsProviderVersion },
    fipsProviderValidation: { ...fipsProviderValidation, source: runningVersion ? 'running provider' : 'build-info.json' },
    fipsModule: context.fipsModule ?? null,
    targetConfiguration: context.targetConfiguration ?? null,
    tls: { checked: tls, server: context.tlsServer ?? null },
    passed,
    failedRequired,
  };
}

function fipsModeVerdict(inForce: boolean, required: number, failedRequired: string[]): FipsModeVerdict {
  return {
    inForce,
    summary: inForce
      ? `FIPS mode: IN FORCE. All ${required} required checks passed inside the interpreter.`
      : `FIPS mode: NOT IN FORCE. ${failedRequired.length} of ${required} required checks failed (${failedRequired.join(', ')}): this Python must not be relied on for FIPS mode.`,
  };
}

/** "3.0.8 or 3.0.9 (FIPS 140-2, certificate #4282), or 3.1.2 (FIPS 140-3, certificate #4985)" */
function describeValidatedProviders(providers: readonly ProviderValidation[]): string {
  const certificates = [...new Set(providers.map((p) => p.certificate))];
  return certificates
    .map((certificate) => {
      const versions = providers.filter((p) => p.certificate === certificate);
      return `${versions.map((p) => p.version).join(' or ')} (${versions[0].standard}, certificate #${certificate})`;
    })
    .join(', or ');
}

function complianceVerdict(inForce: boolean, failedRequired: string[], provider: ProviderStatus, providerRan: boolean, librariesVersion: string): ComplianceVerdict {
  const split = provider.version !== librariesVersion;
  const named = `OpenSSL ${provider.version}${split ? ` (beside libraries from OpenSSL ${librariesVersion})` : ''}`;
  const which = providerRan ? `The FIPS provider that ran, ${named},` : `No FIPS provider ran; the one the prefix holds, ${named},`;
  const status = provider.validated
    ? `is CMVP-validated (${provider.standard}, certificate #${provider.certificate})`
    : 'is FIPS-capable but not CMVP-validated: no certificate covers it';
  const claimable = inForce && provider.validated;
  const headline = `FIPS 140 compliance: ${claimable ? 'CLAIMABLE' : 'NOT CLAIMABLE'}.`;
  const summary = claimable
    ? `${headline} ${which} ${status}${split ? ", a pairing OpenSSL's FIPS guidance allows" : ''}; a claim rests on that certificate and the module's security policy.`
    : inForce
      ? `${headline} ${which} ${status}.`
      : `${headline} FIPS mode is not in force, so no claim can rest on this Python whatever its provider. ${which} ${status}.`;

  const steps: string[] = [];
  if (!inForce) steps.push(`Make FIPS mode hold first: fix the ${failedRequired.length} failed required check${failedRequired.length === 1 ? '' : 's'}.`);
  if (!provider.validated) {
    const usable = validatedProvidersFor(librariesVersion);
    steps.push(
      usable.length
        ? `For a claim, build the FIPS provider from a validated release, ${describeValidatedProviders(usable)}, beside these OpenSSL ${librariesVersion} libraries: ` +
            `a split build (nx g fipskit:project with --opensslSource=official --fipsProviderVersion=${usable.at(-1)!.version}; README, "Validated provider, newer libraries").`
        : `For a claim, the FIPS provider must come from a validated release, ${describeValidatedProviders(VALIDATED_PROVIDERS)}, and the libraries may not be older ` +
            `than it: move the libraries from OpenSSL ${librariesVersion} to a later 3.x release and build the provider from the validated one (README, "Validated provider, newer libraries").`,
    );
  }
  return {
    claimable,
    summary,
    fipsProviderVersion: provider.version,
    librariesVersion,
    ...(provider.validated ? { certificate: { standard: provider.standard!, number: provider.certificate! } } : {}),
    ...(steps.length ? { nextStep: steps.join(' ') } : {}),
  };
}

/** Failed required checks first, then the passed ones, then the informational ones; in run order within each. */
export function checksFailuresFirst<T extends ScriptCheck>(checks: readonly T[]): T[] {
  const rank: Record<CheckVerdict, number> = { FAIL: 0, PASS: 1, INFO: 2 };
  return [...checks].sort((a, b) => rank[checkVerdict(a)] - rank[checkVerdict(b)]);
}

/** The two verdict lines and, when a claim cannot be made, what to do: summary.txt starts with these. */
function verdictLines(verdict: ReportVerdict): string[] {
  return [verdict.fipsMode.summary, verdict.compliance.summary, ...(verdict.compliance.nextStep ? [`  Next step: ${verdict.compliance.nextStep}`] : [])];
}

/**
 * summary.txt: the verdict, a header, one line per check (PASS/FAIL/INFO, failures first), and the two verdict lines
 * again at the end, where a CI log's reader looks first.
 */
export function renderSummary(report: VerifyReport): string {
  const fips = report.fips_provider;
  const providers = report.providers.map((p) => `${p.name} ${p.version ?? '?'}${p.status === 1 ? '' : ` (status ${p.status})`}`).join(', ') || 'none';
  const header = [
    `FIPS verification of ${report.python} (${report.interpreter.implementation} ${report.interpreter.version}, ${report.interpreter.executable})`,
    `  OpenSSL in use:   ${report.openssl.version ?? 'unknown'}${report.openssl.libcrypto_path ? `, ${report.openssl.libcrypto_path}` : ''}`,
    `  expected:         OpenSSL ${report.opensslPrefix.version} from ${report.opensslPrefix.path}`,
    `  FIPS provider:    ${fips ? `${fips.version ?? '?'}, status ${fips.status}` : 'not active'}; ${report.fipsProviderValidation.status}` +
      (report.fipsProviderValidation.source === 'build-info.json' ? ' (the provider the prefix holds)' : ''),
    `  providers:        ${providers}`,
    `  profile:          ${report.profile}`,
    `  TLS:              ${report.tls.checked ? `handshakes with openssl s_server (FIPS mode) on ${report.tls.server}` : 'not checked (tls: false)'}`,
    ...(report.startup_errors?.length ? [`  startup errors:   ${report.startup_errors.join('; ')}`] : []),
  ];
  const width = Math.max(...report.checks.map((c) => c.id.length));
  const rows = checksFailuresFirst(report.checks).map((c) => `${checkVerdict(c).padEnd(4)}  ${c.id.padEnd(width)}  ${shorten(c.detail)}`);
  const { fipsMode, compliance } = report.verdict;
  return [...verdictLines(report.verdict), '', ...header, '', ...rows, '', fipsMode.summary, compliance.summary, ''].join('\n');
}

function shorten(detail: string): string {
  const oneLine = detail.replace(/\s*\n\s*/g, '; ');
  if (oneLine.length <= SUMMARY_DETAIL_LIMIT) return oneLine;
  return `${oneLine.slice(0, SUMMARY_DETAIL_LIMIT)}… (all of it in ${REPORT_FILE})`;
}
