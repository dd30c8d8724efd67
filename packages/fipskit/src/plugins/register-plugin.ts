import { Tree, readNxJson } from '@nx/devkit';
import { addPlugin } from '@nx/devkit/internal';
import { createNodes } from './nodes';

/**
 * The name registered in nx.json's plugins: the package's `./plugin` entry, which loads the project inference
 * alone. The package's main entry exports createNodes too (as fipskit 0.1 registered it), with the generators.
 */
export const PLUGIN_NAME = 'fipskit/plugin';
export const PLUGIN_NAMES: readonly string[] = [PLUGIN_NAME, 'fipskit'];

const pluginOf = (entry: string | { plugin: string }) => (typeof entry === 'string' ? entry : entry.plugin);

export function pluginRegistered(tree: Tree): boolean {
  return (readNxJson(tree)?.plugins ?? []).some((entry) => PLUGIN_NAMES.includes(pluginOf(entry)));
}

/**
 * Registers fipskit's plugin in nx.json, changing nothing else there; returns whether it was missing. The plugin
 * takes no options, so addPlugin has no alternative target names to try against the project graph.
 */
export async function registerPlugin(tree: Tree): Promise<boolean> {
  if (pluginRegistered(tree)) return false;
  await addPlugin(tree, { nodes: {}, dependencies: {} }, PLUGIN_NAME, createNodes, {}, false);
  return true;
}
