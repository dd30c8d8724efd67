/**
 * The whole pipeline as it would run on a machine of `platform` — OpenSSL build, fips-config, the Python
 * stage and (Windows) the install with backup — as exact ordered commands (program, arguments, working
 * directory, environment changes) and file operations, with nothing built. Works on any host: a Windows plan
 * made on Linux reads the real PCbuild files of the locked CPython source. Writes `plan.txt`, `plan.json` and
 * every file the stages would write (under `files/`) into outputPath for inspection.
 * @title Plan
 */
export interface PlanOptions {
  /**
   * The platform to plan for. Default: this machine's.
   */
  platform?: 'linux' | 'darwin' | 'win32';
  /**
   * The interpreter the Python stage targets on that platform (Windows: its python.exe). Default: the python
   * target's own when it fits the platform, else a python.org install of the locked CPython version.
   * @format path
   */
  interpreter?: string;
  /**
   * Where the plan goes. Default: `dist/<project>/plan/<platform>`.
   * @format path
   */
  outputPath?: string;
}
