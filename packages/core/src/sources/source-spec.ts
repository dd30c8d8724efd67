/** Which upstream project a source tree is. Decides the Debian package name and how the version is read. */
export type SourceProduct = 'openssl' | 'cpython';

/**
 * How the upstream release signature (the detached `.asc` beside the tarball) is checked against the
 * release keys fipskit pins. A signature that does not match, or that no trusted key made, always stops the build.
 */
export interface SignaturePolicy {
  /**
   * `required` (OpenSSL's default): the build stops when there is no signature to check.
   * `if-present` (CPython's default): checked when the release has one; its absence is recorded.
   * `skip`: not checked; `reason` is required and goes into the evidence.
   */
  check?: 'required' | 'if-present' | 'skip';
  /** Why the check is skipped (with check "skip"); printed in the auditor report. */
  reason?: string;
  /** The `.asc` file: a URL for the url kind (default `<url>.asc`), a workspace path for a local tarball (default `<path>.asc`). */
  location?: string;
  /**
   * Workspace path of an armored file with more public keys, e.g. OpenSSL's pubkeys.asc. A key in it is used
   * only when its primary fingerprint is one fipskit pins for the product or one listed in `trust`.
   */
  keys?: string;
  /** Primary key fingerprints (40 hex digits) trusted in addition to the release keys fipskit pins. */
  trust?: string[];
}

/** A release tarball or an unpacked source tree on this machine. */
export interface LocalSource {
  /** How the upstream release signature is checked. */
  signature?: SignaturePolicy;
  kind: 'local';
  /** Path to a `.tar.gz`/`.tgz`/`.tar.xz` tarball or an unpacked source directory (relative to the workspace root). */
  path: string;
  /** Expected SHA-256 of the tarball; checked when given. */
  sha256?: string;
}

/** An official release download, pinned by hash (the default real users get). */
export interface UrlSource {
  /** How the upstream release signature is checked. */
  signature?: SignaturePolicy;
  kind: 'url';
  /** https URL of the release tarball, e.g. https://www.openssl.org/source/openssl-3.0.9.tar.gz */
  url: string;
  /** The tarball's SHA-256 (64 hex digits), as published beside the release. */
  sha256: string;
}

/** The upstream tarball carried unchanged in a Debian source package, fetched with apt-get. */
export interface DebianSource {
  /** How the upstream release signature is checked. */
  signature?: SignaturePolicy;
  kind: 'debian';
  /** Source package; default `openssl`, or `python3.X` for CPython. */
  package?: string;
  /** Upstream version or prefix to pick (`3.0`, `3.0.22`); the newest match in the archive wins. Empty: newest. */
  version?: string;
  /**
   * A Debian release codename (`trixie`): its main, updates and security suites are searched together, so when the
   * newest upload's files are not served yet (or any more) the newest one that is served is taken. Not with `suites`.
   */
  release?: string;
  /** Debian suites to look in, exactly these (default: the machine's own). Not with `release`. */
  suites?: string[];
  /** Archive mirror base URL. */
  mirror?: string;
}

export type SourceSpec = LocalSource | UrlSource | DebianSource;

/**
 * What a source spec resolved to: written by the `sources` stage as `<product>.source.json`,
 * hashed by Nx as an input of the build stages, so a new upstream version is a cache miss.
 */
export interface SourceLock {
  product: SourceProduct;
  /** Upstream version, e.g. `3.0.22`. */
  version: string;
  origin: SourceSpec['kind'];
  /** SHA-256 of the tarball, or of the directory's content for an unpacked local tree. */
  sha256: string;
  /** Tarball file name, e.g. `openssl-3.0.22.tar.gz`. Absent for a directory. */
  fileName?: string;
  /** Where the tarball comes from: a URL, a Debian package version, or a local path. */
  location: string;
  /** Debian package version (`3.0.22-1~deb12u2`) for Debian sources. */
  debianVersion?: string;
  /**
   * Debian sources: the suites and mirror the project asked for (not the machine's mirror URLs), so
   * the lock — a cache input — is the same on every machine, and `fetchSource` asks this machine's
   * archive for the same package version.
   */
  debian?: { release?: string; suites?: string[]; mirror?: string };
  /** How the bytes were checked, in words an auditor understands. */
  verification: string;
  /** The signature policy, normalised: absent in locks written before signatures were checked (the product's default applies). */
  signature?: LockedSignaturePolicy;
}

export interface LockedSignaturePolicy {
  check: 'required' | 'if-present' | 'skip';
  reason?: string;
  /** A URL, or a workspace-relative path with `/`. */
  location?: string;
  /** The extra key file and its SHA-256, so changing it is a new lock (and a cache miss). */
  keys?: { path: string; sha256: string };
  /** Upper-case fingerprints. */
  trust?: string[];
}
