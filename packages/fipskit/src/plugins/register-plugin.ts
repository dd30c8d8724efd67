import { Tree, readNxJson } from '@nx/devkit';
import { addPlugin } from '@nx/devkit/internal';
import { createNodes } from './nodes';

/** The name users register in nx.json's plugins: the fipskit package exports createNodes. */
export const PLUGIN_NAME = 'fipskit';

export function pluginRegistered(tree: Tree): boolean {
  return (readNxJson(tree)?.plugins ?? []).some((entry) => (typeof entry === 'string' ? entry : entry.plugin) === PLUGIN_NAME);
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
