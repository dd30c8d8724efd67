import { createHash } from 'node:crypto';
import type { ExecutorContext } from '@nx/devkit';

/** Which build configuration made the Python this evidence is about: the targets as Nx resolved them. */
export interface TargetConfigurationDigest {
  /** SHA-256 of the resolved targets (inferred by the plugin, merged with project.json), as canonical JSON. */
  sha256: string;
  /** The projects whose targets are in it: this one and those it depends on (a shared OpenSSL project). */
  projects: string[];
}

/** JSON with every object's keys sorted, so the same configuration always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function targetConfigurationDigest(
  context: Partial<Pick<ExecutorContext, 'projectName' | 'projectsConfigurations'>>,
): TargetConfigurationDigest | undefined {
  const projects = context.projectsConfigurations?.projects;
  const name = context.projectName;
  if (!projects || !name || !projects[name]) return undefined;
  const names = [name, ...(projects[name].implicitDependencies ?? []).filter((dependency) => projects[dependency])];
  const resolved = Object.fromEntries(names.map((project) => [project, projects[project].targets ?? {}]));
  return { sha256: createHash('sha256').update(canonicalJson(resolved)).digest('hex'), projects: names };
}
