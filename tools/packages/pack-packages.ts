// Builds the six publishable packages into dist/packages/<dir> and packs each into dist/packages/<name>-<version>.tgz:
//   npm run pack:packages                                            build, check and pack
//   node tools/run-ts.js tools/packages/pack-packages.ts --build-only  build and check (nx release's preVersionCommand)
// A built package has its source package's layout with JavaScript and declarations in place of the TypeScript:
// src/**/*.js beside the schema.json, Python and key files the code reads relative to __dirname, bin/, the
// executors.json and generators.json whose extensionless paths Nx resolves to the .ts in this repository and to the
// .js here. Only package.json differs: its entry points name the built files.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';

const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..');
/** tsc writes packages/<dir>/src/**.ts to dist/packages/<dir>/src/**.js with declarations (rootDir packages). */
const BUILD_TSCONFIG = 'tsconfig.build.json';
const OUT_DIR = path.join('dist', 'packages');

export interface PackageManifest {
  name: string;
  version: string;
  main: string;
  types: string;
  exports: Record<string, string | Record<string, string>>;
  executors?: string;
  generators?: string;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [field: string]: unknown;
}

export interface SourcePackage {
  /** Directory name under packages/ (and dist/packages/). */
  dir: string;
  manifest: PackageManifest;
}

/** Source files that are not shipped: TypeScript (declarations are), tests, their fixtures and helpers. */
export function isShipped(relativePath: string): boolean {
  const file = relativePath.split(path.sep).join('/');
  if (/\.ts$/.test(file) && !/\.d\.ts$/.test(file)) return false;
  return !/(^|\/)(__fixtures__|testing)\/|\.spec\.[cm]?[jt]s$/.test(file);
}

