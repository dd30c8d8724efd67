/**
 * Points the workspace's fipskit projects of one platform at another installed Python: every target option that
 * names the python target's interpreter (python, install, restore, verify) and the python stage's toolchain input.
 * For CI runners, whose Python is installed at a path known only when the job runs (actions/setup-python).
 * @title Set the interpreter
 */
export interface SetInterpreterGeneratorOptions {
  /**
   * The installed Python's interpreter, as an absolute path (Windows: its `python.exe`).
   */
  interpreter: string;
  /**
   * The projects changed: the fipskit projects tagged `platform:<platform>` that put an installed interpreter in FIPS
   * mode (projects that build their own CPython are left alone).
   */
  platform: 'linux' | 'darwin' | 'win32';
}
