import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The SOURCE_DATE_EPOCH of a source tree: the newest modification time of its files, in whole seconds. The tree is a
 * release tarball unpacked with its files' own times (its directories get the time of the unpack, so they do not
 * count), so every build of one lock gets the same value, and OpenSSL's
 * "built on" date (crypto/buildinf.h, which honours SOURCE_DATE_EPOCH) no longer makes two builds of the same
 * source differ: the reproducibility audit compares every file.
 */
export function sourceDateEpoch(dir: string): string {
  let newest = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else newest = Math.max(newest, Math.floor(lstatSync(path).mtimeMs / 1000));
    }
  }
  return String(newest);
}
