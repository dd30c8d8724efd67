import { ProviderStatus, providerStatus } from '@fipskit/core';
import { VerifyProfile } from './normalize-options';
import { ScriptCheck, ScriptReport, expectedChecks } from './verify-script';

export const REPORT_FILE = 'report.json';
export const SUMMARY_FILE = 'summary.txt';

/** Longest detail shown in the summary; report.json keeps all of it. */
const SUMMARY_DETAIL_LIMIT = 400;

/** report.json: what the script found inside the interpreter, plus what this stage knows about the build. */
export interface VerifyReport extends ScriptReport {
  generatedAt: string;
  host: string;
  /** The interpreter as configured (a launcher script, usually); `interpreter.executable` is what it ran. */
  python: string;
  opensslPrefix: { path: string; version: string; fipsProviderVersion: string };
  /** CMVP status of the FIPS provider that actually ran (or, when none ran, the one the prefix holds). */
  fipsProviderValidation: ProviderStatus & { source: 'running provider' | 'build-info.json' };
  tls: { checked: boolean; server: string | null };
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
  const missing: ScriptCheck[] = expectedChecks(tls, context.profile)
    .filter(({ id }) => !reported.has(id))
    .map(({ id, required }) => ({ id, title: id, required, passed: false, detail: 'not reported by the interpreter: this check did not run' }));
  const checks = [...script.checks, ...missing];
  const failedRequired = checks.filter((c) => checkVerdict(c) === 'FAIL').map((c) => c.id);
  const runningVersion = script.fips_provider?.version ?? undefined;
  return {
    generatedAt: context.generatedAt.toISOString(),
    host: context.host,
    python: context.python,
    ...script,
    checks,
    opensslPrefix: { path: context.prefix, version: context.opensslVersion, fipsProviderVersion: context.fipsProviderVersion },
    fipsProviderValidation: {
      ...providerStatus(runningVersion ?? context.fipsProviderVersion),
      source: runningVersion ? 'running provider' : 'build-info.json',
    },
    tls: { checked: tls, server: context.tlsServer ?? null },
    passed: checks.length > 0 && failedRequired.length === 0,
    failedRequired,
  };
}

/** summary.txt: one line per check, PASS/FAIL/INFO, for people and CI logs. */
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
  const rows = report.checks.map((c) => `${checkVerdict(c).padEnd(4)}  ${c.id.padEnd(width)}  ${shorten(c.detail)}`);
  const required = report.checks.filter((c) => c.required).length;
  const verdict = report.passed
    ? `PASSED: all ${required} required checks passed.`
    : `FAILED: ${report.failedRequired.length} of ${required} required checks failed: ${report.failedRequired.join(', ')}.`;
  return [...header, '', ...rows, '', verdict, ''].join('\n');
}

function shorten(detail: string): string {
  const oneLine = detail.replace(/\s*\n\s*/g, '; ');
  if (oneLine.length <= SUMMARY_DETAIL_LIMIT) return oneLine;
  return `${oneLine.slice(0, SUMMARY_DETAIL_LIMIT)}… (all of it in ${REPORT_FILE})`;
}
