/**
 * Puts a Windows python stage's output (`_ssl.pyd`, `_hashlib.pyd` and the OpenSSL DLLs they import) into the
 * installed Python's `DLLs\`, the recipe's step 13. Every file replaced is kept first, with its SHA-256, in
 * `backupDir`; the `restore` executor puts the originals back. Not cached: it changes the machine.
 * @title Install into a Windows Python
 */
export interface PythonInstallOptions {
  /**
   * The python stage's output (holds `DLLs\\` and `fipskit-python.json`).
   * @format path
   */
  pythonPath: string;
  /**
   * The installed Python's `python.exe` (e.g. `C:\\\\Program Files\\\\Python311\\\\python.exe`): the one the modules were built for.
   * @format path
   */
  interpreter: string;
  /**
   * The openssl stage's output: its `openssl.exe` runs fipsinstall on this machine, and its `fips.dll`, this machine's
   * `fipsmodule.cnf` and an `openssl.cnf` carrying it are installed into the directories the build compiled in
   * (OPENSSLDIR, MODULESDIR), where python.exe started with no fipskit variable finds them.
   * @format path
   */
  opensslPath: string;
  /**
   * The FIPS configuration profile of the installed `openssl.cnf` (the fips-config stage's).
   * @default "rhel-compatible"
   */
  profile?: 'strict' | 'rhel-compatible' | 'recipe-compatible';
  /**
   * Where the originals and the install record are kept: outside the Python, and outside Nx outputs (a cache
   * restore replaces those) and outside the workspace (`git clean -fdX`), restricted to Administrators and SYSTEM by the
   * install. Default: one directory per Python in `%ProgramData%\\fipskit\\install-backups\\<Python dir>-<hash>`.
   * @format path
   */
  backupDir?: string;
  /**
   * Platform the install is for. `auto` is this machine; another value only makes sense with `dryRun`.
   * @default "auto"
   */
  platform?: 'auto' | 'win32';
  /**
   * Print the exact steps and change nothing.
   * @default false
   */
  dryRun?: boolean;
}
