import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command, ProcessRunner } from '../process/command';
import { ProcessError } from '../process/process-error';
import { RecordingRunner } from '../process/recording-runner';
import { ToolRunner } from '../process/tool-runner';
import { checkDebianLock, debianIndexUse, debianLock, fetchDebianTarball, findDebianRelease, planDebianSources, privateApt } from './debian-archive';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const TARBALL = 'pretend openssl 3.0.22 release';
const SIGNATURE = 'pretend signature';
const KEY = '[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]';

/** The shape of real `apt-cache showsrc openssl` output (see __fixtures__), with hashes of the pretend files. */
const SHOWSRC = [
  'Package: openssl',
  'Version: 3.0.22-1~deb12u2',
  'Checksums-Sha256:',
  ` ${sha('dsc')} 3 openssl_3.0.22-1~deb12u2.dsc`,
  ` ${sha(TARBALL)} ${TARBALL.length} openssl_3.0.22.orig.tar.gz`,
  ` ${sha(SIGNATURE)} ${SIGNATURE.length} openssl_3.0.22.orig.tar.gz.asc`,
  '',
  'Package: openssl',
  'Version: 3.0.17-1~deb12u2',
  'Checksums-Sha256:',
  ` ${sha('old')} 3 openssl_3.0.17.orig.tar.gz`,
  '',
];

