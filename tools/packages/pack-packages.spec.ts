import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PackageManifest, builtPackageProblems, forbiddenEntry, isShipped, publishedManifest, readReleasePackages, releaseProblems } from './pack-packages';

const ROOT = path.resolve(__dirname, '..', '..');

const source = (overrides: Partial<PackageManifest> = {}): PackageManifest => ({
  name: '@fipskit/core',
  version: '1.2.3',
  main: './src/index.ts',
  types: './src/index.ts',
  exports: { '.': './src/index.ts', './package.json': './package.json', './bin/*.js': './bin/*.js' },
  dependencies: { '@nx/devkit': '>=23.0.0 <24.0.0' },
  peerDependencies: { nx: '>=23.0.0 <24.0.0' },
  ...overrides,
});

describe('the published packages', () => {
  it('point main, types and every TypeScript entry of exports at the built JavaScript and declarations, and keep every other export', () => {
    const published = publishedManifest(source({ exports: { ...source().exports, './project-options': './src/project-options.ts' } }));
    expect(published.main).toBe('./src/index.js');
    expect(published.types).toBe('./src/index.d.ts');
    expect(published.exports).toEqual({
      '.': { types: './src/index.d.ts', default: './src/index.js' },
      './project-options': { types: './src/project-options.d.ts', default: './src/project-options.js' },
      './package.json': './package.json',
      './bin/*.js': './bin/*.js',
    });
    expect(published.version).toBe('1.2.3');
  });

  it('refuse a source package.json whose entry points disagree', () => {
    expect(() => publishedManifest(source({ types: './src/other.ts' }))).toThrow(
      '@fipskit/core: package.json main, types and exports["."] must all name the same ./src/*.ts entry',
    );
  });

  it.each([
    ['src/executors/build/executor.ts', false],
    ['src/executors/build/schema.d.ts', true],
    ['src/executors/build/schema.json', true],
    ['src/fips-runtime/_ssl.py', true],
    ['src/stage/machine-identity.js', true],
    ['src/executors/build/executor.spec.ts', false],
    ['src/stage/__fixtures__/', false],
    ['src/testing/', false],
  ])('ship %s: %s', (file, shipped) => {
    expect(isShipped(file)).toBe(shipped);
  });

  it.each([
    ['package/src/index.ts', 'TypeScript source'],
    ['package/src/index.d.ts', undefined],
    ['package/src/index.js', undefined],
    ['package/src/plan.spec.js', 'a test'],
    ['package/src/sources/__fixtures__/Release', 'a test fixture'],
    ['package/src/testing/processes.js', 'a test helper'],
  ])('refuse %s in a tarball: %s', (entry, why) => {
    expect(forbiddenEntry(entry)).toBe(why);
  });

  it('are the six packages of nx.json release.projects, at one version, with one Nx range and internal dependencies on that version', () => {
    const packages = readReleasePackages(ROOT);
    expect(packages.map((p) => p.manifest.name).sort()).toEqual([
      '@fipskit/core',
      '@fipskit/fips-config',
      '@fipskit/openssl-fips',
      '@fipskit/python-pcbuild',
      '@fipskit/verify',
      'fipskit',
    ]);
    expect(releaseProblems(packages)).toEqual([]);
  });

  it('name a package whose version, internal dependency or Nx range strays', () => {
    const one = { dir: 'core', manifest: source() };
    const other = {
      dir: 'fipskit',
      manifest: source({ name: 'fipskit', version: '1.2.4', dependencies: { '@fipskit/core': '1.2.3', '@nx/devkit': '^23.0.0' } }),
    };
    expect(releaseProblems([one, other])).toEqual([
      'packages/fipskit/package.json: version 1.2.4, @fipskit/core has 1.2.3 (nx release versions them together)',
      'packages/fipskit/package.json: depends on @fipskit/core@1.2.3, not on its own version 1.2.4',
      'packages/fipskit/package.json: dependencies @nx/devkit "^23.0.0", @fipskit/core has ">=23.0.0 <24.0.0" (one supported Nx range)',
    ]);
  });
});

describe('a built package', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fipskit-built-'));
    mkdirSync(path.join(dir, 'src'));
    for (const file of ['package.json', 'src/index.js', 'src/index.d.ts', 'src/plugin.js', 'src/plugin.d.ts', 'LICENSE'])
      writeFileSync(path.join(dir, file), '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const manifest = (): PackageManifest =>
    publishedManifest(
      source({ name: 'fipskit', license: 'Apache-2.0', exports: { ...source().exports, './plugin': './src/plugin.ts', './bin/*.js': './bin/*.js' } }),
    );

  it('with every exported file and its license is publishable', () => {
    expect(builtPackageProblems(dir, manifest())).toEqual([]);
  });

  it("without a subpath entry's JavaScript, or without LICENSE, is not", () => {
    rmSync(path.join(dir, 'src', 'plugin.js'));
    rmSync(path.join(dir, 'LICENSE'));
    expect(builtPackageProblems(dir, manifest())).toEqual(['fipskit: ./src/plugin.js was not built', 'fipskit: no LICENSE (package.json says Apache-2.0)']);
  });
});
