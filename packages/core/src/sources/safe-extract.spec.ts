import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header, Pax, extract } from 'tar';
import { isDiskFull } from '../output/disk-space';
import { mountSmallDisk } from '../testing/small-disk';
import {
  DEFAULT_MAX_ENTRIES,
  MAX_NAME_BYTES,
  UnsafeArchiveError,
  extractArchive,
  extractArchive as extractBy,
  scanArchive,
  sharedTopLevel,
} from './safe-extract';
import { systemGnuTar, systemTarArguments } from './system-tar';

interface FakeEntry {
  path: string;
  type?: string;
  body?: string;
  /** Declared size when it differs from the body (a header-only giant). */
  size?: number;
  linkpath?: string;
  mode?: number;
  mtime?: Date;
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
      mode: entry.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      mtime: entry.mtime ?? new Date(0),
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
    [
      'a symlink target with backslashes',
      [...honest, top('win', { type: 'SymbolicLink', linkpath: '..\\..\\evil' })],
      /is a symlink whose target "\.\.\\\.\.\\evil" has a backslash/,
    ],
    [
      'a drive-letter symlink target',
      [...honest, top('drive', { type: 'SymbolicLink', linkpath: 'C:/../Windows' })],
      /is a symlink to "C:\/\.\.\/Windows", which points outside/,
    ],
    [
      'a symlink out of the tree',
      [...honest, top('escape', { type: 'SymbolicLink', linkpath: '../../etc' })],
      /"openssl-3\.0\.22\/escape" is a symlink to "\.\.\/\.\.\/etc", which points outside/,
    ],
    [
      'an absolute symlink',
      [...honest, top('passwd', { type: 'SymbolicLink', linkpath: '/etc/passwd' })],
      /is a symlink to "\/etc\/passwd", which points outside/,
    ],
    [
      'a symlink leaving the stripped top directory',
      [...honest, top('up', { type: 'SymbolicLink', linkpath: '..' })],
      /"openssl-3\.0\.22\/up" is a symlink to "\.\."/,
    ],
    [
      'a symlink chain that escapes through another link',
      [...honest, top('here', { type: 'SymbolicLink', linkpath: '.' }), top('out', { type: 'SymbolicLink', linkpath: 'here/..' })],
      /"openssl-3\.0\.22\/out" is a symlink to "here\/\.\."/,
    ],
    ['a symlink loop', [...honest, top('a', { type: 'SymbolicLink', linkpath: 'b' }), top('b', { type: 'SymbolicLink', linkpath: 'a' })], /or loops/],
    [
      'a file written through an in-tree symlink',
      [...honest, top('include/current.h/x', { body: 'x' })],
      /would be written through the symlink "include\/current\.h"/,
    ],
    [
      'a hard link to an absolute path',
      [...honest, top('shadow', { type: 'Link', linkpath: '/etc/shadow' })],
      /is a hard link whose target "\/etc\/shadow" has an absolute path/,
    ],
    [
      'a hard link to a missing file',
      [...honest, top('ghost', { type: 'Link', linkpath: 'openssl-3.0.22/nowhere' })],
      /is a hard link to "openssl-3\.0\.22\/nowhere", which is not a file earlier/,
    ],
    ['a character device', [...honest, top('null', { type: 'CharacterDevice' })], /"openssl-3\.0\.22\/null" is a character device/],
    ['a block device', [...honest, top('sda', { type: 'BlockDevice' })], /is a block device/],
    ['a FIFO', [...honest, top('pipe', { type: 'FIFO' })], /is a FIFO/],
    ['a GNU sparse entry', [...honest, top('sparse', { type: 'SparseFile', body: 'x' })], /has the unsupported entry type SparseFile/],
    [
      'a declared 10 GiB file',
      [...honest, top('zeros', { size: 10 * 1024 ** 3 })],
      /"openssl-3\.0\.22\/zeros" brings the declared size .* to 10737418\d+ bytes, above the limit of 4294967296 bytes/,
    ],
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

/**
 * `steal`'s target climbs one level per `h/..` on disk, because every `h` is a link to `.`, and not at all
 * when `h` is read as a directory, so the `..`s after them leave the destination by `depth` levels.
 * The links come after `steal`, deepest first, as in the review that found it.
 */
function escapeThroughLaterLinks(depth: number): FakeEntry[] {
  const dirs = Array.from({ length: depth }, (_, i) => `d${i}`);
  const at = (n: number) => dirs.slice(0, n).join('/');
  return [
    { path: 'openssl-3.0.22/', type: 'Directory' },
    ...dirs.map((_, i) => top(`${at(i + 1)}/`, { type: 'Directory' })),
    top(`${at(depth)}/steal`, { type: 'SymbolicLink', linkpath: `${'h/../'.repeat(depth)}${'../'.repeat(depth)}x` }),
    ...dirs.map((_, i) => top(`${at(depth - i)}/h`, { type: 'SymbolicLink', linkpath: '.' })),
  ];
}

/** Unpacks with node-tar alone, without fipskit's checks, into a directory 12 levels deep so that nothing real is reached. */
function unpackWithoutChecks(entries: FakeEntry[]): string {
  const dest = join(scratch(), ...Array.from({ length: 12 }, (_, i) => `up${i}`), 'src');
  mkdirSync(dest, { recursive: true });
  extract({ file: writeTarGz(entries), cwd: dest, strip: 1, sync: true });
  return dest;
}

describe('extractArchive judges links on the finished tree, not in archive order', () => {
  // Symlinks need an administrator (or Developer Mode) on Windows, and the kernel's view of them is what is checked.
  const posixOnly = process.platform === 'win32' ? it.skip : it;

  posixOnly.each([2, 6])('refuses a symlink that leaves the destination %i levels up through links later in the archive', async (depth) => {
    const entries = escapeThroughLaterLinks(depth);
    const link = `${Array.from({ length: depth }, (_, i) => `d${i}`).join('/')}/steal`;
    // The archive is hostile: unpacked as it is, `steal` reaches `depth` levels above the destination
    // (the kernel resolves it; node's realpathSync would fold `h/..` away as text).
    const unchecked = unpackWithoutChecks(entries);
    const outside = join(unchecked, ...Array(depth).fill('..'), 'x');
    writeFileSync(outside, 'outside');
    expect(realpathSync.native(join(unchecked, link))).toBe(outside);

    const dest = join(scratch(), 'src');
    const error = await extractArchive(writeTarGz(entries), dest).catch((e) => e);
    expect(error).toBeInstanceOf(UnsafeArchiveError);
    expect(error.message).toMatch(
      new RegExp(`entry "openssl-3\\.0\\.22/${link}" is a symlink to "(h/\\.\\./)+(\\.\\./)+x", which points outside the destination directory`),
    );
    expect(existsSync(dest)).toBe(false);
  });

  it.each<[string, FakeEntry[], RegExp]>([
    [
      'the same escape spelled in another case, which macOS and Windows file systems follow',
      [
        ...honest,
        top('d/e/steal', { type: 'SymbolicLink', linkpath: 'H/../H/../../../x' }),
        top('d/e/h', { type: 'SymbolicLink', linkpath: '.' }),
        top('d/h', { type: 'SymbolicLink', linkpath: '.' }),
      ],
      /"openssl-3\.0\.22\/d\/e\/steal" is a symlink to "H\/\.\.\/H\/\.\.\/\.\.\/\.\.\/x", which points outside/,
    ],
    [
      'a file written before a later entry makes its directory a symlink',
      [...honest, top('lib/', { type: 'Directory' }), top('lib/x.c', { body: 'x' }), top('lib', { type: 'SymbolicLink', linkpath: 'include' })],
      /"openssl-3\.0\.22\/lib" takes the path of the earlier entry "openssl-3\.0\.22\/lib\/", and one of them is a symlink/,
    ],
    [
      'a file written through a symlink spelled in another case',
      [...honest, top('Include/Current.H/x', { body: 'x' })],
      /would be written through the symlink "Include\/Current\.H"/,
    ],
    [
      'a file replaced by a symlink, which a hard link then names',
      [...honest, top('p', { body: 'x' }), top('p', { type: 'SymbolicLink', linkpath: 'include' }), top('q', { type: 'Link', linkpath: 'openssl-3.0.22/p' })],
      /"openssl-3\.0\.22\/p" takes the path of the earlier entry "openssl-3\.0\.22\/p", and one of them is a symlink/,
    ],
    [
      'a symlink in place of the destination itself',
      [
        { path: './', type: 'SymbolicLink', linkpath: 'x' },
        { path: 'x/', type: 'Directory' },
      ],
      /entry "\.\/" is a symlink in place of the destination directory itself/,
    ],
    [
      'a chain of symlinks longer than the kernel follows',
      [...honest, ...Array.from({ length: 45 }, (_, i) => top(`l${i}`, { type: 'SymbolicLink', linkpath: `l${i + 1}` })), top('l45', { body: 'x' })],
      /is a symlink to "l\d+", which points outside the destination directory \(or loops\)/,
    ],
  ])('refuses %s, before writing anything', async (_name, entries, reason) => {
    const dest = join(scratch(), 'src');
    const error = await extractArchive(writeTarGz(entries), dest).catch((e) => e);
    expect(error).toBeInstanceOf(UnsafeArchiveError);
    expect(error.message).toMatch(reason);
    expect(existsSync(dest)).toBe(false);
  });

  it('resolves each link once, even when each link passes twice through the next', async () => {
    // c/l0 → l1/../c/l1 → … → c/l30 → .: every link leads to c, in 2^30 steps when each is followed afresh.
    // Last link first, so each one's targets are already links when it is read.
    const links = Array.from({ length: 31 }, (_, i) =>
      top(`c/l${i}`, { type: 'SymbolicLink', linkpath: i === 30 ? '.' : `l${i + 1}/../c/l${i + 1}` }),
    ).reverse();
    const entries = [...honest, top('c/', { type: 'Directory' }), ...links];
    const dest = join(scratch(), 'src');
    await expect(extractArchive(writeTarGz(entries), dest, { only: ['VERSION.dat'] })).resolves.toMatchObject({ entries: entries.length });
  }, 10_000);
});

describe('extractArchive limits what an archive may make it hold in memory', () => {
  it(`refuses the archive's entry number ${DEFAULT_MAX_ENTRIES + 1}, naming the limit, before writing anything`, async () => {
    // One empty file's header, repeated: tar allows a path more than once, and the archive costs a copy per entry.
    const header = tarBytes([top('f')]).subarray(0, 512);
    const archive = join(scratch(), 'openssl-3.0.22.tar.gz');
    writeFileSync(archive, gzipSync(Buffer.concat([...Array<Buffer>(DEFAULT_MAX_ENTRIES + 1).fill(header), Buffer.alloc(1024)]), { level: 1 }));
    const dest = join(scratch(), 'src');
    const error = await extractArchive(archive, dest).catch((e) => e);
    expect(error).toBeInstanceOf(UnsafeArchiveError);
    expect(error.message).toMatch(
      /entry "openssl-3\.0\.22\/f" is entry number 100001, above the limit of 100000 entries per archive\. Nothing was extracted\. No OpenSSL or CPython release tarball comes near this limit: .* fetch it again from the official source/,
    );
    expect(existsSync(dest)).toBe(false);
  }, 30_000);

  it('applies a caller-chosen entry limit', async () => {
    await expect(scanArchive(writeTarGz(honest), { maxEntries: 4 })).rejects.toThrow(
      /"openssl-3\.0\.22\/include\/current\.h" is entry number 5, above the limit of 4 entries/,
    );
    await expect(scanArchive(writeTarGz(honest), { maxEntries: 5 })).resolves.toHaveLength(5);
  });

  it(`refuses paths and link targets longer than ${MAX_NAME_BYTES} characters in all`, async () => {
    // node-tar takes names up to 1 MiB (in pax headers); 65 of them pass the limit.
    const name = 'n'.repeat(1024 * 1024 - 100);
    const blocks: Buffer[] = [];
    for (let i = 0; i < 65; i++) {
      const path = `openssl-3.0.22/${name}${i}`;
      blocks.push(new Pax({ path, mtime: new Date(0) }).encode());
      const header = new Header({ path: `openssl-3.0.22/f${i}`, type: 'File', size: 0, mode: 0o644, mtime: new Date(0) });
      header.encode();
      blocks.push(header.block!);
    }
    const archive = join(scratch(), 'openssl-3.0.22.tar.gz');
    writeFileSync(archive, gzipSync(Buffer.concat([...blocks, Buffer.alloc(1024)])));
    const error = await scanArchive(archive).catch((e) => e);
    expect(error).toBeInstanceOf(UnsafeArchiveError);
    // The message shows the start and end of a name that long.
    expect(error.message).toMatch(
      /entry "openssl-3\.0\.22\/n{100,200}…n{50,100}64" brings the length of the archive's paths and link targets to 6\d{7} characters, above the limit of 67108864\./,
    );
    expect(error.message.length).toBeLessThan(1000);
  });
});

const gnuTar = systemGnuTar();
const writers: Array<['auto' | 'node-tar', string]> = [
  ['node-tar', "node-tar's writer"],
  ...(gnuTar ? ([['auto', "the system's GNU tar"]] as Array<['auto', string]>) : []),
];

describe.each(writers)('extractArchive unpacks an honest release tarball (%s: %s)', (writer) => {
  // The honest tarball holds a symlink, which only an administrator (or Developer Mode) may create on Windows.
  const posixOnly = process.platform === 'win32' ? it.skip : it;
  const extractArchive = (archive: string, dest: string, options: Parameters<typeof extractBy>[2] = {}) => extractBy(archive, dest, { ...options, writer });

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
    it.each(writers)('fails with an error the stages recognise as a full disk (%s: %s)', async (writer) => {
      const big = 'x'.repeat(600 * 1024);
      const archive = writeTarGz([top('a.c', { body: big }), top('b.c', { body: big }), top('c.c', { body: big })]);
      const error = await extractArchive(archive, join(disk.dir, `src-${writer}`), { writer }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeDefined();
      expect(isDiskFull(error)).toBe(true);
    });
});

/** Every path under dir with what a build can tell apart: type, permission bits, size, mtime, link target, contents. */
function treeListing(dir: string): string[] {
  const rows: string[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(join(dir, relative)).sort()) {
      const path = join(relative, name);
      const stat = lstatSync(join(dir, path));
      const kind = stat.isSymbolicLink()
        ? `link -> ${readlinkSync(join(dir, path))}`
        : stat.isDirectory()
          ? 'dir'
          : `file ${stat.size} ${readFileSync(join(dir, path), 'utf8')}`;
      const mtime = stat.isDirectory() || stat.isSymbolicLink() ? '' : ` mtime ${stat.mtime.toISOString()}`;
      rows.push(`${path} ${kind} mode ${(stat.mode & 0o7777).toString(8)}${mtime} uid ${stat.uid}`);
      if (stat.isDirectory()) walk(path);
    }
  };
  walk('');
  return rows;
}

const withGnuTar = gnuTar && process.platform !== 'win32' ? describe : describe.skip;
withGnuTar("the system's GNU tar leaves the tree node-tar's writer leaves", () => {
  it('for files, modes (set-ID bits and the umask included), times, owners and links', async () => {
    const entries: FakeEntry[] = [
      { path: 'openssl-3.0.22/', type: 'Directory' },
      top('Configure', { body: '#!/usr/bin/env perl\n', mode: 0o755, mtime: new Date('2026-08-25T12:00:00Z') }),
      top('world-writable.c', { body: 'int x;\n', mode: 0o777, mtime: new Date('2026-08-25T12:00:01Z') }),
      top('setid', { body: 'x', mode: 0o6755 }),
      top('Modules/', { type: 'Directory', mode: 0o775 }),
      top('Modules/_ssl.c', { body: '/* ssl */\n' }),
      top('Modules/_ssl.h', { type: 'SymbolicLink', linkpath: '_ssl.c' }),
      top('Modules/copy.c', { type: 'Link', linkpath: 'openssl-3.0.22/Modules/_ssl.c' }),
      top('Other/readme', { body: 'elsewhere\n' }),
    ];
    const byNode = join(scratch(), 'src');
    const bySystem = join(scratch(), 'src');
    await extractArchive(writeTarGz(entries), byNode, { writer: 'node-tar' });
    await extractArchive(writeTarGz(entries), bySystem, { writer: 'auto' });
    expect(treeListing(bySystem)).toEqual(treeListing(byNode));
    expect(treeListing(bySystem)).toHaveLength(9);
  });

  it('is given no owner and no permission bits past the umask, and the proved archive whole', () => {
    const gzip = systemTarArguments({ archive: '/c/o.tar.gz', destDir: '/b/src', compression: 'gzip', stripTopLevel: true });
    expect(gzip).toEqual(['-x', '-z', '-f', '/c/o.tar.gz', '-C', '/b/src', '--no-same-owner', '--no-same-permissions', '--strip-components=1']);
    const xz = systemTarArguments({ archive: '/c/p.tar.xz', destDir: '/b/src', compression: 'xz', stripTopLevel: false });
    expect(xz).toEqual(['-x', '-J', '-f', '/c/p.tar.xz', '-C', '/b/src', '--no-same-owner', '--no-same-permissions']);
    expect(systemGnuTar('win32')).toBeUndefined();
  });

  it('refuses a hostile archive before GNU tar ever runs', async () => {
    const dest = join(scratch(), 'src');
    await expect(extractArchive(writeTarGz([...honest, top('../../escape', { body: 'x' })]), dest, { writer: 'auto' })).rejects.toThrow(UnsafeArchiveError);
    expect(existsSync(dest)).toBe(false);
  });
});

describe("node-tar's writer gets the bytes the scan proved", () => {
  it('inflates the archive once when the scan kept it, twice past the bound, and unpacks the same either way', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('node:fs') as typeof import('node:fs');
    const archive = writeTarGz(honest.filter((e) => e.type !== 'SymbolicLink'));
    const createReadStream = fs.createReadStream;
    const opened = jest
      .spyOn(fs, 'createReadStream')
      .mockImplementation(((path: string, options: object) => createReadStream(path, options)) as typeof createReadStream);
    try {
      const once = join(scratch(), 'src');
      await extractArchive(archive, once, { writer: 'node-tar' });
      expect(opened.mock.calls.filter(([path]) => path === archive)).toHaveLength(1);
      opened.mockClear();
      const twice = join(scratch(), 'src');
      await extractArchive(archive, twice, { writer: 'node-tar', keepBytes: 1024 });
      expect(opened.mock.calls.filter(([path]) => path === archive)).toHaveLength(2);
      expect(treeListing(twice)).toEqual(treeListing(once));
      expect(readFileSync(join(once, 'include/openssl/opensslv.h'), 'utf8')).toBe('# define X\n');
    } finally {
      opened.mockRestore();
    }
  });
});

describe('sharedTopLevel', () => {
  it('does not strip ./ (node-tar would strip the dot, not the directory)', () => {
    expect(
      sharedTopLevel([
        { path: './top/a', type: 'File', size: 1 },
        { path: './top/b', type: 'File', size: 1 },
      ]),
    ).toBeUndefined();
  });

  it('finds the one directory or nothing', () => {
    expect(
      sharedTopLevel([
        { path: 'a/', type: 'Directory', size: 0 },
        { path: 'a/b', type: 'File', size: 1 },
      ]),
    ).toBe('a');
    expect(
      sharedTopLevel([
        { path: 'a/b', type: 'File', size: 1 },
        { path: 'c/d', type: 'File', size: 1 },
      ]),
    ).toBeUndefined();
    expect(sharedTopLevel([{ path: 'README', type: 'File', size: 1 }])).toBeUndefined();
  });
});
