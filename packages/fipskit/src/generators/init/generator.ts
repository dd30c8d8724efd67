import { GeneratorCallback, Tree, addDependenciesToPackageJson, formatFiles } from '@nx/devkit';
import { PLUGIN_PACKAGES, PLUGIN_VERSION } from '../../constants';
import { registerPlugin } from '../../plugins/register-plugin';
import { InitGeneratorOptions } from './schema';

const IGNORED = ['dist/', 'tmp/'];

/** What `nx add fipskit` runs: the plugin registered, scratch directories ignored, the packages added; nothing else in nx.json changes. */
export async function initGenerator(tree: Tree, options: InitGeneratorOptions): Promise<GeneratorCallback> {
  await registerPlugin(tree);
  const gitignore = tree.exists('.gitignore') ? (tree.read('.gitignore', 'utf-8') ?? '') : '';
  const present = new Set(gitignore.split(/\r?\n/).map((l) => l.trim()));
  const missing = IGNORED.filter((entry) => !present.has(entry) && !present.has(entry.replace(/\/$/, '')));
  if (missing.length) tree.write('.gitignore', gitignore + (gitignore && !gitignore.endsWith('\n') ? '\n' : '') + missing.join('\n') + '\n');
  let install: GeneratorCallback = () => undefined;
  if (!options.skipPackageJson) {
    const devDependencies = Object.fromEntries(PLUGIN_PACKAGES.map((p) => [p, PLUGIN_VERSION]));
    install = addDependenciesToPackageJson(tree, {}, devDependencies, undefined, options.keepExistingVersions ?? false);
  }
  if (!options.skipFormat) await formatFiles(tree);
  return install;
}

export default initGenerator;
