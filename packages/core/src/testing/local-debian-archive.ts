import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';

/** One source package version in a suite of the local archive. */
export interface LocalUpload {
  /** `3.5.7-1~deb13u2` */
  debianVersion: string;
  suite: string;
  /** `debian` (main archive) or `debian-security`, as Debian lays them out. */
  archive: 'debian' | 'debian-security';
}

/**
 * A small Debian-format archive made with Debian's own tools, on loopback: `.dsc` source packages whose Sources
 * indexes `apt-ftparchive` writes, Release files signed by a throw-away key with `gpg`, served by an HTTP server
 * that answers 404 for what is not on disk. A machine root (`etc/apt`, `etc/os-release`) points apt at it, with
 * the key as `signed-by`, so apt checks the index signature as it does against Debian's.
 */
export class LocalDebianArchive {
  readonly dir = mkdtempSync(join(tmpdir(), 'fipskit-local-archive-'));
  readonly root = join(this.dir, 'www');
  readonly systemRoot = join(this.dir, 'machine');
  readonly keyring = join(this.dir, 'archive-keyring.gpg');
  private readonly gnupgHome = join(this.dir, 'gnupg');
  /** Which suite lists which Debian version. */
  private readonly suiteOf = new Map<string, string>();
  private server?: Server;
  port = 0;
  /** Paths asked for, for assertions on what apt and fipskit requested. */
  readonly requests: string[] = [];

  constructor(
    readonly codename: string,
    readonly pkg: string,
  ) {}

  /** Writes the packages, indexes and signatures; starts the server; writes the machine root that uses it. */
  async publish(uploads: LocalUpload[]): Promise<void> {
    mkdirSync(this.gnupgHome, { recursive: true, mode: 0o700 });
    this.gpg(['--quick-gen-key', 'fipskit test archive <archive@fipskit.invalid>', 'ed25519', 'sign', 'never']);
    writeFileSync(this.keyring, execFileSync('gpg', ['--homedir', this.gnupgHome, '--export'], { stdio: ['ignore', 'pipe', 'ignore'] }));
    for (const upload of uploads) {
      this.suiteOf.set(upload.debianVersion, upload.suite);
      this.writeSourcePackage(upload);
    }
    const suites = [this.codename, `${this.codename}-updates`, `${this.codename}-security`];
    for (const suite of suites) this.writeSuite(suite.endsWith('-security') ? 'debian-security' : 'debian', suite);
    await this.listen();
    this.writeMachine();
  }

  /** The orig tarball of an upload (`openssl_3.5.7.orig.tar.gz`) in the archive's pool. */
  origPath(upload: LocalUpload): string {
    return join(this.root, upload.archive, this.poolDir(upload), `${this.pkg}_${upstreamOf(upload.debianVersion)}.orig.tar.gz`);
  }

