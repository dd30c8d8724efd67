import type { CustomHasher } from '@nx/devkit';
import { workspaceRoot } from '@nx/devkit';
import { probeRemoteCache } from '../../cache/remote-cache-probe';
import { completeHash, hasherEnvironment, taskOptions } from '../../cache/task-options';
import { SourcesOptions } from './schema';
import { sourcesReuse } from './sources-reuse';

/**
 * The sources task's cache key: Nx's own hash of its inputs and options, and what the resolution reads besides
 * (`sourcesReuse`). When the resolution would ask the archive or read a local source, the key is one no other run has,
 * so the stage runs. The hasher also asks the remote cache, when one is configured, whether it answers: sources is the
 * first task of every build, and this is before Nx first waits on that cache (which it does with no time limit).
 */
const sourcesHasher: CustomHasher = async (task, context) => {
  const env = hasherEnvironment(context);
  const [base, remote] = await Promise.all([context.hasher.hashTask(task, context.taskGraph, env), probeRemoteCache(env)]);
  if (remote && !remote.ok) console.log(`[sources] warning: ${remote.message}`);
  return completeHash(base, 'fipskit:resolution', sourcesReuse(taskOptions<SourcesOptions>(task, context), { workspaceRoot, env, now: Date.now() }));
};

export default sourcesHasher;
