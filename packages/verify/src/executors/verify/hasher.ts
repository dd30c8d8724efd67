import type { CustomHasher } from '@nx/devkit';
import { workspaceRoot } from '@nx/devkit';
// The light entry: a hasher is loaded in Nx's own process, which need not load the rest of core.
import { completeHash, hasherEnvironment, taskOptions } from '@fipskit/core/task-options';
import { VerifyOptions } from './schema';
import { verifyReuse } from '../../stage/verify-reuse';

/**
 * The verify task's cache key: Nx's own hash of its inputs and options, and what else its verdict depends on
 * (`verifyReuse`). Where that cannot be known without running, the key is one no other run has, and verify runs.
 */
const verifyHasher: CustomHasher = async (task, context) => {
  const env = hasherEnvironment(context);
  const base = await context.hasher.hashTask(task, context.taskGraph, env);
  const reuse = verifyReuse(taskOptions<VerifyOptions>(task, context), {
    root: workspaceRoot,
    projectName: task.target.project,
    targetName: task.target.target,
    env,
    now: new Date(),
    platform: process.platform,
    projectsConfigurations: context.projectsConfigurations,
    stagesInRun: (context.taskGraph.dependencies[task.id] ?? []).length > 0,
  });
  return completeHash(base, 'fipskit:verdict-inputs', reuse);
};

export default verifyHasher;
