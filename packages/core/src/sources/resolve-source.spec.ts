import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RecordingRunner } from '../process/recording-runner';
import { ResolveContext, fetchSource, resolveSource } from './resolve-source';
import { SourceSpec } from './source-spec';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function workspace(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-ws-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function context(workspaceRoot: string, runner = new RecordingRunner()): ResolveContext & { runner: RecordingRunner } {
  return { workspaceRoot, cacheDir: mkdtempSync(join(tmpdir(), 'fipskit-cache-')), runner };
}

describe('resolveSource: local', () => {
  it('locks a tarball by its file name version and hash, with a path relative to the workspace', async () => {
    const ctx = context(workspace({ 'vendor/openssl-3.0.9.tar.gz': 'tarball' }));
    const spec: SourceSpec = { kind: 'local', path: 'vendor/openssl-3.0.9.tar.gz', sha256: sha('tarball').toUpperCase(), signature: { check: 'if-present' } };
    const lock = await resolveSource('openssl', spec, ctx);
    expect(lock).toEqual({
      product: 'openssl',
      version: '3.0.9',
      origin: 'local',
      sha256: sha('tarball'),
      fileName: 'openssl-3.0.9.tar.gz',
      location: 'vendor/openssl-3.0.9.tar.gz',
      verification: 'SHA-256 pinned in the project matched.',
      signature: { check: 'if-present' },
    });
    const fetched = await fetchSource(lock, ctx);
    expect(fetched).toEqual({
      archive: expect.stringMatching(/[\\/]openssl-3\.0\.9\.tar\.gz$/),
      authenticity: {
        status: 'unsigned',
        statement: expect.stringMatching(/^No upstream release signature was available \(none is published with this source\)/),
      },
    });
    // A private copy of the workspace tarball, the bytes that were hashed.
    expect(fetched.archive).not.toBe(join(ctx.workspaceRoot, 'vendor/openssl-3.0.9.tar.gz'));
    expect(readFileSync(fetched.archive!, 'utf8')).toBe('tarball');
    expect(ctx.runner.commands).toEqual([]);
  });

  it('an OpenSSL tarball without its .asc is refused by default: OpenSSL signs every release', async () => {
    const ctx = context(workspace({ 'vendor/openssl-3.0.9.tar.gz': 'tarball' }));
    const lock = await resolveSource('openssl', { kind: 'local', path: 'vendor/openssl-3.0.9.tar.gz' }, ctx);
    expect(lock.signature).toEqual({ check: 'required' });
    await expect(fetchSource(lock, ctx)).rejects.toThrow(
      /OpenSSL 3\.0\.9 source has no upstream signature to check .*Put the release's \.asc beside the tarball or set signature\.location/,
    );
  });

  it('names a missing path relative to the workspace and says what to set', async () => {
    const ctx = context(workspace());
    await expect(resolveSource('openssl', { kind: 'local', path: 'vendor/openssl-3.0.9.tar.gz' }, ctx)).rejects.toThrow(
      /source path "vendor\/openssl-3\.0\.9\.tar\.gz" does not exist .*relative to the workspace root\)\. Set path to a OpenSSL release tarball such as openssl-3\.0\.9\.tar\.gz, or to an unpacked source tree/,
    );
  });

  it.each<[string, Record<string, string>, SourceSpec, RegExp]>([
    [
      'a wrong pinned hash',
      { 'o/openssl-3.0.9.tar.gz': 'x' },
      { kind: 'local', path: 'o/openssl-3.0.9.tar.gz', sha256: sha('y') },
      /Checksum mismatch for o\/openssl-3\.0\.9\.tar\.gz: expected .* replace it with the right tarball, or correct sha256/,
    ],
    [
      'a malformed hash',
      { 'o/openssl-3.0.9.tar.gz': 'x' },
      { kind: 'local', path: 'o/openssl-3.0.9.tar.gz', sha256: 'abc' },
      /sha256 of o\/openssl-3\.0\.9\.tar\.gz is "abc", not a SHA-256/,
    ],
    [
      'a name without version',
      { 'o/latest.tar.gz': 'x' },
      { kind: 'local', path: 'o/latest.tar.gz' },
      /Cannot tell the OpenSSL version of o\/latest\.tar\.gz from its file name "latest\.tar\.gz"\. Use the release's own file name/,
    ],
    ['a zip', { 'o/openssl-3.0.9.zip': 'x' }, { kind: 'local', path: 'o/openssl-3.0.9.zip' }, /not a tarball fipskit can unpack/],
    ['OpenSSL 1.1.1', { 'o/openssl-1.1.1w.tar.gz': 'x' }, { kind: 'local', path: 'o/openssl-1.1.1w.tar.gz' }, /OpenSSL 1\.1\.1w has no FIPS provider/],
    ['a tree that is no OpenSSL tree', { 'tree/README': 'x' }, { kind: 'local', path: 'tree' }, /is not a OpenSSL source tree: none of VERSION\.dat/],
    [
      'a 1.1.1 tree',
      { 'tree/include/openssl/opensslv.h': '# define OPENSSL_VERSION_TEXT "OpenSSL 1.1.1w  11 Sep 2023"\n' },
      { kind: 'local', path: 'tree' },
      /OpenSSL 1\.1\.1w has no FIPS provider/,
    ],
    ['an unknown kind', {}, { kind: 'git' } as unknown as SourceSpec, /kind "git"\. Set kind to "url", "debian" or "local"/],
  ])('refuses %s', async (_name, files, spec, message) => {
    await expect(resolveSource('openssl', spec, context(workspace(files)))).rejects.toThrow(message);
  });

  it('locks an unpacked tree by its content and refuses to build it after it changed', async () => {
    const ctx = context(workspace({ 'src/openssl/VERSION.dat': 'MAJOR=3\nMINOR=1\nPATCH=2\n', 'src/openssl/crypto/x.c': 'int x;' }));
    const lock = await resolveSource('openssl', { kind: 'local', path: 'src/openssl', signature: { check: 'skip', reason: 'a patched tree' } }, ctx);
    expect(lock).toMatchObject({ version: '3.1.2', origin: 'local', location: 'src/openssl' });
    expect(lock.fileName).toBeUndefined();
    expect(lock.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await fetchSource(lock, ctx)).toEqual({
      directory: join(ctx.workspaceRoot, 'src/openssl'),
      authenticity: { status: 'skipped', statement: 'The upstream release signature was not checked: the project skips it (a patched tree).' },
    });
    writeFileSync(join(ctx.workspaceRoot, 'src/openssl/crypto/x.o'), '');
    await expect(fetchSource(lock, ctx)).rejects.toThrow(/src\/openssl changed since the sources stage resolved it .*Run the sources stage again/);
  });

  it('reads a CPython tree', async () => {
    const ctx = context(workspace({ 'Python-3.11.2/Include/patchlevel.h': '#define PY_VERSION "3.11.2"\n' }));
    expect(await resolveSource('cpython', { kind: 'local', path: 'Python-3.11.2' }, ctx)).toMatchObject({ product: 'cpython', version: '3.11.2' });
  });
});

