/**
 * Undoes the `install` executor: puts back every file it replaced in the Python's `DLLs\` and removes the files it
 * added, checking each against the SHA-256 recorded at install time. A file changed since the install (by the user or
 * another installer) stops the restore with nothing changed, unless `force`, which moves such files aside. With no install
 * recorded in the backup directory (the install never ran, or was restored already) it says so and changes nothing.
 * @title Restore a Windows Python
 */
export interface PythonRestoreOptions {
  /**
   * The installed Python's `python.exe` that the install changed.
   * @format path
   */
  interpreter: string;
  /**
   * The install's backup directory. Default: the one install uses for that Python, in the user's data directory.
   * @format path
   */
  backupDir?: string;
  /**
   * The python stage's output. With opensslPath, it tells restore every path the install may have written, so a record
   * naming any other path is refused; without them restore keeps to the Python's `DLLs\\`, its zip slot and the files of
   * fipskit's compiled-in OpenSSL directories.
   * @format path
   */
  pythonPath?: string;
  /**
   * The openssl stage's output (its `build-info.json` names the compiled-in directories).
   * @format path
   */
  opensslPath?: string;
  /**
   * Restore even over files changed since the install; they are moved to `<backupDir>\\\\changed-after-install`, never deleted.
   * @default false
   */
  force?: boolean;
}
