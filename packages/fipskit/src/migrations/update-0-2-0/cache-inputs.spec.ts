import { Tree, addProjectConfiguration, readProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { MACHINE_IDENTITY_INPUT, toolchainInput } from '../../constants';
import updateCacheInputs from './cache-inputs';

/** The targets fipskit 0.1's project generator wrote (their cache inputs; the rest as 0.1 wrote it too). */
function projectOf01(tree: Tree, name: string): void {
  addProjectConfiguration(tree, name, {
    root: name,
    tags: ['fipskit', 'platform:linux'],
    targets: {
      openssl: {
        executor: '@fipskit/openssl-fips:build',
        inputs: [
          { dependentTasksOutputFiles: '**/openssl.source.json' },
          { env: 'CC' },
          { env: 'CFLAGS' },
          { env: 'LDFLAGS' },
          { runtime: 'node node_modules/@fipskit/core/bin/toolchain-identity.js openssl' },
        ],
        options: { outputPath: `dist/${name}/openssl` },
      },
      'fips-config': {
        executor: '@fipskit/fips-config:configure',
        inputs: [
          { dependentTasksOutputFiles: '**/build-info.json' },
          { runtime: 'node node_modules/@fipskit/fips-config/bin/machine-identity.js' },
          { runtime: 'node node_modules/@fipskit/core/bin/toolchain-identity.js fips-config' },
        ],
      },
      python: {
        executor: '@fipskit/python-pcbuild:build',
        inputs: [{ env: 'CC' }, { runtime: 'node node_modules/@fipskit/core/bin/toolchain-identity.js python "/usr/bin/python3.11"' }],
      },
      lint: { executor: 'nx:run-commands', inputs: [{ env: 'CC' }, { runtime: 'node node_modules/@fipskit/core/bin/toolchain-identity.js openssl' }] },
    },
  });
}

describe('migration 0.2.0: cache inputs', () => {
  it('gives the stages the inputs 0.2 writes, and leaves every other target alone', async () => {
    const tree = createTreeWithEmptyWorkspace();
    projectOf01(tree, 'fp');
    const lint = readProjectConfiguration(tree, 'fp').targets!.lint;
    await updateCacheInputs(tree);
    const { targets } = readProjectConfiguration(tree, 'fp');
    expect(targets!.openssl.inputs).toEqual([{ dependentTasksOutputFiles: '**/openssl.source.json' }, { runtime: toolchainInput('openssl') }]);
    expect(targets!['fips-config'].inputs).toEqual([
      { dependentTasksOutputFiles: '**/build-info.json' },
      { runtime: MACHINE_IDENTITY_INPUT },
      { runtime: toolchainInput('fips-config') },
    ]);
    expect(targets!.python.inputs).toEqual([{ runtime: toolchainInput('python', '/usr/bin/python3.11') }]);
    expect(targets!.lint).toEqual(lint);
    expect(targets!.openssl.options).toEqual({ outputPath: 'dist/fp/openssl' });
  });

  it('changes nothing the second time, nor in a project without written-out stages', async () => {
    const tree = createTreeWithEmptyWorkspace();
    projectOf01(tree, 'fp');
    addProjectConfiguration(tree, 'inferred', { root: 'inferred', targets: {} });
    tree.write('inferred/fipskit.json', '{}');
    await updateCacheInputs(tree);
    const once = tree.read('fp/project.json', 'utf-8');
    await updateCacheInputs(tree);
    expect(tree.read('fp/project.json', 'utf-8')).toBe(once);
    expect(readProjectConfiguration(tree, 'inferred').targets).toEqual({});
  });
});
