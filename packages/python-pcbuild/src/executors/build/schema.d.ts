/**
 * Makes a Python that runs on the FIPS OpenSSL. `overlay`: builds `_ssl` and `_hashlib` from the CPython source of
 * exactly the existing interpreter's version and writes a launcher (`bin/python3`, `bin/python`) that runs that
 * interpreter with them first; the installed interpreter is never modified. `full`: builds and installs a complete
 * CPython linked to the FIPS OpenSSL. Both route Python's built-in hash modules to OpenSSL and set the FIPS
 * configuration in the launcher.
 * @title FIPS Python
 */
export interface PythonBuildOptions {
  /**
   * `overlay`: the existing `interpreter` with rebuilt `_ssl`/`_hashlib` in front of it (seconds).
   * `full`: a complete CPython built from the source against the FIPS OpenSSL (minutes), installed into outputPath.
   * @default "overlay"
   */
  mode?: 'overlay' | 'full';
  /**
   * `overlay` only: the existing Python interpreter to put in FIPS mode (absolute path). Its version must equal the
   * CPython source's.
   * @format path
   */
  interpreter?: string;
  /**
   * `full` only: parallel compile jobs. 0 means one per CPU core.
   * @default 0
   * @integer
   * @minimum 0
   */
  jobs?: number;
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
