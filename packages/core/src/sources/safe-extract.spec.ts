import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { isDiskFull } from '../output/disk-space';
import { mountSmallDisk } from '../testing/small-disk';
import { UnsafeArchiveError, extractArchive, sharedTopLevel } from './safe-extract';

interface FakeEntry {
  path: string;
  type?: string;
  body?: string;
  /** Declared size when it differs from the body (a header-only giant). */
  size?: number;
  linkpath?: string;
}

/** Writes tar headers by hand, so an archive can hold what no honest tool would put in one. */
function tarBytes(entries: FakeEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const type = entry.type ?? 'File';
    const header = new Header({
      path: entry.path,
      type: type as Header['type'],
      size: entry.size ?? body.length,
      mode: type === 'Directory' ? 0o755 : 0o644,
      mtime: new Date(0),
      linkpath: entry.linkpath,
      uid: 0,
      gid: 0,
    });
    header.encode();
    blocks.push(header.block!);
    if (entry.size === undefined && body.length) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'fipskit-extract-'));
}

function writeTarGz(entries: FakeEntry[], name = 'openssl-3.0.22.tar.gz'): string {
  const file = join(scratch(), name);
  writeFileSync(file, gzipSync(tarBytes(entries)));
  return file;
}

const top = (path: string, extra: Partial<FakeEntry> = {}): FakeEntry => ({ path: `openssl-3.0.22/${path}`, ...extra });
const honest: FakeEntry[] = [
  { path: 'openssl-3.0.22/', type: 'Directory' },
  top('VERSION.dat', { body: 'MAJOR=3\nMINOR=0\nPATCH=22\n' }),
  top('include/openssl/', { type: 'Directory' }),
  top('include/openssl/opensslv.h', { body: '# define X\n' }),
  top('include/current.h', { type: 'SymbolicLink', linkpath: 'openssl/opensslv.h' }),
];

