import { describeFipsModule } from './lib/fips-module';
import { targetConfigurationDigest } from './lib/target-configuration';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { ExecaRunner, ProcessRunner, StageLog, echoingRunner, executorResult, assertOutputIsOurs, createStaging, publishOutput } from '@fipskit/core';
import { VerifyOptions } from './schema';
import { NormalizedVerifyOptions, normalizeOptions } from './lib/normalize-options';
import { REPORT_FILE, SUMMARY_FILE, VerifyReport, buildReport, renderSummary } from './lib/report';
import { CHACHA20_ONLY, RunningTlsServer, StartTlsServer, TlsMaterial, createTlsMaterial, defaultProviderOpenSsl, fipsOpenSsl, startTlsServer } from './lib/tls-server';
import { collectEvidence } from './lib/evidence/collect-evidence';
import { auditorSections, renderAuditorHtml, renderAuditorMarkdown } from './lib/evidence/auditor-report';
import { SBOM_SPEC_VERSION, prepareSbomValidation, sbomJson, validateSbom } from './lib/evidence/sbom';
import { ScriptExpectations, activationEnvironment, expectedChecks, runVerifyScript, verifyScriptCommand } from './lib/verify-script';

export interface VerifyDeps {
  runner?: ProcessRunner;
  print?: (line: string) => void;
  now?: () => Date;
  hostname?: () => string;
  /** Starts the TLS test server; replaced in unit tests. */
  startTlsServer?: StartTlsServer;
}

export const EVIDENCE_MARKDOWN = 'evidence.md';
export const EVIDENCE_HTML = 'evidence.html';
export const SBOM_FILE = 'sbom.cdx.json';

export default async function verifyExecutor(
  rawOptions: VerifyOptions,
  context: ExecutorContext,
  deps: VerifyDeps = {},
): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  return executorResult('verify', print, async () => {
    const targetConfiguration = targetConfigurationDigest(context);
    const options = { ...normalizeOptions(rawOptions, { root: context.root, projectName: context.projectName }), ...(targetConfiguration ? { targetConfiguration } : {}) };
    const report = await verifyFips(options, deps.runner ?? new ExecaRunner(), print, deps);
    if (!report.passed) print(`[verify] FIPS verification failed: ${report.failedRequired.join(', ')} (details in ${join(options.outputDir, SUMMARY_FILE)})`);
    return report.passed;
  });
}

