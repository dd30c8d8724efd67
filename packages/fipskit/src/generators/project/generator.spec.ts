import { Tree, logger, readJson, readNxJson, readProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectGenerator } from './generator';
import { resolvedProject } from '../../testing/resolved-project';

describe('project generator', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  it("skips the signature check it cannot do with the keys it holds, with the committed fips-python's reason, and says so", async () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      await projectGenerator(tree, { name: 'a', opensslSource: 'debian', pythonSource: 'debian', interpreter: '/usr/bin/python3.11', pythonVersion: '3.11.2' });
      const committed = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'fips-python', 'fipskit.json'), 'utf8'));
      expect(resolvedProject(tree, 'a').targets?.sources.options.openssl.signature).toEqual(committed.openssl.signature);
      // Debian's python3.11 carries no signature, and its python3.13 one is made by a key fipskit carries.
      expect(resolvedProject(tree, 'a').targets?.sources.options.python.signature).toBeUndefined();
      expect(warn.mock.calls.map(([m]) => m)).toEqual([
        expect.stringContaining(
          "cannot check the OpenSSL release signature with the keys it holds: OpenSSL 3.0 releases since August 2026 are signed with OpenSSL's release key B146",
        ),
      ]);
      expect(warn.mock.calls[0][0]).toContain("save OpenSSL's release keys (https://openssl-library.org/source/pubkeys.asc) as keys/openssl-release-keys.asc");
      warn.mockClear();
      // A key file the user saved is their choice to check with it.
      tree.write('keys/openssl-release-keys.asc', '-----BEGIN PGP PUBLIC KEY BLOCK-----\n');
      await projectGenerator(tree, { name: 'b', opensslSource: 'debian', pythonSource: 'debian', interpreter: '/usr/bin/python3.11', pythonVersion: '3.11.2' });
      expect(resolvedProject(tree, 'b').targets?.sources.options.openssl.signature).toEqual({ keys: 'keys/openssl-release-keys.asc' });
      expect(warn).not.toHaveBeenCalled();
      await projectGenerator(tree, {
        name: 'c',
        opensslSource: 'local',
        opensslPath: 'vendor/openssl-3.0.9.tar.gz',
        pythonSource: 'debian',
        interpreter: '/usr/bin/python3.11',
        pythonVersion: '3.11.2',
      });
      expect(resolvedProject(tree, 'c').targets?.sources.options.openssl.signature).toBeUndefined();
    } finally {
      warn.mockRestore();
    }
  });
  const py = { pythonVersion: '3.11.2' };

  it('defaults to the official OpenSSL 3.0.9 tarball pinned by SHA-256 and the rhel-compatible profile', async () => {
    await projectGenerator(tree, { name: 'fips-python', ...py });
    const project = resolvedProject(tree, 'fips-python');
    expect(project.root).toBe('fips-python');
    expect(project.targets?.sources.options.openssl).toEqual({
      kind: 'url',
      url: 'https://github.com/openssl/openssl/releases/download/openssl-3.0.9/openssl-3.0.9.tar.gz',
      sha256: 'eb1ab04781474360f77c318ab89d8c5a03abc38e63d65a603cabbf1b00a1dc90',
      signature: { check: 'skip', reason: expect.stringMatching(/^OpenSSL 3\.0\.9 \(2023\) is signed with the key of a member of OpenSSL's release team/) },
    });
    expect(project.targets?.['fips-config'].options.profile).toBe('rhel-compatible');
    // The stages are the plugin's, from fipskit.json; project.json holds none, and the plugin is registered.
    expect(readProjectConfiguration(tree, 'fips-python').targets).toEqual({});
    expect(readJson(tree, 'fips-python/fipskit.json')).toMatchObject({
      $schema: '../node_modules/fipskit/src/plugins/fipskit-json/schema.json',
      platform: expect.any(String),
      profile: 'rhel-compatible',
      openssl: { kind: 'url' },
    });
    expect(readNxJson(tree)!.plugins).toEqual([{ plugin: 'fipskit/plugin', options: {} }]);
  });

  it('wires sources → openssl → fips-config → build with inputs, outputs and descriptions', async () => {
    await projectGenerator(tree, {
      name: 'fp',
      platform: 'linux',
      opensslSource: 'debian',
      pythonSource: 'debian',
      interpreter: '/usr/bin/python3.11',
      outputDir: 'out/fp',
      ...py,
    });
    const { targets = {} } = resolvedProject(tree, 'fp');
    expect(Object.keys(targets)).toEqual([
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
    // Cached under a key the sources executor's hasher completes with the Debian index it would use as it is.
    expect(targets.sources).toMatchObject({
      cache: true,
      inputs: [{ runtime: 'node -r @fipskit/core/bin/toolchain-identity.js -e 0 sources' }],
      options: {
        openssl: { kind: 'debian', package: 'openssl', version: '3.0' },
        python: { kind: 'debian', package: 'python3.11', version: '3.11.2' },
        outputPath: 'out/fp/sources',
      },
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
      { runtime: 'node -r @fipskit/fips-config/bin/machine-identity.js -e 0' },
      { runtime: 'node -r @fipskit/core/bin/toolchain-identity.js -e 0 fips-config' },
    ]);
    expect(targets.python).toMatchObject({
      dependsOn: ['sources', 'openssl', 'fips-config'],
      cache: true,
      options: {
        mode: 'overlay',
        interpreter: '/usr/bin/python3.11',
        sourceLock: 'out/fp/sources/cpython.source.json',
        opensslPath: 'out/fp/openssl',
        fipsConfigPath: 'out/fp/fips-config',
        outputPath: 'out/fp/python',
      },
    });
    expect(targets.python.inputs).toEqual([
      { dependentTasksOutputFiles: '**/cpython.source.json' },
      { dependentTasksOutputFiles: '**/build-info.json' },
      { runtime: 'node -r @fipskit/core/bin/toolchain-identity.js -e 0 python "/usr/bin/python3.11"' },
    ]);
    expect(targets.openssl.inputs).toContainEqual({ runtime: 'node -r @fipskit/core/bin/toolchain-identity.js -e 0 openssl' });
    // verify is a statement about this machine today: restored only when every file it checks, the interpreter and the
    // machine are the same (its executor's hasher adds the day, the kernel's FIPS switch, the audit, the environment).
    expect(targets.verify).toMatchObject({ dependsOn: ['python'], cache: true, options: { python: 'out/fp/python/bin/python3', profile: 'rhel-compatible' } });
    expect(targets.verify.inputs).toEqual([
      { dependentTasksOutputFiles: '**/*', transitive: true },
      { runtime: 'node -r @fipskit/core/bin/toolchain-identity.js -e 0 verify "/usr/bin/python3.11"' },
      { runtime: 'node -r @fipskit/fips-config/bin/machine-identity.js -e 0' },
    ]);
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
    expect(resolvedProject(tree, 'x').targets?.sources.options.openssl.sha256).toBe(sha256);
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
    [
      { opensslSource: 'debian' as const, opensslVersion: 'latest' },
      /--opensslVersion "latest" is not a Debian version of OpenSSL 3: give a prefix such as 3\.0 or 3\.5/,
    ],
    [{ pythonVersion: '3.9.18', pythonSha256: 'c'.repeat(64) }, /--pythonVersion 3\.9\.18 is Python 3\.9\.18: fipskit builds for CPython 3\.10 to 3\.14/],
    [
      { mode: 'full' as const, platform: 'linux' as const, pythonVersion: '3.15.0', pythonSha256: 'c'.repeat(64) },
      /does not yet know the built-in hash modules of 3\.15/,
    ],
  ])('refuses %j', async (options, message) => {
    await expect(projectGenerator(tree, { name: 'x', pythonVersion: '3.11.2', ...options })).rejects.toThrow(message);
    expect(tree.exists('x/project.json')).toBe(false);
  });

  (process.platform === 'linux' ? it : it.skip)('refuses an interpreter that is Python 2 or 3.6, naming its version, before writing anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-python-'));
    for (const [name, version] of [
      ['python2', '2.7.18'],
      ['python3.6', '3.6.15'],
    ]) {
      // Answers only as an old Python does: -I does not exist before 3.4.
      writeFileSync(join(dir, name), `#!/bin/sh\n[ "$1" = "-I" ] && { echo "Unknown option: -I" >&2; exit 2; }\necho ${version}\n`);
      chmodSync(join(dir, name), 0o755);
      await expect(projectGenerator(tree, { name: 'old', platform: 'linux', interpreter: join(dir, name) })).rejects.toThrow(
        `The interpreter ${join(dir, name)} is Python ${version}: fipskit builds for CPython 3.10 to 3.14 (CPython supports OpenSSL 3 from 3.10 on).`,
      );
    }
    expect(tree.exists('old/fipskit.json')).toBe(false);
  });

  it('one OpenSSL project feeding a second Python project (a full 3.13 build): no OpenSSL of its own, cross-project dependsOn', async () => {
    await projectGenerator(tree, {
      name: 'fips-openssl',
      platform: 'linux',
      opensslSource: 'debian',
      pythonSource: 'debian',
      interpreter: '/usr/bin/python3.11',
      profile: 'recipe-compatible',
      ...py,
    });
    await projectGenerator(tree, {
      name: 'py313',
      platform: 'linux',
      opensslProject: 'fips-openssl',
      mode: 'full',
      pythonSource: 'debian',
      pythonVersion: '3.13.5',
    });
    const project = resolvedProject(tree, 'py313');
    expect(project.implicitDependencies).toEqual(['fips-openssl']);
    expect(project.tags).toEqual(['fipskit', 'platform:linux']);
    const { targets = {} } = project;
    expect(Object.keys(targets)).toEqual(['sources', 'python', 'verify', 'build', 'package', 'image', 'compliance', 'doctor', 'plan', 'audit']);
    expect(targets.sources.options).toEqual({ python: { kind: 'debian', package: 'python3.13', version: '3.13.5' }, outputPath: 'dist/py313/sources' });
    expect(targets.python.dependsOn).toEqual([
      'sources',
      { projects: ['fips-openssl'], target: 'openssl' },
      { projects: ['fips-openssl'], target: 'fips-config' },
    ]);
    // The plan builds nothing, but reads the shared project's OpenSSL lock.
    expect(targets.plan.dependsOn).toEqual(['sources', { projects: ['fips-openssl'], target: 'sources' }]);
    expect(targets.python.options).toEqual({
      mode: 'full',
      sourceLock: 'dist/py313/sources/cpython.source.json',
      opensslPath: 'dist/fips-openssl/openssl',
      fipsConfigPath: 'dist/fips-openssl/fips-config',
      outputPath: 'dist/py313/python',
      platform: 'linux',
    });
    expect(targets.python.inputs).toContainEqual({ runtime: 'node -r @fipskit/core/bin/toolchain-identity.js -e 0 python' });
    expect(targets.verify.options).toMatchObject({
      python: 'dist/py313/python/bin/python3',
      opensslPath: 'dist/fips-openssl/openssl',
      profile: 'recipe-compatible',
    });
  });

  it.each([
    [{ opensslProject: 'nope' }, /opensslProject "nope" is not a fipskit project/],
    [{ opensslProject: 'base', opensslVersion: '3.1.2' }, /come from base \(--opensslProject\): leave out --opensslVersion, or leave out --opensslProject\.$/],
    [{ opensslProject: 'base', opensslSource: 'debian' as const, profile: 'strict' as const }, /leave out --opensslSource, --profile, or/],
    [{ mode: 'full' as const, pythonVersion: undefined }, /mode "full" needs --pythonVersion/],
    [{ mode: 'full' as const, interpreter: '/usr/bin/python3' }, /mode "full" builds its own interpreter/],
    [{ mode: 'pcbuild' as const, platform: 'linux' as const }, /mode "pcbuild" does not fit platform linux/],
  ])('refuses the fan-out/mode combination %j', async (options, message) => {
    await projectGenerator(tree, { name: 'base', ...py });
    await expect(projectGenerator(tree, { name: 'x', platform: 'linux', ...py, ...options })).rejects.toThrow(message);
  });

  it('a Windows project: PCbuild, install with backup before verify, restore, MSVC identity inputs', async () => {
    await projectGenerator(tree, { name: 'win', platform: 'win32', ...py });
    const { targets = {}, tags } = resolvedProject(tree, 'win');
    expect(tags).toContain('platform:win32');
    expect(Object.keys(targets)).toEqual([
      'sources',
      'openssl',
      'fips-config',
      'python',
      'verify',
      'build',
      'package',
      'compliance',
      'doctor',
      'plan',
      'audit',
      'install',
      'restore',
    ]);
    const python = 'C:\\Program Files\\Python311\\python.exe';
    expect(targets.python.options).toMatchObject({ mode: 'pcbuild', interpreter: python });
    expect(targets.install).toMatchObject({
      dependsOn: ['python'],
      cache: false,
      options: { pythonPath: 'dist/win/python', interpreter: python, opensslPath: 'dist/win/openssl', profile: 'rhel-compatible' },
    });
    // verify proves the installed python.exe itself, started with none of fipskit's variables.
    expect(targets.verify).toMatchObject({ dependsOn: ['install'], options: { python } });
    expect(targets.verify.options.activation).toBeUndefined();
    expect(targets.restore).toMatchObject({ cache: false, options: { interpreter: python } });
    // The build gets no compiler setting from the environment (CL, _CL_ …), so none is a key; cl, VCToolsVersion and the SDK are, through the toolchain input.
    expect(targets.openssl.inputs).toEqual([
      { dependentTasksOutputFiles: '**/openssl.source.json' },
      { runtime: 'node -r @fipskit/core/bin/toolchain-identity.js -e 0 openssl' },
    ]);
    expect(targets.python.inputs).toContainEqual({ runtime: `node -r @fipskit/core/bin/toolchain-identity.js -e 0 python "${python}"` });
  });

  it('refuses to overwrite an existing project', async () => {
    await projectGenerator(tree, { name: 'x', ...py });
    await expect(projectGenerator(tree, { name: 'x', ...py })).rejects.toThrow(/already exists/);
  });

  // It runs Debian's /usr/bin/python3.11, which a Windows machine does not have.
  (process.platform === 'win32' ? it.skip : it)(
    'asks the interpreter for its version when none is given, and pins the matching official CPython tarball',
    async () => {
      await projectGenerator(tree, { name: 'x', interpreter: '/usr/bin/python3.11' });
      expect(resolvedProject(tree, 'x').targets?.sources.options.python).toEqual({
        kind: 'url',
        url: 'https://www.python.org/ftp/python/3.11.2/Python-3.11.2.tgz',
        sha256: '2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849',
        signature: { check: 'skip', reason: expect.stringContaining("CPython 3.11 releases are signed with Pablo Galindo Salgado's key") },
      });
    },
  );

  describe('the validated provider beside newer libraries', () => {
    const debian = { opensslSource: 'debian' as const, pythonSource: 'debian' as const, interpreter: '/usr/bin/python3.11', pythonVersion: '3.11.2' };

    it("takes 3.1.2 from its official tarball by its pinned SHA-256, beside Debian's 3.5 libraries: the command the verdict advises", async () => {
      await projectGenerator(tree, { name: 'split', ...debian, opensslRelease: 'trixie', opensslVersion: '3.5', fipsProviderVersion: '3.1.2' });
      const options = resolvedProject(tree, 'split').targets?.sources.options;
      expect(options.openssl).toMatchObject({ kind: 'debian', version: '3.5', release: 'trixie' });
      expect(options.fipsProvider).toMatchObject({
        kind: 'url',
        url: 'https://github.com/openssl/openssl/releases/download/openssl-3.1.2/openssl-3.1.2.tar.gz',
        sha256: 'a0ce69b8b97ea6a35b96875235aa453b966ba3cba8af2de23657d8b6767d6539',
      });
    });

    it('takes it from a local tarball on a machine that cannot reach the official one, checked against the pinned SHA-256', async () => {
      await projectGenerator(tree, {
        name: 'offline',
        ...debian,
        opensslVersion: '3.5',
        opensslRelease: 'trixie',
        fipsProviderVersion: '3.1.2',
        fipsProviderSource: 'local',
        fipsProviderPath: 'vendor/openssl-3.1.2.tar.gz',
      });
      expect(resolvedProject(tree, 'offline').targets?.sources.options.fipsProvider).toMatchObject({
        kind: 'local',
        path: 'vendor/openssl-3.1.2.tar.gz',
        sha256: 'a0ce69b8b97ea6a35b96875235aa453b966ba3cba8af2de23657d8b6767d6539',
      });
    });

    it.each([
      [
        { opensslVersion: '3.0', fipsProviderVersion: '3.1.2' },
        /fipsProvider \(OpenSSL 3\.1\.2\) is newer than the libraries openssl gives \(OpenSSL "3\.0"\)/,
      ],
      [
        { opensslSource: 'official' as const, opensslVersion: '3.0.8', fipsProviderVersion: '3.1.2' },
        /fipsProvider \(OpenSSL 3\.1\.2\) is newer than the libraries openssl gives \(OpenSSL 3\.0\.8\)/,
      ],
      [{ opensslSource: 'official' as const, opensslVersion: '3.0.9', fipsProviderVersion: '3.0.9' }, /fipsProvider and openssl are both OpenSSL 3\.0\.9/],
      [{ opensslVersion: '3.5', fipsProviderVersion: '3.1.2', fipsProviderSource: 'local' as const }, /--fipsProviderSource=local needs --fipsProviderPath/],
      [{ fipsProviderSource: 'debian' as const }, /choose the source of --fipsProviderVersion: give the version too/],
    ])('refuses %j before writing anything, naming what to change', async (options, message) => {
      await expect(projectGenerator(tree, { name: 'x', ...debian, ...options })).rejects.toThrow(message);
      expect(tree.exists('x/fipskit.json')).toBe(false);
    });
  });
});
