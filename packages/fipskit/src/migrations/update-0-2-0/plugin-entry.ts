import { Tree, formatFiles, logger, readNxJson, updateNxJson } from '@nx/devkit';
import { PLUGIN_NAME } from '../../plugins/register-plugin';

/**
 * fipskit 0.2: nx.json names the plugin's own entry, `fipskit/plugin`, which loads only the project inference, in
 * place of the package's main entry, which loads the generators too; every project graph Nx builds loads it.
 * The entry's options, include and exclude stay as they are.
 */
export default async function usePluginEntry(tree: Tree): Promise<void> {
  const nxJson = readNxJson(tree);
  if (!nxJson?.plugins?.length) return;
  let changed = false;
  const plugins = nxJson.plugins.map((entry) => {
    if (entry === 'fipskit') return ((changed = true), PLUGIN_NAME);
    if (typeof entry === 'object' && entry.plugin === 'fipskit') return ((changed = true), { ...entry, plugin: PLUGIN_NAME });
    return entry;
  });
  if (!changed) return;
  updateNxJson(tree, { ...nxJson, plugins });
  logger.info(`fipskit: nx.json now registers ${PLUGIN_NAME}, the plugin's project inference alone.`);
  await formatFiles(tree);
}
