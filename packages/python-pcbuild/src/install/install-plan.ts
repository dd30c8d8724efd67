import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as hostPaths from 'node:path';
import {
  BuildPlan,
  Command,
  EMPTY_CONF_CONTENT,
  FipsInstallPaths,
  FipsProfile,
  PlanStep,
  ProcessRunner,
  fipsInstallCommand,
  fipsInstallVerifyCommand,
  pathsFor,
  providerIsActive,
  providerListCommand,
  readFipsSection,
  renderOpenSslCnf,
} from '@fipskit/core';
import { INSTALL_MANIFEST, InstallFile, ORIGINALS_DIR, assertPythonMatchesSource, installIntoPython } from './install-into-python';

const win = pathsFor('win32');

/** Putting a python stage's output into an installed Python (the recipe's step 13), in FIPS mode however python.exe is started. */
export interface WindowsInstallInput {
  /** The python stage's output. */
  builtDir: string;
  /** Its files to install, by their place in it and in the Python (`DLLs/_ssl.pyd`, `python311.zip`). */
  files: string[];
  sourceVersion: string;
  pythonDir: string;
  /** Outside pythonDir: originals of replaced files and the install manifest. */
  backupDir: string;
  /** The openssl stage's output (openssl.exe runs fipsinstall here; its fips.dll is installed) and the directories it compiled in. */
  openssl: { prefix: string; opensslDir: string; modulesDir: string };
  profile: FipsProfile;
  /** Where this machine's fipsinstall output and openssl.cnf are made before they are installed. */
  workDir: string;
  /** The search path the openssl runs extend (a plan shows `%PATH%`). */
  parentEnv?: NodeJS.ProcessEnv;
}

/** In-process steps; plans made for display get no-ops. */
export interface WindowsInstallTasks {
  checkPython?: () => Promise<void>;
  writeConfiguration?: () => Promise<void>;
  install?: () => Promise<void>;
  checkCompiledInConfiguration?: () => Promise<void>;
}

/** What a python.exe started with no fipskit variable must show after the install; it exits non-zero otherwise. */
export const INSTALLED_PYTHON_PROBE = [
  'import _hashlib, hashlib, ssl',
  'assert _hashlib.get_fips_mode() == 1, "not in FIPS mode: default properties are not fips=yes"',
  'try:',
  '    hashlib.md5(b"x")',
  'except ValueError:',
  '    pass',
  'else:',
  '    raise SystemExit("hashlib.md5() works: not in FIPS mode")',
  'print(ssl.OPENSSL_VERSION, "FIPS mode, MD5 refused")',
].join('\n');

/** Variables that would hand a process a FIPS setup (or another one) the install must prove it does not need. */
const WITHOUT_FIPSKIT_VARIABLES = {
  OPENSSL_CONF: undefined,
  OPENSSL_MODULES: undefined,
  OPENSSL_CONF_INCLUDE: undefined,
  PYTHONPATH: undefined,
  PYTHONHOME: undefined,
};

/** Path functions: a plan shows Windows paths on any machine; running, it uses this machine's own (Windows' on Windows). */
export type Paths = Pick<typeof win, 'join'>;

function prefixPaths(input: WindowsInstallInput, paths: Paths = win): Omit<FipsInstallPaths, 'emptyConf'> {
  const binDir = paths.join(input.openssl.prefix, 'bin');
  const modulesDir = paths.join(input.openssl.prefix, 'lib', 'ossl-modules');
  return {
    openssl: paths.join(binDir, 'openssl.exe'),
    module: paths.join(modulesDir, 'fips.dll'),
    modulesDir,
    libDir: paths.join(input.openssl.prefix, 'lib'),
    binDir,
  };
}

/**
 * Every file the install puts in place: the python stage's files into the Python, and into the directories
 * the OpenSSL build compiled in — `fips.dll` into MODULESDIR, this machine's `fipsmodule.cnf` and the
 * `openssl.cnf` carrying its section into OPENSSLDIR — where any process using this OpenSSL without
 * OPENSSL_CONF / OPENSSL_MODULES finds them.
 */
export function windowsInstallFiles(input: WindowsInstallInput, paths: Paths = win): InstallFile[] {
  const fromBuild = input.files.map((path) => ({
    source: paths.join(input.builtDir, ...path.split('/')),
    dest: paths.join(input.pythonDir, ...path.split('/')),
  }));
  return [
    ...fromBuild,
    { source: prefixPaths(input, paths).module, dest: paths.join(input.openssl.modulesDir, 'fips.dll') },
    { source: paths.join(input.workDir, 'fipsmodule.cnf'), dest: paths.join(input.openssl.opensslDir, 'fipsmodule.cnf') },
    { source: paths.join(input.workDir, 'openssl.cnf'), dest: paths.join(input.openssl.opensslDir, 'openssl.cnf') },
  ];
}