describe('extractArchive refuses hostile archives before writing anything', () => {
  it.each<[string, FakeEntry[], RegExp]>([
    ['an absolute path', [...honest, { path: '/etc/cron.d/evil', body: 'x' }], /"\/etc\/cron\.d\/evil" has an absolute path/],
    ['a Windows drive letter', [...honest, { path: 'C:/Windows/evil.dll', body: 'x' }], /"C:\/Windows\/evil\.dll" has a Windows drive-letter path/],
    ['a UNC path', [...honest, { path: '\\\\server\\share\\evil', body: 'x' }], /has an absolute path/],
    ['a .. component', [...honest, top('../../evil', { body: 'x' })], /"openssl-3\.0\.22\/\.\.\/\.\.\/evil" has a '\.\.' path component/],
    ['a backslash .. component', [...honest, top('a\\..\\..\\..\\evil', { body: 'x' })], /has a backslash in its path/],
    ['a symlink target with backslashes', [...honest, top('win', { type: 'SymbolicLink', linkpath: '..\\..\\evil' })], /is a symlink whose target "\.\.\\\.\.\\evil" has a backslash/],
    ['a drive-letter symlink target', [...honest, top('drive', { type: 'SymbolicLink', linkpath: 'C:/../Windows' })], /is a symlink to "C:\/\.\.\/Windows", which points outside/],
    ['a symlink out of the tree', [...honest, top('escape', { type: 'SymbolicLink', linkpath: '../../etc' })], /"openssl-3\.0\.22\/escape" is a symlink to "\.\.\/\.\.\/etc", which points outside/],
    ['an absolute symlink', [...honest, top('passwd', { type: 'SymbolicLink', linkpath: '/etc/passwd' })], /is a symlink to "\/etc\/passwd", which points outside/],
    ['a symlink leaving the stripped top directory', [...honest, top('up', { type: 'SymbolicLink', linkpath: '..' })], /"openssl-3\.0\.22\/up" is a symlink to "\.\."/],
    [
      'a symlink chain that escapes through another link',
      [...honest, top('here', { type: 'SymbolicLink', linkpath: '.' }), top('out', { type: 'SymbolicLink', linkpath: 'here/..' })],
      /"openssl-3\.0\.22\/out" is a symlink to "here\/\.\."/,
    ],
    ['a symlink loop', [...honest, top('a', { type: 'SymbolicLink', linkpath: 'b' }), top('b', { type: 'SymbolicLink', linkpath: 'a' })], /or loops/],
    ['a file written through an in-tree symlink', [...honest, top('include/current.h/x', { body: 'x' })], /would be written through the symlink "include\/current\.h"/],
    ['a hard link to an absolute path', [...honest, top('shadow', { type: 'Link', linkpath: '/etc/shadow' })], /is a hard link whose target "\/etc\/shadow" has an absolute path/],
    ['a hard link to a missing file', [...honest, top('ghost', { type: 'Link', linkpath: 'openssl-3.0.22/nowhere' })], /is a hard link to "openssl-3\.0\.22\/nowhere", which is not a file earlier/],
    ['a character device', [...honest, top('null', { type: 'CharacterDevice' })], /"openssl-3\.0\.22\/null" is a character device/],
    ['a block device', [...honest, top('sda', { type: 'BlockDevice' })], /is a block device/],
    ['a FIFO', [...honest, top('pipe', { type: 'FIFO' })], /is a FIFO/],
    ['a GNU sparse entry', [...honest, top('sparse', { type: 'SparseFile', body: 'x' })], /has the unsupported entry type SparseFile/],
    ['a declared 10 GiB file', [...honest, top('zeros', { size: 10 * 1024 ** 3 })], /"openssl-3\.0\.22\/zeros" brings the declared size .* to 10737418\d+ bytes, above the limit of 4294967296 bytes/],
  ])('%s', async (_name, entries, reason) => {
    const archive = writeTarGz(entries);
    const dest = join(scratch(), 'src');
    const error = await extractArchive(archive, dest).catch((e) => e);
    expect(error).toBeInstanceOf(UnsafeArchiveError);
    expect(error.message).toMatch(reason);
    expect(error.message).toContain('Nothing was extracted');
    expect(existsSync(dest)).toBe(false);
  });

  it('applies a caller-chosen size limit', async () => {
    const archive = writeTarGz(honest);
    await expect(extractArchive(archive, join(scratch(), 'src'), { maxTotalBytes: 10 })).rejects.toThrow(/above the limit of 10 bytes/);
  });

  it('refuses a truncated archive and a file that is not a tarball', async () => {
    const truncated = join(scratch(), 'openssl-3.0.22.tar.gz');
    writeFileSync(truncated, gzipSync(tarBytes(honest).subarray(0, 700)));
    const dest = join(scratch(), 'src');
    await expect(extractArchive(truncated, dest)).rejects.toThrow();
    expect(existsSync(dest)).toBe(false);
    const notGzip = join(scratch(), 'openssl-3.0.22.tar.gz');
    writeFileSync(notGzip, '<html>404</html>');
    await expect(extractArchive(notGzip, dest)).rejects.toThrow(/incorrect header check|Z_DATA_ERROR/);
    expect(existsSync(dest)).toBe(false);
  });

  it('refuses a file name it cannot unpack', async () => {
    await expect(extractArchive(join(scratch(), 'openssl-3.0.22.zip'), scratch())).rejects.toThrow(/use a \.tar\.gz, \.tgz or \.tar\.xz/);
  });
});

