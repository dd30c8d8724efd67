import { dirname } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { ToolRunner, ProcessRunner, echoingRunner, executorResult, withStageLock } from '@fipskit/core';
import { FipsConfigOptions } from './schema';
import { fipsConfigStage } from '../../stage/stage';
import { configureFips } from '../../stage/configure-fips';

export interface FipsConfigDeps {
  runner?: ProcessRunner;
  print?: (line: string) => void;
  now?: () => Date;
}

export default async function fipsConfigExecutor(
  rawOptions: FipsConfigOptions,
  context: ExecutorContext,
  deps: FipsConfigDeps = {},
): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  return executorResult('fips-config', print, async () => {
    const options = fipsConfigStage.normalize(rawOptions, { root: context.root, projectName: context.projectName });
    const runner = deps.runner ?? new ToolRunner();
    await withStageLock(dirname(options.logFile), 'fips-config', print, () =>
      configureFips(options, options.verbose ? echoingRunner(runner, print) : runner, print, deps.now ?? (() => new Date())),
    );
  });
}