/** Runs the checks inside the interpreter (against a FIPS TLS server when asked) and publishes the report. */
export async function verifyFips(
  options: NormalizedVerifyOptions,
  runner: ProcessRunner,
  print: (line: string) => void,
  deps: Pick<VerifyDeps, 'now' | 'hostname' | 'startTlsServer'> = {},
): Promise<VerifyReport> {
  assertOutputIsOurs(options.outputDir, 'verify');
  rmSync(options.logFile, { force: true });
  const log = new StageLog('verify', options.logFile, options.tls ? 4 : 2, print);
  const toolRunner = options.verbose ? echoingRunner(runner, print) : runner;
  const logLine = (prefix: string) => (line: string) => {
    writeFileSync(options.logFile, `${prefix}${line}\n`, { flag: 'a' });
    if (options.verbose) print(`${prefix}${line}`);
  };
  const work = mkdtempSync(join(tmpdir(), 'fipskit-verify-'));
  let server: RunningTlsServer | undefined;
  let chacha: RunningTlsServer | undefined;
  let report: VerifyReport;
  try {
    const openssl = fipsOpenSsl(options.paths, options.platform);
    let material: TlsMaterial | undefined;
    if (options.tls) {
      log.step(`Create a throwaway CA and server certificate with ${options.paths.openssl} in FIPS mode`);
      material = await createTlsMaterial(toolRunner, log, openssl, work);
      log.step(
        'Start two TLS servers on 127.0.0.1: openssl s_server in FIPS mode, and one offering only ChaCha20-Poly1305 (default provider) that the client must refuse',
      );
      const emptyConf = join(work, 'default-provider.cnf');
      writeFileSync(emptyConf, '# no configuration: OpenSSL\'s default provider\n');
      const start = deps.startTlsServer ?? startTlsServer;
      // Started side by side; each is stopped in `finally` even when the other failed to start.
      const [fips, chachaOnly] = await Promise.allSettled([
        start(openssl, material, work, { onLine: logLine('[s_server] ') }),
        start(defaultProviderOpenSsl(openssl, emptyConf), material, work, { onLine: logLine('[s_server chacha20] '), offer: CHACHA20_ONLY }),
      ]);
      if (fips.status === 'fulfilled') server = fips.value;
      if (chachaOnly.status === 'fulfilled') chacha = chachaOnly.value;
      if (fips.status === 'rejected') throw fips.reason;
      if (chachaOnly.status === 'rejected') throw chachaOnly.reason;
      log.info(`s_server is listening on ${fips.value.host}:${fips.value.port}, the ChaCha20-only server on ${chachaOnly.value.host}:${chachaOnly.value.port}`);
    }
    const expectations: ScriptExpectations = {
      opensslVersion: options.prefixInfo.version,
      fipsProviderVersion: options.prefixInfo.fipsProvider.version,
      libcryptoDir: options.libcryptoDir,
      profile: options.profile,
      tls: server && material ? { host: server.host, port: server.port, caFile: material.caFile } : undefined,
      chachaPort: chacha?.port,
      startModes: options.activation === 'self',
      movedCopy: options.movedCopy,
    };
    log.step(`Run the checks inside ${options.python}`);
    const outputFile = join(work, 'checks.json');
    const running = runVerifyScript(toolRunner, log, verifyScriptCommand(options.python, expectations, outputFile, work, activationEnvironment(options)), outputFile);
    // The Python is started: load CycloneDX's library and compile the SBOM's schema while it works, not before or after.
    void prepareSbomValidation();
    const script = await running;
    const fipsModule = await describeFipsModule(script.fips_module, options.prefixInfo, options.auditFile, options.projectName);
    report = buildReport(script, {
      fipsModule,
      targetConfiguration: options.targetConfiguration,
      generatedAt: (deps.now ?? (() => new Date()))(),
      host: (deps.hostname ?? hostname)(),
      python: options.python,
      prefix: options.prefix,
      opensslVersion: options.prefixInfo.version,
      fipsProviderVersion: options.prefixInfo.fipsProvider.version,
      profile: options.profile,
      tlsServer: server ? `${server.host}:${server.port}` : undefined,
      plannedChecks: expectedChecks(expectations),
    });
  } finally {
    await server?.stop();
    await chacha?.stop();
    rmSync(work, { recursive: true, force: true });
  }

  log.step(`Write ${REPORT_FILE}, ${SUMMARY_FILE}, the auditor report (${EVIDENCE_MARKDOWN}, ${EVIDENCE_HTML}) and the SBOM (${SBOM_FILE})`);
  const summary = renderSummary(report);
  const evidence = await collectEvidence({ report, prefix: options.prefix, openssl: options.prefixInfo, fipsConfigDir: options.fipsConfigDir, python: options.python });
  const sections = auditorSections(evidence);
  const sbom = await sbomJson(evidence, new Date(report.generatedAt));
  const invalid = await validateSbom(sbom);
  if (invalid) throw new Error(`The SBOM does not validate against the CycloneDX ${SBOM_SPEC_VERSION} schema: ${invalid}`);
  const staging = createStaging(options.outputDir);
  try {
    writeFileSync(join(staging, REPORT_FILE), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(staging, SUMMARY_FILE), summary);
    writeFileSync(join(staging, EVIDENCE_MARKDOWN), renderAuditorMarkdown(sections));
    writeFileSync(join(staging, EVIDENCE_HTML), renderAuditorHtml(sections));
    writeFileSync(join(staging, SBOM_FILE), sbom);
    publishOutput(staging, options.outputDir, 'verify');
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  for (const line of summary.trimEnd().split('\n')) print(line);
  log.finish();
  return report;
}