describe('extractArchive unpacks an honest release tarball', () => {
  // The honest tarball holds a symlink, which only an administrator (or Developer Mode) may create on Windows.
  const posixOnly = process.platform === 'win32' ? it.skip : it;

  posixOnly('strips the top-level directory and keeps an in-tree relative symlink', async () => {
    const dest = join(scratch(), 'src');
    const result = await extractArchive(writeTarGz(honest), dest);
    expect(result).toEqual({ entries: 5, strippedTopLevel: 'openssl-3.0.22' });
    expect(readdirSync(dest).sort()).toEqual(['VERSION.dat', 'include']);
    expect(readFileSync(join(dest, 'VERSION.dat'), 'utf8')).toContain('PATCH=22');
    expect(lstatSync(join(dest, 'include/current.h')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dest, 'include/current.h'))).toBe('openssl/opensslv.h');
    expect(readFileSync(join(dest, 'include/current.h'), 'utf8')).toBe('# define X\n');
  });

  it('extracts only the requested subtree, still refusing a hostile entry elsewhere in the archive', async () => {
    const dest = join(scratch(), 'src');
    const entries = honest.filter((e) => e.type !== 'SymbolicLink');
    await extractArchive(writeTarGz(entries), dest, { only: ['include/'] });
    expect(readdirSync(dest)).toEqual(['include']);
    const hostile = [...entries, top('VERSION.evil', { type: 'SymbolicLink', linkpath: '../../etc/passwd' })];
    const elsewhere = join(scratch(), 'src');
    await expect(extractArchive(writeTarGz(hostile), elsewhere, { only: ['include/'] })).rejects.toThrow(/VERSION\.evil/);
    expect(existsSync(elsewhere)).toBe(false);
  });

  it('keeps the top-level directory when asked', async () => {
    const dest = join(scratch(), 'src');
    const entries = honest.filter((e) => e.type !== 'SymbolicLink');
    const result = await extractArchive(writeTarGz(entries), dest, { stripTopLevel: false });
    expect(result.strippedTopLevel).toBeUndefined();
    expect(readdirSync(dest)).toEqual(['openssl-3.0.22']);
  });

  it('accepts a hard link to an earlier file', async () => {
    const dest = join(scratch(), 'src');
    await extractArchive(writeTarGz([...honest.slice(0, 2), top('VERSION.copy', { type: 'Link', linkpath: 'openssl-3.0.22/VERSION.dat' })]), dest);
    expect(readFileSync(join(dest, 'VERSION.copy'), 'utf8')).toContain('PATCH=22');
  });

  const withXz = spawnSync('xz', ['--version']).status === 0 ? it : it.skip;
  withXz('reads .tar.xz through the system xz', async () => {
    const archive = join(scratch(), 'Python-3.11.2.tar.xz');
    const xz = spawnSync('xz', ['-c'], { input: tarBytes([{ path: 'Python-3.11.2/Include/patchlevel.h', body: '#define PY_VERSION "3.11.2"\n' }]) });
    writeFileSync(archive, xz.stdout);
    const dest = join(scratch(), 'src');
    await extractArchive(archive, dest);
    expect(readFileSync(join(dest, 'Include/patchlevel.h'), 'utf8')).toContain('3.11.2');
  });

  withXz('refuses a hostile .tar.xz without writing, and reports a corrupt one', async () => {
    const archive = join(scratch(), 'Python-3.11.2.tar.xz');
    writeFileSync(archive, spawnSync('xz', ['-c'], { input: tarBytes([{ path: '../evil', body: 'x' }]) }).stdout);
    const dest = join(scratch(), 'src');
    await expect(extractArchive(archive, dest)).rejects.toThrow(/"\.\.\/evil" has a '\.\.' path component/);
    const corrupt = join(scratch(), 'Python-3.11.2.tar.xz');
    writeFileSync(corrupt, 'not xz at all');
    await expect(extractArchive(corrupt, dest)).rejects.toThrow(/xz -dc .* failed .*damaged/);
    expect(existsSync(dest)).toBe(false);
  });
});

describe('extractArchive on a disk that fills part way', () => {
  const disk = process.platform === 'linux' ? mountSmallDisk(1) : 'tmpfs mounts are a Linux test';
  afterAll(() => typeof disk !== 'string' && disk.unmount());
  if (typeof disk === 'string') it.todo(`disk-full unpack test: ${disk}`);
  else
    it('fails with an error the stages recognise as a full disk', async () => {
      const big = 'x'.repeat(600 * 1024);
      const archive = writeTarGz([top('a.c', { body: big }), top('b.c', { body: big }), top('c.c', { body: big })]);
      const error = await extractArchive(archive, join(disk.dir, 'src')).then(() => undefined, (e: unknown) => e);
      expect(error).toBeDefined();
      expect(isDiskFull(error)).toBe(true);
    });
});

describe('sharedTopLevel', () => {
  it('does not strip ./ (node-tar would strip the dot, not the directory)', () => {
    expect(sharedTopLevel([{ path: './top/a', type: 'File', size: 1 }, { path: './top/b', type: 'File', size: 1 }])).toBeUndefined();
  });

  it('finds the one directory or nothing', () => {
    expect(sharedTopLevel([{ path: 'a/', type: 'Directory', size: 0 }, { path: 'a/b', type: 'File', size: 1 }])).toBe('a');
    expect(sharedTopLevel([{ path: 'a/b', type: 'File', size: 1 }, { path: 'c/d', type: 'File', size: 1 }])).toBeUndefined();
    expect(sharedTopLevel([{ path: 'README', type: 'File', size: 1 }])).toBeUndefined();
  });
});
