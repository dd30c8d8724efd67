import { Tree, readProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { projectGenerator } from './generator';

describe('project generator', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));
  const py = { pythonVersion: '3.11.2' };

  it('defaults to the official OpenSSL 3.0.9 tarball pinned by SHA-256 and the strict profile', async () => {
    await projectGenerator(tree, { name: 'fips-python', ...py });
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
    await projectGenerator(tree, { name: 'fp', opensslSource: 'debian', pythonSource: 'debian', interpreter: '/usr/bin/python3.11', outputDir: 'out/fp', ...py });
    const { targets = {} } = readProjectConfiguration(tree, 'fp');
    expect(Object.keys(targets)).toEqual(['sources', 'openssl', 'fips-config', 'python', 'verify', 'build', 'plan']);
    expect(targets.sources).toMatchObject({
      cache: false,
      options: { openssl: { kind: 'debian', package: 'openssl', version: '3.0' }, python: { kind: 'debian', package: 'python3.11', version: '3.11.2' }, outputPath: 'out/fp/sources' },
    });
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
    expect(targets.python).toMatchObject({
      dependsOn: ['sources', 'openssl', 'fips-config'],
      cache: true,
      options: { mode: 'overlay', interpreter: '/usr/bin/python3.11', sourceLock: 'out/fp/sources/cpython.source.json', opensslPath: 'out/fp/openssl', fipsConfigPath: 'out/fp/fips-config', outputPath: 'out/fp/python' },
    });
    expect(targets.python.inputs).toEqual([{ dependentTasksOutputFiles: '**/cpython.source.json' }, { dependentTasksOutputFiles: '**/build-info.json' }, { env: 'CC' }]);
    // verify is a statement about this machine now: never from a cache.
    expect(targets.verify).toMatchObject({ dependsOn: ['python'], cache: false, options: { python: 'out/fp/python/bin/python3', profile: 'strict' } });
    expect(targets.build.dependsOn).toEqual(['verify']);
    for (const target of Object.values(targets)) expect(target.metadata?.description).toMatch(/^.{20,}$/);
    // Nothing machine-specific may reach the project graph.
    expect(JSON.stringify(targets)).not.toMatch(/\/home\/|\/root\/|[A-Z]:\\/);
  });

  it.each([
    [{ opensslVersion: '3.1.2' }, 'a0ce69b8b97ea6a35b96875235aa453b966ba3cba8af2de23657d8b6767d6539'],
    [{ opensslVersion: '3.0.8' }, '6c13d2bf38fdf31eac3ce2a347073673f5d63263398f1f69d0df4a41253e4b3e'],
    [{ opensslVersion: '3.2.1', opensslSha256: 'a'.repeat(64) }, 'a'.repeat(64)],
  ])('official source %j', async (options, sha256) => {
    await projectGenerator(tree, { name: 'x', ...py, ...options });
    expect(readProjectConfiguration(tree, 'x').targets?.sources.options.openssl.sha256).toBe(sha256);
  });

  it.each([
    [{ opensslVersion: '3.2.1' }, /no pinned SHA-256 for OpenSSL 3.2.1.*--opensslSha256/],
    [{ opensslVersion: '3.0.9', opensslSha256: 'b'.repeat(64) }, /differs from the published SHA-256/],
    [{ opensslVersion: '1.1.1w', opensslSha256: 'b'.repeat(64) }, /not an OpenSSL 3 release/],
    [{ opensslSource: 'local' as const }, /needs opensslPath/],
    [{ pythonVersion: '3.12.1' }, /no pinned SHA-256 for Python 3\.12\.1.*--pythonSha256/],
    [{ pythonVersion: '3.11.2', pythonSha256: 'c'.repeat(64) }, /differs from the published SHA-256 of Python-3\.11\.2\.tgz/],
    [{ pythonSource: 'local' as const, pythonVersion: '3.11.2' }, /needs pythonPath/],
    [{ interpreter: '/nonexistent/python3', pythonVersion: undefined }, /Could not ask \/nonexistent\/python3 for its version.*--pythonVersion/],
  ])('refuses %j', async (options, message) => {
    await expect(projectGenerator(tree, { name: 'x', pythonVersion: '3.11.2', ...options })).rejects.toThrow(message);
    expect(tree.exists('x/project.json')).toBe(false);
  });

  it('refuses to overwrite an existing project', async () => {
    await projectGenerator(tree, { name: 'x', ...py });
    await expect(projectGenerator(tree, { name: 'x', ...py })).rejects.toThrow(/already exists/);
  });

  it('asks the interpreter for its version when none is given, and pins the matching official CPython tarball', async () => {
    await projectGenerator(tree, { name: 'x', interpreter: '/usr/bin/python3.11' });
    expect(readProjectConfiguration(tree, 'x').targets?.sources.options.python).toEqual({
      kind: 'url',
      url: 'https://www.python.org/ftp/python/3.11.2/Python-3.11.2.tgz',
      sha256: '2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849',
    });
  });
});
