import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isSha256, sha256File } from './sha256';

/**
 * Verified release tarballs by content: `<cacheDir>/sha256/<hex>/<fileName>`. A file only
 * gets there after its hash matched, so a path from `lookup` names bytes already checked.
 */
export class ContentCache {
  constructor(readonly cacheDir: string) {}

  pathFor(sha256: string, fileName: string): string {
    if (!isSha256(sha256)) throw new Error(`"${sha256}" is not a SHA-256 (64 lowercase hex digits).`);
    if (basename(fileName) !== fileName || fileName === '..' || fileName === '.') throw new Error(`"${fileName}" is not a plain file name.`);
    return join(this.cacheDir, 'sha256', sha256, fileName);
  }

  /** A scratch file path on the cache's file system, so `storeVerified` can rename it into place. */
  tempPath(fileName: string): string {
    const dir = join(this.cacheDir, 'tmp');
    mkdirSync(dir, { recursive: true });
    return join(dir, `${randomBytes(6).toString('hex')}-${basename(fileName)}`);
  }

  /** The cached file, re-hashed; undefined when absent or no longer matching (it is then fetched again). */
  async lookup(sha256: string, fileName: string): Promise<string | undefined> {
    const path = this.pathFor(sha256, fileName);
    if (!existsSync(path)) return undefined;
    return (await sha256File(path)) === sha256 ? path : undefined;
  }

  /**
   * The cached file copied into `privateDir` (a directory only this process writes), hashed as it is
   * copied; undefined when absent or no longer matching (it is then fetched again). Another user of a
   * shared cache can replace the cached file at any moment: the signature check, the scan and the
   * unpack read the copy, the very bytes that were hashed.
   */
  async checkOut(sha256: string, fileName: string, privateDir: string): Promise<string | undefined> {
    // A cache entry that is no tarball (a FIFO or a device planted in a shared cache) is a miss: it is fetched again.
    const copy = await privateCopy(this.pathFor(sha256, fileName), privateDir).catch((error) => {
      if (error instanceof NotATarballError) return undefined;
      throw error;
    });
    if (!copy || copy.sha256 === sha256) return copy?.path;
    rmSync(copy.path, { force: true });
    return undefined;
  }

  /** Moves tempFile into the cache if its hash is the expected one; on a mismatch deletes tempFile only and throws. */
  async storeVerified(tempFile: string, expectedSha256: string, fileName: string): Promise<string> {
    return this.storeAt(tempFile, expectedSha256, this.pathFor(expectedSha256, fileName), fileName);
  }

  /** Keeps a companion file (the upstream `.asc` signature) beside a cached tarball, checked against its own hash. */
  async storeBeside(tempFile: string, expectedSha256: string, tarballSha256: string, fileName: string): Promise<string> {
    return this.storeAt(tempFile, expectedSha256, this.pathFor(tarballSha256, fileName), fileName);
  }

  /** Keeps a companion file whose content was checked another way (a signature that verified) beside a cached tarball. */
  keepBeside(tempFile: string, tarballSha256: string, fileName: string): string {
    const target = this.pathFor(tarballSha256, fileName);
    mkdirSync(join(target, '..'), { recursive: true });
    moveAtomically(tempFile, target);
    return target;
  }

  private async storeAt(tempFile: string, expectedSha256: string, target: string, fileName: string): Promise<string> {
    const actual = await sha256File(tempFile);
    if (actual !== expectedSha256) {
      rmSync(tempFile, { force: true });
      throw new Error(
        `Checksum mismatch for ${fileName}: expected ${expectedSha256}, got ${actual}. ` +
          `The download is corrupt or the pinned sha256 is wrong; run again to download it afresh, and if it still differs, ` +
          `compare the sha256 in the project with the one published beside the release.`,
      );
    }
    mkdirSync(join(target, '..'), { recursive: true });
    moveAtomically(tempFile, target);
    return target;
  }
}

/** The file cannot be a release tarball (not a regular file, or far too large): refused before it is read. */
export class NotATarballError extends Error {}

const COPY_CHUNK_BYTES = 1024 * 1024;
/** Larger than any OpenSSL or CPython release tarball by a wide margin (CPython's .tgz is about 26 MiB). */
export const MAX_TARBALL_BYTES = 512 * 1024 * 1024;

/**
 * Copies `from` into `privateDir` (a new directory only this process writes), hashing the bytes as they
 * are written: the copy, readable and writable by this user only, holds exactly the bytes whose SHA-256
 * is returned, whatever happens to `from` meanwhile. Undefined when `from` does not exist.
 */
export async function privateCopy(from: string, privateDir: string, maxBytes = MAX_TARBALL_BYTES): Promise<{ path: string; sha256: string } | undefined> {
  const path = join(privateDir, basename(from));
  // Before a byte is read: a FIFO or a device would be read without end, and a file larger than any release is no tarball.
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(from);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!stat.isFile()) throw new NotATarballError(`${from} is not a regular file (a directory, FIFO, socket or device): name the release tarball itself.`);
  if (stat.size > maxBytes) {
    throw new NotATarballError(
      `${from} is ${(stat.size / 1048576).toFixed(0)} MiB, more than any OpenSSL or CPython release (${maxBytes / 1048576} MiB at most): it is not the release tarball. Name the right file.`,
    );
  }
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(from, { highWaterMark: COPY_CHUNK_BYTES }), hashing, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    return { path, sha256: hash.digest('hex') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') rmSync(path, { force: true });
    if (code === 'ENOENT' && !existsSync(from)) return undefined;
    throw new Error(
      `Cannot copy ${from} into ${privateDir}: ${(error as Error).message}. fipskit hashes, checks and unpacks a private copy of each tarball, ` +
        `so that nobody can replace the file in between; free some space there (or set TMPDIR to a disk with room) and run again.`,
      { cause: error },
    );
  }
}

/** rename() is atomic on one file system; across file systems copy beside the target first, then rename. */
function moveAtomically(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    // Whatever is at that name (a link planted by another user of a shared cache) is removed, not written through,
    // and the copy is made only as a new file.
    const beside = `${to}.${process.pid}.partial`;
    rmSync(beside, { force: true });
    copyFileSync(from, beside, fsConstants.COPYFILE_EXCL);
    renameSync(beside, to);
    rmSync(from, { force: true });
  }
}
