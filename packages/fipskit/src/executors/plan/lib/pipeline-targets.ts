import { ExecutorContext, TargetConfiguration } from '@nx/devkit';

export const STAGE_EXECUTORS = {
  openssl: '@fipskit/openssl-fips:build',
  fipsConfig: '@fipskit/fips-config:configure',
  python: '@fipskit/python-pcbuild:build',
} as const;

export interface StageTarget {
  project: string;
  target: string;
  options: Record<string, unknown>;
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
