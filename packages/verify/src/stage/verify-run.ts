import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRunner, StageLog, assertOutputIsOurs, createStaging, publishOutput } from '@fipskit/core';
import { NormalizedVerifyOptions } from './normalize-options';
import { SBOM_FILE, SUMMARY_FILE, VerifyReport, readReport } from './report';
import { SBOM_SPEC_VERSION, prepareSbomValidation, validateSbom } from '../evidence/sbom';
import { driverCommand, driverConfig, driverFailure, runDriver } from './verify-driver';

/** report.json's generatedAt and host, instead of the clock's and the machine's (tests). */
export interface VerifyClock {
  now?: () => Date;
  hostname?: () => string;
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
  deps: VerifyClock = {},
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