describe('resolveSource: url', () => {
  let server: Server;
  let base: string;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      if (req.url?.endsWith('.asc')) res.writeHead(404).end();
      else res.end(`bytes of ${req.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('resolves without the network, then downloads once into the verified cache', async () => {
    const ctx = context(workspace());
    const url = `${base}/source/openssl-3.0.9.tar.gz`;
    const before = requests;
    const lock = await resolveSource(
      'openssl',
      { kind: 'url', url, sha256: sha('bytes of /source/openssl-3.0.9.tar.gz'), signature: { check: 'if-present' } },
      ctx,
    );
    expect(lock).toMatchObject({ version: '3.0.9', origin: 'url', fileName: 'openssl-3.0.9.tar.gz', location: url });
    expect(lock.verification).toMatch(/^SHA-256 pinned in the project matched/);
    expect(requests).toBe(before);
    const fetched = await fetchSource(lock, ctx);
    expect(readFileSync(join(ctx.cacheDir, 'sha256', lock.sha256, 'openssl-3.0.9.tar.gz'), 'utf8')).toBe('bytes of /source/openssl-3.0.9.tar.gz');
    expect(readFileSync(fetched.archive!, 'utf8')).toBe('bytes of /source/openssl-3.0.9.tar.gz');
    expect(fetched.authenticity.status).toBe('unsigned');
    const again = await fetchSource(lock, ctx);
    expect(readFileSync(again.archive!, 'utf8')).toBe('bytes of /source/openssl-3.0.9.tar.gz');
    expect(again.authenticity).toEqual(fetched.authenticity);
    // The tarball once; the .asc asked for (and not found) each time.
    expect(requests).toBe(before + 3);
  });

  it('refuses a download whose hash is not the pinned one', async () => {
    const ctx = context(workspace());
    const lock = await resolveSource('cpython', { kind: 'url', url: `${base}/Python-3.11.2.tgz`, sha256: sha('something else') }, ctx);
    await expect(fetchSource(lock, ctx)).rejects.toThrow(/^Checksum mismatch for Python-3\.11\.2\.tgz: expected/);
  });

  it.each<[string, SourceSpec, RegExp]>([
    ['plain http', { kind: 'url', url: 'http://www.openssl.org/source/openssl-3.0.9.tar.gz', sha256: sha('x') }, /is not an https URL/],
    [
      'a missing sha256',
      { kind: 'url', url: 'https://www.openssl.org/source/openssl-3.0.9.tar.gz' } as SourceSpec,
      /sha256 of https:.* is "", not a SHA-256\. Set it to the 64 hex digits/,
    ],
    ['a short sha256', { kind: 'url', url: 'https://www.openssl.org/source/openssl-3.0.9.tar.gz', sha256: 'deadbeef' }, /is "deadbeef", not a SHA-256/],
    [
      'a URL without a version',
      { kind: 'url', url: 'https://example.org/openssl-latest.tar.gz', sha256: sha('x') },
      /Cannot tell the OpenSSL version of https:\/\/example\.org\/openssl-latest\.tar\.gz from its file name/,
    ],
    [
      'OpenSSL 1.1.1',
      { kind: 'url', url: 'https://www.openssl.org/source/openssl-1.1.1w.tar.gz', sha256: sha('x') },
      /OpenSSL 1\.1\.1w has no FIPS provider.*3\.0\.8, 3\.0\.9 or 3\.1\.2/,
    ],
  ])('refuses %s up front', async (_name, spec, message) => {
    await expect(resolveSource('openssl', spec, context(workspace()))).rejects.toThrow(message);
  });
});

describe('resolveSource: debian', () => {
  it('locks the orig tarball Debian carries, with the hash from the index', async () => {
    const systemRoot = workspace({
      'etc/os-release': 'VERSION_CODENAME=bookworm\n',
      'etc/apt/sources.list': 'deb http://deb.example/debian bookworm main\n',
    });
    const showsrc = ['Package: openssl', 'Version: 3.0.22-1~deb12u2', 'Checksums-Sha256:', ` ${sha('t')} 1 openssl_3.0.22.orig.tar.gz`];
    const ctx = {
      ...context(
        workspace(),
        new RecordingRunner().respond((c) => c.program === 'apt-cache', { output: showsrc }),
      ),
      systemRoot,
    };
    const lock = await resolveSource('openssl', { kind: 'debian', version: '3.0' }, ctx);
    expect(lock).toMatchObject({
      version: '3.0.22',
      origin: 'debian',
      sha256: sha('t'),
      location: 'openssl=3.0.22-1~deb12u2',
      debian: {},
    });
    // No mirror URL of this machine in the lock: it is a cache input shared with other machines.
    expect(JSON.stringify(lock)).not.toContain('deb.example');
    expect(lock.verification).toMatch(/SHA-256 from Debian's signed Sources index, obtained by apt/);
  });

  it('refuses an old OpenSSL found in the archive', async () => {
    const systemRoot = workspace({ 'etc/apt/sources.list': 'deb http://deb.example/debian bullseye main\n' });
    const showsrc = ['Package: openssl', 'Version: 1.1.1w-0+deb11u1', 'Checksums-Sha256:', ` ${sha('t')} 1 openssl_1.1.1w.orig.tar.gz`];
    const ctx = {
      ...context(
        workspace(),
        new RecordingRunner().respond((c) => c.program === 'apt-cache', { output: showsrc }),
      ),
      systemRoot,
    };
    await expect(resolveSource('openssl', { kind: 'debian' }, ctx)).rejects.toThrow(/OpenSSL 1\.1\.1w has no FIPS provider/);
  });
});
