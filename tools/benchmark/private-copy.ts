/**
 * What checking and unpacking a private copy of each cached tarball costs, measured in this one run on the
 * release tarballs in fipskit's source cache: hashing the cached file in place (what a cache hit cost
 * before, when the signature check and the unpack then reopened the shared cached file), copying it into
 * a private directory while hashing it (what a hit costs now), and the unpack that follows either way.
 * Each runs `ROUNDS` times (default 5), in turn; the median is printed. The copies go under `TMPDIR`
 * (fetchSource's default place for them): `TMPDIR=/dev/shm` shows the work alone, a disk directory adds
 * the disk's write.
 *
 *   node tools/run-ts.js tools/benchmark/private-copy.ts [tarball ...]
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { defaultSourceCacheDir } from '../../packages/core/src/sources/cache-dir';
import { ContentCache } from '../../packages/core/src/sources/content-cache';
import { extractArchive } from '../../packages/core/src/sources/safe-extract';
import { sha256File } from '../../packages/core/src/sources/sha256';

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const root = join(defaultSourceCacheDir(), 'sha256');
  const given = process.argv.slice(2);
  const tarballs = given.length
    ? given
    : existsSync(root)
      ? readdirSync(root).flatMap((hash) =>
          readdirSync(join(root, hash))
            .filter((n) => /\.tar\.(gz|xz)$/.test(n))
            .map((n) => join(root, hash, n)),
        )
      : [];
  if (tarballs.length === 0) {
    console.log('No tarball in the source cache yet: run a build first, or name tarballs.');
    return;
  }
  const rounds = Number(process.env.ROUNDS ?? 5);
  const work = mkdtempSync(join(tmpdir(), 'fipskit-copybench-'));
  console.log(`median of ${rounds} rounds, milliseconds; copies and unpacks under ${tmpdir()}`);
  console.log('tarball                                  MB  hash in place  copy+hash  extra  unpack  extra/unpack');
  try {
    for (const tarball of tarballs) {
      const sha256 = basename(dirname(tarball));
      const cache = new ContentCache(dirname(dirname(dirname(tarball))));
      const times = { hash: [] as number[], copy: [] as number[], unpack: [] as number[] };
      for (let round = 0; round < rounds; round++) {
        times.hash.push(await timed(() => sha256File(tarball)));
        const into = mkdtempSync(join(work, 'copy-'));
        let copy: string | undefined;
        times.copy.push(await timed(async () => (copy = await cache.checkOut(sha256, basename(tarball), into))));
        if (!copy) throw new Error(`${tarball} does not have the SHA-256 its cache directory names.`);
        times.unpack.push(await timed(() => extractArchive(copy!, join(into, 'src'))));
        rmSync(into, { recursive: true, force: true });
      }
      const [hash, copy, unpack] = [times.hash, times.copy, times.unpack].map(median);
      const mb = statSync(tarball).size / 1024 / 1024;
      console.log(
        `${basename(tarball).padEnd(38)}${mb.toFixed(1).padStart(5)}  ${hash.toFixed(0).padStart(13)}  ${copy.toFixed(0).padStart(9)}  ${(copy - hash).toFixed(0).padStart(5)}  ${unpack.toFixed(0).padStart(6)}  ${((copy - hash) / unpack).toFixed(3).padStart(12)}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
