import { existsSync, mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolRunner } from '../process/tool-runner';
import { LocalDebianArchive, LocalUpload } from '../testing/local-debian-archive';
import { ResolveContext, fetchSource, resolveSource } from './resolve-source';
import { DebianSource, SourceLock } from './source-spec';

/**
 * The fallback against a real Debian-format archive: Sources indexes written by apt-ftparchive, InRelease signed
 * with gpg, served on loopback, read by the real apt with the key as signed-by. The security suite names a newer
 * upload whose tarball the archive does not serve, as trixie-security did for OpenSSL 3.5.10.
 */
jest.setTimeout(120_000);

const MAIN: LocalUpload = { debianVersion: '3.5.7-1~deb13u2', suite: 'testrel', archive: 'debian' };
const SECURITY: LocalUpload = { debianVersion: '3.5.10-1~deb13u1', suite: 'testrel-security', archive: 'debian-security' };
const SKIP = { check: 'skip' as const, reason: 'test tarballs made in the test carry no upstream signature' };

let archive: LocalDebianArchive;
const printed: string[] = [];
const context = (cacheDir = mkdtempSync(join(tmpdir(), 'fipskit-fallback-cache-')), extra: Partial<ResolveContext> = {}): ResolveContext => ({
  workspaceRoot: archive.dir,
  cacheDir,
  runner: new ToolRunner(),
  systemRoot: archive.systemRoot,
  print: (line) => printed.push(line),
  ...extra,
});
const spec = (version: string, more: Partial<DebianSource> = {}): DebianSource => ({
  kind: 'debian',
  package: 'openssl',
  version,
  release: 'testrel',
  signature: SKIP,
  ...more,
});
const hidden = () => `${archive.origPath(SECURITY)}.hidden`;
const unserve = () => renameSync(archive.origPath(SECURITY), hidden());
const serve = () => existsSync(hidden()) && renameSync(hidden(), archive.origPath(SECURITY));

beforeAll(async () => {
  archive = new LocalDebianArchive('testrel', 'openssl');
  await archive.publish([MAIN, SECURITY]);
});
afterAll(() => archive.close());
beforeEach(() => {
  printed.length = 0;
  serve();
});

it('takes the newest release when the archive serves it', async () => {
  const lock = await resolveSource('openssl', spec('3.5'), context());
  expect(lock).toMatchObject({
    version: '3.5.10',
    debianVersion: SECURITY.debianVersion,
    sha256: archive.origSha256(SECURITY),
    debian: { release: 'testrel' },
  });
  expect(printed.join('\n')).not.toMatch(/not served/);
});

it('skips a newer release the index lists but the archive does not serve, says so, and fetches the one it locked', async () => {
  unserve();
  const ctx = context();
  const lock = await resolveSource('openssl', spec('3.5'), ctx);
  expect(lock).toMatchObject({
    version: '3.5.7',
    debianVersion: MAIN.debianVersion,
    sha256: archive.origSha256(MAIN),
    location: `openssl=${MAIN.debianVersion}`,
  });
  expect(printed).toContain(
    `[sources] 3.5.10 (${SECURITY.debianVersion}) listed by testrel-security is not served (404 Not Found); using 3.5.7 (${MAIN.debianVersion}) from testrel`,
  );
  // The lock the later stages meet is one whose tarball arrives: real apt-get source against the same archive.
  const fetched = await fetchSource(lock, ctx);
  expect(existsSync(fetched.archive!)).toBe(true);
  expect(existsSync(join(ctx.cacheDir, 'sha256', lock.sha256, lock.fileName!))).toBe(true);
  // The answers are kept with the index: a second resolution asks the archive nothing about the tarballs.
  const asked = archive.requests.filter((r) => r.startsWith('HEAD')).length;
  printed.length = 0;
  expect((await resolveSource('openssl', spec('3.5'), ctx)).version).toBe('3.5.7');
  expect(archive.requests.filter((r) => r.startsWith('HEAD')).length).toBe(asked);
});

it('never falls back from an exact version: it fails naming the version, the suites and what they list', async () => {
  unserve();
  await expect(resolveSource('openssl', spec('3.5.10'), context())).rejects.toThrow(
    new RegExp(
      `lists openssl 3\\.5\\.10, but serves none of its files: version "3\\.5\\.10" asks for exactly this release.*` +
        `What the suites asked \\(testrel, testrel-updates, testrel-security\\) list:\\n` +
        `  3\\.5\\.10 \\(3\\.5\\.10-1~deb13u1\\) in testrel-security: not served: 404 Not Found\\n` +
        `  3\\.5\\.7 \\(3\\.5\\.7-1~deb13u2\\) in testrel: not asked`,
      's',
    ),
  );
});

it('a locked upload the archive stops serving: the build says so and what to run; a cached tarball keeps working offline', async () => {
  const cached = context();
  const lock: SourceLock = await resolveSource('openssl', spec('3.5'), cached);
  expect(lock.version).toBe('3.5.10');
  await fetchSource(lock, cached);
  unserve();
  await expect(fetchSource(lock, context())).rejects.toThrow(
    /^Debian's archive no longer serves openssl_3\.5\.10\.orig\.tar\.gz of openssl 3\.5\.10-1~deb13u1 \(404 Not Found at http:\/\/127\.0\.0\.1:\d+\/debian-security\/pool\/updates\/main\/o\/openssl\/openssl_3\.5\.10\.orig\.tar\.gz\).*nx run <project>:sources --refresh/s,
  );
  // Offline: the archive gone entirely (this is the file's last test).
  await archive.close();
  const offline = await fetchSource(lock, cached);
  expect(existsSync(offline.archive!)).toBe(true);
});
