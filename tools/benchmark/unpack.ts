/**
 * What the safety-checked unpack costs next to the system's tar, measured in this one run on the
 * release tarballs in fipskit's source cache: fipskit's extractArchive (a header-only safety scan, then
 * the system's GNU tar writes the files where there is one), the scan alone, extractArchive with
 * node-tar's synchronous writer (what it uses without GNU tar), node-tar's asynchronous writer fed the
 * same stream (the writer extractArchive does not use), and `tar xf`. Each runs `ROUNDS` times (default 3),
 * in turn, into fresh directories, each after `sync`; the median is printed with ratios to the system tar.
 * `TMPDIR=/dev/shm` takes the disk out of it and leaves the work each one does.
 *
 *   node tools/run-ts.js tools/benchmark/unpack.ts [tarball ...]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Unpack } from 'tar';
import { openTarStream } from '../../packages/core/src/sources/archive-stream';
import { defaultSourceCacheDir } from '../../packages/core/src/sources/cache-dir';
import { extractArchive, scanArchive } from '../../packages/core/src/sources/safe-extract';

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** node-tar's asynchronous writer, fed the same decompressed stream extractArchive reads. */
async function asyncUnpack(tarball: string, dest: string): Promise<void> {
  const unpack = new Unpack({ cwd: dest, strip: 1, strict: true, preserveOwner: false });
  const done = new Promise<void>((resolve, reject) => {
    unpack.on('close', () => resolve());
    unpack.on('error', reject);
  });
  const tar = openTarStream(tarball);
  tar.stream.pipe(unpack as unknown as Writable);
  await Promise.all([done, tar.finished]);
}

/** Writes the previous run's dirty pages out first, so one run's disk work is not billed to the next. */
function settleDisk(): void {
  if (process.platform !== 'win32') spawnSync('sync');
}

function systemTar(tarball: string, dest: string): void {
  const result = spawnSync('tar', ['xf', tarball, '-C', dest, '--strip-components=1']);
  if (result.status !== 0) throw new Error(`tar xf ${tarball} failed: ${result.stderr}`);
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
  const rounds = Number(process.env.ROUNDS ?? 3);
  const work = mkdtempSync(join(tmpdir(), 'fipskit-unpackbench-'));
  console.log(`median of ${rounds} rounds, milliseconds; ratios to the system tar in the same run`);
  console.log(
    'tarball                                  MB  entries  tar xf  scan  extractArchive  with node-tar  async node-tar  extractArchive/tar  with node-tar/tar  async/tar',
  );
  try {
    for (const tarball of tarballs) {
      const entries = (await scanArchive(tarball)).length;
      const times = { tar: [] as number[], scan: [] as number[], ours: [] as number[], nodeTar: [] as number[], async: [] as number[] };
      for (let round = 0; round < rounds; round++) {
        const runs: Array<[number[], (dest: string) => Promise<unknown>]> = [
          [times.tar, async (dest) => systemTar(tarball, dest)],
          [times.scan, () => scanArchive(tarball)],
          [times.ours, (dest) => extractArchive(tarball, dest)],
          [times.nodeTar, (dest) => extractArchive(tarball, dest, { writer: 'node-tar' })],
          [times.async, (dest) => asyncUnpack(tarball, dest)],
        ];
        for (const [into, run] of runs) {
          const dest = mkdtempSync(join(work, 'run-'));
          settleDisk();
          into.push(await timed(() => run(dest)));
          rmSync(dest, { recursive: true, force: true });
        }
      }
      const [tar, scan, ours, nodeTar, slow] = [times.tar, times.scan, times.ours, times.nodeTar, times.async].map(median);
      const mb = statSync(tarball).size / 1024 / 1024;
      console.log(
        `${tarball.split('/').pop()!.padEnd(38)}${mb.toFixed(1).padStart(5)}  ${String(entries).padStart(7)}  ${tar.toFixed(0).padStart(6)}  ${scan.toFixed(0).padStart(4)}  ${ours.toFixed(0).padStart(14)}  ${nodeTar.toFixed(0).padStart(13)}  ${slow.toFixed(0).padStart(14)}  ${(ours / tar).toFixed(2).padStart(18)}  ${(nodeTar / tar).toFixed(2).padStart(17)}  ${(slow / tar).toFixed(2).padStart(9)}`,
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
