import { ExecutorContext } from '@nx/devkit';
import {
  ToolRunner,
  ProcessRunner,
  assertCompilerInCacheKey,
  buildOncePerTask,
  echoingRunner,
  executorResult,
  nxTaskHash,
  renderPlan,
  withStageLock,
} from '@fipskit/core';
import { PythonBuildOptions } from './schema';
import { pythonStage } from '../../stage/stage';
import { planPythonForDisplay } from '../../stage/python-build';

export interface PythonExecutorDeps {
  runner?: ProcessRunner;
  print?: (line: string) => void;
}

export default async function pythonBuildExecutor(
  rawOptions: PythonBuildOptions,
  context: ExecutorContext,
  deps: PythonExecutorDeps = {},
): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  return executorResult('python', print, async () => {
    const options = pythonStage.normalize(rawOptions, { root: context.root, projectName: context.projectName });
    const runner = deps.runner ?? new ToolRunner();
    if (options.dryRun) {
      if (options.workspaceRoot !== context.root) print(`(workspace root shown as ${options.workspaceRoot})`);
      print(renderPlan(await planPythonForDisplay(options, runner)));
      return;
    }
    if (options.mode !== 'pcbuild') assertCompilerInCacheKey(context, options.environment.CC);
    const chosen = options.verbose ? echoingRunner(runner, print) : runner;
    // Read before waiting: what the output was when this run started, to notice one published meanwhile.
    const once = buildOncePerTask(options.outputDir, 'python', nxTaskHash(context), print, () => pythonStage.run(options, chosen, print));
    await withStageLock(options.buildDir, 'python', print, once);
  });
}
