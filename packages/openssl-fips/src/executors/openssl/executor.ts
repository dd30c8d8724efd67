import { ExecutorContext } from '@nx/devkit';
import { ToolRunner, ProcessRunner, assertCompilerInCacheKey, buildOncePerTask, executorResult, nxTaskHash, renderPlan, withStageLock } from '@fipskit/core';
import { OpenSslBuildOptions } from './schema';
import { opensslStage } from '../../stage/stage';
import { openSslDisplayPlan } from '../../stage/openssl-build';

export interface OpenSslExecutorDeps {
  runner?: ProcessRunner;
  print?: (line: string) => void;
}

export default async function openSslBuildExecutor(
  rawOptions: OpenSslBuildOptions,
  context: ExecutorContext,
  deps: OpenSslExecutorDeps = {},
): Promise<{ success: boolean }> {
  const runner = deps.runner ?? new ToolRunner();
  const print = deps.print ?? ((line: string) => console.log(line));
  return executorResult('openssl', print, async () => {
    const options = opensslStage.normalize(rawOptions, { root: context.root, projectName: context.projectName });
    if (options.dryRun) {
      if (options.workspaceRoot !== context.root) print(`(workspace root shown as ${options.workspaceRoot})`);
      print(renderPlan(openSslDisplayPlan(options)));
      return;
    }
    if (options.platform !== 'win32') assertCompilerInCacheKey(context, options.environment.CC);
    // Read before waiting: what the output was when this run started, to notice one published meanwhile.
    const once = buildOncePerTask(options.outputDir, 'openssl', nxTaskHash(context), print, () => opensslStage.run(options, runner, print));
    await withStageLock(options.buildDir, 'openssl', print, once);
  });
}
