/** Which upstream project a source tree is. Decides the Debian package name and how the version is read. */
export type SourceProduct = 'openssl' | 'cpython';

/** A release tarball or an unpacked source tree on this machine. */
export interface LocalSource {
  kind: 'local';
  /** Path to a `.tar.gz`/`.tgz`/`.tar.xz` tarball or an unpacked source directory (relative to the workspace root). */
  path: string;
  /** Expected SHA-256 of the tarball; checked when given. */
  sha256?: string;
}

/** An official release download, pinned by hash (the default real users get). */
export interface UrlSource {
  kind: 'url';
  /** https URL of the release tarball, e.g. https://www.openssl.org/source/openssl-3.0.9.tar.gz */
  url: string;
  /** The tarball's SHA-256 (64 hex digits), as published beside the release. */
  sha256: string;
}

/** The upstream tarball carried unchanged in a Debian source package, fetched with apt-get. */
export interface DebianSource {
  kind: 'debian';
  /** Source package; default `openssl`, or `python3.X` for CPython. */
  package?: string;
  /** Upstream version or prefix to pick (`3.0`, `3.0.22`); the newest match in the archive wins. Empty: newest. */
  version?: string;
  /** Debian suites to look in. */
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
  debian?: { suites?: string[]; mirror?: string };
  /** How the bytes were checked, in words an auditor understands. */
  verification: string;
}