/**
 * The recipe's step 13 with a way back, and FIPS mode for every python.exe start: fipsinstall runs on this
 * machine, each file replaced is kept first, the files go in, then OpenSSL and python.exe, started with none
 * of fipskit's variables, must be in FIPS mode.
 */
export function buildWindowsInstallPlan(input: WindowsInstallInput, tasks: WindowsInstallTasks = {}, pathFunctions: Paths = win): BuildPlan {
  const noop = async () => undefined;
  const join = pathFunctions.join;
  const pythonExe = join(input.pythonDir, 'python.exe');
  const emptyConf = join(input.workDir, 'empty.cnf');
  const paths: FipsInstallPaths = { ...prefixPaths(input, pathFunctions), emptyConf };
  const context = { platform: 'win32' as const, parentEnv: input.parentEnv };
  const settings = { securityChecks: true };
  const moduleCnf = join(input.workDir, 'fipsmodule.cnf');
  const run = (command: ReturnType<typeof fipsInstallCommand>): PlanStep => ({ kind: 'run', title: command.title!, command });
  const files = windowsInstallFiles(input, pathFunctions);
  const compiledInCheck = providerListCommand(paths, context, undefined, input.workDir);
  const importTitle = "python.exe, started with none of fipskit's variables, is in FIPS mode";
  return {
    stage: 'install',
    platform: 'win32',
    steps: [
      {
        kind: 'task',
        key: 'check-python',
        title: `Check ${input.pythonDir}`,
        detail: `must be an x64 Python ${input.sourceVersion}, the version the modules were built from`,
        perform: tasks.checkPython ?? noop,
      },
      {
        kind: 'files',
        title: 'Start from an empty configuration',
        operations: [
          { op: 'mkdir', to: input.workDir },
          { op: 'write', to: emptyConf, content: EMPTY_CONF_CONTENT },
        ],
      },
      run({ ...fipsInstallCommand(paths, context, moduleCnf, input.workDir, settings), title: 'openssl fipsinstall on this machine (self-tests, module MAC)' }),
      run(fipsInstallVerifyCommand(paths, context, moduleCnf, input.workDir, settings)),
      {
        kind: 'task',
        key: 'write-configuration',
        title: `Write openssl.cnf (profile ${input.profile}) with this machine's FIPS module section`,
        detail: `into ${join(input.workDir, 'openssl.cnf')}, from ${moduleCnf}`,
        perform: tasks.writeConfiguration ?? noop,
      },
      {
        kind: 'task',
        key: 'install',
        title: `Install into ${input.pythonDir} and OpenSSL's compiled-in directories`,
        detail:
          files.map((file) => `${file.dest} (from ${file.source})`).join('; ') +
          `; each file replaced is first kept in ${join(input.backupDir, ORIGINALS_DIR)} and recorded with its SHA-256 (and that of what replaces it) ` +
          `in ${join(input.backupDir, INSTALL_MANIFEST)}, which restore uses`,
        perform: tasks.install ?? noop,
      },
      {
        kind: 'task',
        key: 'check-compiled-in',
        title: `openssl list -providers with no OPENSSL_CONF or OPENSSL_MODULES: the compiled-in ${input.openssl.opensslDir} activates the FIPS provider`,
        detail: `${compiledInCheck.program} ${compiledInCheck.args.join(' ')}`,
        perform: tasks.checkCompiledInConfiguration ?? noop,
      },
      // -I: nothing from the environment or the current directory decides which modules are imported.
      {
        kind: 'run',
        title: importTitle,
        command: { title: importTitle, program: pythonExe, args: ['-I', '-c', INSTALLED_PYTHON_PROBE], cwd: input.pythonDir, env: WITHOUT_FIPSKIT_VARIABLES },
      },
    ],
  };
}

const ADMINISTRATORS = '*S-1-5-32-544';
const LOCAL_SYSTEM = '*S-1-5-18';
const USERS = '*S-1-5-32-545';

/**
 * The directory directly under this machine's Program Files that holds OpenSSL's compiled-in directories
 * (`C:\Program Files\fipskit`): what the install makes administrators' own before it writes the configuration every
 * python.exe reads. Compiled-in directories outside this machine's Program Files (a system drive other than C:, where
 * `C:\Program Files` is an ordinary folder any user may create first) are refused, naming the fix.
 */
export function compiledInRoot(openssl: { opensslDir: string; modulesDir: string }, programFiles: string | undefined): string {
  const dirs = [openssl.opensslDir, openssl.modulesDir];
  const base = programFiles ? win.normalize(programFiles).replace(/\\+$/, '') : undefined;
  const roots = dirs.map((dir) => {
    if (!base) return undefined;
    const rel = win.relative(base, dir);
    return !rel || rel.startsWith('..') || win.isAbsolute(rel) ? undefined : win.join(base, rel.split('\\')[0]);
  });
  if (roots.some((root) => root === undefined) || new Set(roots.map((root) => root!.toLowerCase())).size !== 1) {
    throw new Error(
      `OpenSSL's compiled-in directories ${dirs.join(' and ')} are not inside this machine's Program Files (${base ?? 'ProgramFiles is not set'}): ` +
        'there any user may be able to create them before the install, and plant the configuration and provider every python.exe reads. ' +
        'Build the openssl stage on a machine whose Program Files is the one compiled in (the default prefix is C:\\Program Files\\fipskit\\openssl-<version>). Nothing was installed.',
    );
  }
  return roots[0]!;
}

