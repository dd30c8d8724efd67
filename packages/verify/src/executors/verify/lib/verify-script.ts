import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, ProcessRunner, RunOptions, StageLog } from '@fipskit/core';
import { VerifyProfile } from './normalize-options';

/** The stdlib-only script that runs inside the interpreter under test. */
export const VERIFY_SCRIPT = join(__dirname, '..', 'python', 'fipskit_verify.py');

/**
 * Variables that would hand the interpreter a FIPS setup it does not have on its own (or a different
 * one). The launcher must set what it needs itself; a bare interpreter must not be rescued by ours.
 */
export const ISOLATED_VARIABLES = [
  'OPENSSL_CONF',
  'OPENSSL_CONF_INCLUDE',
  'OPENSSL_MODULES',
  'LD_LIBRARY_PATH',
  'LD_PRELOAD',
  'DYLD_LIBRARY_PATH',
  'DYLD_INSERT_LIBRARIES',
  'PYTHONPATH',
  'PYTHONHOME',
] as const;

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

/** What fipskit_verify.py prints. */
export interface ScriptReport {
  reportVersion: number;
  interpreter: { executable: string; version: string; implementation: string };
  openssl: { version: string | null; libcrypto_path: string | null; api_version: string | null };
  fips_provider: (ScriptProvider & { loaded: boolean }) | null;
  /** The FIPS module file the process mapped (several joined by "; "), when a provider ran; older scripts omit it. */
  fips_module?: string | null;
  providers: ScriptProvider[];
  default_properties_fips: boolean;
  profile: VerifyProfile;
  startup_errors: string[];
  checks: ScriptCheck[];
}

export interface TlsEndpoint {
  host: string;
  port: number;
  caFile: string;
}

/** The interpreter's output tree and its siblings, copied elsewhere to prove the copy stays FIPS. */
export type MovedCopy = { root: string; trees: string[]; python: string } | { unavailable: string };

export interface ScriptExpectations {
  opensslVersion: string;
  fipsProviderVersion?: string;
  libcryptoDir?: string;
  profile: VerifyProfile;
  tls?: TlsEndpoint;
  /** A server (not in FIPS mode) offering only ChaCha20-Poly1305 on this port of the TLS host. */
  chachaPort?: number;
  /** Start the interpreter the other ways users do (-I, a symlink, a venv, a clean child, a manager). */
  startModes?: boolean;
  movedCopy?: MovedCopy;
}

/** Every check the script reports, in its order, and whether it decides the verdict. */
export function expectedChecks(expectations: Pick<ScriptExpectations, 'profile' | 'tls' | 'chachaPort' | 'startModes' | 'movedCopy'>, platform: NodeJS.Platform = process.platform): Array<{ id: string; required: boolean }> {
  const required = (id: string) => ({ id, required: true });
  const { profile } = expectations;
  return [
    ...['startup', 'openssl-version', 'libcrypto-path', 'fips-provider-active', 'sha256-from-fips', 'default-properties-fips'].map(required),
    // rhel-compatible and recipe-compatible activate the default provider on purpose: reported, not failed.
    { id: 'only-fips-and-base', required: profile === 'strict' },
    required('md5-refused'),
    { id: 'md5-not-builtin', required: false },
    { id: 'usedforsecurity-exemption', required: profile === 'rhel-compatible' },
    ...['approved-digests', 'hmac-sha256', 'default-context-ciphers'].map(required),
    ...(expectations.tls ? ['tls12-handshake', 'tls13-handshake'].map(required) : []),
    ...(expectations.chachaPort !== undefined ? [required('non-approved-cipher-refused')] : []),
    ...(expectations.startModes
      ? [
          required('start-isolated'),
          ...(platform === 'win32' ? [] : [required('start-through-symlink')]),
          ...(expectations.movedCopy ? [required('start-moved-copy')] : []),
          ...['venv-interpreter', 'child-clean-environment', 'multiprocessing-manager'].map(required),
        ]
      : []),
    { id: 'os-fips-switch', required: false },
  ];
}

