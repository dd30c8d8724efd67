import { TargetConfiguration, Tree, formatFiles, getProjects, logger, updateProjectConfiguration } from '@nx/devkit';
import { pathsFor } from '@fipskit/core';
import { EXECUTORS, toolchainInput } from '../../constants';
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
  target.inputs = target.inputs?.map((input) => (typeof input === 'object' && 'runtime' in input && input.runtime === identity ? { ...input, runtime: toolchainInput('python', to) } : input));
}

export async function setInterpreterGenerator(tree: Tree, options: SetInterpreterGeneratorOptions): Promise<void> {
  const { interpreter, platform } = options;
  if (!pathsFor(platform).isAbsolute(interpreter)) {
    throw new Error(`interpreter "${interpreter}" is not an absolute ${platform} path: give the full path of the installed Python's ${platform === 'win32' ? 'python.exe' : 'interpreter'}.`);
  }
  const changed: string[] = [];
  for (const [name, project] of getProjects(tree)) {
    const tags = project.tags ?? [];
    if (!tags.includes('fipskit') || !tags.includes(`platform:${platform}`)) continue;
    const targets = Object.values(project.targets ?? {});
    const current = targets.find((target) => target.executor === EXECUTORS.python)?.options?.interpreter;
    if (typeof current !== 'string' || current === interpreter) continue;
    for (const target of targets) pointTargetAt(target, current, interpreter);
    updateProjectConfiguration(tree, name, project);
    changed.push(name);
  }
  if (changed.length) logger.info(`fipskit: ${changed.join(', ')} now use${changed.length === 1 ? 's' : ''} ${interpreter}`);
  else logger.info(`fipskit: no ${platform} project uses an interpreter other than ${interpreter}; nothing changed`);
  await formatFiles(tree);
}

export default setInterpreterGenerator;
