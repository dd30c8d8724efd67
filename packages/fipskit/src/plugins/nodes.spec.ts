import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateNodesContext } from '@nx/devkit';
import { stageTargets } from './stage-targets';
import { createNodes, createNodesV2 } from './nodes';
import { FipskitProject } from './fipskit-json/schema';

const REPO = resolve(__dirname, '..', '..', '..', '..');

const linux: FipskitProject = {
  platform: 'linux',
  interpreter: '/usr/bin/python3.11',
  openssl: { kind: 'debian', package: 'openssl', version: '3.0' },
  python: { kind: 'debian', package: 'python3.11', version: '3.11.2' },
};

function workspace(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-plugin-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return root;
}

const infer = async (root: string, files: string[]) => createNodes[1](files, {}, { workspaceRoot: root, nxJsonConfiguration: {} } as CreateNodesContext);

describe('fipskit plugin: stages inferred from fipskit.json', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('gives a project exactly the stages the project generator writes, named after its project.json', async () => {
    const root = workspace({ 'apps/fp/fipskit.json': linux, 'apps/fp/project.json': { name: 'fp' } });
    roots.push(root);
    const [[file, result]] = await infer(root, ['apps/fp/fipskit.json']);
    expect(file).toBe('apps/fp/fipskit.json');
    const project = result.projects!['apps/fp'];
    expect(project.targets).toEqual(
      stageTargets({
        outputDir: 'dist/fp',
        openssl: linux.openssl,
        python: linux.python,
        interpreter: linux.interpreter,
        mode: 'overlay',
        platform: 'linux',
        profile: 'rhel-compatible',
      }),
    );
    expect(Object.keys(project.targets!)).toEqual([
      'sources',
      'openssl',
      'fips-config',
      'python',
      'verify',
      'build',
      'package',
      'image',
      'compliance',
      'doctor',
      'plan',
      'audit',
    ]);
    expect(project.tags).toEqual(['fipskit', 'platform:linux']);
    expect(project.name).toBe('fp');
    expect(createNodesV2).toBe(createNodes);
    // A fipskit.json with no project.json is a project named after its directory.
    const alone = workspace({ 'tools/fips-lab/fipskit.json': linux });
    roots.push(alone);
    expect((await infer(alone, ['tools/fips-lab/fipskit.json']))[0][1].projects!['tools/fips-lab'].name).toBe('fips-lab');
  });

  it('runs no tool: reading the graph starts no process', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the spies go on the module object itself, which an import * copies
    const childProcess = require('node:child_process') as Record<string, (...args: unknown[]) => unknown>;
    const spies = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'].map((name) => jest.spyOn(childProcess, name));
    try {
      const root = workspace({
        'fp/fipskit.json': linux,
        'fp/project.json': { name: 'fp' },
        'win/fipskit.json': { ...linux, platform: 'win32', interpreter: 'C:\\Python311\\python.exe' },
      });
      roots.push(root);
      await infer(root, ['fp/fipskit.json', 'win/fipskit.json']);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
  });

  it("a Python project on another project's OpenSSL: that project's outputs and profile, and a dependency on it", async () => {
    const root = workspace({
      'fips-openssl/fipskit.json': { ...linux, profile: 'strict', outputDir: 'out/openssl-project' },
      'py313/fipskit.json': {
        platform: 'linux',
        mode: 'full',
        opensslProject: 'fips-openssl',
        python: { kind: 'debian', package: 'python3.13', version: '3.13.5' },
      },
    });
    roots.push(root);
    const results = Object.fromEntries(await infer(root, ['fips-openssl/fipskit.json', 'py313/fipskit.json']));
    const py = results['py313/fipskit.json'].projects!.py313;
    expect(Object.keys(py.targets!)).toEqual(['sources', 'python', 'verify', 'build', 'package', 'image', 'compliance', 'doctor', 'plan', 'audit']);
    expect(py.implicitDependencies).toEqual(['fips-openssl']);
    expect(py.targets!.python.options).toMatchObject({
      opensslPath: 'out/openssl-project/openssl',
      fipsConfigPath: 'out/openssl-project/fips-config',
      outputPath: 'dist/py313/python',
    });
    expect(py.targets!.verify.options.profile).toBe('strict');
  });

  it('a broken fipskit.json is reported with its path and the fix, and leaves the other projects in the graph', async () => {
    const root = workspace({
      'good/fipskit.json': linux,
      'bad-json/fipskit.json': '{ "platform": "linux", ',
      'bad-mode/fipskit.json': { ...linux, mode: 'pcbuild' },
      'no-openssl/fipskit.json': { ...linux, openssl: undefined },
    });
    roots.push(root);
    const files = ['good/fipskit.json', 'bad-json/fipskit.json', 'bad-mode/fipskit.json', 'no-openssl/fipskit.json'];
    const error = await infer(root, files).then(
      () => undefined,
      (e: Error & { errors?: Array<[string, Error]>; partialResults?: Array<[string, unknown]> }) => e,
    );
    expect(error?.partialResults?.map(([file]) => file)).toEqual(['good/fipskit.json']);
    const messages = Object.fromEntries(error!.errors!.map(([file, e]) => [file, e.message]));
    expect(messages['bad-json/fipskit.json']).toMatch(/^bad-json\/fipskit\.json is not valid JSON: /);
    expect(messages['bad-mode/fipskit.json']).toBe(
      'bad-mode/fipskit.json: mode "pcbuild" does not fit platform linux: Windows uses "pcbuild", Linux and macOS use "overlay" or "full".',
    );
    expect(messages['no-openssl/fipskit.json']).toBe(
      'no-openssl/fipskit.json: openssl must name the OpenSSL source, or opensslProject another fipskit project whose OpenSSL this one uses.',
    );
  });

  it('through the real Nx: registered in nx.json, the project shows its stages, and project.json overrides an option', () => {
    const root = workspace({
      'package.json': { name: 'scratch', private: true },
      'nx.json': { plugins: ['fipskit/plugin'] },
      // Inside this repository the plugin is TypeScript source, loaded through the workspace's tsconfig paths.
      'tsconfig.base.json': { extends: join(REPO, 'tsconfig.base.json'), compilerOptions: { baseUrl: REPO } },
      'fp/fipskit.json': linux,
      'fp/project.json': { name: 'fp', targets: { openssl: { options: { configureArgs: ['no-idea'] } } } },
    });
    roots.push(root);
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'junction');
    const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_WORKSPACE_DATA_DIRECTORY: join(root, '.nx', 'workspace-data') };
    const shown = JSON.parse(
      execFileSync(process.execPath, [join(REPO, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), 'show', 'project', 'fp', '--json'], {
        cwd: root,
        env,
        encoding: 'utf8',
      }),
    );
    expect(Object.keys(shown.targets)).toEqual(
      expect.arrayContaining(['sources', 'openssl', 'fips-config', 'python', 'verify', 'build', 'doctor', 'plan', 'audit']),
    );
    expect(shown.targets.openssl.options).toEqual({
      sourceLock: 'dist/fp/sources/openssl.source.json',
      outputPath: 'dist/fp/openssl',
      platform: 'linux',
      configureArgs: ['no-idea'],
    });
    expect(shown.targets.openssl.inputs).toEqual(
      stageTargets({
        outputDir: 'dist/fp',
        openssl: linux.openssl,
        python: linux.python,
        interpreter: linux.interpreter,
        mode: 'overlay',
        platform: 'linux',
        profile: 'rhel-compatible',
      }).openssl.inputs,
    );
    expect(shown.tags).toEqual(['fipskit', 'platform:linux']);
  }, 60_000);
});
