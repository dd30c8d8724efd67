import { existsSync, readFileSync } from 'node:fs';
import * as hostPaths from 'node:path';
import { isAbsolute, join } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { BUILD_INFO_FILE, DEFAULT_FIPS_PROFILE, compiledInDirectories, executorResult, pathsFor, readBuildInfo } from '@fipskit/core';
import { PYTHON_MANIFEST } from '../../stage/manifest';
import { INSTALL_MANIFEST, restorePython } from '../../install/install-into-python';
import { windowsInstallFiles } from '../../install/install-plan';
import { defaultBackupDir, legacyBackupDir } from '../install/executor';
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
    let backupDir = options.backupDir ? resolve(options.backupDir) : defaultBackupDir(pythonDir);
    // An install by an earlier fipskit is recorded in the user's data directory: restored from there, its record checked as any.
    if (
      !options.backupDir &&
      process.platform === 'win32' &&
      !existsSync(join(backupDir, INSTALL_MANIFEST)) &&
      existsSync(join(legacyBackupDir(pythonDir), INSTALL_MANIFEST))
    ) {
      backupDir = legacyBackupDir(pythonDir);
      print(`[restore] the install was recorded by an earlier fipskit in ${backupDir}`);
    }
    const destinations = installDestinations(resolve, pythonDir, options);
    const result = restorePython(pythonDir, backupDir, { force: options.force ?? false, destinations });
    if (result && !destinations)
      print('[restore] without the python and openssl stage outputs, the record was checked against the paths any fipskit install writes');
    // A restore that runs after every install, as CI runs it, also runs after one that failed or never started.
    if (!result) {
      print(
        `[restore] nothing to restore: fipskit has not installed anything with the backup directory ${backupDir} (it holds no ${INSTALL_MANIFEST}); ${pythonDir} was left as it is`,
      );
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

/** Every path an install of this build writes, from the stage outputs (never from the install's record); undefined without them. */
export function installDestinations(
  resolve: (path: string) => string,
  pythonDir: string,
  options: Pick<PythonRestoreOptions, 'pythonPath' | 'opensslPath'>,
): string[] | undefined {
  if (!options.pythonPath || !options.opensslPath) return undefined;
  const builtDir = resolve(options.pythonPath);
  const prefix = resolve(options.opensslPath);
  if (!existsSync(join(builtDir, PYTHON_MANIFEST)) || !existsSync(join(prefix, BUILD_INFO_FILE))) return undefined;
  const manifest = JSON.parse(readFileSync(join(builtDir, PYTHON_MANIFEST), 'utf8')) as { install?: Record<string, string> };
  if (!manifest.install) return undefined;
  const compiledIn = compiledInDirectories(readBuildInfo(prefix));
  const input = {
    builtDir,
    files: Object.keys(manifest.install),
    sourceVersion: '',
    pythonDir,
    backupDir: '',
    openssl: { prefix, opensslDir: compiledIn.opensslDir, modulesDir: compiledIn.modulesDir },
    profile: DEFAULT_FIPS_PROFILE,
    workDir: '',
  };
  return windowsInstallFiles(input, hostPaths).map((file) => file.dest);
}
