import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { CMVP_CERTIFICATES_FILE, ToolRunner, ProcessRunner, assertOutputIsOurs, createStaging, executorResult, publishOutput } from '@fipskit/core';
import { VERIFY_DRIVER } from '@fipskit/verify';
import { ComplianceOptions } from './schema';

export const COMPLIANCE_FILE = 'compliance.json';

export interface ComplianceDeps {
  runner?: ProcessRunner;
  print?: (line: string) => void;
}

/** What compliance.json holds (the driver's --recheck writes it). */
export interface ComplianceResult {
  judgedOn: string;
  dataAsOf: string | null;
  claimChanged: boolean;
  certificateStatusChanged: boolean;
  before: { claimable?: boolean; summary?: string; certificateStatus?: string };
  after: { claimable: boolean; summary: string; certificateStatus: string; nextStep?: string };
  warning?: string;
}

export default async function complianceExecutor(
  options: ComplianceOptions,
  context: ExecutorContext,
  deps: ComplianceDeps = {},
): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  const resolve = (p: string) => (isAbsolute(p) ? p : join(context.root, p));
  const project = context.projectName ?? '<project>';
  return executorResult('compliance', print, async () => {
    const report = resolve(options.reportPath);
    if (!existsSync(report))
      throw new Error(
        `${relative(context.root, report)} does not exist: there is no verification to judge again. Run nx run ${project}:build (or :verify) first.`,
      );
    const python = resolve(options.python);
    if (!existsSync(python))
      throw new Error(
        `The interpreter ${python} that runs the re-check does not exist: build the project (nx run ${project}:build), or set python to any Python 3.8 or later.`,
      );
    const data = options.data ? resolve(options.data) : CMVP_CERTIFICATES_FILE;
    if (!existsSync(data))
      throw new Error(`The certificate data ${data} does not exist: set data to a cmvp-certificates.json, or leave it out for fipskit's own.`);
    if (options.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.asOf))
      throw new Error(`asOf "${options.asOf}" is not a day: write it as YYYY-MM-DD.`);
    const outputDir = resolve(options.outputPath);
    assertOutputIsOurs(outputDir, 'compliance');
    const staging = createStaging(outputDir);
    const staged = join(staging, COMPLIANCE_FILE);
    const result = join(outputDir, COMPLIANCE_FILE);
    const lines: string[] = [];
    const run = await (deps.runner ?? new ToolRunner()).run(
      {
        title: 'compliance re-check',
        program: python,
        // Isolated, without site or bytecode files: nothing of the FIPS runtime is started, nothing is written beside the driver.
        args: [
          '-I',
          '-S',
          '-B',
          VERIFY_DRIVER,
          '--recheck',
          report,
          '--data',
          data,
          '--max-data-age-days',
          String(options.maxDataAgeDays ?? 90),
          '--result',
          staged,
          ...(options.asOf ? ['--as-of', options.asOf] : []),
        ],
        cwd: dirname(report),
      },
      { allowFailure: true, onLine: (line) => lines.push(line) },
    );
    for (const line of lines) print(line);
    // Published whether or not the claim changed: compliance.json says what changed.
    if (existsSync(staged)) publishOutput(staging, outputDir, 'compliance');
    else rmSync(staging, { recursive: true, force: true });
    if (run.exitCode === 1) {
      const judged = JSON.parse(readFileSync(result, 'utf8')) as ComplianceResult;
      throw new Error(
        `The compliance claim changed since the report was made: ${judged.before.claimable ? 'CLAIMABLE' : 'NOT CLAIMABLE'} then, ${judged.after.claimable ? 'CLAIMABLE' : 'NOT CLAIMABLE'} now ` +
          `(${relative(context.root, result)}). Review the system's FIPS claim${judged.after.nextStep ? `; next step: ${judged.after.nextStep}` : ''}.`,
      );
    }
    if (run.exitCode !== 0) throw new Error(`The re-check failed (exit code ${run.exitCode}): ${lines.slice(-5).join(' ')}`);
  });
}