function fakeMachine(): string {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-machine-'));
  const files: Record<string, string> = {
    'etc/os-release': 'VERSION_CODENAME=bookworm\n',
    'etc/apt/sources.list.d/debian.sources':
      'Types: deb\nURIs: http://deb.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' +
      'Types: deb\nURIs: http://deb.example/debian-security\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const isShowSrc = (c: Command) => c.program === 'apt-cache' && c.args.includes('showsrc');
const isMadison = (c: Command) => c.program === 'apt-cache' && c.args.includes('madison');
const isPrintUris = (c: Command) => c.args.includes('--print-uris');
const isSource = (c: Command) => c.args.includes('source') && !isPrintUris(c);

/** What `apt-get source --print-uris <package>=<version>` prints for the pretend releases. */
function printUris(c: Command): string[] {
  const wanted = c.args[c.args.length - 1];
  const base = wanted.includes('deb12u2') ? 'http://deb.example/debian-security/pool/updates/main/o/openssl' : 'http://deb.example/debian/pool/main/o/openssl';
  const upstream = /=(\d+\.\d+\.\d+)/.exec(wanted)![1];
  return [`'${base}/openssl_${upstream}.orig.tar.gz' openssl_${upstream}.orig.tar.gz 30 SHA256:${sha('x')}`];
}

function aptRunner(sourceResponse: { exitCode: number; files: Record<string, string>; output?: string[] }): RecordingRunner {
  const uris: string[] = [];
  return new RecordingRunner()
    .respond(isShowSrc, { output: SHOWSRC })
    .respond(isMadison, {
      output: [
        '   openssl | 3.0.22-1~deb12u2 | http://deb.example/debian-security bookworm-security/main Sources',
        '   openssl | 3.0.17-1~deb12u2 | http://deb.example/debian bookworm/main Sources',
      ],
    })
    .respond(isPrintUris, { effect: (c) => void uris.splice(0, uris.length, ...printUris(c)), output: uris })
    .respond(isSource, {
      exitCode: sourceResponse.exitCode,
      output: sourceResponse.output,
      effect: (c) => Object.entries(sourceResponse.files).forEach(([name, text]) => writeFileSync(join(c.cwd, name), text)),
    });
}

describe('debian archive through a private apt configuration', () => {
  let cacheDir: string;
  let systemRoot: string;
  /** The archive serves every file (tests of the fallback answer otherwise). */
  const probe = async () => ({ status: 200 });
  beforeEach(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'fipskit-debian-'));
    systemRoot = fakeMachine();
  });

  it('runs apt-get update and apt-cache showsrc on private state only, and picks the newest match', async () => {
    const runner = aptRunner({ exitCode: 0, files: {} });
    const { release, aptSources } = await findDebianRelease('openssl', { kind: 'debian', version: '3.0' }, { cacheDir, runner, systemRoot, probe });
    const apt = privateApt(cacheDir, aptSources);
    const options = [
      '-o',
      `Dir::Etc::SourceList=${apt.sourcesList}`,
      '-o',
      `Dir::Etc::SourceParts=${apt.sourceParts}`,
      '-o',
      `Dir::State::Lists=${apt.lists}`,
      '-o',
      `Dir::Cache=${apt.cache}`,
      '-o',
      'Debug::NoLocking=1',
    ];
    expect(runner.argv()).toEqual([
      // No retries and a bounded wait: offline, apt must not keep a build waiting.
      ['apt-get', ...options, '-o', 'Acquire::Retries=0', '-o', 'Acquire::http::Timeout=15', '-o', 'Acquire::https::Timeout=15', 'update'],
      ['apt-cache', ...options, 'showsrc', 'openssl'],
      // Is the newest match served? apt names the URL it would fetch; the archive is asked for that file alone.
      ['apt-get', ...options, 'source', '--print-uris', '--only-source', 'openssl=3.0.22-1~deb12u2'],
    ]);
    expect(runner.commands.every((c) => c.env?.LC_ALL === 'C' && c.cwd === apt.dir)).toBe(true);
    expect(aptSources).toEqual([
      `deb-src ${KEY} http://deb.example/debian bookworm main`,
      `deb-src ${KEY} http://deb.example/debian bookworm-updates main`,
      `deb-src ${KEY} http://deb.example/debian-security bookworm-security main`,
    ]);
    expect(readFileSync(apt.sourcesList, 'utf8')).toContain(aptSources.join('\n'));
    expect(readdirSync(apt.sourceParts)).toEqual([]);
    expect(existsSync(apt.lock)).toBe(false);
    expect(release).toMatchObject({ debianVersion: '3.0.22-1~deb12u2', upstreamVersion: '3.0.22' });
  });

  it('writes a lock that says where the hash came from', async () => {
    const runner = aptRunner({ exitCode: 0, files: {} });
    const { release, debian } = await findDebianRelease('openssl', { kind: 'debian', suites: ['bookworm'] }, { cacheDir, runner, systemRoot, probe });
    const lock = debianLock('openssl', release, debian);
    expect(lock).toMatchObject({
      product: 'openssl',
      version: '3.0.22',
      origin: 'debian',
      sha256: sha(TARBALL),
      fileName: 'openssl_3.0.22.orig.tar.gz',
      location: 'openssl=3.0.22-1~deb12u2',
      debianVersion: '3.0.22-1~deb12u2',
      debian: { suites: ['bookworm'] },
    });
    expect(lock.verification).toMatch(
      /^SHA-256 from Debian's signed Sources index, obtained by apt.*upstream OpenSSL release tarball carried unchanged.*openssl_3\.0\.22\.orig\.tar\.gz\.asc is kept beside it/,
    );
  });

  it('accepts apt-get source failing on the .dsc when the orig tarball arrived with the indexed hash, and keeps the .asc', async () => {
    const runner = aptRunner({
      exitCode: 100,
      output: ['E: Failed to fetch http://deb.example/debian-security/pool/updates/main/o/openssl/openssl_3.0.22-1%7edeb12u2.dsc  404  Not Found'],
      files: { 'openssl_3.0.22.orig.tar.gz': TARBALL, 'openssl_3.0.22.orig.tar.gz.asc': SIGNATURE },
    });
    const ctx = { cacheDir, runner, systemRoot, probe };
    const lock = debianLock('openssl', (await findDebianRelease('openssl', { kind: 'debian' }, ctx)).release, {});
    runner.commands.length = 0;
    const fetched = await fetchDebianTarball(lock, ctx);
    expect(fetched.archive).toBe(join(cacheDir, 'sha256', sha(TARBALL), 'openssl_3.0.22.orig.tar.gz'));
    expect(fetched.signature).toBe(join(cacheDir, 'sha256', sha(TARBALL), 'openssl_3.0.22.orig.tar.gz.asc'));
    expect(readFileSync(fetched.archive, 'utf8')).toBe(TARBALL);
    const source = runner.commands.find(isSource)!;
    expect(source.args.slice(-4)).toEqual(['source', '--download-only', '--only-source', 'openssl=3.0.22-1~deb12u2']);
    expect(existsSync(source.cwd)).toBe(false);

    runner.commands.length = 0;
    expect(await fetchDebianTarball(lock, ctx)).toEqual(fetched);
    expect(runner.commands).toEqual([]);
  });

  it("refuses a tarball whose hash is not the index's, and reports apt's output when none arrived", async () => {
    const ctx = { cacheDir, systemRoot, probe, runner: aptRunner({ exitCode: 0, files: {} }) };
    const lock = debianLock('openssl', (await findDebianRelease('openssl', { kind: 'debian' }, ctx)).release, {});
    const corrupt = { ...ctx, runner: aptRunner({ exitCode: 0, files: { 'openssl_3.0.22.orig.tar.gz': 'tampered' } }) };
    await expect(fetchDebianTarball(lock, corrupt)).rejects.toThrow(/^Checksum mismatch for openssl_3\.0\.22\.orig\.tar\.gz/);
    const nothing = { ...ctx, runner: aptRunner({ exitCode: 100, files: {}, output: ['E: Unable to find a source package'] }) };
    await expect(fetchDebianTarball(lock, nothing)).rejects.toThrow(
      /did not deliver openssl_3\.0\.22\.orig\.tar\.gz \(exit code 100\)[\s\S]*Unable to find a source package/,
    );
    expect(readdirSync(join(cacheDir, 'tmp')).filter((n) => n.startsWith('apt-source-'))).toEqual([]);
  });

  it('tells to resolve again when Debian has dropped the locked version', async () => {
    const ctx = { cacheDir, systemRoot, probe, runner: aptRunner({ exitCode: 0, files: {} }) };
    const lock = {
      ...debianLock('openssl', (await findDebianRelease('openssl', { kind: 'debian' }, ctx)).release, {}),
      debianVersion: '3.0.21-1',
      location: 'openssl=3.0.21-1',
    };
    await expect(fetchDebianTarball(lock, ctx)).rejects.toThrow(/no longer lists openssl=3\.0\.21-1.*Run the sources stage again with --refresh/);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    [
      'a package name apt would read as an option',
      { fileName: '-oAPT::Get::AllowUnauthenticated=1_3.0.22.orig.tar.gz' },
      /fileName "-oAPT::Get::AllowUnauthenticated=1_3\.0\.22\.orig\.tar\.gz" does not start with a Debian source package name/,
    ],
    [
      'a package name in capitals',
      { fileName: 'OpenSSL_3.0.22.orig.tar.gz' },
      /fileName "OpenSSL_3\.0\.22\.orig\.tar\.gz" does not start with a Debian source package name/,
    ],
    ['a one-letter package name', { fileName: 'o_3.0.22.orig.tar.gz' }, /does not start with a Debian source package name/],
    [
      'a file name without a package name',
      { fileName: 'openssl-3.0.22.tar.gz' },
      /fileName "openssl-3\.0\.22\.tar\.gz" does not start with a Debian source package name and "_"/,
    ],
    [
      'a version with a space and an option',
      { debianVersion: '3.0.22-1 -oDebug::NoLocking=0' },
      /debianVersion "3\.0\.22-1 -oDebug::NoLocking=0" is not a Debian version/,
    ],
    ['a version that starts with a dash', { debianVersion: '-3.0.22-1' }, /debianVersion "-3\.0\.22-1" is not a Debian version/],
    ['a version with a newline', { debianVersion: '3.0.22-1\nPackage: x' }, /debianVersion "3\.0\.22-1\\nPackage: x" is not a Debian version/],
  ])('refuses a tampered lock (%s), naming the lock file, before apt runs', async (_name, tampered, message) => {
    const ctx = { cacheDir, systemRoot, probe, runner: aptRunner({ exitCode: 0, files: {} }) };
    const lock = { ...debianLock('openssl', (await findDebianRelease('openssl', { kind: 'debian' }, ctx)).release, {}), ...tampered };
    const runner = aptRunner({ exitCode: 0, files: { 'openssl_3.0.22.orig.tar.gz': TARBALL } });
    await expect(fetchDebianTarball(lock, { ...ctx, runner })).rejects.toThrow(
      new RegExp(
        `^The source lock openssl\\.source\\.json is not one the sources stage writes: .*${message.source}.*Nothing was run\\. Run the sources stage again`,
      ),
    );
    expect(runner.commands).toEqual([]);
    expect(() => checkDebianLock(lock, '/ws/dist/p/sources/openssl.source.json')).toThrow(
      /^The source lock \/ws\/dist\/p\/sources\/openssl\.source\.json is not one/,
    );
  });

  it.each(['3.0.22-1~deb12u2', '1:3.0.22-1', '3.11.2-6+deb12u8', '3.0.22', '2.0-rc1-1', '1.1.1w-0+deb11u1'])(
    'accepts the Debian version %s',
    (debianVersion) => {
      expect(
        checkDebianLock(
          {
            ...debianLock('openssl', {
              package: 'openssl',
              debianVersion,
              upstreamVersion: '3.0.22',
              orig: { name: 'openssl_3.0.22.orig.tar.gz', sha256: 'a'.repeat(64), size: 1 },
            }),
            debianVersion,
          },
          'l',
        ),
      ).toEqual({
        package: 'openssl',
        debianVersion,
      });
    },
  );

  it.each<[string, Parameters<typeof findDebianRelease>, RegExp]>([
    ['CPython without package', ['cpython', { kind: 'debian' }, {} as never], /CPython needs package.*"python3\.11"/],
    ['a version that is no version', ['openssl', { kind: 'debian', version: 'latest' }, {} as never], /"latest" is not an upstream version.*"3\.0"/],
    ['a mirror that is no URL', ['openssl', { kind: 'debian', mirror: 'deb.example' }, {} as never], /mirror "deb\.example" is not an http\(s\) URL/],
    ['a suite with spaces', ['openssl', { kind: 'debian', suites: ['bookworm main'] }, {} as never], /"bookworm main" is not a Debian suite name/],
  ])('refuses %s before running apt', async (_name, [product, spec], message) => {
    const runner = new RecordingRunner();
    await expect(findDebianRelease(product, spec, { cacheDir, runner, systemRoot, probe })).rejects.toThrow(message);
    expect(runner.commands).toEqual([]);
  });

  it('asks a newer release from the URI of the machine release', async () => {
    const runner = aptRunner({ exitCode: 0, files: {} });
    await findDebianRelease('openssl', { kind: 'debian', suites: ['trixie'] }, { cacheDir, runner, systemRoot, probe });
    const trixie = planDebianSources({ kind: 'debian', suites: ['trixie'] }, systemRoot);
    expect(readFileSync(privateApt(cacheDir, trixie).sourcesList, 'utf8')).toContain(`deb-src ${KEY} http://deb.example/debian trixie main\n`);
  });

  describe('an index that names a release the archive does not serve', () => {
    const notServing = (missing: string) => async (url: string) => ({ status: url.endsWith(missing) ? 404 : 200 });

    it('takes the newest match the archive serves, and says which newer one it skipped and why', async () => {
      const lines: string[] = [];
      const ctx = {
        cacheDir,
        systemRoot,
        runner: aptRunner({ exitCode: 0, files: {} }),
        probe: notServing('openssl_3.0.22.orig.tar.gz'),
        print: (l: string) => lines.push(l),
      };
      const { release } = await findDebianRelease('openssl', { kind: 'debian', version: '3.0' }, ctx);
      expect(release).toMatchObject({ upstreamVersion: '3.0.17', debianVersion: '3.0.17-1~deb12u2' });
      expect(lines).toContainEqual(
        '[sources] 3.0.22 (3.0.22-1~deb12u2) listed by bookworm-security is not served (404 Not Found); using 3.0.17 (3.0.17-1~deb12u2) from bookworm',
      );
    });

    it('never falls back from an exact version: names it, the suites asked and what they list', async () => {
      const ctx = { cacheDir, systemRoot, runner: aptRunner({ exitCode: 0, files: {} }), probe: notServing('openssl_3.0.22.orig.tar.gz') };
      const error = await findDebianRelease('openssl', { kind: 'debian', version: '3.0.22', release: 'bookworm' }, ctx).catch((e: Error) => e);
      expect(String(error)).toMatch(
        /lists openssl 3\.0\.22, but serves none of its files: version "3\.0\.22" asks for exactly this release, so fipskit does not fall back/,
      );
      expect(String(error)).toContain('What the suites asked (bookworm, bookworm-updates, bookworm-security) list:');
      expect(String(error)).toContain('  3.0.22 (3.0.22-1~deb12u2) in bookworm-security: not served: 404 Not Found');
      expect(String(error)).toContain('  3.0.17 (3.0.17-1~deb12u2) in bookworm: not asked');
      expect(String(error)).toMatch(/--refresh.*or to a prefix \(e\.g\. "3\.0"\)/);
    });

    it('takes the newest listed, with a warning, when the archive cannot be asked (a 404 alone means "not served")', async () => {
      const lines: string[] = [];
      const probe = async () => ({ why: 'connect ECONNREFUSED 127.0.0.1:3128' });
      const ctx = { cacheDir, systemRoot, runner: aptRunner({ exitCode: 0, files: {} }), probe, print: (l: string) => lines.push(l) };
      expect((await findDebianRelease('openssl', { kind: 'debian', version: '3.0' }, ctx)).release.upstreamVersion).toBe('3.0.22');
      expect(lines.join('\n')).toMatch(/warning: could not ask Debian's archive whether it serves openssl_3\.0\.22\.orig\.tar\.gz \(connect ECONNREFUSED/);
      const status503 = { ...ctx, probe: async () => ({ status: 503 }) };
      expect((await findDebianRelease('openssl', { kind: 'debian', version: '3.0' }, status503)).release.upstreamVersion).toBe('3.0.22');
    });

    it('asks the archive once per fetch of the index, and not at all for a tarball already in the source cache', async () => {
      const asked: string[] = [];
      const probe = async (url: string) => (asked.push(url), { status: url.includes('3.0.22') ? 404 : 200 });
      const now = () => Date.parse('2026-12-07T10:00:00Z');
      const ctx = () => ({ cacheDir, systemRoot, runner: aptRunner({ exitCode: 0, files: {} }), probe, now });
      await findDebianRelease('openssl', { kind: 'debian', version: '3.0' }, ctx());
      expect(asked).toHaveLength(2);
      // A second run on the same index: the answers are remembered, no request.
      expect((await findDebianRelease('openssl', { kind: 'debian', version: '3.0' }, ctx())).release.upstreamVersion).toBe('3.0.17');
      expect(asked).toHaveLength(2);
      // With the newest tarball in the content cache, it is served by definition (and works offline).
      const cached = join(cacheDir, 'sha256', sha(TARBALL), 'openssl_3.0.22.orig.tar.gz');
      mkdirSync(dirname(cached), { recursive: true });
      writeFileSync(cached, TARBALL);
      expect((await findDebianRelease('openssl', { kind: 'debian', version: '3.0' }, ctx())).release.upstreamVersion).toBe('3.0.22');
      expect(asked).toHaveLength(2);
    });

    it('debianIndexUse: reused only while the resolution would ask nobody, under a state that changes with everything that changes its answer', async () => {
      const probe = async (url: string) => ({ status: url.includes('3.0.22') ? 404 : 200 });
      let clock = Date.parse('2026-12-07T10:00:00Z');
      const runner = aptRunner({ exitCode: 0, files: {} });
      const ctx = () => ({ cacheDir, systemRoot, runner, probe, now: () => clock });
      const spec = { kind: 'debian' as const, version: '3.0' };
      expect(debianIndexUse(spec, ctx())).toEqual({ reused: false, why: expect.stringMatching(/^no index for these sources yet/) });
      expect((await findDebianRelease('openssl', spec, ctx())).release.upstreamVersion).toBe('3.0.17');
      clock += 3600_000;
      const first = debianIndexUse(spec, ctx());
      if (!first.reused) throw new Error(first.why);
      // Used as it is, the index gives the same answer without apt-get update.
      const updates = () => runner.commands.filter((c) => c.args.includes('update')).length;
      const before = updates();
      expect((await findDebianRelease('openssl', spec, ctx())).release.upstreamVersion).toBe('3.0.17');
      expect(updates()).toBe(before);
      expect(debianIndexUse(spec, ctx())).toEqual(first);
      // The newest tarball in the content cache changes the answer (it is served by definition): the state changes too.
      const cached = join(cacheDir, 'sha256', sha(TARBALL), 'openssl_3.0.22.orig.tar.gz');
      mkdirSync(dirname(cached), { recursive: true });
      writeFileSync(cached, TARBALL);
      expect((await findDebianRelease('openssl', spec, ctx())).release.upstreamVersion).toBe('3.0.22');
      const second = debianIndexUse(spec, ctx());
      expect(second.reused && second.state).not.toBe(first.reused && first.state);
      // Other suites have no index yet; a refresh or an index past its age asks the archive.
      expect(debianIndexUse({ kind: 'debian', suites: ['trixie'] }, ctx()).reused).toBe(false);
      expect(debianIndexUse(spec, { ...ctx(), index: { refresh: true } })).toEqual({ reused: false, why: 'a refresh is asked' });
      expect(debianIndexUse(spec, { ...ctx(), index: { maxAgeHours: 0.5 } })).toEqual({ reused: false, why: 'the index is older than 0.5 h' });
      clock += 24 * 3600_000;
      expect(debianIndexUse(spec, ctx())).toEqual({ reused: false, why: 'the index is older than 24 h' });
    });

    it("says that a locked upload is no longer served, and what to run, instead of apt's transcript", async () => {
      const ctx = { cacheDir, systemRoot, probe, runner: aptRunner({ exitCode: 0, files: {} }) };
      const lock = debianLock('openssl', (await findDebianRelease('openssl', { kind: 'debian' }, ctx)).release, {});
      const purged = aptRunner({
        exitCode: 100,
        files: {},
        output: [
          'Err:2 http://deb.example/debian-security bookworm-security/main openssl 3.0.22-1~deb12u2 (tar)',
          '  404  Not Found [IP: 192.0.2.1 80]',
          'E: Failed to fetch http://deb.example/debian-security/pool/updates/main/o/openssl/openssl_3.0.22.orig.tar.gz.asc  404  Not Found [IP: 192.0.2.1 80]',
          'E: Failed to fetch http://deb.example/debian-security/pool/updates/main/o/openssl/openssl_3.0.22.orig.tar.gz  404  Not Found [IP: 192.0.2.1 80]',
          'E: Failed to fetch some archives.',
        ],
      });
      await expect(fetchDebianTarball(lock, { ...ctx, runner: purged })).rejects.toThrow(
        /^Debian's archive no longer serves openssl_3\.0\.22\.orig\.tar\.gz of openssl 3\.0\.22-1~deb12u2 \(404 Not Found at http:\/\/deb\.example\/debian-security\/pool\/updates\/main\/o\/openssl\/openssl_3\.0\.22\.orig\.tar\.gz\).*Run the sources stage again with --refresh/,
      );
    });

    it('expands a release to its main, updates and security suites, and refuses a release beside suites', () => {
      expect(planDebianSources({ kind: 'debian', release: 'trixie' }, systemRoot)).toEqual([
        `deb-src ${KEY} http://deb.example/debian trixie main`,
        `deb-src ${KEY} http://deb.example/debian trixie-updates main`,
        `deb-src ${KEY} http://deb.example/debian-security trixie-security main`,
      ]);
      expect(planDebianSources({ kind: 'debian', release: 'sid' }, systemRoot)).toEqual([`deb-src ${KEY} http://deb.example/debian sid main`]);
      expect(() => planDebianSources({ kind: 'debian', release: 'trixie', suites: ['trixie'] }, systemRoot)).toThrow(
        /names both release "trixie" and suites \["trixie"\]\. Keep one/,
      );
      expect(() => planDebianSources({ kind: 'debian', release: 'Trixie 13' }, systemRoot)).toThrow(/release "Trixie 13" is not a Debian release codename/);
    });
  });

  it('says what to use instead where apt does not exist', async () => {
    const noApt: ProcessRunner = { run: async (command) => Promise.reject(new ProcessError(command, null, ['spawn apt-get ENOENT'])) };
    await expect(findDebianRelease('openssl', { kind: 'debian' }, { cacheDir, runner: noApt, systemRoot })).rejects.toThrow(
      /apt-get could not be started: the debian source kind needs a Debian or Ubuntu machine with apt\. Elsewhere use kind "url"/,
    );
  });
});

