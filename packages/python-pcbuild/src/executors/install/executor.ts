import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import * as pathFunctions from 'node:path';
import { isAbsolute, join, posix, win32 } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import {
  BUILD_INFO_FILE,
  DEFAULT_FIPS_PROFILE,
  ToolRunner,
  ProcessRunner,
  StageLog,
  TargetPlatform,
  compiledInDirectories,
  executePlan,
  executorResult,
  hostPlatform,
  pathsFor,
  readBuildInfo,
  renderPlan,
  sha256File,
} from '@fipskit/core';
import { PYTHON_MANIFEST } from '../../stage/manifest';
import { WindowsInstallInput, buildWindowsInstallPlan, windowsInstallTasks } from '../../install/install-plan';
import { PythonInstallOptions } from './schema';

export interface InstallDeps {
  runner?: ProcessRunner;
  print?: (line: string) => void;
  host?: TargetPlatform;
}

interface PcbuildManifest {
  mode: string;
  source: { version: string };
  openssl: { version: string };
  install?: Record<string, string>;
}

/**
 * Where the originals of an installed Python are kept unless backupDir says otherwise: outside the Python, outside
 * Nx outputs (a cache restore replaces those) and outside every workspace (`git clean -fdX` empties ignored
 * directories), one per Python: every workspace that installs into that Python finds the record of an earlier install
 * there. On Windows in `%ProgramData%\fipskit\install-backups`, which the install restricts to administrators:
 * install and restore run elevated and copy what is kept there into the Python.
 */
export function defaultBackupDir(
  pythonDir: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const base =
    platform === 'win32'
      ? win32.join(env.ProgramData || env.PROGRAMDATA || 'C:\\ProgramData', 'fipskit', 'install-backups')
      : posix.join(env.XDG_DATA_HOME || posix.join(home, '.local', 'share'), 'fipskit', 'install-backups');
  return backupDirUnder(base, pythonDir, platform);
}

