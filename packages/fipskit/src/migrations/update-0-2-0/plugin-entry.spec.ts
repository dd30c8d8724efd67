import { readNxJson, updateNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import usePluginEntry from './plugin-entry';

describe('migration 0.2.0: the plugin entry', () => {
  it('names fipskit/plugin where nx.json named the package, keeping options, include and the other plugins', async () => {
    const tree = createTreeWithEmptyWorkspace();
    updateNxJson(tree, { ...readNxJson(tree)!, plugins: ['@nx/js/typescript', 'fipskit', { plugin: 'fipskit', include: ['apps/**'], options: {} }] });
    await usePluginEntry(tree);
    expect(readNxJson(tree)!.plugins).toEqual(['@nx/js/typescript', 'fipskit/plugin', { plugin: 'fipskit/plugin', include: ['apps/**'], options: {} }]);
  });

  it('leaves an nx.json without fipskit, or already on the entry, untouched', async () => {
    const tree = createTreeWithEmptyWorkspace();
    updateNxJson(tree, { ...readNxJson(tree)!, plugins: ['@nx/js/typescript', { plugin: 'fipskit/plugin', options: {} }] });
    const before = tree.read('nx.json', 'utf8');
    await usePluginEntry(tree);
    expect(tree.read('nx.json', 'utf8')).toBe(before);
  });
});
