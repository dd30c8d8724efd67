import { Tree, readProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { projectGenerator } from './generator';

describe('project generator', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  it('defaults to the official OpenSSL 3.0.9 tarball pinned by SHA-256 and the strict profile', async () => {
    await projectGenerator(tree, { name: 'fips-python' });
    const project = readProjectConfiguration(tree, 'fips-python');
    expect(project.root).toBe('fips-python');
    expect(project.targets?.sources.options.openssl).toEqual({
      kind: 'url',
      url: 'https://github.com/openssl/openssl/releases/download/openssl-3.0.9/openssl-3.0.9.tar.gz',
      sha256: 'eb1ab04781474360f77c318ab89d8c5a03abc38e63d65a603cabbf1b00a1dc90',
    });
    expect(project.targets?.['fips-config'].options.profile).toBe('strict');
    expect(tree.exists('fips-python/project.json')).toBe(true);
  });

  it('wires sources → openssl → fips-config → build with inputs, outputs and descriptions', async () => {
    await projectGenerator(tree, { name: 'fp', opensslSource: 'debian', outputDir: 'out/fp' });
    const { targets = {} } = readProjectConfiguration(tree, 'fp');
    expect(Object.keys(targets)).toEqual(['sources', 'openssl', 'fips-config', 'build']);
    expect(targets.sources).toMatchObject({ cache: false, options: { openssl: { kind: 'debian', package: 'openssl', version: '3.0' }, outputPath: 'out/fp/sources' } });
    expect(targets.openssl).toMatchObject({
      dependsOn: ['sources'],
      cache: true,
      outputs: ['{options.outputPath}'],
      options: { sourceLock: 'out/fp/sources/openssl.source.json', outputPath: 'out/fp/openssl' },
    });
    expect(targets.openssl.inputs).toContainEqual({ dependentTasksOutputFiles: '**/openssl.source.json' });
    expect(targets['fips-config'].dependsOn).toEqual(['openssl']);
    expect(targets['fips-config'].inputs).toEqual([
      { dependentTasksOutputFiles: '**/build-info.json' },
      { runtime: 'node node_modules/@fipskit/fips-config/bin/machine-identity.js' },
    ]);
    expect(targets.build.dependsOn).toEqual(['fips-config']);
    for (const target of Object.values(targets)) expect(target.metadata?.description).toMatch(/^.{20,}$/);
    // Nothing machine-specific may reach the project graph.
    expect(JSON.stringify(targets)).not.toMatch(/\/home\/|\/root\/|[A-Z]:\\/);
  });

  it.each([
    [{ opensslVersion: '3.1.2' }, 'a0ce69b8b97ea6a35b96875235aa453b966ba3cba8af2de23657d8b6767d6539'],
    [{ opensslVersion: '3.0.8' }, '6c13d2bf38fdf31eac3ce2a347073673f5d63263398f1f69d0df4a41253e4b3e'],
    [{ opensslVersion: '3.2.1', opensslSha256: 'a'.repeat(64) }, 'a'.repeat(64)],
  ])('official source %j', async (options, sha256) => {
    await projectGenerator(tree, { name: 'x', ...options });
    expect(readProjectConfiguration(tree, 'x').targets?.sources.options.openssl.sha256).toBe(sha256);
  });

  it.each([
    [{ opensslVersion: '3.2.1' }, /no pinned SHA-256 for OpenSSL 3.2.1.*--opensslSha256/],
    [{ opensslVersion: '3.0.9', opensslSha256: 'b'.repeat(64) }, /differs from the published SHA-256/],
    [{ opensslVersion: '1.1.1w', opensslSha256: 'b'.repeat(64) }, /not an OpenSSL 3 release/],
    [{ opensslSource: 'local' as const }, /needs opensslPath/],
  ])('refuses %j', async (options, message) => {
    await expect(projectGenerator(tree, { name: 'x', ...options })).rejects.toThrow(message);
    expect(tree.exists('x/project.json')).toBe(false);
  });

  it('refuses to overwrite an existing project', async () => {
    await projectGenerator(tree, { name: 'x' });
    await expect(projectGenerator(tree, { name: 'x' })).rejects.toThrow(/already exists/);
  });
});