export function verifyScriptArgs(expectations: ScriptExpectations, outputFile: string, script = VERIFY_SCRIPT): string[] {
  const args = [script, '--expected-openssl-version', expectations.opensslVersion];
  if (expectations.fipsProviderVersion) args.push('--expected-fips-version', expectations.fipsProviderVersion);
  if (expectations.libcryptoDir) args.push('--expected-libcrypto-dir', expectations.libcryptoDir);
  args.push('--profile', expectations.profile);
  if (expectations.tls) {
    args.push('--tls-host', expectations.tls.host, '--tls-port', String(expectations.tls.port), '--tls-ca', expectations.tls.caFile);
    if (expectations.chachaPort !== undefined) args.push('--chacha-port', String(expectations.chachaPort));
  }
  if (expectations.startModes) args.push('--start-modes');
  const moved = expectations.movedCopy;
  if (moved && 'unavailable' in moved) args.push('--moved-copy-unavailable', moved.unavailable);
  if (moved && 'root' in moved) args.push('--moved-copy-root', moved.root, ...moved.trees.flatMap((tree) => ['--moved-copy', tree]), '--moved-copy-python', moved.python);
  args.push('--output', outputFile);
  return args;
}

/** `Command.env` that removes the isolated variables from the child's copy of the environment. */
export function isolatedInterpreterEnvironment(): Record<string, undefined> {
  return Object.fromEntries(ISOLATED_VARIABLES.map((name) => [name, undefined]));
}

/** What `fips-env` sets for an installed Python (activation "fips-env"); nothing for one that brings its own setup. */
export function activationEnvironment(options: { activation: 'self' | 'fips-env'; paths: { opensslConf: string; modulesDir: string } }): Record<string, string> {
  return options.activation === 'fips-env' ? { OPENSSL_CONF: options.paths.opensslConf, OPENSSL_MODULES: options.paths.modulesDir } : {};
}

export function verifyScriptCommand(python: string, expectations: ScriptExpectations, outputFile: string, cwd: string, activation: Record<string, string> = {}): Command {
  return {
    title: `FIPS checks inside ${python}`,
    program: python,
    args: verifyScriptArgs(expectations, outputFile),
    cwd,
    env: { ...isolatedInterpreterEnvironment(), ...activation },
  };
}

/**
 * Runs the checks inside the interpreter and reads their JSON. The script exits 1 when a required
 * check failed; only a missing or unreadable report is an error here.
 */
export async function runVerifyScript(
  runner: ProcessRunner,
  log: StageLog,
  command: Command,
  outputFile: string,
  options: Pick<RunOptions, 'onLine'> = {},
): Promise<ScriptReport> {
  const result = await log.run(runner, command, { ...options, allowFailure: true, tailLines: 30 });
  const problem = existsSync(outputFile) ? checkScriptReport(readFileSync(outputFile, 'utf8')) : 'it wrote no report';
  if (typeof problem === 'string') {
    throw new Error(
      [
        `${command.program} did not produce a FIPS verification report (exit code ${result.exitCode}; ${problem}): ` +
          'the interpreter crashed or is not a working Python 3.8+. Run it by hand to see why.',
        ...(result.tail.length ? ['Last lines of its output:', ...result.tail.map((l) => `  ${l}`)] : []),
        `Full log: ${log.logFile}`,
      ].join('\n'),
    );
  }
  return problem;
}

/** The parsed report, or what is wrong with the text. */
export function checkScriptReport(text: string): ScriptReport | string {
  let report: ScriptReport;
  try {
    report = JSON.parse(text);
  } catch (error) {
    return `its report is not JSON: ${(error as Error).message}`;
  }
  if (typeof report !== 'object' || report === null || !Array.isArray(report.checks) || typeof report.interpreter !== 'object') {
    return 'its report has no checks';
  }
  return report;
}
