import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { OpenSslBuildInfo, ProcessRunner } from '@fipskit/core';
import { InterpreterRequirement } from './setup-script';

/** What the python stage records in its output (fipskit-python.json), as far as packing needs it. */
export interface PythonOutputManifest {
  mode: 'overlay' | 'full' | 'pcbuild';
  interpreter: { path: string; version: string };
  source: { version: string };
  platform: string;
  launcher: string | null;
}

export const PYTHON_MANIFEST = 'fipskit-python.json';

export function readPythonManifest(pythonDir: string): PythonOutputManifest {
  const file = join(pythonDir, PYTHON_MANIFEST);
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist: pythonPath must be the output of the python stage. Build it first (nx run <project>:python), or fix pythonPath.`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as PythonOutputManifest;
}

/** The directory all three outputs live under: the bundle keeps their places relative to each other. */
export function commonRoot(dirs: string[]): string {
  const split = dirs.map((dir) => resolve(dir).split(sep));
  const common: string[] = [];
  for (let i = 0; split.every((parts) => parts[i] !== undefined && parts[i] === split[0][i]); i++) common.push(split[0][i]);
  return common.join(sep) || sep;
}

/** `x64` → `x86_64`, `arm64` → `aarch64` on Linux (as `uname -m` says), `arm64` on macOS. */
export function bundleArch(platform: string, arch: string): string {
  if (arch === 'x64') return 'x86_64';
  if (arch === 'arm64') return platform === 'darwin' ? 'arm64' : 'aarch64';
  return arch;
}

/** Absolute links in an overlay's tree: where it reaches into the interpreter's installation. */
export function absoluteLinks(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isSymbolicLink()) {
        const target = readlinkSync(path);
        if (isAbsolute(target)) found.push(target);
      } else if (entry.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return [...new Set(found)].sort();
}

/**
 * What an overlay bundle needs of the target's interpreter: the interpreter and its standard library (the overlay's
 * links into them), and the Debian packages and versions that own them here, when this machine has dpkg.
 */
export async function interpreterRequirement(
  pythonDir: string,
  manifest: PythonOutputManifest,
  runner: ProcessRunner,
  sha256: (file: string) => Promise<string>,
): Promise<InterpreterRequirement> {
  const realPath = realpathSync(manifest.interpreter.path);
  const series = manifest.interpreter.version.split('.').slice(0, 2).join('.');
  const stdlib = absoluteLinks(pythonDir).find((target) => posix.basename(target) === `python${series}` && existsSync(join(target, 'os.py')));
  if (!stdlib) throw new Error(`${pythonDir} has no link to the standard library of ${manifest.interpreter.path}: rebuild the python stage.`);
  const owned = [realPath, join(stdlib, 'os.py'), ...dynloadProbe(stdlib)];
  const packages = await debianOwners(owned, runner);
  return {
    path: manifest.interpreter.path,
    realPath,
    version: manifest.interpreter.version,
    sha256: await sha256(realPath),
    linkedPaths: [realPath, stdlib],
    packages,
  };
}

/** One extension module of the standard library, whose package is the one lib-dynload comes from. */
function dynloadProbe(stdlib: string): string[] {
  const dir = join(stdlib, 'lib-dynload');
  if (!existsSync(dir)) return [];
  const json = readdirSync(dir).find((name) => name.startsWith('_json.') && lstatSync(join(dir, name)).isFile());
  return json ? [join(dir, json)] : [];
}

/** The Debian packages (without architecture) owning these files, and their installed versions; none without dpkg. */
async function debianOwners(files: string[], runner: ProcessRunner): Promise<Array<{ name: string; version: string }>> {
  const names = new Set<string>();
  for (const file of files) {
    const lines: string[] = [];
    try {
      const result = await runner.run(
        { program: 'dpkg-query', args: ['-S', file], cwd: '/', env: { LC_ALL: 'C' } },
        { allowFailure: true, onLine: (line) => lines.push(line) },
      );
      if (result.exitCode !== 0) continue;
    } catch {
      return [];
    }
    for (const line of lines) {
      const owners = /^(.+?): \//.exec(line)?.[1];
      for (const owner of owners?.split(',') ?? []) names.add(owner.trim().replace(/:[a-z0-9]+$/, ''));
    }
  }
  const packages: Array<{ name: string; version: string }> = [];
  for (const name of [...names].sort()) {
    const lines: string[] = [];
    const result = await runner.run(
      { program: 'dpkg-query', args: ['-W', '-f=${Version}\\n', name], cwd: '/', env: { LC_ALL: 'C' } },
      { allowFailure: true, onLine: (line) => lines.push(line) },
    );
    const version = lines.map((l) => l.trim()).find(Boolean);
    if (result.exitCode === 0 && version) packages.push({ name, version });
  }
  return packages;
}

/** Every entry of a tree, relative and `/`-separated, sorted: regular files with their mode, links with their target. */
export function treeEntries(root: string): Array<{ path: string; kind: 'file' | 'dir' | 'symlink'; mode: number; target?: string }> {
  const entries: Array<{ path: string; kind: 'file' | 'dir' | 'symlink'; mode: number; target?: string }> = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      const rel = relative(root, path).split(sep).join('/');
      if (stat.isSymbolicLink()) entries.push({ path: rel, kind: 'symlink', mode: 0o777, target: readlinkSync(path) });
      else if (stat.isDirectory()) {
        entries.push({ path: rel, kind: 'dir', mode: stat.mode & 0o7777 });
        walk(path);
      } else if (stat.isFile()) entries.push({ path: rel, kind: 'file', mode: stat.mode & 0o7777 });
      else throw new Error(`${path} is neither a file, a directory nor a link: a bundle holds nothing else.`);
    }
  };
  walk(root);
  return entries;
}

export type OpenSslLayout = Pick<OpenSslBuildInfo, 'layout' | 'fipsProvider'>;
