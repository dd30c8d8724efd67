import { Tree, addProjectConfiguration, getProjects, joinPathFragments, names } from '@nx/devkit';
import { ProjectGeneratorOptions } from './schema';
import { opensslSourceSpec } from './lib/source-spec-for';
import { interpreterVersion, pythonSourceSpec } from './lib/python-source-spec';
import { hostPlatform } from '@fipskit/core';
import { DEFAULT_INTERPRETER, DEFAULT_WINDOWS_INTERPRETER } from '../../constants';
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
  const host = hostPlatform();
  const platform = !options.platform || options.platform === 'auto' ? host : options.platform;
  const mode = options.mode ?? (platform === 'win32' ? 'pcbuild' : 'overlay');
  if ((platform === 'win32') !== (mode === 'pcbuild')) {
    throw new Error(`mode "${mode}" does not fit platform ${platform}: Windows uses "pcbuild", Linux and macOS use "overlay".`);
  }
  const interpreter = options.interpreter ?? (platform === 'win32' ? DEFAULT_WINDOWS_INTERPRETER : DEFAULT_INTERPRETER);
  if (platform !== host && !options.pythonVersion) {
    throw new Error(`The interpreter ${interpreter} is on a ${platform} machine and cannot be asked for its version here: pass --pythonVersion (e.g. 3.11.2).`);
  }
  const python = pythonSourceSpec(options, options.pythonVersion ?? interpreterVersion(interpreter));
  addProjectConfiguration(tree, normalized.name, {
    root: normalized.directory,
    projectType: 'application',
    tags: ['fipskit'],
    targets: stageTargets({ outputDir: normalized.outputDir, openssl, python, interpreter, platform, profile: normalized.profile }),
  });
}

export default projectGenerator;
