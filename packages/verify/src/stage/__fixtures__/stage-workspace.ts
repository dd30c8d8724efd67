import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { hostPlatform } from '@fipskit/core';
import type { ScriptReport } from '../report';
import type { VerifyOptions } from '../../executors/verify/schema';
import { PRIMARY_PYTHON } from '../../testing/python-harness';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Real output of fipskit_verify.py (with TLS): Debian's python3.11 pointed at the FIPS prefix by environment variables. */
export const FALSE_GREEN: ScriptReport = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'python', '__fixtures__', 'checks-fips-by-environment.json'), 'utf8'),
);
/** The same run with every required check passed: what a good build reports. */
export const ALL_PASSING: ScriptReport = { ...FALSE_GREEN, checks: FALSE_GREEN.checks.map((c) => ({ ...c, passed: c.required ? true : c.passed })) };
export const withoutTls = (report: ScriptReport): ScriptReport => ({ ...report, checks: report.checks.filter((c) => !/^tls1|cipher-refused/.test(c.id)) });

/**
 * A workspace holding what the verify stage reads: the openssl stage's prefix (build-info.json, the FIPS module and,
 * unless `libcrypto` is false, a stand-in libcrypto that no program can load), the fips-config stage's output, the
 * python stage's output with its manifest, and an audit of the module. bin/python3 is a placeholder for the test's
 * interpreter.
 */