describe("Debian's source index: fetched once, used offline, never a silent wait", () => {
  let cacheDir: string;
  let systemRoot: string;
  let printed: string[];
  const HOUR = 3600 * 1000;
  const start = Date.parse('2026-12-01T08:00:00Z');
  beforeEach(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'fipskit-index-'));
    systemRoot = fakeMachine();
    printed = [];
  });
  const updates = (runner: RecordingRunner) => runner.commands.filter((c) => c.args.includes('update')).length;
  const resolve = (runner: ProcessRunner, at: number, index = {}) =>
    findDebianRelease('openssl', { kind: 'debian', version: '3.0' }, { cacheDir, runner, systemRoot, index, now: () => at, print: (l) => printed.push(l) });
  /** An apt whose update cannot reach the archive: it keeps the old index and exits 0, as apt-get 2.6 does. */
  const offline = () =>
    new RecordingRunner().respond(isShowSrc, { output: SHOWSRC }).respond((c) => c.args.includes('update'), {
      output: [
        'Err:1 http://deb.example/debian bookworm InRelease',
        '  Could not connect to deb.example:80',
        'W: Failed to fetch http://deb.example/debian/dists/bookworm/InRelease  Could not connect to deb.example:80',
      ],
    });

  it('says it is asking the archive before apt starts, then uses that index until it is a day old', async () => {
    const runner = aptRunner({ exitCode: 0, files: {} });
    await resolve(runner, start);
    expect(printed[0]).toMatch(/^\[sources\] asking Debian's archive for its current source index \(apt-get update; no retries/);
    expect(updates(runner)).toBe(1);
    const later = aptRunner({ exitCode: 0, files: {} });
    await resolve(later, start + 5 * HOUR);
    expect(updates(later)).toBe(0);
    expect(printed).toContain("[sources] using Debian's source index fetched 5 h ago (fetched again after 24 h, or now with --refresh)");
    const nextDay = aptRunner({ exitCode: 0, files: {} });
    await resolve(nextDay, start + 25 * HOUR);
    expect(updates(nextDay)).toBe(1);
  });

  it('--refresh asks now; another sources.list (suites, mirror) is another index', async () => {
    await resolve(aptRunner({ exitCode: 0, files: {} }), start);
    const refreshed = aptRunner({ exitCode: 0, files: {} });
    await resolve(refreshed, start + HOUR, { refresh: true });
    expect(updates(refreshed)).toBe(1);
    const trixie = aptRunner({ exitCode: 0, files: {} });
    await findDebianRelease('openssl', { kind: 'debian', suites: ['trixie'] }, { cacheDir, runner: trixie, systemRoot, now: () => start + 2 * HOUR });
    expect(updates(trixie)).toBe(1);
  });

  it('offline with an index from before: resolves from it, saying how old it is and what it cannot see', async () => {
    await resolve(aptRunner({ exitCode: 0, files: {} }), start);
    const runner = offline();
    const { release } = await resolve(runner, start + 30 * HOUR);
    expect(release.debianVersion).toBe('3.0.22-1~deb12u2');
    expect(printed).toContain(
      "[sources] warning: Debian's archive did not answer (Err:1 http://deb.example/debian bookworm InRelease): resolving from the index fetched 30 h ago. " +
        'A release Debian published since then is not seen; run again with --refresh when online.',
    );
  });

  it('offline with no index: stops before asking apt-cache, saying what to do', async () => {
    const runner = offline();
    await expect(resolve(runner, start)).rejects.toThrow(
      "Debian's archive did not answer (Err:1 http://deb.example/debian bookworm InRelease), and fipskit has no source index for these sources from an earlier run. " +
        'Connect to the network (or set mirror to a Debian mirror this machine reaches) and run again',
    );
    expect(runner.commands.some(isShowSrc)).toBe(false);
  });

  (existsSync('/usr/bin/apt-get') ? it : it.skip)(
    'real apt-get with the archive unreachable: fails at once, without retries, and says so',
    async () => {
      const saved = process.env.http_proxy;
      process.env.http_proxy = 'http://127.0.0.1:9';
      try {
        await expect(resolve(new ToolRunner(), Date.now())).rejects.toThrow(
          /^Debian's archive did not answer \((Err:1 http:\/\/deb\.example\/debian bookworm InRelease|Failed to fetch .*)\), and fipskit has no source index/,
        );
      } finally {
        if (saved === undefined) delete process.env.http_proxy;
        else process.env.http_proxy = saved;
      }
    },
    60_000,
  );
});
