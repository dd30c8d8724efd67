import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readFipsSection, renderOpenSslCnf } from '@fipskit/core';
import type { ScriptReport } from '../stage/report';
import type { DriverExpectations } from '../stage/verify-driver';
import { VERIFY_SCRIPT } from '../python/verify-files';
import { PRIMARY_PYTHON, callPython } from './python-harness';

/** What fipskit_verify.py is asked to hold the interpreter to, with a TLS server when there is one. */
export type ScriptExpectations = Omit<DriverExpectations, 'startModes'> & {
  startModes?: boolean;
  tls?: { host: string; port: number; caFile: string };
  chachaPort?: number;
};

/** The driver's own argument list for the checks (fipskit_verify_run.checks_arguments), so a direct run is the stage's. */
export function checksArguments(expectations: ScriptExpectations, outputFile: string): string[] {
  return callPython(PRIMARY_PYTHON, 'fipskit_verify_run', [{ fn: 'checks_arguments', args: [VERIFY_SCRIPT, expectations, outputFile] }])[0] as string[];
}

let isolated: string[] | undefined;
/** The variables the driver removes from the interpreter's environment (fipskit_verify_run.ISOLATED_VARIABLES). */
export function isolatedVariables(): string[] {
  return (isolated ??= callPython(PRIMARY_PYTHON, 'fipskit_verify_run', [{ get: 'ISOLATED_VARIABLES' }])[0] as string[]);
}

/**
 * What the checks must say about interpreters whose FIPS state is known. The unit tests use them with
 * Debian's system Python and the committed prefix when it exists; the e2e suite uses them again after
 * its own build, so both hold the checks to the same expectations.
 */
export interface ScriptScenario {
  description: string;
  mustPass: string[];
  mustFail: string[];
  /** Text a check's detail must contain (a case-sensitive regular expression). */
  detailMatches?: Record<string, RegExp>;
}

export const SCRIPT_SCENARIOS = {
  /** Debian's python3.11 as installed: system OpenSSL, default provider, MD5 everywhere. */
  bareSystemPython: {
    description: 'an interpreter on the system OpenSSL',
    mustPass: [],
    mustFail: ['openssl-version', 'libcrypto-path', 'fips-provider-active', 'sha256-from-fips', 'md5-refused'],
  },
  /**
   * System python3.11 with LD_LIBRARY_PATH/OPENSSL_CONF/OPENSSL_MODULES pointing at the FIPS prefix: its
   * _ssl/_hashlib bind the FIPS libcrypto, yet hashlib.md5 is the built-in _md5 (CPython gh-116800).
   */
  poorMansFipsPython: {
    description: 'a system interpreter pointed at the FIPS OpenSSL by environment variables',
    mustPass: [
      'openssl-version',
      'libcrypto-path',
      'fips-provider-active',
      'sha256-from-fips',
      'default-properties-fips',
      'only-fips-and-base',
      'approved-digests',
      'hmac-sha256',
      'default-context-ciphers',
    ],
    // Only this process is FIPS: a child started with a clean environment (or -I, or a venv's) is not.
    mustFail: ['md5-refused', 'md5-not-builtin', 'start-isolated', 'child-clean-environment', 'start-environment', 'venv-interpreter'],
    detailMatches: { 'md5-refused': /still produced an MD5 digest: hashlib\.md5\(b'x'\)/, 'child-clean-environment': /is not in FIPS mode/ },
  },
  /** The same, with a FIPS module that has one byte changed: its integrity self-test must stop it loading. */
  tamperedFipsModule: {
    description: 'a FIPS module with one byte changed',
    mustPass: [],
    mustFail: ['fips-provider-active', 'sha256-from-fips'],
    detailMatches: { 'fips-provider-active': /no provider named 'fips' is active/ },
  },
  /** The product: a full FIPS build or overlay that sets up FIPS itself however it is started. */
  fipsPython: {
    description: "fipskit's FIPS Python",
    mustPass: [
      'startup',
      'openssl-version',
      'libcrypto-path',
      'fips-provider-active',
      'sha256-from-fips',
      'default-properties-fips',
      'only-fips-and-base',
      'md5-refused',
      'md5-not-builtin',
      'approved-digests',
      'hmac-sha256',
      'default-context-ciphers',
      'start-isolated',
      'start-through-symlink',
      'start-moved-copy',
      'venv-interpreter',
      'child-clean-environment',
      'start-environment',
      'multiprocessing-manager',
    ],
    mustFail: [],
  },
} satisfies Record<string, ScriptScenario>;

