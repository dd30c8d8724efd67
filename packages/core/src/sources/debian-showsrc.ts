import { compareDebianVersions } from './debian-version';

/** One file of a source package, as listed under `Checksums-Sha256:`. */
export interface SourcePackageFile {
  name: string;
  size: number;
  sha256: string;
}

/** One stanza of `apt-cache showsrc`: a source package version from the signed Sources index. */
export interface SourcePackageStanza {
  package: string;
  version: string;
  files: SourcePackageFile[];
}

/** A source package version that carries an upstream tarball (`openssl_3.0.22.orig.tar.gz`). */
export interface DebianRelease {
  package: string;
  debianVersion: string;
  upstreamVersion: string;
  orig: SourcePackageFile;
  /** The upstream signature `<orig>.asc`, when the package carries it. */
  signature?: SourcePackageFile;
}

/** Parses `apt-cache showsrc` output; apt's `W:`/`E:`/`N:` message lines mixed into it are ignored. */
export function parseShowSrc(text: string): SourcePackageStanza[] {
  const stanzas: SourcePackageStanza[] = [];
  for (const block of text.split(/\r?\n[ \t]*\r?\n/)) {
    const fields = stanzaFields(block);
    const pkg = fields.get('Package');
    const version = fields.get('Version');
    if (!pkg || !version) continue;
    stanzas.push({ package: pkg.trim(), version: version.trim(), files: checksumLines(fields.get('Checksums-Sha256') ?? '') });
  }
  return stanzas;
}

function stanzaFields(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  let key: string | undefined;
  for (const line of block.split(/\r?\n/)) {
    if (/^[WEN]: /.test(line)) continue;
    const continuation = /^[ \t]/.test(line);
    if (continuation && key) fields.set(key, `${fields.get(key)}\n${line.trim()}`);
    const match = continuation ? null : /^([A-Za-z0-9-]+):[ \t]*(.*)$/.exec(line);
    if (match) fields.set((key = match[1]), match[2]);
  }
  return fields;
}

function checksumLines(value: string): SourcePackageFile[] {
  return value
    .split('\n')
    .map((line) => /^([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ sha256: m[1], size: Number(m[2]), name: m[3] }));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The releases of one source package that carry an orig tarball, newest first. */
export function debianReleases(stanzas: SourcePackageStanza[], pkg: string): DebianRelease[] {
  const origName = new RegExp(`^${escapeRegExp(pkg)}_(.+)\\.orig\\.tar\\.(?:gz|xz)$`);
  const releases = new Map<string, DebianRelease>();
  for (const stanza of stanzas.filter((s) => s.package === pkg)) {
    const orig = stanza.files.find((f) => origName.test(f.name));
    if (!orig || releases.has(stanza.version)) continue;
    const upstreamVersion = origName.exec(orig.name)![1];
    const signature = stanza.files.find((f) => f.name === `${orig.name}.asc`);
    releases.set(stanza.version, { package: pkg, debianVersion: stanza.version, upstreamVersion, orig, signature });
  }
  return [...releases.values()].sort(newestFirst);
}

function newestFirst(a: DebianRelease, b: DebianRelease): number {
  return compareDebianVersions(b.upstreamVersion, a.upstreamVersion) || compareDebianVersions(b.debianVersion, a.debianVersion);
}

/** `3.0` matches 3.0.x (not 3.1.x, not 3.0 itself followed by other text); `3.0.22` only 3.0.22. */
export function matchesVersionPrefix(upstreamVersion: string, prefix: string | undefined): boolean {
  if (!prefix) return true;
  const wanted = prefix.split('.');
  const have = upstreamVersion.split('.');
  return wanted.every((part, i) => have[i] === part);
}

/** The newest upstream version matching `versionPrefix`, then its newest Debian revision. */
export function chooseDebianRelease(stanzas: SourcePackageStanza[], pkg: string, versionPrefix?: string): DebianRelease {
  const releases = debianReleases(stanzas, pkg);
  const chosen = releases.find((r) => matchesVersionPrefix(r.upstreamVersion, versionPrefix));
  if (chosen) return chosen;
  if (releases.length === 0) {
    throw new Error(
      `Debian's archive has no source package "${pkg}" with an upstream tarball in the suites searched. Check package (e.g. openssl, python3.11) and suites.`,
    );
  }
  const available = releases.map((r) => `${r.upstreamVersion} (${r.debianVersion})`).join(', ');
  throw new Error(
    `Debian's archive has no ${pkg} release whose upstream version matches "${versionPrefix}" in the suites searched; available: ${available}. ` +
      `Set version to one of these, or add the suite that carries the version you want to suites.`,
  );
}
