import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { create as createTar } from 'tar';
import { ProcessRunner } from '@fipskit/core';

/**
 * The bundle's archives: a tar of the tree under one top directory, its entries in sorted order with one fixed
 * modification time and no owner names (the same tree gives the same bytes), compressed with gzip and, when Debian's
 * zstd is installed, with zstd too.
 */
export async function writeBundleArchives(
  input: { parent: string; top: string; entries: string[]; tarGz: string; tarZst?: string; mtime: Date },
  runner: ProcessRunner,
): Promise<{ tarGz: string; tarZst?: string; zstdMissing?: boolean }> {
  const tarFile = `${input.tarGz.replace(/\.gz$/, '')}`;
  await createTar({ cwd: input.parent, file: tarFile, portable: true, noDirRecurse: true, mtime: input.mtime, follow: false }, input.entries);
  try {
    await pipeline(createReadStream(tarFile), createGzip({ level: 6 }), createWriteStream(input.tarGz));
    if (!input.tarZst) return { tarGz: input.tarGz };
    try {
      await runner.run({ program: 'zstd', args: ['-q', '-f', '-10', '-T0', tarFile, '-o', input.tarZst], cwd: dirname(tarFile), title: 'zstd' });
    } catch (error) {
      if ((error as { exitCode?: number | null }).exitCode === null) return { tarGz: input.tarGz, zstdMissing: true };
      throw error;
    }
    return { tarGz: input.tarGz, tarZst: input.tarZst };
  } finally {
    rmSync(tarFile, { force: true });
  }
}
