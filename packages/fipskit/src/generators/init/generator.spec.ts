import { readJson, readNxJson, updateNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { initGenerator } from './generator';
import { PLUGIN_VERSION } from '../../constants';

describe('init generator', () => {
  it('registers the plugin once, ignores scratch directories once, adds the packages, and changes nothing else in nx.json', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('.gitignore', 'node_modules\ndist\n');
    // A workspace connected to Nx Cloud, with its own settings: init must keep them.
    const before = { ...readNxJson(tree)!, nxCloudId: 'abc123', analytics: true, plugins: ['@nx/js/typescript'] };
    updateNxJson(tree, before);
    await initGenerator(tree, {});
    await initGenerator(tree, {});
    expect(readNxJson(tree)).toEqual({ ...before, plugins: ['@nx/js/typescript', { plugin: 'fipskit/plugin', options: {} }] });
    expect(tree.read('.gitignore', 'utf-8')).toBe('node_modules\ndist\ntmp/\n');
    const pkg = readJson(tree, 'package.json');
    expect(pkg.devDependencies).toMatchObject({
      fipskit: PLUGIN_VERSION,
      '@fipskit/openssl-fips': PLUGIN_VERSION,
      '@fipskit/fips-config': PLUGIN_VERSION,
      '@fipskit/core': PLUGIN_VERSION,
      '@fipskit/verify': PLUGIN_VERSION,
    });
  });

  it('leaves package.json alone with skipPackageJson, and keeps a plugin entry the user wrote with options', async () => {
    const tree = createTreeWithEmptyWorkspace();
    updateNxJson(tree, { ...readNxJson(tree)!, plugins: [{ plugin: 'fipskit', include: ['apps/**'] }] });
    const before = tree.read('package.json', 'utf-8');
    await initGenerator(tree, { skipPackageJson: true });
    expect(tree.read('package.json', 'utf-8')).toBe(before);
    expect(readNxJson(tree)!.plugins).toEqual([{ plugin: 'fipskit', include: ['apps/**'] }]);
  });
});
