import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** A SHA-256 as fipskit writes it everywhere: 64 lowercase hex digits. */
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

export function isSha256(value: string): boolean {
  return SHA256_PATTERN.test(value);
}

/** Hashes a file by streaming it, so a 50 MB tarball never sits in memory. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * A content hash of a directory tree that is the same on every machine for the same tree:
 * entries in sorted relative-path order; for each its kind, its path, for a file whether it
 * is executable and its contents' hash, for a symlink its target text. Nothing is skipped
 * (a stray build product changes the hash, which is the point: the tree is not pristine).
 */
export async function sha256Tree(dir: string): Promise<string> {
  const paths = await listTree(dir);
  const records = await mapLimited(paths, 8, (relative) => entryRecord(dir, relative));
  const tree = createHash('sha256');
  for (const fields of records) tree.update(fields.join('\0') + '\n');
  return tree.digest('hex');
}

/** Relative `/`-separated paths of everything under dir, sorted by code unit (not locale). */
async function listTree(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    found.push(relative);
    if (entry.isDirectory()) found.push(...(await listTree(dir, relative)));
  }
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** One entry's fields; paths cannot hold NUL, so NUL-separated fields and a newline per entry are unambiguous. */
async function entryRecord(dir: string, relative: string): Promise<string[]> {
  const path = join(dir, relative);
  const stats = await lstat(path);
  if (stats.isSymbolicLink()) return ['symlink', relative, await readlink(path)];
  if (stats.isDirectory()) return ['dir', relative];
  if (stats.isFile()) return ['file', relative, (stats.mode & 0o111) !== 0 ? 'x' : '-', await sha256SmallOrLarge(path, stats.size)];
  return ['other', relative, String(stats.mode & 0o170000)];
}

/** A stream per file costs more than reading it for the thousands of small files of a source tree. */
async function sha256SmallOrLarge(path: string, size: number): Promise<string> {
  if (size > 4 * 1024 * 1024) return sha256File(path);
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** Maps in input order with at most `limit` operations in flight (thousands of small files hash faster side by side). */
async function mapLimited<T, R>(items: T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
