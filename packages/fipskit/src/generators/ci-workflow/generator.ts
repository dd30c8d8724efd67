import { Tree, formatFiles, logger } from '@nx/devkit';
import { fipskitProjects } from '../../plugins/fipskit-projects';
import { CiWorkflowGeneratorOptions } from './schema';
import { renderWorkflow } from './lib/render-workflow';
import { linuxJobEnvironment } from './lib/linux-environment';

/** The platforms of the workspace's fipskit projects (their fipskit.json, or the `platform:` tags of written-out ones). */
function projectPlatforms(tree: Tree): Array<'linux' | 'win32'> {
  const found = new Set(fipskitProjects(tree).map((project) => (project.platform === 'win32' ? 'win32' : 'linux')));
  return found.size ? (['linux', 'win32'] as const).filter((p) => found.has(p)) : ['linux'];
}

/** The CPython version of the first Windows project's python source. */
function windowsPythonVersion(tree: Tree): string | undefined {
  for (const project of fipskitProjects(tree)) {
    if (project.platform !== 'win32') continue;
    const python = project.python as { version?: string; url?: string } | undefined;
    const version = python?.version ?? /Python-(\d+\.\d+\.\d+)\.t/.exec(python?.url ?? '')?.[1];
    if (version) return version;
  }
  return undefined;
}

export async function ciWorkflowGenerator(tree: Tree, options: CiWorkflowGeneratorOptions): Promise<void> {
  const path = options.path ?? '.github/workflows/fipskit.yml';
  const baseBranch = options.baseBranch ?? 'main';
  if (!/^[A-Za-z0-9._/-]+$/.test(baseBranch)) throw new Error(`baseBranch "${baseBranch}" is not a plain branch name.`);
  const platforms = options.platforms ?? projectPlatforms(tree);
  if (platforms.length === 0) throw new Error('platforms is empty: give linux and/or win32.');
  const pythonVersion = options.windowsPythonVersion ?? windowsPythonVersion(tree) ?? '3.11';
  if (!/^3\.\d+(\.\d+)?$/.test(pythonVersion)) throw new Error(`windowsPythonVersion "${pythonVersion}" is not a Python 3 version such as 3.11.2.`);
  if (options.linuxContainer !== undefined && !/^[a-z0-9][a-z0-9._/:@-]*$/.test(options.linuxContainer)) {
    throw new Error(`linuxContainer "${options.linuxContainer}" is not a container image name such as debian:12.`);
  }
  // Without a linuxContainer: the Debian release the Linux projects need, or the runner when none needs Debian.
  const environment = linuxJobEnvironment(fipskitProjects(tree));
  if (options.linuxContainer === undefined) environment.warnings.forEach((warning) => logger.warn(`fipskit: ${warning}`));
  const linuxContainer = options.linuxContainer ?? (platforms.includes('linux') ? environment.container : undefined);
  tree.write(
    path,
    renderWorkflow({ baseBranch, platforms, remoteCache: options.remoteCache ?? 'self-hosted', windowsPythonVersion: pythonVersion, linuxContainer }),
  );
  await formatFiles(tree);
}

export default ciWorkflowGenerator;