/** Why a tarball entry (`package/...`) must not be published, or undefined. */
export function forbiddenEntry(entry: string): string | undefined {
  const file = entry.replace(/^package\//, '');
  if (/\.spec\.[cm]?[jt]s$/.test(file)) return 'a test';
  if (/(^|\/)__fixtures__\//.test(file)) return 'a test fixture';
  if (/(^|\/)testing\//.test(file)) return 'a test helper';
  if (/\.ts$/.test(file) && !/\.d\.ts$/.test(file)) return 'TypeScript source';
  return undefined;
}

/**
 * The package.json that is published: the source one with its entry points on the built JavaScript and declarations.
 * In this repository `main`, `types` and `exports["."]` name the TypeScript source, so that Node, jest and Nx run the
 * code without a build step.
 */
export function publishedManifest(source: PackageManifest): PackageManifest {
  const entry = source.exports['.'];
  if (typeof entry !== 'string' || entry !== source.main || source.types !== source.main || !/^\.\/src\/.*\.ts$/.test(entry)) {
    throw new Error(
      `${source.name}: package.json main, types and exports["."] must all name the same ./src/*.ts entry (found ${JSON.stringify({ main: source.main, types: source.types, '.': entry })})`,
    );
  }
  // Every entry on TypeScript source (".", and subpaths such as "./plugin") points at its JavaScript and declarations.
  const built = (ts: string) => ({ types: ts.replace(/\.ts$/, '.d.ts'), default: ts.replace(/\.ts$/, '.js') });
  const exports = Object.fromEntries(
    Object.entries(source.exports).map(([key, value]) => [key, typeof value === 'string' && /^\.\/src\/.*\.ts$/.test(value) ? built(value) : value]),
  );
  return { ...source, main: built(entry).default, types: built(entry).types, exports };
}

/**
 * Problems that would make the six packages not one release: versions that differ, an internal dependency on another
 * version, or Nx ranges that differ between packages.
 */
export function releaseProblems(packages: SourcePackage[]): string[] {
  const problems: string[] = [];
  const names = new Set(packages.map((p) => p.manifest.name));
  const [first] = packages;
  for (const { dir, manifest } of packages) {
    const where = `packages/${dir}/package.json`;
    if (manifest.version !== first.manifest.version)
      problems.push(`${where}: version ${manifest.version}, ${first.manifest.name} has ${first.manifest.version} (nx release versions them together)`);
    for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
      if (names.has(dependency) && range !== manifest.version)
        problems.push(`${where}: depends on ${dependency}@${range}, not on its own version ${manifest.version}`);
    }
    for (const [field, dependency] of [
      ['dependencies', '@nx/devkit'],
      ['peerDependencies', 'nx'],
    ] as const) {
      const range = manifest[field]?.[dependency];
      const expected = first.manifest[field]?.[dependency];
      if (!range) problems.push(`${where}: ${field} has no ${dependency} range`);
      else if (range !== expected)
        problems.push(`${where}: ${field} ${dependency} "${range}", ${first.manifest.name} has "${expected}" (one supported Nx range)`);
    }
  }
  return problems;
}

/** The packages nx release publishes (nx.json release.projects), with their source manifests. */
export function readReleasePackages(root: string): SourcePackage[] {
  const release = JSON.parse(readFileSync(path.join(root, 'nx.json'), 'utf8')).release as { projects?: string[] } | undefined;
  if (!release?.projects?.length) throw new Error('nx.json has no release.projects: they name the packages to build and publish');
  const byName = new Map<string, SourcePackage>();
  for (const dir of readdirSync(path.join(root, 'packages')).sort()) {
    const file = path.join(root, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as PackageManifest;
    byName.set(manifest.name, { dir, manifest });
  }
  return release.projects.map((name) => {
    const found = byName.get(name);
    if (!found) throw new Error(`nx.json release.projects names ${name}, which no packages/*/package.json is`);
    return found;
  });
}

/** Copies every shipped non-TypeScript file of `from` (schemas, declarations, Python, keys, plain JS) into `to`. */
function copyAssets(from: string, to: string, relative = ''): void {
  for (const entry of readdirSync(path.join(from, relative), { withFileTypes: true })) {
    const file = path.join(relative, entry.name);
    if (entry.isDirectory()) {
      if (isShipped(`${file}/`)) copyAssets(from, to, file);
    } else if (entry.isFile() && isShipped(file)) {
      mkdirSync(path.join(to, relative), { recursive: true });
      copyFileSync(path.join(from, file), path.join(to, file));
    }
  }
}

function listFiles(dir: string, relative = ''): string[] {
  return readdirSync(path.join(dir, relative), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(relative, entry.name);
    return entry.isDirectory() ? listFiles(dir, file) : [file];
  });
}

/** Problems in a built package: manifest entries without their .js or schema, and imports it does not declare. */
/** The collections Nx reads from a package: package.json field, and the keys of their entries in that file. */
function collections(manifest: PackageManifest): Array<{ field: string; file: string; keys: string[] }> {
  const migrations = manifest['nx-migrations'] as string | { migrations?: string } | undefined;
  return [
    { field: 'executors', file: manifest.executors, keys: ['executors', 'builders'] },
    { field: 'generators', file: manifest.generators, keys: ['generators', 'schematics'] },
    { field: 'nx-migrations', file: typeof migrations === 'string' ? migrations : migrations?.migrations, keys: ['generators', 'schematics'] },
  ].filter((c): c is { field: string; file: string; keys: string[] } => Boolean(c.file));
}

export function builtPackageProblems(outDir: string, manifest: PackageManifest): string[] {
  const problems: string[] = [];
  for (const { field, file, keys } of collections(manifest)) {
    if (!existsSync(path.join(outDir, file))) {
      problems.push(`${manifest.name}: ${field} names ${file}, which package.json "files" does not ship`);
      continue;
    }
    const collection = JSON.parse(readFileSync(path.join(outDir, file), 'utf8')) as Record<string, Record<string, Record<string, string>>>;
    for (const [name, entry] of keys.flatMap((key) => Object.entries(collection[key] ?? {}))) {
      const implementation = (entry.implementation ?? entry.factory).split('#')[0];
      if (!existsSync(path.join(outDir, `${implementation}.js`))) problems.push(`${manifest.name}: ${file}: ${name}: ${implementation}.js was not built`);
      if (entry.schema && !existsSync(path.join(outDir, entry.schema))) problems.push(`${manifest.name}: ${file}: ${name}: ${entry.schema} was not copied`);
    }
  }
  // main, types, and every file an exports entry names (subpaths such as fipskit/plugin included; patterns aside).
  const exported = Object.values(manifest.exports).flatMap((value) => (typeof value === 'string' ? [value] : Object.values(value)));
  for (const entry of new Set([manifest.main, manifest.types, ...exported.filter((file) => !file.includes('*'))])) {
    if (!existsSync(path.join(outDir, entry))) problems.push(`${manifest.name}: ${entry} was not built`);
  }
  if (!existsSync(path.join(outDir, 'LICENSE'))) problems.push(`${manifest.name}: no LICENSE (package.json says ${manifest.license ?? 'no license'})`);
  const declared = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  const builtins = new Set(builtinModules);
  for (const file of listFiles(outDir).filter((f) => f.endsWith('.js'))) {
    for (const [, specifier] of readFileSync(path.join(outDir, file), 'utf8').matchAll(/\brequire\(["']([^"'.][^"']*)["']\)/g)) {
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      if (!specifier.startsWith('node:') && !builtins.has(name) && !declared.has(name)) {
        problems.push(`${manifest.name}: ${file.split(path.sep).join('/')} requires ${specifier}, which its package.json does not declare`);
      }
    }
  }
  return problems;
}

/**
 * npm as the npm running this script (`npm run …` sets npm_execpath) starts it: node with npm's CLI file, so no shell
 * is needed for npm.cmd on Windows; plain `npm` otherwise.
 */
export function npmCommand(args: string[]): [string, string[]] {
  const cli = process.env.npm_execpath;
  return cli && /\.[cm]?js$/.test(cli) ? [process.execPath, [cli, ...args]] : ['npm', args];
}

function run(program: string, args: string[], cwd: string): string {
  const result = spawnSync(program, args, { cwd, encoding: 'utf8', windowsHide: true, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${[path.basename(program), ...args].join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${tail}`);
  }
  return result.stdout;
}

/** Compiles all six packages in one tsc run and lays each out in dist/packages/<dir>. */
export function buildPackages(root: string): SourcePackage[] {
  const packages = readReleasePackages(root);
  const problems = releaseProblems(packages);
  if (problems.length) throw new Error(`The packages are not one release:\n  ${problems.join('\n  ')}`);
  const out = path.join(root, OUT_DIR);
  rmSync(out, { recursive: true, force: true });
  run(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', BUILD_TSCONFIG], root);
  for (const { dir, manifest } of packages) {
    const source = path.join(root, 'packages', dir);
    const target = path.join(out, dir);
    copyAssets(path.join(source, 'src'), path.join(target, 'src'));
    // What else package.json "files" ships (executors.json, generators.json, bin/ …), as it is.
    for (const entry of (manifest.files ?? []).filter((f) => f !== 'src')) {
      if (!existsSync(path.join(source, entry))) throw new Error(`packages/${dir}/package.json "files" names ${entry}, which does not exist`);
      cpSync(path.join(source, entry), path.join(target, entry), { recursive: true });
    }
    // Every package carries the license text its package.json names.
    copyFileSync(path.join(root, 'LICENSE'), path.join(target, 'LICENSE'));
    // Each package's own short README (what it is, its executors and generators), as npm shows it.
    if (!existsSync(path.join(source, 'README.md'))) throw new Error(`packages/${dir} has no README.md: every published package carries one`);
    copyFileSync(path.join(source, 'README.md'), path.join(target, 'README.md'));
    const published = publishedManifest(manifest);
    writeFileSync(path.join(target, 'package.json'), JSON.stringify(published, null, 2) + '\n');
    const built = builtPackageProblems(target, published);
    if (built.length) throw new Error(`dist/packages/${dir} is not publishable:\n  ${built.join('\n  ')}`);
  }
  return packages;
}

interface PackResult {
  filename: string;
  size: number;
  files: Array<{ path: string }>;
}

/** `npm pack`s each built package into dist/packages and refuses a tarball that carries sources or tests. */
export function packPackages(root: string, packages: SourcePackage[]): PackResult[] {
  const out = path.join(root, OUT_DIR);
  return packages.map(({ dir }) => {
    const [result] = JSON.parse(
      run(...npmCommand(['pack', path.join(out, dir), '--pack-destination', out, '--json', '--loglevel=error']), root),
    ) as PackResult[];
    const forbidden = result.files.map((f) => [f.path, forbiddenEntry(f.path)]).filter(([, why]) => why);
    if (forbidden.length) throw new Error(`${result.filename} would publish ${forbidden.map(([file, why]) => `${file} (${why})`).join(', ')}`);
    return result;
  });
}

function main(args: string[]): number {
  const buildOnly = args.includes('--build-only');
  const started = Date.now();
  const packages = buildPackages(WORKSPACE_ROOT);
  if (buildOnly) {
    console.log(`packages: built ${packages.map((p) => `${OUT_DIR}/${p.dir}`).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  }
  for (const tarball of packPackages(WORKSPACE_ROOT, packages)) {
    console.log(`${path.join(OUT_DIR, tarball.filename)}  ${tarball.files.length} files, ${(tarball.size / 1024).toFixed(0)} KiB`);
  }
  console.log(`packages: ${packages.length} tarballs in ${OUT_DIR} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`packages: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
