import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

export const OPTION_KINDS = ['executors', 'generators'] as const;

/** Files a plugin reads (e.g. fipskit.json), whose JSON schema editors use: `src/plugins/<name>/schema.d.ts`. */
export const FILE_KINDS = ['plugins'] as const;

/** Every `packages/<pkg>/src/{executors,generators,plugins}/<name>/schema.d.ts`, sorted, as absolute paths. */
export function findSchemaSources(root: string): string[] {
  return packageDirs(root)
    .flatMap((pkg) => [...OPTION_KINDS, ...FILE_KINDS].map((kind) => path.join(pkg, 'src', kind)))
    .flatMap((kindDir) => subdirectories(kindDir).map((dir) => path.join(dir, 'schema.d.ts')))
    .filter((file) => existsSync(file));
}

/** Every `packages/<pkg>/{executors,generators}.json`, sorted, as absolute paths. */
export function findPluginManifests(root: string): string[] {
  return packageDirs(root)
    .flatMap((pkg) => OPTION_KINDS.map((kind) => path.join(pkg, `${kind}.json`)))
    .filter((file) => existsSync(file));
}

/** `path` relative to the workspace root with `/` separators, as messages and tests show it. */
export function workspacePath(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

function packageDirs(root: string): string[] {
  return subdirectories(path.join(root, 'packages'));
}

function subdirectories(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'node_modules')
    .map((entry) => path.join(dir, entry.name))
    .sort();
}
