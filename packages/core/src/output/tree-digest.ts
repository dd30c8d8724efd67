import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { OUTPUT_MARKER } from './owned-output';

/** What each entry of a tree is, by tree-relative POSIX path: a file's SHA-256, `link -> target`, or `directory`. */
export type TreeDigest = Record<string, string>;

/**
 * Digests every entry under `root`. fipskit's ownership marker is left out: it records when the output was made,
 * which is bookkeeping, not part of what the stage built.
 */
export function digestTree(root: string): TreeDigest {
  const digest: TreeDigest = {};
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const key = relative(root, path).split(sep).join('/');
      if (key === OUTPUT_MARKER) continue;
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) digest[key] = `link -> ${readlinkSync(path)}`;
      else if (stat.isDirectory()) {
        digest[key] = 'directory';
        pending.push(path);
      } else {
        const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
        // A program that lost its executable bit, or a library anyone may write, is another build. Only those two: the
        // rest of a mode follows the umask of whoever unpacked a cache entry, not the build.
        const executable = process.platform !== 'win32' && (stat.mode & 0o111) !== 0;
        const worldWritable = process.platform !== 'win32' && (stat.mode & 0o002) !== 0;
        digest[key] = `${sha256}${executable ? ' executable' : ''}${worldWritable ? ' world-writable' : ''}`;
      }
    }
  }
  return Object.fromEntries(Object.entries(digest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface TreeDifference {
  path: string;
  /** Absent: the entry is missing from that tree. */
  expected?: string;
  actual?: string;
}

/** Every entry that is missing, extra or different in `actual` compared with `expected`, in path order. */
export function compareDigests(expected: TreeDigest, actual: TreeDigest): TreeDifference[] {
  const paths = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return paths
    .filter((path) => expected[path] !== actual[path])
    .map((path) => ({ path, ...(path in expected ? { expected: expected[path] } : {}), ...(path in actual ? { actual: actual[path] } : {}) }));
}
