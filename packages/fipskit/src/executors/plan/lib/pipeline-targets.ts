import { ExecutorContext, TargetConfiguration } from '@nx/devkit';
import { Stage } from '@fipskit/core';
import { opensslStage } from '@fipskit/openssl-fips';
import { fipsConfigStage } from '@fipskit/fips-config';
import { pythonStage } from '@fipskit/python-pcbuild';
import { verifyStage } from '@fipskit/verify';

/** The stages whose targets plan, audit and doctor read, each through its stage contract. */
export const STAGES = { openssl: opensslStage, fipsConfig: fipsConfigStage, python: pythonStage, verify: verifyStage } as const;

export const STAGE_EXECUTORS = {
  openssl: opensslStage.executor,
  fipsConfig: fipsConfigStage.executor,
  python: pythonStage.executor,
  verify: verifyStage.executor,
} as const;

export interface StageTarget {
  project: string;
  target: string;
  options: Record<string, unknown>;
}

/** A stage's target with its options checked by the stage (see `Stage.options`). */
export interface CheckedStageTarget<Options> {
  project: string;
  target: string;
  options: Options;
}

function findIn(context: ExecutorContext, project: string, executor: string): StageTarget | undefined {
  const targets: Record<string, TargetConfiguration> = context.projectsConfigurations?.projects[project]?.targets ?? {};
  const found = Object.entries(targets).find(([, target]) => target.executor === executor);
  return found ? { project, target: found[0], options: { ...(found[1].options ?? {}) } } : undefined;
}

/**
 * The target running `executor` for this project: its own, else one of the projects it depends on (a
 * Python project fed by a shared OpenSSL project).
 */
export function findStageTarget(context: ExecutorContext, executor: string): StageTarget | undefined {
  const project = context.projectName!;
  const own = findIn(context, project, executor);
  if (own) return own;
  const seen = new Set<string>([project]);
  const queue = [project];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const dependency of context.projectGraph?.dependencies[current] ?? []) {
      if (seen.has(dependency.target)) continue;
      seen.add(dependency.target);
      const found = findIn(context, dependency.target, executor);
      if (found) return found;
      queue.push(dependency.target);
    }
  }
  return undefined;
}

/** The target of `stage` (as `findStageTarget` finds it), its options checked by the stage: a wrong shape names the target. */
export function findStage<Options, Normalized>(context: ExecutorContext, stage: Stage<Options, Normalized>): CheckedStageTarget<Options> | undefined {
  const found = findStageTarget(context, stage.executor);
  return found && { ...found, options: stage.options(found.options, `${found.project}:${found.target}`) };
}
