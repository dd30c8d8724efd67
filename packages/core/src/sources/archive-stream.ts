import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export type ArchiveCompression = 'gzip' | 'xz' | 'none';

/** How a tarball is compressed, from its name; anything else is refused up front. */
export function archiveCompression(archive: string): ArchiveCompression {
  const name = archive.toLowerCase();
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'gzip';
  if (name.endsWith('.tar.xz') || name.endsWith('.txz')) return 'xz';
  if (name.endsWith('.tar')) return 'none';
  throw new Error(`${archive} is not a tarball fipskit can unpack: use a .tar.gz, .tgz or .tar.xz release tarball.`);
}

/** The uncompressed tar bytes of an archive, and a way to stop early and to learn whether decompression succeeded. */
export interface TarStream {
  stream: Readable;
  /** Settles when the decompressor has finished; rejects when it failed. */
  finished: Promise<void>;
  stop(): void;
}

/**
 * Read and inflate in 1 MiB pieces: with zlib's default 16 KiB, every piece is a trip to the thread
 * pool, and inflating OpenSSL's tarball took 450-720 ms instead of 130-175 ms (tools/benchmark/unpack.ts).
 */
const CHUNK_BYTES = 1024 * 1024;

export function openTarStream(archive: string): TarStream {
  const compression = archiveCompression(archive);
  if (compression === 'xz') return openXz(archive);
  const file = createReadStream(archive, { highWaterMark: CHUNK_BYTES });
  if (compression === 'none') return { stream: file, finished: settledWith(file), stop: () => file.destroy() };
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  file.on('error', (error) => gunzip.destroy(error));
  file.pipe(gunzip);
  const stop = () => {
    file.destroy();
    gunzip.destroy();
  };
  return { stream: gunzip, finished: settledWith(gunzip), stop };
}

function settledWith(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
}

/** Node has no xz decoder: the system's `xz -dc` streams the tar bytes to us. */
function openXz(archive: string): TarStream {
  const child = spawn('xz', ['-dc', '--', archive], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  let stopped = false;
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)));
  const finished = new Promise<void>((resolve, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'ENOENT' ? 'xz was not found on PATH: install xz-utils (apt-get install xz-utils) or use a .tar.gz tarball.' : error.message;
      reject(new Error(`Cannot decompress ${archive}: ${hint}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      // Stopping early kills xz or breaks its pipe: that is not a decompression failure.
      if (code === 0 || (stopped && (signal !== null || /broken pipe/i.test(stderr)))) return resolve();
      reject(
        new Error(`xz -dc ${archive} failed (${signal ?? `exit code ${code}`}): ${stderr.trim() || 'no message'}. The tarball is damaged: fetch it again.`),
      );
    });
  });
  // Without a listener the parser's own error would surface as an unhandled rejection.
  finished.catch(() => undefined);
  const stop = () => {
    stopped = true;
    child.stdout.destroy();
    child.kill();
  };
  return { stream: child.stdout, finished, stop };
}
