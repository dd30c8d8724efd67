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
   * Restore even over files changed since the install; they are moved to `<backupDir>\\\\changed-after-install`, never deleted.
   * @default false
   */
  force?: boolean;
}
