/**
 * Makes a Python that runs on the FIPS OpenSSL. `overlay`: builds `_ssl` and `_hashlib` from the CPython source of
 * exactly the existing interpreter's version and writes a launcher (`bin/python3`, `bin/python`) that runs that
 * interpreter with them first; the installed interpreter is never modified. `full`: builds and installs a complete
 * CPython linked to the FIPS OpenSSL. Both route Python's built-in hash modules to OpenSSL and set the FIPS
 * configuration in the launcher. `pcbuild` (Windows): builds `_ssl.pyd` and `_hashlib.pyd` with CPython's PCbuild
 * for an installed Python, into `outputPath\DLLs` with the OpenSSL DLLs they import; the `install` executor puts
 * them into that Python.
 * @title FIPS Python
 */
export interface PythonBuildOptions {
  /**
   * `overlay`: the existing `interpreter` with rebuilt `_ssl`/`_hashlib` in front of it (seconds).
   * `full`: a complete CPython built from the source against the FIPS OpenSSL (minutes), installed into outputPath.
   * `pcbuild` (Windows): the two modules built with PCbuild for the installed `interpreter`.
   * Default: `overlay` on Linux and macOS, `pcbuild` on Windows.
   */
  mode?: 'overlay' | 'full' | 'pcbuild';
  /**
   * `overlay` and `pcbuild`: the existing Python interpreter to put in FIPS mode (absolute path; on Windows its
   * `python.exe`, e.g. `C:\\Program Files\\Python311\\python.exe`). Its version must equal the CPython source's.
   * @format path
   */
  interpreter?: string;
  /**
   * `pcbuild` only: `import-library` links the modules against the installed Python's `libs\\python3XY.lib`
   * (nothing of pythoncore is compiled); `full-core` builds pythoncore too, for a Python installed without its
   * development files. Default: `import-library`.
   */
  route?: 'import-library' | 'full-core';
  /**
   * Platform the build is for. `auto` is this machine; another value only makes sense with `dryRun`.
   * Default mode per platform: `overlay` on Linux and macOS, `pcbuild` on Windows.
   * @default "auto"
   */
  platform?: 'auto' | 'linux' | 'darwin' | 'win32';
  /**
   * Print the exact ordered commands and file operations for the chosen platform, and build nothing. For a
   * Windows plan the real PCbuild files of the locked CPython source are read.
   * @default false
   */
  dryRun?: boolean;
  /**
   * `full` only: parallel compile jobs. 0 means one per CPU core.
   * @default 0
   * @integer
   * @minimum 0
   */
  jobs?: number;
  /**
   * `full` only: also build and install CPython's own regression tests (the `test` package and the C test modules
   * such as `_testcapi`), so that `python -m test` runs on the FIPS Python, as a distribution's separate test
   * package allows. Off by default: a Python that ships does not carry them.
   * @default false
   */
  testSuite?: boolean;
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
   * Variables the build's programs get, e.g. `{"CC": "clang"}`. Nothing that changes a build is taken from your
   * environment (CC, CFLAGS, CPPFLAGS, LDFLAGS, LIBS … are left out with a warning): only what locates the tools
   * (PATH, HOME, TMPDIR; on Windows also the MSVC developer environment). What is set here is part of the cache key.
   * @default {}
   */
  environment?: Record<string, string>;
  /**
   * Print every line of the tools' output as well as writing it to the log.
   * @default false
   */
  verbose?: boolean;
}
