/**
 * Builds OpenSSL 3 with `enable-fips` from the source locked by the sources stage, and installs the
 * libraries, the `openssl` program and the FIPS provider into a relocatable prefix.
 * @title OpenSSL FIPS build
 */
export interface OpenSslBuildOptions {
  /**
   * The OpenSSL source lock written by the sources stage (`openssl.source.json`).
   * @format path
   */
  sourceLock: string;
  /**
   * A second source lock (`openssl-fips-provider.source.json`) from which only the FIPS provider is built, installed
   * beside the libraries built from `sourceLock`: a validated provider (3.0.8, 3.0.9, 3.1.2) with libraries from a
   * newer, supported 3.x release, as OpenSSL's FIPS guidance allows. The provider may not be newer than the libraries.
   * @format path
   */
  fipsProviderSourceLock?: string;
  /**
   * Where the installed prefix goes (`bin/`, `lib/`, `lib/ossl-modules/`, `include/`, `ssl/`).
   * @format path
   */
  outputPath: string;
  /**
   * Scratch directory for the unpacked source and objects. Default: `tmp/fipskit/<project>/openssl`.
   * @format path
   */
  buildDir?: string;
  /**
   * Platform the build is for. `auto` is this machine; another value only makes sense with `dryRun`.
   * @default "auto"
   */
  platform?: 'auto' | 'linux' | 'darwin' | 'win32';
  /** OpenSSL `Configure` target (e.g. `linux-x86_64`, `darwin64-arm64`, `VC-WIN64A`). Default: chosen for the platform and CPU. */
  configureTarget?: string;
  /**
   * Extra `Configure` arguments, appended after fipskit's own (e.g. `["no-idea"]`). Each item is one argument.
   * @default []
   */
  configureArgs?: string[];
  /**
   * Build OpenSSL's test programs (`no-tests` otherwise). Off by default: the product does not run them.
   * @default false
   */
  tests?: boolean;
  /**
   * Build OpenSSL's legacy provider module (`no-legacy` when false). Only the `recipe-compatible` profile activates
   * it; it is there for programs that load it themselves: distribution builds of pyca/cryptography (Debian 12's 38.x)
   * refuse to import without it. It is never part of the FIPS module.
   * @default true
   */
  legacyProvider?: boolean;
  /**
   * `targeted` builds only the shared libraries, the FIPS provider and the `openssl` program and installs them by copying
   * (POSIX only); `full` runs the complete `make` + `make install_sw install_ssldirs install_fips`.
   * Default: `targeted` on Linux and macOS, `full` on Windows.
   */
  scope?: 'targeted' | 'full';
  /**
   * Also install the manual pages (`install_docs`); slow and not needed to run anything.
   * @default false
   */
  installDocs?: boolean;
  /**
   * Parallel compile jobs. 0 means one per CPU core.
   * @default 0
   * @integer
   * @minimum 0
   */
  jobs?: number;
  /**
   * Print the exact ordered commands and file operations for the chosen platform, and run nothing.
   * @default false
   */
  dryRun?: boolean;
  /**
   * Source download cache. Default: `FIPSKIT_CACHE_DIR`, else the user's cache directory.
   * @format path
   */
  cacheDir?: string;
  /**
   * Variables the build's programs get, e.g. `{"CC": "clang", "CFLAGS": "-O2"}`. Nothing that changes a build is taken
   * from your environment (CC, CFLAGS, CPPFLAGS, LDLIBS, AR, CROSS_COMPILE … are left out with a warning): only what
   * locates the tools (PATH, HOME, TMPDIR; on Windows also the MSVC developer environment). What is set here is part
   * of the cache key and recorded in build-info.json.
   * @default {}
   */
  environment?: Record<string, string>;
  /**
   * Print every line of the tools' output as well as writing it to the log.
   * @default false
   */
  verbose?: boolean;
}
