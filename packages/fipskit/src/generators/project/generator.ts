import { Tree, addProjectConfiguration, getProjects, joinPathFragments, names } from '@nx/devkit';
import { ProjectGeneratorOptions } from './schema';
import { opensslSourceSpec } from './lib/source-spec-for';
import { interpreterVersion, pythonSourceSpec } from './lib/python-source-spec';
import { DEFAULT_INTERPRETER } from '../../constants';
import { stageTargets } from './lib/targets';

export interface NormalizedProjectOptions {
  name: string;
  directory: string;
  outputDir: string;
  profile: 'strict' | 'recipe-compatible';
}

export function normalizeProjectOptions(tree: Tree, options: ProjectGeneratorOptions): NormalizedProjectOptions {
  const name = names(options.name).fileName;
  if (getProjects(tree).has(name)) throw new Error(`A project named "${name}" already exists: choose another name.`);
  const directory = options.directory ?? name;
  if (tree.exists(joinPathFragments(directory, 'project.json'))) {
    throw new Error(`${directory}/project.json already exists: choose another directory.`);
  }
  return { name, directory, outputDir: options.outputDir ?? `dist/${name}`, profile: options.profile ?? 'strict' };
}

export async function projectGenerator(tree: Tree, options: ProjectGeneratorOptions): Promise<void> {
  const normalized = normalizeProjectOptions(tree, options);
  const openssl = opensslSourceSpec(options);
  const interpreter = options.interpreter ?? DEFAULT_INTERPRETER;
  const python = pythonSourceSpec(options, options.pythonVersion ?? interpreterVersion(interpreter));
  addProjectConfiguration(tree, normalized.name, {
    root: normalized.directory,
    projectType: 'application',
    tags: ['fipskit'],
    targets: stageTargets({ outputDir: normalized.outputDir, openssl, python, interpreter, mode: options.mode ?? 'overlay', profile: normalized.profile }),
  });
}

export default projectGenerator;
