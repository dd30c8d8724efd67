import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SourceLock } from '@fipskit/core';

/*
 * The cache keys of the generated stages, computed by Nx itself (tools/task-hash.js) in a scratch
 * workspace: every declared input must change the key of the stages it shapes and of no other, and
 * anything else — a README, another project, the checkout's path — must leave the shareable keys alone.
 */
const REPO = resolve(__dirname, '..', '..', '..', '..');
const TASKS = ['fp:openssl', 'fp:fips-config', 'fp:python'] as const;
type Hashes = Record<(typeof TASKS)[number], string>;

const opensslLock: SourceLock = {
  product: 'openssl',
  version: '3.0.22',
  origin: 'debian',
  sha256: '6'.repeat(64),
  fileName: 'openssl_3.0.22.orig.tar.gz',
  location: 'openssl=3.0.22-1~deb12u2',
  debianVersion: '3.0.22-1~deb12u2',
  verification: 'test',
};
const cpythonLock: SourceLock = {
  ...opensslLock,
  product: 'cpython',
  version: '3.11.2',
  sha256: '2'.repeat(64),
  fileName: 'python3.11_3.11.2.orig.tar.gz',
  location: 'python3.11=3.11.2-6',
};

function write(root: string, path: string, content: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), content);
}

const linux = {
  platform: 'linux',
  interpreter: '/usr/bin/python3.11',
  openssl: { kind: 'debian', package: 'openssl', version: '3.0' },
  python: { kind: 'debian', package: 'python3.11', version: '3.11.2' },
  profile: 'strict',
};

/** A workspace whose fipskit projects get their stages from fipskit's plugin, as a user's do. */
function scratchWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-inputs-'));
  // A junction on Windows, which needs no administrator rights; the type is ignored elsewhere.
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'junction');
  write(root, 'package.json', JSON.stringify({ name: 'scratch', private: true }));
  const repoNx = JSON.parse(readFileSync(join(REPO, 'nx.json'), 'utf8'));
  write(root, 'nx.json', JSON.stringify({ namedInputs: repoNx.namedInputs, plugins: ['fipskit/plugin'] }));
  // Inside this repository the plugin is TypeScript source, loaded through the workspace's tsconfig paths.
  write(root, 'tsconfig.base.json', JSON.stringify({ extends: join(REPO, 'tsconfig.base.json'), compilerOptions: { baseUrl: REPO } }));
  write(root, '.gitignore', 'node_modules\n.nx\ndist\ntmp\n');
  write(root, 'README.md', '# scratch\n');
  write(root, 'other/project.json', JSON.stringify({ name: 'other', root: 'other', targets: { x: { command: 'true' } } }));
  write(root, 'other/src/a.ts', 'export const a = 1;\n');
  write(root, 'fp/project.json', JSON.stringify({ name: 'fp' }));
  write(root, 'fp/fipskit.json', JSON.stringify(linux, null, 2));
  // One OpenSSL project feeding a Python project of its own (the fan-out layout).
  write(root, 'so/project.json', JSON.stringify({ name: 'so' }));
  write(root, 'so/fipskit.json', JSON.stringify({ ...linux, outputDir: 'dist/fp' }, null, 2));
  write(root, 'py/project.json', JSON.stringify({ name: 'py' }));
  write(
    root,
    'py/fipskit.json',
    JSON.stringify({ platform: 'linux', interpreter: linux.interpreter, opensslProject: 'so', python: linux.python, outputDir: 'dist/py' }, null, 2),
  );
  write(root, 'dist/fp/sources/openssl.source.json', JSON.stringify(opensslLock));
  write(root, 'dist/fp/sources/cpython.source.json', JSON.stringify(cpythonLock));
  write(root, 'dist/fp/openssl/build-info.json', JSON.stringify({ version: '3.0.22', artifacts: { 'lib/ossl-modules/fips.so': 'a'.repeat(64) } }));
  return root;
}

