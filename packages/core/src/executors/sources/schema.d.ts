import type { SourceSpec } from '../../sources/source-spec';

/**
 * Resolves each source to an exact upstream version and SHA-256, and writes one lock file per product
 * (`openssl.source.json`, `cpython.source.json`). The build stages hash these locks, so a new upstream
 * release in the archive is a cache miss and an unchanged one is a hit. Nothing is compiled here.
 * @title Source resolution
 */
export interface SourcesOptions {
  /**
   * Where the OpenSSL source comes from: a local tarball or directory, an official URL with its SHA-256, or a Debian
   * source package. Absent in a Python project that uses another project's OpenSSL.
   */
  openssl?: SourceSpec;
  /**
   * A second OpenSSL source from which only the FIPS provider is built (`openssl-fips-provider.source.json`), e.g. a
   * validated 3.0.9 provider beside libraries from a newer 3.x release, as OpenSSL's FIPS guidance allows.
   */
  fipsProvider?: SourceSpec;
  /** Where the CPython source comes from (same forms as openssl). */
  python?: SourceSpec;
  /**
   * Directory for the lock files.
   * @format path
   */
  outputPath: string;
  /**
   * Source download cache. Default: `FIPSKIT_CACHE_DIR`, else the user's cache directory.
   * @format path
   */
  cacheDir?: string;
  /**
   * Ask Debian's archive for its source index now (`--refresh`), instead of using the one fetched within
   * `indexMaxAgeHours`. Offline, the index fetched before is used either way, with a warning saying how old it is.
   * @default false
   */
  refresh?: boolean;
  /**
   * Hours after which Debian's source index is fetched again: a newer Debian release reaches the locks (a cache
   * miss) at most this long after it is published.
   * @default 24
   * @minimum 0
   */
  indexMaxAgeHours?: number;
}
