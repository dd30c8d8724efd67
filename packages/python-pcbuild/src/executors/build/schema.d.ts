/**
 * Builds Python's `_ssl` and `_hashlib` from the CPython source of exactly the interpreter's version against the
 * FIPS OpenSSL, and writes a launcher (`bin/python3`, `bin/python`) that runs the existing interpreter with those
 * modules first, the FIPS configuration, and Python's built-in hash fallbacks routed to OpenSSL. The installed
 * interpreter is never modified.
 * @title FIPS Python overlay
 */
export interface PythonBuildOptions {
  /**
   * `overlay`: the existing `interpreter` with rebuilt `_ssl`/`_hashlib` in front of it.
   * @default "overlay"
   */
  mode?: 'overlay';
  /**
   * The existing Python interpreter to put in FIPS mode (absolute path). Its version must equal the CPython source's.
   * @format path
   */
  interpreter: string;
  /**
   * The CPython source lock written by the sources stage (`cpython.source.json`).
   * @format path
   */
  sourceLock: string;
  /**
   * The OpenSSL prefix built by the openssl stage.
   * @format path
   */
  opensslPath: string;
  /**
   * The fips-config stage's output (openssl.cnf).
   * @format path
   */
  fipsConfigPath: string;
  /**
   * Where the launcher and modules go.
   * @format path
   */
  outputPath: string;
  /**
   * Scratch directory for the unpacked source and objects. Default: `tmp/fipskit/<project>/python`.
   * @format path
   */
  buildDir?: string;
  /**
   * Source download cache. Default: `FIPSKIT_CACHE_DIR`, else the user's cache directory.
   * @format path
   */
  cacheDir?: string;
  /**
   * Print every line of the tools' output as well as writing it to the log.
   * @default false
   */
  verbose?: boolean;
}
