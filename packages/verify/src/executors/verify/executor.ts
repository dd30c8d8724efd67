import { basename, join } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { ToolRunner, ProcessRunner, executorResult } from '@fipskit/core';
import { VerifyOptions } from './schema';
import { verifyStage } from '../../stage/stage';
import { targetConfigurationDigest } from '../../stage/target-configuration';
import { SUMMARY_FILE } from '../../stage/report';
import { VerifyClock, verifyFips } from '../../stage/verify-run';

export { EVIDENCE_HTML, EVIDENCE_MARKDOWN, SBOM_FILE } from '../../stage/report';
export { verifyFips } from '../../stage/verify-run';

export interface VerifyDeps extends VerifyClock {
  runner?: ProcessRunner;
  print?: (line: string) => void;
}

export default async function verifyExecutor(rawOptions: VerifyOptions, context: ExecutorContext, deps: VerifyDeps = {}): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  return executorResult('verify', print, async () => {
    assertEvidenceStaysWithItsPython(rawOptions, context);
    const targetConfiguration = targetConfigurationDigest(context);
    const options = {
      ...verifyStage.normalize(rawOptions, { root: context.root, projectName: context.projectName }),
      ...(targetConfiguration ? { targetConfiguration } : {}),
    };
    const report = await verifyFips(options, deps.runner ?? new ToolRunner(), print, deps);
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
