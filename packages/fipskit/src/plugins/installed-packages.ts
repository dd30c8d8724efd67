import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The lockfiles Nx reads its npm nodes from. */
const LOCKFILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb'];

/** The part of nx.json that decides whether Nx reads the lockfile at all. */
export interface LockfileSettings {
  pluginsConfig?: Record<string, unknown>;
}

/**
 * Which of `packages` Nx knows as npm packages of this workspace, so that a stage's cache key can name its own package
 * (`externalDependencies`) instead of Nx's default for an executor outside `@nx/`: every package in the lockfile, which
 * makes an unrelated `npm install` rebuild OpenSSL. A package counts only when it is installed under node_modules (not
 * this workspace's own source, as in fipskit's repository), the workspace's lockfile names it and nx.json does not turn
 * the lockfile analysis off: Nx refuses a build whose input names a package it does not know.
 */
export function lockfilePackages(workspaceRoot: string, nxJson: LockfileSettings | undefined, packages: readonly string[]): Set<string> {
  const known = new Set<string>();
  if ((nxJson?.pluginsConfig?.['@nx/js'] as { analyzeLockfile?: boolean } | undefined)?.analyzeLockfile === false) return known;
  const lockfiles = LOCKFILES.map((name) => join(workspaceRoot, name)).filter((file) => existsSync(file));
  // With several lockfiles Nx picks by package manager, and it reads bun's binary one through bun: any doubt keeps
  // Nx's default.
  if (lockfiles.length !== 1 || lockfiles[0].endsWith('.lockb')) return known;
  const lockfile = readFileSync(lockfiles[0], 'utf8');
  for (const name of packages) {
    if (installedUnderNodeModules(workspaceRoot, name) && lockfile.includes(name)) known.add(name);
  }
  return known;
}

function installedUnderNodeModules(workspaceRoot: string, name: string): boolean {
  try {
    const manifest = realpathSync(require.resolve(`${name}/package.json`, { paths: [workspaceRoot] }));
    return manifest.includes(`${sep}node_modules${sep}`);
  } catch {
    return false;
  }
}