export function stageWorkspace({ libcrypto = true }: { libcrypto?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-verify-exec-'));
  const dist = join(root, 'dist', 'p');
  const prefix = join(dist, 'openssl');
  mkdirSync(join(prefix, 'bin'), { recursive: true });
  mkdirSync(join(prefix, 'lib', 'ossl-modules'), { recursive: true });
  const module = join(prefix, 'lib', 'ossl-modules', 'fips.so');
  writeFileSync(module, 'the provider');
  if (libcrypto) writeFileSync(join(prefix, 'lib', 'libcrypto.so.3'), 'libcrypto');
  const source = {
    product: 'openssl',
    version: '3.0.22',
    origin: 'debian',
    sha256: '6'.repeat(64),
    fileName: 'openssl_3.0.22.orig.tar.gz',
    location: 'openssl=3.0.22-1~deb12u2',
    verification: "SHA-256 from Debian's signed Sources index",
  };
  writeFileSync(
    join(prefix, 'build-info.json'),
    JSON.stringify({
      version: '3.0.22',
      platform: hostPlatform(),
      arch: 'x64',
      source,
      configure: { target: 'linux-x86_64', arguments: ['linux-x86_64', 'enable-fips'], scope: 'targeted' },
      toolchain: { compiler: 'cc 12.2.0', perl: 'perl v5.36.0', make: 'GNU Make 4.3' },
      fipsProvider: { version: '3.0.22', validated: false, status: 'FIPS-capable, not validated', module: 'lib/ossl-modules/fips.so' },
      layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include', openssldir: 'ssl' },
      artifacts: { 'lib/libcrypto.so.3': sha256('libcrypto'), 'lib/ossl-modules/fips.so': sha256('the provider') },
    }),
  );
  const fipsConfig = join(dist, 'fips-config');
  mkdirSync(fipsConfig, { recursive: true });
  writeFileSync(join(fipsConfig, 'openssl.cnf'), '# fips\n');
  writeFileSync(join(fipsConfig, 'fipsmodule.cnf'), '[fips_sect]\nmodule-mac = AB:CD\n');
  writeFileSync(
    join(fipsConfig, 'fips-config.json'),
    JSON.stringify({
      profile: 'rhel-compatible',
      securityChecks: true,
      fipsinstall: {
        ranAt: '2026-11-27T18:16:45.454Z',
        hostname: 'builder',
        machineDigest: 'd'.repeat(64),
        hostDigest: 'e'.repeat(64),
        output: ['HMAC : (Module_Integrity) : Pass', 'INSTALL PASSED'],
        verify: ['VERIFY PASSED'],
      },
    }),
  );
  const python = join(dist, 'python', 'bin', 'python3');
  mkdirSync(join(python, '..'), { recursive: true });
  writeFileSync(python, '#!/bin/sh\nexit 99\n', { mode: 0o755 });
  mkdirSync(join(dist, 'python', 'lib', 'fipskit'), { recursive: true });
  writeFileSync(join(dist, 'python', 'lib', 'fipskit', '_ssl.cpython-311-x86_64-linux-gnu.so'), 'ssl module');
  writeFileSync(
    join(dist, 'python', 'fipskit-python.json'),
    JSON.stringify({
      mode: 'overlay',
      interpreter: { path: '/usr/bin/python3.11', version: '3.11.2' },
      source: { ...source, product: 'cpython', version: '3.11.2' },
      modules: { 'lib/fipskit/_ssl.cpython-311-x86_64-linux-gnu.so': 'x' },
    }),
  );
  mkdirSync(join(dist, 'audit'), { recursive: true });
  writeFileSync(
    join(dist, 'audit', 'audit.json'),
    JSON.stringify({
      schema: 1,
      auditedAt: '2026-12-01T12:00:00.000Z',
      stages: [],
      fipsModule: { path: 'lib/ossl-modules/fips.so', sha256: sha256('the provider'), reproduced: true },
    }),
  );
  const options: VerifyOptions = {
    python: 'dist/p/python/bin/python3',
    opensslPath: 'dist/p/openssl',
    fipsConfigPath: 'dist/p/fips-config',
    outputPath: 'dist/p/verify',
    tls: false,
  };
  const context = { root, projectName: 'p' } as ExecutorContext;
  return { root, dist, prefix, module, python, fipsConfig, options, context, outputDir: join(dist, 'verify') };
}

/** The checks' report as the interpreter in a stage workspace writes it: the FIPS module it mapped is the prefix's. */
export const ranModule = (report: ScriptReport, module: string): ScriptReport => ({ ...report, fips_module: module });

/** The files the verify stage writes, compared across runs: the workspace's path and the TLS server's port as tokens. */
export const OUTPUT_FILES = ['report.json', 'summary.txt', 'evidence.md', 'evidence.html', 'sbom.cdx.json'] as const;
export function outputsAsGolden(outputDir: string, root: string): Record<string, string> {
  return Object.fromEntries(
    OUTPUT_FILES.map((name) => [
      name,
      readFileSync(join(outputDir, name), 'utf8')
        .split(root)
        .join('@ROOT@')
        .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:@PORT@'),
    ]),
  );
}

/** The system's openssl, which serves as a prefix's in tests of the TLS servers (in its default provider). */
export const SYSTEM_OPENSSL = existsSync('/usr/bin/openssl') ? '/usr/bin/openssl' : undefined;

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * A stand-in for the interpreter under test at `path`: it runs fipskit's driver (-I -S -B …) in a real Python, and
 * answers the checks (fipskit_verify.py …) as told: it records their arguments (one a line) and environment in
 * `record`, prints `output`, writes `report` where --output says (none: it writes nothing), and exits with `exitCode`.
 */
export function fakeInterpreter(path: string, record: string, answer: { report?: ScriptReport; exitCode?: number; output?: string[] }): void {
  mkdirSync(record, { recursive: true });
  const canned = join(record, 'canned-checks.json');
  if (answer.report) writeFileSync(canned, JSON.stringify(answer.report));
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      `if [ "$1" = -I ]; then exec ${shellQuote(PRIMARY_PYTHON)} "$@"; fi`,
      `printf '%s\n' "$@" > ${shellQuote(join(record, 'checks-args'))}`,
      `env > ${shellQuote(join(record, 'checks-env'))}`,
      'out=; previous=',
      'for arg in "$@"; do [ "$previous" = --output ] && out=$arg; previous=$arg; done',
      ...(answer.output ?? []).map((line) => `echo ${shellQuote(line)}`),
      ...(answer.report ? [`cp ${shellQuote(canned)} "$out"`] : []),
      `exit ${answer.exitCode ?? 0}`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
}

/** What the stand-in recorded of the checks' run: their arguments and environment, or undefined when they never ran. */
export function checksRun(record: string): { args: string[]; env: Record<string, string> } | undefined {
  if (!existsSync(join(record, 'checks-args'))) return undefined;
  const args = readFileSync(join(record, 'checks-args'), 'utf8').split('\n').slice(0, -1);
  const env = Object.fromEntries(
    readFileSync(join(record, 'checks-env'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { args, env };
}

/**
 * The prefix's openssl program as a wrapper of the system's: it records each run (arguments and the variables that
 * put it in FIPS mode, as JSON lines in `record`/openssl-runs), and, for an s_server offering `failOffering`, exits 1
 * instead of serving. `fipsServerDelay` seconds pass before the FIPS-mode s_server starts.
 */
export function wrappedOpenSsl(path: string, record: string, options: { failOffering?: string; fipsServerDelay?: number } = {}): void {
  mkdirSync(record, { recursive: true });
  const runs = shellQuote(join(record, 'openssl-runs'));
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      `${shellQuote(PRIMARY_PYTHON)} -I -c 'import json, os, sys, time; print(json.dumps({"args": sys.argv[1:], "at": time.time(), "env": {k: os.environ.get(k) for k in ("OPENSSL_CONF", "OPENSSL_MODULES", "OPENSSL_CONF_INCLUDE", "LD_LIBRARY_PATH")}}))' "$@" >> ${runs}`,
      'if [ "$1" = s_server ]; then',
      '  case " $* " in',
      ...(options.failOffering ? [`    *" ${options.failOffering} "*) echo "s_server: no cipher can be used"; exit 1 ;;`] : []),
      `    *" -cipher "*) ;;`,
      ...(options.fipsServerDelay ? [`    *) sleep ${options.fipsServerDelay} ;;`] : []),
      '  esac',
      'fi',
      `exec ${shellQuote(SYSTEM_OPENSSL ?? 'openssl')} "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
}

export function openSslRuns(record: string): Array<{ args: string[]; at: number; env: Record<string, string | null> }> {
  const file = join(record, 'openssl-runs');
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
    : [];
}
