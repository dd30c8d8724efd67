import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentCache, privateCopy } from './content-cache';
import { execFileSync } from 'node:child_process';
import { mountSmallDisk } from '../testing/small-disk';

const ABC_SHA = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('ContentCache', () => {
  let cache: ContentCache;
  beforeEach(() => (cache = new ContentCache(mkdtempSync(join(tmpdir(), 'fipskit-cache-')))));

  function temp(content: string): string {
    const file = cache.tempPath('openssl-3.0.22.tar.gz');
    writeFileSync(file, content);
    return file;
  }

  it('stores a verified file under its hash and finds it again', async () => {
    const stored = await cache.storeVerified(temp('abc'), ABC_SHA, 'openssl-3.0.22.tar.gz');
    expect(stored).toBe(join(cache.cacheDir, 'sha256', ABC_SHA, 'openssl-3.0.22.tar.gz'));
    expect(readFileSync(stored, 'utf8')).toBe('abc');
    expect(readdirSync(join(cache.cacheDir, 'tmp'))).toEqual([]);
    expect(await cache.lookup(ABC_SHA, 'openssl-3.0.22.tar.gz')).toBe(stored);
  });

  it('refuses a mismatch, naming both hashes and the fix, and deletes only the temp file', async () => {
    const bad = temp('abd');
    const other = temp('keep me');
    const error = await cache.storeVerified(bad, ABC_SHA, 'openssl-3.0.22.tar.gz').catch((e) => e);
    expect(error.message).toMatch(
      /^Checksum mismatch for openssl-3\.0\.22\.tar\.gz: expected ba7816bf.*, got a52d159f.*\. The download is corrupt or the pinned sha256 is wrong; .*published beside the release/,
    );
    expect(existsSync(bad)).toBe(false);
    expect(readFileSync(other, 'utf8')).toBe('keep me');
    expect(existsSync(join(cache.cacheDir, 'sha256'))).toBe(false);
  });

  const disk = process.platform === 'linux' ? mountSmallDisk(2) : 'tmpfs mounts are a Linux test';
  afterAll(() => typeof disk !== 'string' && disk.unmount());
  (typeof disk === 'string' ? it.skip : it)(
    'across file systems, writes a new file beside the target and never through a link planted at that name',
    async () => {
      if (typeof disk === 'string') return;
      // The download on another file system (a tmpfs): rename() gives EXDEV and the copy beside the target is made.
      const download = join(disk.dir, 'openssl-3.0.22.tar.gz');
      writeFileSync(download, 'abc');
      const target = cache.pathFor(ABC_SHA, 'openssl-3.0.22.tar.gz');
      mkdirSync(join(target, '..'), { recursive: true });
      const victim = join(cache.cacheDir, 'victim.txt');
      writeFileSync(victim, 'not yours');
      symlinkSync(victim, `${target}.${process.pid}.partial`);
      const stored = await cache.storeVerified(download, ABC_SHA, 'openssl-3.0.22.tar.gz');
      expect(readFileSync(victim, 'utf8')).toBe('not yours');
      expect(lstatSync(stored).isFile()).toBe(true);
      expect(readFileSync(stored, 'utf8')).toBe('abc');
      expect(existsSync(download)).toBe(false);
    },
  );

  it('misses on absent or altered entries', async () => {
    expect(await cache.lookup(ABC_SHA, 'openssl-3.0.22.tar.gz')).toBeUndefined();
    const stored = await cache.storeVerified(temp('abc'), ABC_SHA, 'openssl-3.0.22.tar.gz');
    writeFileSync(stored, 'tampered');
    expect(await cache.lookup(ABC_SHA, 'openssl-3.0.22.tar.gz')).toBeUndefined();
  });

  it('keeps a signature beside its tarball', async () => {
    const asc = cache.tempPath('x.asc');
    writeFileSync(asc, 'abc');
    const stored = await cache.storeBeside(asc, ABC_SHA, 'f'.repeat(64), 'openssl_3.0.22.orig.tar.gz.asc');
    expect(stored).toBe(join(cache.cacheDir, 'sha256', 'f'.repeat(64), 'openssl_3.0.22.orig.tar.gz.asc'));
  });

  it('checks out a private copy, hashed as it is copied, and misses on absent or altered entries', async () => {
    const privateDir = () => mkdtempSync(join(tmpdir(), 'fipskit-private-'));
    expect(await cache.checkOut(ABC_SHA, 'openssl-3.0.22.tar.gz', privateDir())).toBeUndefined();
    const stored = await cache.storeVerified(temp('abc'), ABC_SHA, 'openssl-3.0.22.tar.gz');
    const dir = privateDir();
    const copy = await cache.checkOut(ABC_SHA, 'openssl-3.0.22.tar.gz', dir);
    expect(copy).toBe(join(dir, 'openssl-3.0.22.tar.gz'));
    writeFileSync(stored, 'tampered');
    expect(readFileSync(copy!, 'utf8')).toBe('abc');
    const after = privateDir();
    expect(await cache.checkOut(ABC_SHA, 'openssl-3.0.22.tar.gz', after)).toBeUndefined();
    expect(readdirSync(after)).toEqual([]);
  });

  it('refuses names and hashes that could leave the cache', () => {
    expect(() => cache.pathFor(ABC_SHA, '../evil')).toThrow(/not a plain file name/);
    expect(() => cache.pathFor('../../etc', 'x')).toThrow(/not a SHA-256/);
  });

  it('refuses a FIFO or a file larger than any release before reading a byte; a FIFO planted as a cache entry is a miss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-private-'));
    const fifo = join(cache.cacheDir, 'openssl-3.0.22.tar.gz');
    execFileSync('mkfifo', [fifo]);
    await expect(privateCopy(fifo, dir)).rejects.toThrow(
      `${fifo} is not a regular file (a directory, FIFO, socket or device): name the release tarball itself.`,
    );
    const big = join(cache.cacheDir, 'big.tar.gz');
    writeFileSync(big, Buffer.alloc(2 * 1048576));
    await expect(privateCopy(big, dir, 1048576)).rejects.toThrow(
      /big\.tar\.gz is 2 MiB, more than any OpenSSL or CPython release \(1 MiB at most\): it is not the release tarball/,
    );
    const entry = cache.pathFor(ABC_SHA, 'openssl-3.0.22.tar.gz');
    mkdirSync(join(entry, '..'), { recursive: true });
    execFileSync('mkfifo', [entry]);
    expect(await cache.checkOut(ABC_SHA, 'openssl-3.0.22.tar.gz', dir)).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });
});
