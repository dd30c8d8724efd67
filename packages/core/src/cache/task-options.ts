import { createHash, randomUUID } from 'node:crypto';
import type { Hash, HasherContext, Task } from '@nx/devkit';

/**
 * The options a task runs with, as its executor will get them: the target's options, its configuration's, then what
 * the command line passed (`--refresh`). For a custom hasher, which Nx hands the task and the graph, not the options.
 */
export function taskOptions<Options = Record<string, unknown>>(task: Task, context: Pick<HasherContext, 'projectsConfigurations'>): Options {
  const target = context.projectsConfigurations.projects[task.target.project]?.targets?.[task.target.target];
  const configuration = task.target.configuration ? target?.configurations?.[task.target.configuration] : undefined;
  const overrides: Record<string, unknown> = { ...(task.overrides ?? {}) };
  delete overrides.__overrides_unparsed__;
  // Unchecked, as Nx hands them over: the executor's schema is applied when it runs, and reports what is wrong.
  return { ...(target?.options ?? {}), ...(configuration ?? {}), ...overrides } as Options;
}

/** The environment Nx hashes the task with (its per-task environment), else this process's. */
export function hasherEnvironment(context: HasherContext): NodeJS.ProcessEnv {
  return (context as HasherContext & { env?: NodeJS.ProcessEnv }).env ?? process.env;
}

/** Whether a task's output can come from a cache: under what state besides Nx's own inputs, or why it must run. */
export type CacheReuse = { reusable: true; state: string } | { reusable: false; why: string };

/**
 * Nx's hash of a task completed with `reuse`, named `node` in the hash details: the state when the output can be
 * reused, else a key no other run has (so the task runs and its entry is never found again).
 */
export function completeHash(base: Hash, node: string, reuse: CacheReuse): Hash {
  const state = reuse.reusable ? reuse.state : `runs (${reuse.why}): ${randomUUID()}`;
  const digest = (text: string) => createHash('sha256').update(text).digest('hex');
  return { value: digest(`${base.value}\0${state}`), details: { ...base.details, nodes: { ...base.details.nodes, [node]: digest(state) } } };
}
