/**
 * Creates an Nx project that builds a FIPS-enabled OpenSSL and configures it for this machine.
 * @title FIPS Python project
 */
export interface ProjectGeneratorOptions {
  /**
   * Project name.
   * @argv 0
   * @prompt What should the FIPS Python project be called?
   * @pattern ^[a-zA-Z][a-zA-Z0-9_-]*$
   */
  name: string;
  /** Directory of the project, relative to the workspace root. Default: the project name. */
  directory?: string;
  /**
   * Where the OpenSSL source comes from: `official` downloads the release tarball from openssl.org, pinned by SHA-256;
   * `debian` takes the upstream tarball from Debian's source packages through apt; `local` uses `opensslPath`.
   * Default: `official`; with `opensslProject`, that project's OpenSSL (leave this out).
   */
  opensslSource?: 'official' | 'debian' | 'local';
  /**
   * OpenSSL version. `official`: 3.0.8, 3.0.9 or 3.1.2 (validated FIPS providers, hashes pinned by fipskit) or any
   * other with `opensslSha256`; default 3.0.9. `debian`: a version or prefix, newest match wins; default 3.0.
   */
  opensslVersion?: string | number;
  /**
   * SHA-256 of the official tarball, required for a version fipskit has no pinned hash for.
   * @pattern ^[0-9a-f]{64}$
   */
  opensslSha256?: string;
  /** Path of a local OpenSSL tarball or source directory, for `opensslSource: local`. */
  opensslPath?: string;
  /**
   * FIPS configuration profile: `rhel-compatible` (fips, base and default providers; non-approved algorithms only
   * where code asks for them, e.g. Python's `usedforsecurity=False`), `strict` (fips + base only) or
   * `recipe-compatible` (also default and legacy). Default: `rhel-compatible`; with `opensslProject`, that project's
   * profile (leave this out).
   */
  profile?: 'strict' | 'rhel-compatible' | 'recipe-compatible';
  /**
   * The platform the project builds on: `auto` is the machine running the generator. `win32` builds the modules
   * with PCbuild and installs them into the interpreter (with backup, `restore` target); Linux and macOS use the
   * overlay launcher.
   * @default "auto"
   */
  platform?: 'auto' | 'linux' | 'darwin' | 'win32';
  /**
   * How the FIPS Python is made: `overlay` (Linux, macOS) rebuilds `_ssl`/`_hashlib` for an existing interpreter and
   * writes a launcher; `full` (Linux, macOS) builds a complete CPython of `pythonVersion`; `pcbuild` (Windows) builds
   * them with PCbuild and installs them into the interpreter. Default: the platform's (`overlay`, `pcbuild`).
   */
  mode?: 'overlay' | 'pcbuild' | 'full';
  /**
   * The existing interpreter to put in FIPS mode (absolute path). Default: `/usr/bin/python3` on Linux and macOS,
   * `C:\\Program Files\\Python311\\python.exe` on Windows. None with `mode: full`, which builds its own.
   */
  interpreter?: string;
  /**
   * Where the CPython source comes from (same choices as opensslSource). Its version must equal the interpreter's.
   * @default "official"
   */
  pythonSource?: 'official' | 'debian' | 'local';
  /** CPython version of the source. Default: asked of the interpreter. */
  pythonVersion?: string;
  /**
   * SHA-256 of the official CPython tarball, required for a version fipskit has no pinned hash for.
   * @pattern ^[0-9a-f]{64}$
   */
  pythonSha256?: string;
  /** Path of a local CPython tarball or source directory, for `pythonSource: local`. */
  pythonPath?: string;
  /** Where the stages write their outputs. Default: `dist/<name>`. */
  outputDir?: string;
  /**
   * Debian release to take the OpenSSL source from (e.g. `trixie` for 3.5), for `opensslSource: debian`: its main, updates
   * and security suites together, so the newest release the archive serves is taken. Not with `opensslSuites`.
   */
  opensslRelease?: string;
  /** Exactly these Debian suites to take the OpenSSL source from, for `opensslSource: debian`. Not with `opensslRelease`. */
  opensslSuites?: string[];
  /**
   * Build the FIPS provider alone from this OpenSSL release and install it beside the libraries of
   * `opensslVersion` (OpenSSL allows a validated provider with libraries of its own or a later 3.x release).
   * A validated release fipskit pins (3.1.2, whose certificate is active; 3.0.8, 3.0.9) comes from its official
   * tarball by its pinned SHA-256, whatever `opensslSource` is; another version from `fipsProviderSource`.
   */
  fipsProviderVersion?: string | number;
  /**
   * Where the FIPS provider's source comes from. Default: `official` for a release fipskit pins, else `opensslSource`.
   * `local` takes `fipsProviderPath`: the official tarball downloaded elsewhere, for a machine that cannot reach it.
   */
  fipsProviderSource?: 'official' | 'debian' | 'local';
  /** Path of the FIPS provider's OpenSSL tarball or source tree, for `fipsProviderSource: local`. */
  fipsProviderPath?: string;
  /** Debian release for the FIPS provider's source (main, updates and security suites), for `opensslSource: debian`. */
  fipsProviderRelease?: string;
  /** Exactly these Debian suites for the FIPS provider's source, for `opensslSource: debian`. */
  fipsProviderSuites?: string[];
  /**
   * An existing fipskit project whose OpenSSL and FIPS configuration this project's Python uses, instead of building
   * its own: one OpenSSL build feeding several Pythons, each its own Nx project (cache and `nx affected` per project).
   */
  opensslProject?: string;
}