/** Every way a report differs from a scenario; empty when it holds. */
export function unmetExpectations(report: ScriptReport, scenario: ScriptScenario): string[] {
  const byId = new Map(report.checks.map((c) => [c.id, c]));
  const problems: string[] = [];
  const expect = (id: string, passed: boolean) => {
    const check = byId.get(id);
    if (!check) problems.push(`${id} was not reported`);
    else if (check.passed !== passed) problems.push(`${id} should ${passed ? 'PASS' : 'FAIL'} but ${check.passed ? 'passed' : 'failed'}: ${check.detail}`);
  };
  scenario.mustPass.forEach((id) => expect(id, true));
  scenario.mustFail.forEach((id) => expect(id, false));
  for (const [id, pattern] of Object.entries(scenario.detailMatches ?? {})) {
    const check = byId.get(id);
    if (check && !pattern.test(check.detail)) problems.push(`${id} detail does not match ${pattern}: ${check.detail}`);
  }
  return problems;
}

export interface ScenarioPaths {
  /** The openssl stage's prefix. */
  prefix: string;
  /** The fips-config stage's output (openssl.cnf). */
  fipsConfigDir: string;
}

/**
 * The parent environment without any FIPS or Python setup, plus (for `fips-by-environment`) the three
 * variables that point a system interpreter at the prefix. `modulesDir` replaces the prefix's ossl-modules.
 */
export function scenarioEnvironment(kind: 'bare' | 'fips-by-environment', paths?: ScenarioPaths, modulesDir?: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !isolatedVariables().includes(key)) env[key] = value;
  }
  if (kind === 'fips-by-environment') {
    if (!paths) throw new Error('fips-by-environment needs the prefix and fips-config paths');
    env.LD_LIBRARY_PATH = join(paths.prefix, 'lib');
    env.OPENSSL_CONF = join(paths.fipsConfigDir, 'openssl.cnf');
    env.OPENSSL_MODULES = modulesDir ?? join(paths.prefix, 'lib', 'ossl-modules');
  }
  return env;
}

/**
 * The strict profile's openssl.cnf for this machine's fipsinstall section, in a new directory: the
 * scenarios above hold whatever profile the workspace's own project was configured with.
 */
export function strictFipsConfig(fipsConfigDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-strict-config-'));
  const section = readFipsSection(readFileSync(join(fipsConfigDir, 'fipsmodule.cnf'), 'utf8'), join(fipsConfigDir, 'fipsmodule.cnf'));
  writeFileSync(join(dir, 'openssl.cnf'), renderOpenSslCnf(section, 'strict'));
  return dir;
}

/** A copy of the prefix's FIPS module with the middle byte inverted, alone in a new directory. */
export function tamperedModuleDir(prefix: string): string {
  const info = JSON.parse(readFileSync(join(prefix, 'build-info.json'), 'utf8')) as { fipsProvider: { module: string } };
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-tampered-module-'));
  const target = join(dir, basename(info.fipsProvider.module));
  copyFileSync(join(prefix, info.fipsProvider.module), target);
  const bytes = readFileSync(target);
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(target, bytes);
  return dir;
}

/** Runs fipskit_verify.py in `python` with exactly `env`, and returns its report and exit code. */
export function runScriptDirectly(
  python: string,
  expectations: ScriptExpectations,
  env: Record<string, string>,
): { report: ScriptReport; exitCode: number; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-verify-script-'));
  const output = join(dir, 'checks.json');
  const result = spawnSync(python, checksArguments(expectations, output), {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 120_000,
    windowsHide: true,
  });
  try {
    const report: ScriptReport = JSON.parse(readFileSync(output, 'utf8'));
    return { report, exitCode: result.status ?? -1, stderr: result.stderr };
  } catch (error) {
    throw new Error(`${python} ${VERIFY_SCRIPT} wrote no report (exit ${result.status}): ${result.error?.message ?? ''}\n${result.stdout}\n${result.stderr}`, {
      cause: error,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
