import { isAbsolute, join } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { executorResult, pathsFor } from '@fipskit/core';
import { INSTALL_MANIFEST, restorePython } from '../build/lib/windows/install-into-python';
import { defaultBackupDir } from '../install/executor';
import { PythonRestoreOptions } from './schema';

export default async function pythonRestoreExecutor(
  options: PythonRestoreOptions,
  context: ExecutorContext,
  deps: { print?: (line: string) => void } = {},
): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  return executorResult('restore', print, async () => {
    if (!pathsFor('win32').isAbsolute(options.interpreter) && !isAbsolute(options.interpreter)) {
      throw new Error(`interpreter "${options.interpreter}" must be the absolute path of the python.exe the install changed.`);
    }
    const resolve = (p: string) => (isAbsolute(p) ? p : join(context.root, p));
    const pythonDir = pathsFor('win32').dirname(options.interpreter);
    const backupDir = options.backupDir ? resolve(options.backupDir) : defaultBackupDir(pythonDir);
    const result = restorePython(pythonDir, backupDir, { force: options.force ?? false });
    // A restore that runs after every install, as CI runs it, also runs after one that failed or never started.
    if (!result) {
      print(`[restore] nothing to restore: fipskit has not installed anything with the backup directory ${backupDir} (it holds no ${INSTALL_MANIFEST}); ${pythonDir} was left as it is`);
      return;
    }
    const say = (what: string, names: string[]) => names.length && print(`[restore] ${what}: ${names.join(', ')}`);
    say('original put back', result.restored);
    say('removed (fipskit had added it)', result.removed);
    say('already as before the install', result.unchanged);
    say(`changed after the install, moved to ${join(backupDir, 'changed-after-install')}`, result.keptAside);
    print(`[restore] ${pythonDir} is as it was before the install`);
  });
}