/**
 * icacls, in turn: the tree's ACLs reset to what it inherits, then its own list — administrators and SYSTEM write,
 * users read and run (python.exe reads openssl.cnf and loads fips.dll as any user), nothing inherited — and
 * administrators its owner, so that whoever created it first keeps no say over it.
 */
export function secureCompiledInCommands(root: string): Command[] {
  return [
    { title: `reset the ACLs under ${root}`, program: 'icacls', args: [root, '/reset', '/T', '/C', '/Q'], cwd: root },
    {
      title: `${root}: administrators and SYSTEM write, users read`,
      program: 'icacls',
      args: [root, '/inheritance:r', '/grant:r', `${ADMINISTRATORS}:(OI)(CI)F`, `${LOCAL_SYSTEM}:(OI)(CI)F`, `${USERS}:(OI)(CI)RX`, '/C', '/Q'],
      cwd: root,
    },
    { title: `${root} owned by administrators`, program: 'icacls', args: [root, '/setowner', ADMINISTRATORS, '/T', '/C', '/Q'], cwd: root },
  ];
}

/** icacls: the directory and what it will hold writable by Administrators and SYSTEM only, nothing inherited. */
export function restrictToAdministratorsCommand(dir: string): Command {
  return {
    title: `restrict ${dir} to administrators`,
    program: 'icacls',
    args: [dir, '/inheritance:r', '/grant:r', '*S-1-5-32-544:(OI)(CI)F', '*S-1-5-18:(OI)(CI)F'],
    cwd: dir,
  };
}

/** The install plan's tasks, run on the machine of the installed Python (host paths). */
export function windowsInstallTasks(input: WindowsInstallInput, runner: ProcessRunner): Required<WindowsInstallTasks> {
  return {
    checkPython: async () => {
      // Before anything is written: the compiled-in directories must be inside this machine's Program Files.
      if (process.platform === 'win32') compiledInRoot(input.openssl, (input.parentEnv ?? process.env).ProgramFiles);
      assertPythonMatchesSource(input.pythonDir, input.sourceVersion);
    },
    writeConfiguration: async () => {
      mkdirSync(input.workDir, { recursive: true });
      const moduleCnf = hostPaths.join(input.workDir, 'fipsmodule.cnf');
      writeFileSync(hostPaths.join(input.workDir, 'openssl.cnf'), renderOpenSslCnf(readFipsSection(readFileSync(moduleCnf, 'utf8'), moduleCnf), input.profile));
    },
    install: async () => {
      // Install and restore run elevated and copy what is kept there into the Python: only administrators (and SYSTEM) may write it.
      mkdirSync(input.backupDir, { recursive: true });
      const restrict = restrictToAdministratorsCommand(input.backupDir);
      const result = await runner.run(restrict, { allowFailure: true });
      if (result.exitCode !== 0) {
        throw new Error(
          `icacls could not restrict ${input.backupDir} to administrators (exit code ${result.exitCode}): run the install from an elevated (Administrator) prompt. Nothing was installed.`,
        );
      }
      if (process.platform === 'win32') {
        // Before the configuration goes in: the compiled-in directories are administrators' own, whoever created them.
        const root = compiledInRoot(input.openssl, (input.parentEnv ?? process.env).ProgramFiles);
        mkdirSync(root, { recursive: true });
        for (const command of secureCompiledInCommands(root)) {
          const secured = await runner.run(command, { allowFailure: true });
          if (secured.exitCode !== 0) {
            throw new Error(
              `icacls could not make ${root} administrators' own (${command.title}, exit code ${secured.exitCode}): run the install from an elevated (Administrator) prompt. Nothing was installed.`,
            );
          }
        }
      }
      installIntoPython(input.pythonDir, windowsInstallFiles(input, hostPaths), input.backupDir, { sourceVersion: input.sourceVersion });
    },
    checkCompiledInConfiguration: async () => {
      const lines: string[] = [];
      const command = providerListCommand(prefixPaths(input, hostPaths), { platform: 'win32', parentEnv: input.parentEnv }, undefined, input.workDir);
      await runner.run(command, { onLine: (line) => lines.push(line) });
      if (!providerIsActive(lines, 'fips')) {
        throw new Error(
          `The FIPS provider is not active for a process without OPENSSL_CONF: ${hostPaths.join(input.openssl.opensslDir, 'openssl.cnf')} was not read or does not load ` +
            `${hostPaths.join(input.openssl.modulesDir, 'fips.dll')}. openssl list -providers said:\n${lines.join('\n')}\nRestore the Python (nx run <project>:restore) and install again.`,
        );
      }
    },
  };
}