  /** The bytes of an upload's orig tarball (its SHA-256 is what the index and the lock name). */
  origSha256(upload: LocalUpload): string {
    return createHash('sha256')
      .update(readFileSync(this.origPath(upload)))
      .digest('hex');
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private poolDir(upload: LocalUpload): string {
    return join('pool', upload.archive === 'debian-security' ? 'updates/main' : 'main', this.pkg[0], this.pkg);
  }

  private writeSourcePackage(upload: LocalUpload): void {
    const upstream = upstreamOf(upload.debianVersion);
    const dir = join(this.root, upload.archive, this.poolDir(upload));
    const work = mkdtempSync(join(this.dir, 'src-'));
    mkdirSync(join(work, `${this.pkg}-${upstream}`), { recursive: true });
    writeFileSync(join(work, `${this.pkg}-${upstream}`, 'VERSION.dat'), `${upstream}\n`);
    mkdirSync(join(work, 'debian'), { recursive: true });
    writeFileSync(join(work, 'debian', 'changelog'), `${this.pkg} (${upload.debianVersion}) ${upload.suite}; urgency=medium\n`);
    mkdirSync(dir, { recursive: true });
    const orig = `${this.pkg}_${upstream}.orig.tar.gz`;
    const debian = `${this.pkg}_${upload.debianVersion}.debian.tar.xz`;
    if (!existsSync(join(dir, orig))) execFileSync('tar', ['-C', work, '-czf', join(dir, orig), `${this.pkg}-${upstream}`]);
    execFileSync('tar', ['-C', work, '-cJf', join(dir, debian), 'debian']);
    const files = [orig, debian].map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
    const line = (algorithm: string) => files.map((f) => ` ${createHash(algorithm).update(f.bytes).digest('hex')} ${f.bytes.length} ${f.name}`).join('\n');
    writeFileSync(
      join(dir, `${this.pkg}_${upload.debianVersion}.dsc`),
      [
        'Format: 3.0 (quilt)',
        `Source: ${this.pkg}`,
        `Binary: ${this.pkg}`,
        'Architecture: any',
        `Version: ${upload.debianVersion}`,
        'Maintainer: fipskit test <test@fipskit.invalid>',
        'Checksums-Sha256:',
        line('sha256'),
        'Files:',
        line('md5'),
        '',
      ].join('\n'),
    );
  }

  /** `dists/<suite>/main/source/Sources` of the uploads in that suite, and its signed `InRelease`. */
  private writeSuite(archive: string, suite: string): void {
    const archiveRoot = join(this.root, archive);
    const dists = join(archiveRoot, 'dists', suite);
    mkdirSync(join(dists, 'main', 'source'), { recursive: true });
    const pool = join('pool', archive === 'debian-security' ? 'updates/main' : 'main');
    const all = existsSync(join(archiveRoot, pool))
      ? execFileSync('apt-ftparchive', ['sources', pool], { cwd: archiveRoot, stdio: ['ignore', 'pipe', 'ignore'] }).toString()
      : '';
    const inSuite = all
      .split(/\n\n+/)
      .filter((stanza) => stanza.trim() !== '')
      .filter((stanza) => this.suiteOf.get(/^Version: (.+)$/m.exec(stanza)?.[1] ?? '') === suite);
    writeFileSync(join(dists, 'main', 'source', 'Sources'), inSuite.map((s) => s.trim() + '\n').join('\n'));
    const release = execFileSync(
      'apt-ftparchive',
      [
        '-o',
        `APT::FTPArchive::Release::Suite=${suite}`,
        '-o',
        `APT::FTPArchive::Release::Codename=${suite}`,
        '-o',
        'APT::FTPArchive::Release::Components=main',
        '-o',
        'APT::FTPArchive::Release::Architectures=source',
        'release',
        '.',
      ],
      { cwd: dists, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    writeFileSync(join(dists, 'Release'), release);
    this.gpg(['--clearsign', '--output', join(dists, 'InRelease'), join(dists, 'Release')]);
  }

  private gpg(args: string[]): void {
    execFileSync('gpg', ['--homedir', this.gnupgHome, '--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { stdio: 'ignore' });
  }

  private listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      this.requests.push(`${req.method} ${path}`);
      const file = normalize(join(this.root, path));
      if (!file.startsWith(this.root + sep) || !existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        return;
      }
      res.writeHead(200, { 'content-length': statSync(file).size });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    });
    return new Promise((resolve) =>
      this.server!.listen(0, '127.0.0.1', () => {
        this.port = (this.server!.address() as AddressInfo).port;
        resolve();
      }),
    );
  }

  private writeMachine(): void {
    const base = `http://127.0.0.1:${this.port}`;
    const files: Record<string, string> = {
      'etc/os-release': `VERSION_CODENAME=${this.codename}\n`,
      'etc/apt/sources.list':
        `deb [signed-by=${this.keyring}] ${base}/debian ${this.codename} ${this.codename}-updates main\n` +
        `deb [signed-by=${this.keyring}] ${base}/debian-security ${this.codename}-security main\n`,
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.systemRoot, path)), { recursive: true });
      writeFileSync(join(this.systemRoot, path), text);
    }
  }
}

function upstreamOf(debianVersion: string): string {
  return debianVersion.replace(/^\d+:/, '').replace(/-[^-]+$/, '');
}