function hashes(root: string, env: Record<string, string | undefined> = {}, tasks: readonly string[] = TASKS): Hashes {
  const base: Record<string, string | undefined> = {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_WORKSPACE_DATA_DIRECTORY: join(root, '.nx', 'workspace-data'),
  };
  for (const name of ['CC', 'CFLAGS', 'LDFLAGS']) delete base[name];
  const out = execFileSync(process.execPath, [join(REPO, 'tools', 'task-hash.js'), root, ...tasks], { cwd: root, env: { ...base, ...env }, encoding: 'utf8' });
  const parsed = JSON.parse(out) as Record<string, { hash: string }>;
  return Object.fromEntries(tasks.map((task) => [task, parsed[task].hash])) as Hashes;
}

/** Which stages' keys differ between two runs. */
const changed = (a: Record<string, string>, b: Record<string, string>) => Object.keys(a).filter((task) => a[task] !== b[task]);

describe('stage cache keys: each declared input matters, nothing else does', () => {
  let root: string;
  let baseline: Hashes;
  const dirs: string[] = [];
  beforeAll(() => {
    root = scratchWorkspace();
    dirs.push(root);
    baseline = hashes(root);
  }, 60_000);
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /** The stages whose keys a change makes differ, in a workspace of its own. */
  function afterChange(mutate: (ws: string) => void, tasks: readonly string[] = TASKS): string[] {
    const ws = scratchWorkspace();
    dirs.push(ws);
    const before = hashes(ws, {}, tasks);
    mutate(ws);
    return changed(before, hashes(ws, {}, tasks));
  }
  /** An option set in project.json over the inferred target, as a user overrides one. */
  const editOption = (ws: string, project: string, target: string, option: string, value: unknown) => {
    const config = JSON.parse(readFileSync(join(ws, project, 'project.json'), 'utf8'));
    config.targets ??= {};
    config.targets[target] ??= {};
    config.targets[target].options = { ...config.targets[target].options, [option]: value };
    write(ws, `${project}/project.json`, JSON.stringify(config, null, 2));
  };

  it('is deterministic', () => {
    expect(hashes(root)).toEqual(baseline);
  }, 30_000);

  it.each(['CC', 'CFLAGS', 'CPPFLAGS', 'LDLIBS', 'CROSS_COMPILE'])(
    "%s in the developer's environment changes no key: the builds never get it",
    (name) => {
      expect(changed(baseline, hashes(root, { [name]: name === 'CC' ? 'clang' : '-O1' }))).toEqual([]);
    },
    30_000,
  );

  // A declared CC is an option (all keys of the project); the toolchain input's --cc then asks that compiler, behind its launcher.
  (process.platform === 'win32' ? it.skip : it)(
    'a declared CC behind ccache: another version of the compiler is a miss, not only another ccache',
    () => {
      const ws = scratchWorkspace();
      dirs.push(ws);
      // Declared in fipskit.json: the plugin gives the openssl and python stages the setting and their cache keys --cc.
      write(ws, 'fp/fipskit.json', JSON.stringify({ ...linux, environment: { CC: 'ccache fakecc' } }, null, 2));
      // One directory, rewritten: the key names the program PATH leads to, and that stays the same here.
      const bin = mkdtempSync(join(tmpdir(), 'fipskit-fake-tools-'));
      dirs.push(bin);
      const tools = (ccacheVersion: string, ccVersion: string) => {
        writeFileSync(join(bin, 'ccache'), `#!/bin/sh\necho "ccache version ${ccacheVersion}"\n`);
        writeFileSync(join(bin, 'fakecc'), `#!/bin/sh\necho "fakecc ${ccVersion}"\n`);
        for (const tool of ['ccache', 'fakecc']) chmodSync(join(bin, tool), 0o755);
        return { PATH: `${bin}:${process.env.PATH}` };
      };
      const before = hashes(ws, tools('4.8', '12.2'));
      expect(changed(before, hashes(ws, tools('4.8', '12.3')))).toEqual(['fp:openssl', 'fp:python']);
      expect(changed(before, hashes(ws, tools('4.9', '12.2')))).toEqual(['fp:openssl', 'fp:python']);
      expect(hashes(ws, tools('4.8', '12.2'))).toEqual(before);
    },
    60_000,
  );

  // The stand-in tools are shell scripts, and on Windows the toolchain identity asks MSVC's cl, nmake and NASM instead.
  (process.platform === 'win32' ? it.skip : it).each([
    // OpenSSL's Configure runs gcc without a declared CC; the overlay compiles with cc.
    ['gcc', ['fp:openssl']],
    ['cc', ['fp:python']],
    ['make', ['fp:openssl']],
    ['perl', ['fp:openssl']],
  ])(
    'another %s version on PATH',
    (tool, expected) => {
      const bin = mkdtempSync(join(tmpdir(), 'fipskit-fake-tools-'));
      dirs.push(bin);
      writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} 99.0 (a different build)"\n`);
      chmodSync(join(bin, tool), 0o755);
      expect(changed(baseline, hashes(root, { PATH: `${bin}:${process.env.PATH}` }))).toEqual(expected);
    },
    30_000,
  );

  it.each([
    ['the OpenSSL source lock', 'dist/fp/sources/openssl.source.json', JSON.stringify({ ...opensslLock, sha256: '7'.repeat(64) }), ['fp:openssl']],
    ['the CPython source lock', 'dist/fp/sources/cpython.source.json', JSON.stringify({ ...cpythonLock, sha256: '3'.repeat(64) }), ['fp:python']],
    [
      'the built OpenSSL (build-info.json)',
      'dist/fp/openssl/build-info.json',
      JSON.stringify({ version: '3.0.22', artifacts: { 'lib/ossl-modules/fips.so': 'b'.repeat(64) } }),
      ['fp:fips-config', 'fp:python'],
    ],
  ])(
    '%s',
    (_what, path, content, expected) => {
      expect(afterChange((ws) => write(ws, path, content))).toEqual(expected);
    },
    30_000,
  );

  it.each([
    ['openssl', 'configureArgs', ['no-idea']],
    ['fips-config', 'profile', 'recipe-compatible'],
    ['python', 'interpreter', '/usr/local/bin/python3.11'],
  ])(
    'the %s option %s: Nx keys every task on its whole project configuration, so all stages of that project',
    (target, option, value) => {
      expect(afterChange((ws) => editOption(ws, 'fp', target, option, value))).toEqual([...TASKS]);
    },
    30_000,
  );

  it('one OpenSSL project feeding a Python project: a Python option leaves the OpenSSL keys alone, an OpenSSL change reaches the Python', () => {
    const tasks = ['so:openssl', 'so:fips-config', 'py:python'];
    expect(afterChange((ws) => editOption(ws, 'py', 'python', 'interpreter', '/usr/local/bin/python3.11'), tasks)).toEqual(['py:python']);
    expect(
      afterChange((ws) => write(ws, 'dist/fp/openssl/build-info.json', JSON.stringify({ version: '3.0.22', artifacts: { x: 'c'.repeat(64) } })), tasks),
    ).toEqual(['so:fips-config', 'py:python']);
  }, 60_000);

  it('ignores a README, another project and files next to the locks', () => {
    expect(
      afterChange((ws) => {
        write(ws, 'README.md', '# changed\n');
        write(ws, 'other/src/a.ts', 'export const a = 2;\n');
        write(ws, 'dist/fp/sources/notes.txt', 'not a lock');
        write(ws, 'dist/fp/openssl/lib/README', 'not build-info');
      }),
    ).toEqual([]);
  }, 30_000);

  it('another checkout path shares the OpenSSL and Python keys; the per-machine fips-config key is its own', () => {
    const ws = scratchWorkspace();
    dirs.push(ws);
    expect(changed(baseline, hashes(ws))).toEqual(['fp:fips-config']);
  }, 30_000);
});
