import { isAbsolute, relative, sep } from 'node:path';

/** How a lock records a path: relative to the workspace with `/` (so it is the same on every machine), or absolute when outside it. */
export function workspacePath(workspaceRoot: string, path: string): string {
  const rel = relative(workspaceRoot, path);
  return isAbsolute(rel) ? path : rel.split(sep).join('/') || '.';
}