/** Where earlier fipskit releases kept them on Windows: the user's own data directory, writable without elevation. */
export function legacyBackupDir(pythonDir: string, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return backupDirUnder(win32.join(env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local'), 'fipskit', 'install-backups'), pythonDir, 'win32');
}

function backupDirUnder(base: string, pythonDir: string, platform: NodeJS.Platform): string {
  const paths = platform === 'win32' ? win32 : posix;
  const normalized = paths.resolve(pythonDir).replace(/[\\/]+$/, '');
  const key = createHash('sha256')
    .update(platform === 'win32' ? normalized.toLowerCase() : normalized)
    .digest('hex')
    .slice(0, 16);
  return paths.join(base, `${paths.basename(normalized)}-${key}`);
}

function readPcbuildOutput(pythonPath: string): PcbuildManifest & { install: Record<string, string> } {
  const file = join(pythonPath, PYTHON_MANIFEST);
  if (!existsSync(file)) throw new Error(`${file} does not exist: pythonPath must be the output of the python stage (mode "pcbuild"); run it first.`);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as PcbuildManifest;
  if (manifest.mode !== 'pcbuild' || !manifest.install) {
    throw new Error(
      `${pythonPath} was built in mode "${manifest.mode}": only a "pcbuild" (Windows) build is installed into a Python. An overlay is used through its launcher.`,
    );
  }
  return manifest as PcbuildManifest & { install: Record<string, string> };
}

/** The built files must be the bytes the python stage recorded (a damaged cache entry is never installed). */
async function assertBuiltFilesIntact(pythonPath: string, install: Record<string, string>): Promise<void> {
  for (const [path, expected] of Object.entries(install)) {
    const file = join(pythonPath, ...path.split('/'));
    const actual = existsSync(file) ? await sha256File(file) : 'missing';
    if (actual !== expected) {
      throw new Error(
        `${file} is not the file the python stage built (SHA-256 ${actual}, recorded ${expected}): rebuild it with nx run <project>:python --skip-nx-cache. Nothing was installed.`,
      );
    }
  }
}

export default async function pythonInstallExecutor(
  options: PythonInstallOptions,
  context: ExecutorContext,
  deps: InstallDeps = {},
): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  return executorResult('install', print, async () => {
    const host = deps.host ?? hostPlatform();
    const platform = !options.platform || options.platform === 'auto' ? host : options.platform;
    const dryRun = options.dryRun ?? false;
    if (platform !== 'win32') {
      throw new Error(
        'install puts .pyd files into an installed Windows Python. On Linux and macOS the python stage makes a FIPS Python of its own (bin/python3) and no Python is changed.',
      );
    }
    if (host !== 'win32' && !dryRun)
      throw new Error('This machine is not Windows: use --dryRun to see the install steps, or run on the Windows machine of that Python.');
    if (!pathsFor('win32').isAbsolute(options.interpreter)) {
      throw new Error(`interpreter "${options.interpreter}" must be the absolute path of python.exe (e.g. C:\\Program Files\\Python311\\python.exe).`);
    }
    const resolve = (p: string) => (isAbsolute(p) ? p : join(context.root, p));
    if (options.backupDir) {
      const inside = pathFunctions.relative(context.root, resolve(options.backupDir));
      if (!inside.startsWith('..') && !isAbsolute(inside)) {
        throw new Error(
          `backupDir ${options.backupDir} is inside the workspace, where git clean -fdX or a fresh checkout would take the Python's originals with it: ` +
            'leave backupDir out (the default is outside every workspace) or name a directory outside it. Nothing was installed.',
        );
      }
    }
    const builtDir = resolve(options.pythonPath);
    const manifest = readPcbuildOutput(builtDir);
    const opensslPrefix = resolve(options.opensslPath);
    // A plan shown before the openssl stage ran takes the directories fipskit's build compiles in.
    const built = existsSync(join(opensslPrefix, BUILD_INFO_FILE)) || !dryRun;
    const compiledIn = compiledInDirectories(
      built
        ? readBuildInfo(opensslPrefix)
        : { platform: 'win32', version: manifest.openssl.version, configure: { target: 'VC-WIN64A', arguments: [], scope: 'full' } },
    );
    const projectDir = join(context.root, 'tmp', 'fipskit', context.projectName ?? 'python');
    const input: WindowsInstallInput = {
      builtDir,
      files: Object.keys(manifest.install),
      sourceVersion: manifest.source.version,
      pythonDir: pathsFor('win32').dirname(options.interpreter),
      backupDir: options.backupDir ? resolve(options.backupDir) : defaultBackupDir(pathsFor('win32').dirname(options.interpreter)),
      openssl: { prefix: opensslPrefix, opensslDir: compiledIn.opensslDir, modulesDir: compiledIn.modulesDir },
      profile: options.profile ?? DEFAULT_FIPS_PROFILE,
      workDir: join(projectDir, 'install-fips-configuration'),
      ...(dryRun ? { parentEnv: { PATH: '%PATH%' } } : {}),
    };
    if (dryRun) {
      print(renderPlan(buildWindowsInstallPlan(input)));
      return;
    }
    await assertBuiltFilesIntact(builtDir, manifest.install);
    const legacy = legacyBackupDir(input.pythonDir);
    if (!options.backupDir && process.platform === 'win32' && existsSync(join(legacy, 'fipskit-python-install.json'))) {
      throw new Error(
        `An install into ${input.pythonDir} by an earlier fipskit is recorded in ${legacy}: run nx run ${context.projectName}:restore first (it reads that record), then install again.`,
      );
    }
    const runner = deps.runner ?? new ToolRunner();
    const plan = buildWindowsInstallPlan(input, windowsInstallTasks(input, runner), pathFunctions);
    const log = new StageLog('install', join(projectDir, 'install.log'), plan.steps.length, print);
    await executePlan(plan, runner, log);
    log.info(`installed; the originals are in ${input.backupDir} (nx run ${context.projectName}:restore puts them back)`);
  });
}
