import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { ExecaRunner, ProcessRunner, StageLog, assertOutputIsOurs, createStaging, executorResult, publishOutput } from '@fipskit/core';
import { VerifyOptions } from './schema';
import { NormalizedVerifyOptions, normalizeOptions } from './lib/normalize-options';
import { targetConfigurationDigest } from './lib/target-configuration';
import { SBOM_FILE, SUMMARY_FILE, VerifyReport, readReport } from './lib/report';
import { SBOM_SPEC_VERSION, prepareSbomValidation, validateSbom } from './lib/evidence/sbom';
import { driverCommand, driverConfig, driverFailure, runDriver } from './lib/verify-driver';

export { EVIDENCE_HTML, EVIDENCE_MARKDOWN, SBOM_FILE } from './lib/report';

export interface VerifyDeps {
  runner?: ProcessRunner;
  print?: (line: string) => void;
  /** report.json's generatedAt and host, instead of the clock's and the machine's. */
  now?: () => Date;
  hostname?: () => string;
}

export default async function verifyExecutor(rawOptions: VerifyOptions, context: ExecutorContext, deps: VerifyDeps = {}): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  return executorResult('verify', print, async () => {
    assertEvidenceStaysWithItsPython(rawOptions, context);
    const targetConfiguration = targetConfigurationDigest(context);
    const options = {
      ...normalizeOptions(rawOptions, { root: context.root, projectName: context.projectName }),
      ...(targetConfiguration ? { targetConfiguration } : {}),
    };
    const report = await verifyFips(options, deps.runner ?? new ExecaRunner(), print, deps);
    if (!report.passed) print(`[verify] FIPS verification failed: ${report.failedRequired.join(', ')} (details in ${join(options.outputDir, SUMMARY_FILE)})`);
    return report.passed;
  });
}

/**
 * The target's output holds the evidence of the target's own interpreter: another one named on the command line
 * (`--python=/usr/bin/python3.11`, to compare) must write its report elsewhere, not over that evidence.
 */
function assertEvidenceStaysWithItsPython(options: VerifyOptions, context: ExecutorContext): void {
  const configured =
    context.projectName && context.targetName
      ? context.projectsConfigurations?.projects[context.projectName]?.targets?.[context.targetName]?.options
      : undefined;
  if (!configured || typeof configured.python !== 'string' || configured.python === options.python) return;
  if (configured.outputPath !== options.outputPath) return;
  throw new Error(
    `--python=${options.python} is not the interpreter this target verifies (${configured.python}), and its report would replace that one's evidence in ${options.outputPath}. ` +
      `Give it an output of its own: add --outputPath=${options.outputPath}-${basename(options.python).replace(/[^A-Za-z0-9._-]/g, '_') || 'other'}. Nothing was run.`,
  );
}

/**
 * Runs fipskit's verification driver in the interpreter under test (python/fipskit_verify_run.py: TLS servers, the
 * checks, the report and the evidence, written into a staging directory), validates the SBOM with CycloneDX's library,
 * publishes the outputs and prints the summary.
 */
export async function verifyFips(
  options: NormalizedVerifyOptions,
  runner: ProcessRunner,
  print: (line: string) => void,
  deps: Pick<VerifyDeps, 'now' | 'hostname'> = {},
): Promise<VerifyReport> {
  assertOutputIsOurs(options.outputDir, 'verify');
  rmSync(options.logFile, { force: true });
  const log = new StageLog('verify', options.logFile, options.tls ? 4 : 2, print);
  const temp = mkdtempSync(join(tmpdir(), 'fipskit-verify-'));
  const staging = createStaging(options.outputDir);
  let published = false;
  let report: VerifyReport;
  try {
    const configFile = join(temp, 'config.json');
    const config = driverConfig(options, { outputDir: staging, workParent: temp, generatedAt: deps.now?.().toISOString(), host: deps.hostname?.() });
    writeFileSync(configFile, JSON.stringify(config, null, 2) + '\n');
    const command = driverCommand(options.python, configFile, temp);
    const running = runDriver(runner, log, command, { verbose: options.verbose, print });
    // The interpreter is started: load CycloneDX's library and compile the SBOM's schema while it works, not before or after.
    void prepareSbomValidation();
    const run = await running;
    if (run.errors.length) throw new Error(run.errors.join('\n'));
    const written = readReport(staging);
    if (typeof written === 'string') throw new Error(driverFailure(command, run, written, options.logFile));
    report = written;
    const invalid = await validateSbom(readFileSync(join(staging, SBOM_FILE), 'utf8'));
    if (invalid) throw new Error(`The SBOM does not validate against the CycloneDX ${SBOM_SPEC_VERSION} schema: ${invalid}`);
    publishOutput(staging, options.outputDir, 'verify');
    published = true;
  } finally {
    if (!published) rmSync(staging, { recursive: true, force: true });
    rmSync(temp, { recursive: true, force: true });
  }
  const summary = readFileSync(join(options.outputDir, SUMMARY_FILE), 'utf8');
  for (const line of summary.trimEnd().split('\n')) print(line);
  log.finish();
  return report;
}
