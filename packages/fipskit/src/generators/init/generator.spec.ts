import { readJson, readNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { initGenerator } from './generator';

describe('init generator', () => {
  it('turns prompts and cloud off, ignores scratch directories once, and adds the plugins', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('.gitignore', 'node_modules\ndist\n');
    await initGenerator(tree, {});
    await initGenerator(tree, {});
    const nxJson = readNxJson(tree) as Record<string, unknown>;
    expect(nxJson.analytics).toBe(false);
    expect(nxJson.neverConnectToCloud).toBe(true);
    expect(tree.read('.gitignore', 'utf-8')).toBe('node_modules\ndist\ntmp/\n');
    const pkg = readJson(tree, 'package.json');
    expect(pkg.devDependencies).toMatchObject({ '@fipskit/openssl-fips': '0.1.0', '@fipskit/fips-config': '0.1.0', '@fipskit/core': '0.1.0' });
  });

  it('leaves package.json alone with skipPackageJson', async () => {
    const tree = createTreeWithEmptyWorkspace();
    const before = tree.read('package.json', 'utf-8');
    await initGenerator(tree, { skipPackageJson: true });
    expect(tree.read('package.json', 'utf-8')).toBe(before);
  });
});
