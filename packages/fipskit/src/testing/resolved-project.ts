import { ProjectConfiguration, TargetConfiguration, Tree, getProjects, joinPathFragments, readJson } from '@nx/devkit';
import { FIPSKIT_PROJECT_FILE, ReadProject, inferredProject } from '../plugins/nodes';
import { FipskitProject } from '../plugins/fipskit-json/schema';
import { mergeTarget } from '../generators/convert-to-inferred/generator';

/**
 * A project as Nx resolves it in a generator's tree: the targets fipskit's plugin infers from every fipskit.json,
 * with project.json's targets merged over them as Nx merges them. For unit tests of generators and executors; the
 * plugin's own tests and the README examples check the same through the real Nx.
 */
export function resolvedProject(tree: Tree, name: string): ProjectConfiguration {
  const projects = getProjects(tree);
  const read: ReadProject[] = [...projects].flatMap(([projectName, project]) => {
    const file = joinPathFragments(project.root, FIPSKIT_PROJECT_FILE);
    return tree.exists(file) ? [{ file, root: project.root, name: projectName, config: readJson<FipskitProject>(tree, file) }] : [];
  });
  const project = projects.get(name);
  if (!project) throw new Error(`no project ${name}`);
  const own = read.find((candidate) => candidate.name === name);
  if (!own) return project;
  const inferred = inferredProject(own, read);
  const targets: Record<string, TargetConfiguration> = {};
  for (const target of new Set([...Object.keys(inferred.targets ?? {}), ...Object.keys(project.targets ?? {})])) {
    targets[target] = mergeTarget(inferred.targets?.[target], project.targets?.[target])!;
  }
  return {
    ...project,
    targets,
    tags: [...new Set([...(inferred.tags ?? []), ...(project.tags ?? [])])],
    ...(inferred.implicitDependencies || project.implicitDependencies
      ? { implicitDependencies: [...new Set([...(inferred.implicitDependencies ?? []), ...(project.implicitDependencies ?? [])])] }
      : {}),
  };
}
