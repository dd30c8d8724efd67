import { Tree, addProjectConfiguration, logger, readJson, readNxJson, readProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { SourceSpec } from '@fipskit/core';
import { stageTargets } from '../../plugins/stage-targets';
import { resolvedProject } from '../../testing/resolved-project';
import { convertToInferredGenerator } from './generator';

const openssl: SourceSpec = { kind: 'debian', package: 'openssl', version: '3.0' };
const python: SourceSpec = { kind: 'debian', package: 'python3.11', version: '3.11.2' };

/** A project as fipskit's generator wrote it before the plugin: every stage written out in project.json. */
function writtenOut(tree: Tree, name: string, extra: Partial<Parameters<typeof stageTargets>[0]> = {}, implicitDependencies?: string[]): void {
  const input = {
    outputDir: `dist/${name}`,
    openssl,
    python,
    interpreter: '/usr/bin/python3.11',
    mode: 'overlay' as const,
    platform: 'linux' as const,
    profile: 'strict' as const,
    ...extra,
  };
  addProjectConfiguration(tree, name, {
    root: name,
    projectType: 'application',
    tags: ['fipskit', 'platform:linux', 'team:crypto'],
    ...(implicitDependencies ? { implicitDependencies } : {}),
    targets: stageTargets(input),
  });
}

describe('convert-to-inferred generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it("moves written-out projects to fipskit.json: Nx resolves the same targets, the user's own changes stay as overrides", async () => {
    writtenOut(tree, 'so');
    writtenOut(tree, 'py', { openssl: undefined, shared: { project: 'so', outputDir: 'dist/so' }, outputDir: 'out/py' }, ['so', 'docs']);
    // The user's own edits: an extra Configure argument, and a target of their own.
    const so = readProjectConfiguration(tree, 'so');
    so.targets!.openssl.options.configureArgs = ['no-idea'];
    so.targets!.lint = { command: 'true' };
    tree.write('so/project.json', JSON.stringify({ ...so, name: 'so' }));
    const before = { so: readProjectConfiguration(tree, 'so'), py: readProjectConfiguration(tree, 'py') };

    await convertToInferredGenerator(tree, {});

    expect(readJson(tree, 'so/fipskit.json')).toEqual({
      $schema: '../node_modules/fipskit/src/plugins/fipskit-json/schema.json',
      platform: 'linux',
      mode: 'overlay',
      interpreter: '/usr/bin/python3.11',
      openssl,
      profile: 'strict',
      python,
    });
    expect(readJson(tree, 'py/fipskit.json')).toMatchObject({ opensslProject: 'so', outputDir: 'out/py' });
    expect(readProjectConfiguration(tree, 'so').targets).toEqual({ openssl: { options: { configureArgs: ['no-idea'] } }, lint: { command: 'true' } });
    expect(readProjectConfiguration(tree, 'py').targets).toEqual({});
    // Tags and the dependency on the OpenSSL project come from the plugin now; the user's own stay.
    expect(readProjectConfiguration(tree, 'py')).toMatchObject({ tags: ['team:crypto'], implicitDependencies: ['docs'] });
    for (const name of ['so', 'py'] as const) {
      const resolved = resolvedProject(tree, name);
      expect(resolved.targets).toEqual(before[name].targets);
      expect([...resolved.tags!].sort()).toEqual([...before[name].tags!].sort());
      expect([...(resolved.implicitDependencies ?? [])].sort()).toEqual([...(before[name].implicitDependencies ?? [])].sort());
    }
    expect(readNxJson(tree)!.plugins).toEqual([{ plugin: 'fipskit/plugin', options: {} }]);
  });

  it('leaves a project the plugin would change as it is, saying which targets', async () => {
    writtenOut(tree, 'fp');
    const project = readProjectConfiguration(tree, 'fp');
    // A setting the plugin infers that project.json dropped: an override cannot take it away.
    delete project.targets!.openssl.inputs;
    tree.write('fp/project.json', JSON.stringify({ ...project, name: 'fp' }));
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    await convertToInferredGenerator(tree, {});
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^fipskit: fp was left as it is: the plugin would change its openssl target \(a setting it infers that project.json does not have\)/,
      ),
    );
    expect(tree.exists('fp/fipskit.json')).toBe(false);
    expect(readProjectConfiguration(tree, 'fp').targets!.openssl.executor).toBe('@fipskit/openssl-fips:build');
    expect(readNxJson(tree)!.plugins).toBeUndefined();
  });

  it('converts one project on request, and says when there is nothing to do', async () => {
    writtenOut(tree, 'a');
    writtenOut(tree, 'b');
    await convertToInferredGenerator(tree, { project: 'a' });
    expect(tree.exists('a/fipskit.json')).toBe(true);
    expect(tree.exists('b/fipskit.json')).toBe(false);
    const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    await convertToInferredGenerator(tree, { project: 'a' });
    expect(info).toHaveBeenCalledWith("fipskit: a's stages are already inferred from its fipskit.json; nothing to convert");
    await expect(convertToInferredGenerator(tree, { project: 'nope' })).rejects.toThrow('nope is not a fipskit project.');
  });
});
