import { Tree, addDependenciesToPackageJson, readNxJson, updateNxJson, GeneratorCallback } from '@nx/devkit';
import { PLUGIN_PACKAGES, PLUGIN_VERSION } from '../../constants';
import { InitGeneratorOptions } from './schema';

const IGNORED = ['dist/', 'tmp/'];

export async function initGenerator(tree: Tree, options: InitGeneratorOptions): Promise<GeneratorCallback> {
  const nxJson = readNxJson(tree) ?? {};
  // A build must never stop on a question: no analytics prompt, no cloud connection offer.
  updateNxJson(tree, { ...nxJson, analytics: false, neverConnectToCloud: true } as typeof nxJson);
  const gitignore = tree.exists('.gitignore') ? tree.read('.gitignore', 'utf-8') ?? '' : '';
  const present = new Set(gitignore.split(/\r?\n/).map((l) => l.trim()));
  const missing = IGNORED.filter((entry) => !present.has(entry) && !present.has(entry.replace(/\/$/, '')));
  if (missing.length) tree.write('.gitignore', gitignore + (gitignore && !gitignore.endsWith('\n') ? '\n' : '') + missing.join('\n') + '\n');
  let install: GeneratorCallback = () => undefined;
  if (!options.skipPackageJson) {
    const devDependencies = Object.fromEntries(PLUGIN_PACKAGES.map((p) => [p, PLUGIN_VERSION]));
    install = addDependenciesToPackageJson(tree, {}, devDependencies);
  }
  return install;
}

export default initGenerator;
