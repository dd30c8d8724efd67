import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { create as createTar } from 'tar';
import { ZipFile } from 'yazl';
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

/**
 * A Windows bundle's zip: every file under one top directory, in the order given, with one fixed modification time
 * (the same tree gives the same bytes) — what Explorer, `tar -xf` and `Expand-Archive` on Windows open.
 */
export async function writeBundleZip(input: { parent: string; top: string; files: string[]; zip: string; mtime: Date }): Promise<string> {
  const zip = new ZipFile();
  for (const file of input.files)
    zip.addFile(join(input.parent, input.top, ...file.split('/')), `${input.top}/${file}`, { mtime: input.mtime, mode: 0o100644, compressionLevel: 9 });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(input.zip));
  return input.zip;
}
