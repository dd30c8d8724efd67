import { TargetConfiguration, Tree, formatFiles, joinPathFragments, logger, updateProjectConfiguration, writeJson } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { hostPlatform, pathsFor } from '@fipskit/core';
import { interpreterVersion } from '../project/lib/python-source-spec';
import { toolchainInput } from '../../constants';
import { fipskitProjects } from '../../plugins/fipskit-projects';
import { FIPSKIT_PROJECT_FILE } from '../../plugins/nodes';
import { SetInterpreterGeneratorOptions } from './schema';

/** The same value in every place the project generator wrote the interpreter, so the project reads as if generated for it. */
function pointTargetAt(target: TargetConfiguration, from: string, to: string): void {
  const replaceIn = (options: Record<string, unknown> | undefined) => {
    for (const [key, value] of Object.entries(options ?? {})) if (value === from) options![key] = to;
  };
  replaceIn(target.options);
  Object.values(target.configurations ?? {}).forEach(replaceIn);
  // The python stage's cache key names the interpreter it asks for its version and headers.
  const identity = toolchainInput('python', from);
  target.inputs = target.inputs?.map((input) =>
    typeof input === 'object' && 'runtime' in input && input.runtime === identity ? { ...input, runtime: toolchainInput('python', to) } : input,
  );
}

export async function setInterpreterGenerator(tree: Tree, options: SetInterpreterGeneratorOptions): Promise<void> {
  const { interpreter, platform } = options;
  if (!pathsFor(platform).isAbsolute(interpreter)) {
    throw new Error(
      `interpreter "${interpreter}" is not an absolute ${platform} path: give the full path of the installed Python's ${platform === 'win32' ? 'python.exe' : 'interpreter'}.`,
    );
  }
  // The python stage's cache input names it through a shell: refused here, before any file changes, if it cannot.
  toolchainInput('python', interpreter);
  // On this machine's platform the interpreter is asked: it must exist and be a Python fipskit builds for. A path
  // for another platform (a CI runner's) cannot be checked here; its build checks it there.
  if (platform === hostPlatform()) {
    if (!existsSync(interpreter)) {
      throw new Error(`${interpreter} does not exist on this machine: install that Python, or give the path of one that is installed. Nothing changed.`);
    }
    interpreterVersion(interpreter);
  } else {
    logger.info(`fipskit: ${interpreter} is a ${platform} path and was not checked here: its python stage asks it for its version and headers there.`);
  }
  const changed: string[] = [];
  for (const found of fipskitProjects(tree)) {
    const current = found.interpreter;
    if (found.platform !== platform || typeof current !== 'string' || current === interpreter) continue;
    // fipskit.json names it once: the plugin derives every target and the cache input from it.
    if (found.file) writeJson(tree, joinPathFragments(found.root, FIPSKIT_PROJECT_FILE), { ...found.file, interpreter });
    // Targets written in project.json (a project made before the plugin, or an override) name it where the generator put it.
    const targets = Object.values(found.project.targets ?? {});
    if (targets.length) {
      for (const target of targets) pointTargetAt(target, current, interpreter);
      updateProjectConfiguration(tree, found.name, found.project);
    }
    changed.push(found.name);
  }
  if (changed.length) logger.info(`fipskit: ${changed.join(', ')} now use${changed.length === 1 ? 's' : ''} ${interpreter}`);
  else logger.info(`fipskit: no ${platform} project uses an interpreter other than ${interpreter}; nothing changed`);
  await formatFiles(tree);
}

export default setInterpreterGenerator;
