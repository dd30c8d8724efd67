import { win32 } from 'node:path';
import { Command, FipsProfile, FileOperation, FIPS_SECTION, PlanStep, renderOpenSslCnf } from '@fipskit/core';
import {
  WindowsInstallInput,
  buildWindowsInstallPlan,
  compiledInRoot,
  restrictToAdministratorsCommand,
  secureCompiledInCommands,
  windowsInstallFiles,
} from './install-plan';

/**
 * install.cmd and restore.cmd of a Windows bundle: the install plan the `install` executor runs, rendered as batch
 * files for a machine with no Node.js. Its commands (fipsinstall, its -verify, the provider checks, the python.exe
 * probe) are the plan's own Commands, its file list is windowsInstallFiles', and each of its tasks has its batch form
 * here, looked up by the task's key: a task without one fails the rendering, so the scripts cannot fall behind the plan.
 */

/** Where things are while the scripts run, as batch variables. */
const ROOT = '%FIPSKIT_ROOT%';
const PYTHON = '%FIPSKIT_PYTHON%';
const BACKUP = '%FIPSKIT_BACKUP%';
const WORK = '%FIPSKIT_WORK%';
const MANIFEST = `${BACKUP}\\fipskit-install.txt`;
/** The files the scripts read, beside them in the bundle. */
const SHARE = 'share\\fipskit';

export interface WindowsScriptInput {
  bundleName: string;
  /** The python stage's files to install, by their place in it and in the Python (`DLLs/_ssl.pyd`, `python311.zip`). */
  files: string[];
  sourceVersion: string;
  /** The directories the OpenSSL build compiled in (absolute Windows paths). */
  opensslDir: string;
  modulesDir: string;
  profile: FipsProfile;
  /** Where the Python is when install.cmd is given no directory. */
  defaultPythonDir: string;
  /**
   * The SHA-256 of every file of the bundle install.cmd reads (all but the two scripts), by bundle-relative POSIX
   * path: install.cmd checks each before it runs anything. Known only once the rest of the bundle is laid out.
   */
  checksums?: Record<string, string>;
}

export interface WindowsBundleScripts {
  installCmd: string;
  restoreCmd: string;
  /** The same for PowerShell: each runs its .cmd (one implementation) and ends with its exit code. */
  installPs1: string;
  restorePs1: string;
  /** Files the scripts read, by their path under the bundle root. */
  files: Array<{ path: string; content: string }>;
}

/** The plan with the bundle's places as batch variables. */
export function scriptInstallInput(input: WindowsScriptInput): WindowsInstallInput {
  return {
    builtDir: `${ROOT}\\python`,
    files: input.files,
    sourceVersion: input.sourceVersion,
    pythonDir: PYTHON,
    backupDir: BACKUP,
    openssl: { prefix: `${ROOT}\\openssl`, opensslDir: input.opensslDir, modulesDir: input.modulesDir },
    profile: input.profile,
    workDir: WORK,
    parentEnv: { PATH: '%PATH%' },
  };
}

/** One argument of a batch command line: bare when nothing in it means anything to cmd.exe, else in double quotes. */
export function cmdArg(arg: string): string {
  if (arg.includes('"') || /[\r\n]/.test(arg)) throw new Error(`${JSON.stringify(arg)} cannot be written on a cmd.exe command line.`);
  return /^[A-Za-z0-9_\-.:\\/=,+]+$/.test(arg) ? arg : `"${arg}"`;
}

/** A Command as one batch line: the program and its arguments, each quoted as cmd.exe needs. */
function commandLine(command: Command): string {
  return [command.program, ...command.args].map(cmdArg).join(' ');
}

/** Text for `echo`: cmd.exe's special characters escaped, % doubled. */
function echoText(text: string): string {
  return text.replace(/%(?!FIPSKIT_)/g, '%%').replace(/([&|<>^()])/g, '^$1');
}

/** A line that prints `text` (and logs it, once the log exists). */
function say(text: string): string {
  return `set "FIPSKIT_MESSAGE=fipskit: ${text}" & call :say`;
}

/**
 * The lines of a run step: its environment in a setlocal block, the program run in its directory, its output kept in
 * the step's log (shown if it fails) and added to the whole log.
 */
function runLines(title: string, command: Command, shipped: (content: string) => string): string[] {
  const args = [...command.args];
  // A program given on the command line (python -c with several lines) cannot be written on a batch line: it is shipped.
  const program = args.indexOf('-c');
  if (program >= 0 && /\n/.test(args[program + 1] ?? '')) args.splice(program, 2, shipped(args[program + 1]));
  const env = Object.entries(command.env ?? {}).map(([name, value]) => `set "${name}=${value ?? ''}"`);
  return [
    say(title.replace(/"/g, "'")),
    'setlocal',
    ...env,
    `pushd ${cmdArg(command.cwd)}`,
    `${commandLine({ ...command, args })} >"%FIPSKIT_STEP_LOG%" 2>&1`,
    'set "FIPSKIT_STATUS=%ERRORLEVEL%"',
    'popd',
    'type "%FIPSKIT_STEP_LOG%" >>"%FIPSKIT_LOG%"',
    `if not "%FIPSKIT_STATUS%"=="0" (endlocal & set "FIPSKIT_FAILED=${title.replace(/"/g, "'")} failed (exit code %FIPSKIT_STATUS%)" & goto :failed)`,
    'endlocal',
    'del /q "%FIPSKIT_STEP_LOG%"',
  ];
}

function fileLines(operations: FileOperation[], shipped: (content: string) => string): string[] {
  return operations.flatMap((operation): string[] => {
    switch (operation.op) {
      case 'mkdir':
        return [`if not exist ${cmdArg(operation.to)} mkdir ${cmdArg(operation.to)}`];
      case 'write':
        return [
          `copy /y ${cmdArg(shipped(operation.content))} ${cmdArg(operation.to)} >nul`,
          `if errorlevel 1 (set "FIPSKIT_FAILED=writing ${operation.to} failed" & goto :failed)`,
        ];
      default:
        throw new Error(`install.cmd has no batch form for the file operation "${operation.op}"`);
    }
  });
}

/** Every directory fipskit may create to reach `dir`, outermost first, below the first one Windows installs have. */
function createdParents(dir: string): string[] {
  const parts = dir.split('\\');
  const chain: string[] = [];
  for (let i = 2; i <= parts.length; i++) chain.push(parts.slice(0, i).join('\\'));
  return chain.filter((path) => !/^[A-Za-z]:\\(Program Files( \(x86\))?|ProgramData|Windows)$/i.test(path));
}

/** The batch form of each of the install plan's tasks. */
function taskLines(key: string | undefined, input: WindowsScriptInput, plan: WindowsInstallInput): string[] {
  switch (key) {
    case 'check-python': {
      const [major, minor] = input.sourceVersion.split('.');
      const programFiles = win32.dirname(compiledInRootOf(input));
      return [
        // Before anything is written: OpenSSL's compiled-in directories must be inside this machine's Program Files.
        `if /i not "%ProgramFiles%"==${cmdArg(programFiles)} (set "FIPSKIT_FAILED=OpenSSL's compiled-in directories are under ${echoText(programFiles)}, not this machine's Program Files (%ProgramFiles%): any user may be able to create them there first. Use a bundle built for a machine whose Program Files is ${echoText(programFiles)}" & goto :failed)`,
        `set "FIPSKIT_MESSAGE=fipskit: checking %FIPSKIT_PYTHON%: it must be Python ${input.sourceVersion}, the version the modules were built from" & call :say`,
        `if not exist "${PYTHON}\\python.exe" (set "FIPSKIT_FAILED=%FIPSKIT_PYTHON%\\python.exe does not exist: give install.cmd the directory of the Python ${input.sourceVersion} to put in FIPS mode" & goto :failed)`,
        'set "FIPSKIT_VERSION="',
        // #define PY_VERSION "3.11.2": the third word of the line whose second is PY_VERSION.
        `if exist "${PYTHON}\\include\\patchlevel.h" for /f "usebackq tokens=1-3" %%A in ("${PYTHON}\\include\\patchlevel.h") do if "%%A"=="#define" if "%%B"=="PY_VERSION" set "FIPSKIT_VERSION=%%~C"`,
        `if not defined FIPSKIT_VERSION if exist "${PYTHON}\\python${major}${minor}.dll" set "FIPSKIT_VERSION=${major}.${minor}"`,
        `if "%FIPSKIT_VERSION%"=="${input.sourceVersion}" goto :python_checked`,
        `if "%FIPSKIT_VERSION%"=="${major}.${minor}" goto :python_checked`,
        `set "FIPSKIT_FAILED=%FIPSKIT_PYTHON% is Python %FIPSKIT_VERSION%, not ${input.sourceVersion}: the modules in this bundle fit Python ${input.sourceVersion} only"`,
        'goto :failed',
        ':python_checked',
      ];
    }
    case 'write-configuration':
      return [
        `set "FIPSKIT_MESSAGE=fipskit: writing openssl.cnf (profile ${input.profile}) with this machine's FIPS module section" & call :say`,
        `copy /y "${ROOT}\\${SHARE}\\openssl.cnf.head" "${WORK}\\openssl.cnf" >nul`,
        'if errorlevel 1 (set "FIPSKIT_FAILED=writing openssl.cnf failed" & goto :failed)',
        'set "FIPSKIT_IN_SECTION="',
        `for /f "usebackq delims=" %%L in ("${WORK}\\fipsmodule.cnf") do call :section_line "%%L"`,
        `type "${ROOT}\\${SHARE}\\openssl.cnf.tail" >>"${WORK}\\openssl.cnf"`,
        'set "FIPSKIT_MAC="',
        `for /f "usebackq tokens=1" %%K in ("${WORK}\\openssl.cnf") do if "%%K"=="module-mac" set "FIPSKIT_MAC=1"`,
        `if not defined FIPSKIT_MAC (set "FIPSKIT_FAILED=openssl fipsinstall wrote no [${FIPS_SECTION}] with a module-mac" & goto :failed)`,
      ];
    case 'install': {
      const files = windowsInstallFiles(plan, win32);
      const dirs = [...new Set([input.modulesDir, input.opensslDir].flatMap(createdParents))].sort((a, b) => a.length - b.length);
      const root = compiledInRootOf(input);
      return [
        `set "FIPSKIT_MESSAGE=fipskit: installing into %FIPSKIT_PYTHON% and OpenSSL's compiled-in directories; each replaced file is kept in %FIPSKIT_BACKUP%" & call :say`,
        `if exist "${MANIFEST}" (set "FIPSKIT_FAILED=an install into %FIPSKIT_PYTHON% is already recorded in %FIPSKIT_BACKUP%: run restore.cmd first" & goto :failed)`,
        `if not exist "${BACKUP}\\originals" mkdir "${BACKUP}\\originals"`,
        // Kept where only administrators write: install and restore run elevated and trust what is there.
        `${commandLine(restrictToAdministratorsCommand(BACKUP))} >"%FIPSKIT_STEP_LOG%" 2>&1`,
        'if errorlevel 1 (set "FIPSKIT_FAILED=icacls could not restrict %FIPSKIT_BACKUP% to administrators: run install.cmd from an elevated (Administrator) prompt" & goto :failed)',
        'del /q "%FIPSKIT_STEP_LOG%"',
        `>"${MANIFEST}" echo fipskit-install^|1^|${echoText(input.bundleName)}`,
        ...dirs.flatMap((dir) => [`call :make_dir ${cmdArg(dir)}`, 'if errorlevel 1 goto :failed']),
        ...secureCompiledInCommands(root).flatMap((command) => [
          `${commandLine(command)} >"%FIPSKIT_STEP_LOG%" 2>&1`,
          `if errorlevel 1 (set "FIPSKIT_FAILED=icacls could not make ${echoText(root)} administrators' own: run install.cmd from an elevated (Administrator) prompt" & goto :failed)`,
        ]),
        'del /q "%FIPSKIT_STEP_LOG%"',
        ...files.flatMap((file, index) => [
          `call :install_file ${cmdArg(file.source)} ${cmdArg(file.dest)} ${index}`,
          `if errorlevel 1 (set "FIPSKIT_FAILED=installing ${file.dest} failed" & goto :failed)`,
        ]),
      ];
    }
    case 'check-compiled-in':
      return [
        `set "FIPSKIT_MESSAGE=fipskit: openssl.exe with no OPENSSL_CONF or OPENSSL_MODULES: the compiled-in ${input.opensslDir} must activate the FIPS provider" & call :say`,
        'setlocal',
        'set "OPENSSL_CONF="',
        'set "OPENSSL_MODULES="',
        'set "OPENSSL_CONF_INCLUDE="',
        '"%FIPSKIT_OPENSSL%" list -providers -verbose >"%FIPSKIT_STEP_LOG%" 2>&1',
        'endlocal',
        'type "%FIPSKIT_STEP_LOG%" >>"%FIPSKIT_LOG%"',
        'set "FIPSKIT_IN_FIPS="',
        'set "FIPSKIT_ACTIVE="',
        'for /f "usebackq delims=" %%L in ("%FIPSKIT_STEP_LOG%") do call :provider_line "%%L"',
        'if not defined FIPSKIT_ACTIVE (set "FIPSKIT_FAILED=the FIPS provider is not active for a program started without OPENSSL_CONF: run restore.cmd, then install again" & goto :failed)',
        'del /q "%FIPSKIT_STEP_LOG%"',
      ];
    default:
      throw new Error(`install.cmd has no batch form for the install plan's task ${key ?? '(without a key)'}: add one in install-scripts.ts`);
  }
}

/** Every file the bundle packed, checked against its SHA-256 before anything is run or installed. */
function checksumLines(checksums: Record<string, string>): string[] {
  const entries = Object.entries(checksums).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return [];
  return [
    `rem 0: the bundle's ${entries.length} files are the ones packed`,
    say(`checking the bundle's ${entries.length} files against the SHA-256 recorded when it was packed`),
    ...entries.flatMap(([path, sha256]) => {
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`${path}: ${sha256} is not a SHA-256`);
      return [`call :check_file ${cmdArg(`${ROOT}\\${path.split('/').join('\\')}`)} ${sha256}`, 'if errorlevel 1 goto :failed'];
    }),
    '',
  ];
}

/** The variables both scripts start with: the bundle, the Python (first argument), the backup of that Python. */
function preamble(input: WindowsScriptInput, what: string, args: string[] = ['set "FIPSKIT_ARG=%~1"']): string[] {
  return [
    '@echo off',
    // Delayed expansion would eat "!" in paths (cmd /v:on).
    'setlocal EnableExtensions DisableDelayedExpansion',
    `rem fipskit ${what} for the bundle ${input.bundleName}, written by fipskit from the install plan the install target runs.`,
    'set "FIPSKIT_ROOT=%~dp0"',
    'if "%FIPSKIT_ROOT:~-1%"=="\\" set "FIPSKIT_ROOT=%FIPSKIT_ROOT:~0,-1%"',
    ...args,
    'set "FIPSKIT_PYTHON=%FIPSKIT_ARG%"',
    `if not defined FIPSKIT_PYTHON set "FIPSKIT_PYTHON=${input.defaultPythonDir}"`,
    'if "%FIPSKIT_PYTHON:~-1%"=="\\" set "FIPSKIT_PYTHON=%FIPSKIT_PYTHON:~0,-1%"',
    // One backup directory per Python, named after its path, where only administrators write.
    'set "FIPSKIT_KEY=%FIPSKIT_PYTHON::=%"',
    'set "FIPSKIT_KEY=%FIPSKIT_KEY:\\=_%"',
    'set "FIPSKIT_KEY=%FIPSKIT_KEY: =_%"',
    'if not defined ProgramData set "ProgramData=C:\\ProgramData"',
    'set "FIPSKIT_BACKUP=%ProgramData%\\fipskit\\install-backups\\%FIPSKIT_KEY%"',
    'set "FIPSKIT_OPENSSL=%FIPSKIT_ROOT%\\openssl\\bin\\openssl.exe"',
  ];
}

const SUBROUTINES = [
  // The message is in FIPSKIT_MESSAGE, never an argument: Wine's cmd.exe takes a long "call :label" line for a path.
  ':say',
  // Never empty (it starts with "fipskit: "), so a plain echo: Wine's cmd.exe reads "echo(" as a command and "echo.<text>" as a path.
  'setlocal EnableDelayedExpansion',
  'echo !FIPSKIT_MESSAGE!',
  'if defined FIPSKIT_LOG >>"!FIPSKIT_LOG!" echo !FIPSKIT_MESSAGE!',
  'endlocal',
  'exit /b 0',
  '',
  ':sha256',
  'setlocal',
  `set "OPENSSL_CONF=${ROOT}\\${SHARE}\\empty.cnf"`,
  `set "OPENSSL_MODULES=${ROOT}\\openssl\\lib\\ossl-modules"`,
  'set "FIPSKIT_HASH=-"',
  'for /f "usebackq tokens=1" %%H in (`call "%FIPSKIT_OPENSSL%" dgst -sha256 -r "%~1"`) do set "FIPSKIT_HASH=%%H"',
  'endlocal & set "%~2=%FIPSKIT_HASH%"',
  'exit /b 0',
  '',
  ':make_dir',
  'if exist "%~1" exit /b 0',
  'mkdir "%~1"',
  'if errorlevel 1 (set "FIPSKIT_FAILED=creating %~1 failed" & exit /b 1)',
  `>>"${MANIFEST}" echo dir^|%~1`,
  'exit /b 0',
];

/** install.cmd: the plan, step by step, then the subroutines its tasks call. */
export function renderWindowsBundleScripts(input: WindowsScriptInput): WindowsBundleScripts {
  const plan = scriptInstallInput(input);
  const steps: PlanStep[] = buildWindowsInstallPlan(plan).steps;
  const files: Array<{ path: string; content: string }> = [];
  const shipped = (content: string) => {
    const existing = files.find((f) => f.content === content && f.path.startsWith(`${SHARE}\\files\\`));
    if (existing) return `${ROOT}\\${existing.path}`;
    const path = `${SHARE}\\files\\${files.filter((f) => f.path.startsWith(`${SHARE}\\files\\`)).length + 1}${content.startsWith('import') ? '.py' : '.txt'}`;
    files.push({ path, content });
    return `${ROOT}\\${path}`;
  };
  const body = steps.flatMap((step, index): string[] => {
    const lines =
      step.kind === 'run'
        ? [step.command, ...(step.alongside ?? [])].flatMap((command) => runLines(step.title, command, shipped))
        : step.kind === 'files'
          ? fileLines(step.operations, shipped)
          : taskLines(step.key, input, plan);
    return [`rem ${index + 1}/${steps.length}: ${step.title.replace(/[\r\n]+/g, ' ')}`, ...lines, ''];
  });
  // The section's lines are written with a line end each: the text after it starts without the one that ends it.
  const [head, afterSection] = renderOpenSslCnf('@@FIPSKIT_FIPS_SECTION@@', input.profile).split('@@FIPSKIT_FIPS_SECTION@@');
  const tail = afterSection.replace(/^\n/, '');
  files.push(
    { path: `${SHARE}\\openssl.cnf.head`, content: head.replace(/\n/g, '\r\n') },
    { path: `${SHARE}\\openssl.cnf.tail`, content: tail.replace(/\n/g, '\r\n') },
  );
  files.push({ path: `${SHARE}\\empty.cnf`, content: '# intentionally empty: the SHA-256 of a file needs no configuration\r\n' });
  const installCmd = [
    ...preamble(input, 'install.cmd'),
    `if /i "%FIPSKIT_ARG%"=="/force" (${say('install.cmd takes no /force: restore.cmd does')} 1>&2 & exit /b 2)`,
    `set "FIPSKIT_WORK=%TEMP%\\fipskit-install-%RANDOM%%RANDOM%"`,
    `if not exist "${BACKUP}" mkdir "${BACKUP}"`,
    'set "FIPSKIT_LOG=%FIPSKIT_BACKUP%\\install.log"',
    // The output of the step being run: shown when it fails, as the whole log would repeat what was printed.
    'set "FIPSKIT_STEP_LOG=%FIPSKIT_BACKUP%\\step.log"',
    'if exist "%FIPSKIT_STEP_LOG%" del /q "%FIPSKIT_STEP_LOG%"',
    `>"%FIPSKIT_LOG%" echo fipskit install.cmd for ${echoText(input.bundleName)}`,
    '',
    ...checksumLines(input.checksums ?? {}),
    ...body,
    `if exist "${WORK}" rmdir /s /q "${WORK}"`,
    'set "FIPSKIT_MESSAGE=fipskit: %FIPSKIT_PYTHON% is in FIPS mode however python.exe is started; restore.cmd puts back what was replaced (kept in %FIPSKIT_BACKUP%)." & call :say',
    'exit /b 0',
    '',
    ':failed',
    'if exist "%FIPSKIT_STEP_LOG%" type "%FIPSKIT_STEP_LOG%" 1>&2',
    'if exist "%FIPSKIT_STEP_LOG%" del /q "%FIPSKIT_STEP_LOG%"',
    `if exist "${WORK}" rmdir /s /q "${WORK}"`,
    'set "FIPSKIT_MESSAGE=fipskit: %FIPSKIT_FAILED%; the whole log is %FIPSKIT_LOG%." & call :say 1>&2',
    `if exist "${MANIFEST}" (set "FIPSKIT_MESSAGE=fipskit: what was installed so far is recorded: restore.cmd puts the originals back." & call :say 1>&2)`,
    'exit /b 1',
    '',
    ':check_file',
    'if not exist "%~1" (set "FIPSKIT_FAILED=%~1 is missing from the bundle: unzip it again, whole" & exit /b 1)',
    'call :sha256 "%~1" FIPSKIT_FOUND',
    'if "%FIPSKIT_FOUND%"=="%~2" exit /b 0',
    'set "FIPSKIT_FAILED=%~1 is not the file that was packed (SHA-256 %FIPSKIT_FOUND%, packed %~2): the bundle was damaged or changed. Check the zip against its SHA256SUMS and unzip it again"',
    'exit /b 1',
    '',
    ':section_line',
    'set "FIPSKIT_LINE=%~1"',
    `if "%FIPSKIT_LINE%"=="[${FIPS_SECTION}]" set "FIPSKIT_IN_SECTION=1"`,
    'if not defined FIPSKIT_IN_SECTION exit /b 0',
    'if "%FIPSKIT_LINE:~0,1%"=="#" exit /b 0',
    // for /f gives no empty line; delayed expansion writes the line as it is, whatever characters it holds.
    'setlocal EnableDelayedExpansion',
    `>>"${WORK}\\openssl.cnf" echo !FIPSKIT_LINE!`,
    'endlocal',
    'exit /b 0',
    '',
    ':provider_line',
    'set "FIPSKIT_LINE=%~1"',
    'if "%FIPSKIT_LINE%"=="  fips" (set "FIPSKIT_IN_FIPS=1" & exit /b 0)',
    'if "%FIPSKIT_LINE:~0,2%"=="  " if not "%FIPSKIT_LINE:~2,1%"==" " (set "FIPSKIT_IN_FIPS=" & exit /b 0)',
    'if defined FIPSKIT_IN_FIPS if not "%FIPSKIT_LINE:status: active=%"=="%FIPSKIT_LINE%" set "FIPSKIT_ACTIVE=1"',
    'exit /b 0',
    '',
    ':install_file',
    'setlocal',
    'set "FIPSKIT_KEPT=-"',
    'set "FIPSKIT_OLD=-"',
    'if not exist "%~1" exit /b 1',
    'if not exist "%~dp2" mkdir "%~dp2"',
    'if not exist "%~2" goto :install_new',
    `copy /y "%~2" "${BACKUP}\\originals\\%~3" >nul`,
    'if errorlevel 1 exit /b 1',
    'set "FIPSKIT_KEPT=%~3"',
    'call :sha256 "%~2" FIPSKIT_OLD',
    ':install_new',
    'copy /y "%~1" "%~2" >nul',
    'if errorlevel 1 exit /b 1',
    'call :sha256 "%~2" FIPSKIT_NEW',
    `>>"${MANIFEST}" echo file^|%~3^|%FIPSKIT_KEPT%^|%FIPSKIT_OLD%^|%FIPSKIT_NEW%`,
    'endlocal',
    'exit /b 0',
    '',
    ...SUBROUTINES,
    '',
  ];
  return {
    installCmd: installCmd.join('\r\n'),
    restoreCmd: renderRestoreCmd(input, plan).join('\r\n'),
    installPs1: renderPs1(input, 'install', false),
    restorePs1: renderPs1(input, 'restore', true),
    files,
  };
}

/**
 * install.ps1 / restore.ps1: PowerShell's way to the same script. PowerShell quotes each argument for cmd.exe itself
 * (a path with spaces or "(x86)" arrives whole), and `exit $LASTEXITCODE` hands the batch file's result on. UTF-8 with
 * a byte order mark: Windows PowerShell 5.1 reads a default directory with non-ASCII letters as written.
 */
function renderPs1(input: WindowsScriptInput, what: 'install' | 'restore', force: boolean): string {
  return (
    '\ufeff' +
    [
      `# fipskit ${what}.ps1 for the bundle ${input.bundleName}: runs ${what}.cmd beside it, the install plan as a batch file.`,
      `# Usage: .\\${what}.ps1 [-PythonDir <directory of the Python>]${force ? ' [-Force]' : ''}   (default: ${input.defaultPythonDir})`,
      'param(',
      `    [string]$PythonDir = '${input.defaultPythonDir.replace(/'/g, "''")}'${force ? ',' : ''}`,
      ...(force ? ['    [switch]$Force'] : []),
      ')',
      "$ErrorActionPreference = 'Stop'",
      `$arguments = @($PythonDir)`,
      ...(force ? ["if ($Force) { $arguments += '/force' }"] : []),
      `& (Join-Path $PSScriptRoot '${what}.cmd') @arguments`,
      'exit $LASTEXITCODE',
      '',
    ].join('\r\n')
  );
}

/**
 * restore.cmd: puts back what install.cmd replaced. The destinations come from the bundle's own file list, never from
 * the record (which says only whether an original was kept and the SHA-256 before and after); a file changed since the
 * install is refused unless /force, which moves it aside first.
 */
function renderRestoreCmd(input: WindowsScriptInput, plan: WindowsInstallInput): string[] {
  const files = windowsInstallFiles(plan, win32);
  return [
    ...preamble(input, 'restore.cmd', [
      // restore.cmd [python directory] [/force], in either order.
      'set "FIPSKIT_FORCE="',
      'set "FIPSKIT_ARG=%~1"',
      'if /i "%~1"=="/force" (set "FIPSKIT_FORCE=1" & set "FIPSKIT_ARG=%~2")',
      'if /i "%~2"=="/force" set "FIPSKIT_FORCE=1"',
    ]),
    `set "FIPSKIT_RECORD=${MANIFEST}"`,
    'if not exist "%FIPSKIT_RECORD%" goto :nothing_recorded',
    'set "FIPSKIT_CHANGED="',
    'set "FIPSKIT_PHASE=check"',
    'for /f "usebackq tokens=1-5 delims=|" %%A in ("%FIPSKIT_RECORD%") do if "%%A"=="file" call :record "%%B" "%%C" "%%D" "%%E"',
    'if defined FIPSKIT_CHANGED if not defined FIPSKIT_FORCE goto :changed',
    'set "FIPSKIT_PHASE=restore"',
    'for /f "usebackq tokens=1-5 delims=|" %%A in ("%FIPSKIT_RECORD%") do if "%%A"=="file" call :record "%%B" "%%C" "%%D" "%%E"',
    // Directories the install created, deepest first: each pass removes those left empty.
    'for /l %%N in (1,1,8) do for /f "usebackq tokens=1,2 delims=|" %%A in ("%FIPSKIT_RECORD%") do if "%%A"=="dir" if exist "%%B" rmdir "%%B" 2>nul',
    'if defined FIPSKIT_CHANGED (set "FIPSKIT_MESSAGE=fipskit: files changed since the install were moved to %FIPSKIT_BACKUP%\\changed-after-install:%FIPSKIT_CHANGED%" & call :say)',
    'del /q "%FIPSKIT_RECORD%"',
    'if exist "%FIPSKIT_BACKUP%\\originals" rmdir /s /q "%FIPSKIT_BACKUP%\\originals"',
    'set "FIPSKIT_MESSAGE=fipskit: %FIPSKIT_PYTHON% and OpenSSL\'s compiled-in directories are as they were before the install." & call :say',
    'exit /b 0',
    '',
    ':nothing_recorded',
    'set "FIPSKIT_MESSAGE=fipskit: no install into %FIPSKIT_PYTHON% is recorded in %FIPSKIT_BACKUP%: nothing to restore." & call :say 1>&2',
    'exit /b 1',
    '',
    ':changed',
    'set "FIPSKIT_MESSAGE=fipskit: changed since the install:%FIPSKIT_CHANGED%. Nothing was restored: restore.cmd with /force moves them to %FIPSKIT_BACKUP%\\changed-after-install first." & call :say 1>&2',
    'exit /b 1',
    '',
    // index, kept, SHA-256 before, SHA-256 after: the destination is the bundle's own for that index, never the record's.
    ':record',
    'setlocal',
    'set "FIPSKIT_DEST="',
    ...files.map((file, index) => `if "%~1"=="${index}" set "FIPSKIT_DEST=${file.dest}"`),
    'if not defined FIPSKIT_DEST goto :record_unknown',
    'set "FIPSKIT_NOW=-"',
    'if exist "%FIPSKIT_DEST%" call :sha256 "%FIPSKIT_DEST%" FIPSKIT_NOW',
    'set "FIPSKIT_SAME="',
    'if "%FIPSKIT_NOW%"=="%~4" set "FIPSKIT_SAME=1"',
    'if "%FIPSKIT_NOW%"=="%~3" set "FIPSKIT_SAME=1"',
    'if "%FIPSKIT_PHASE%"=="check" goto :record_check',
    'if defined FIPSKIT_SAME goto :record_put_back',
    'if not exist "%FIPSKIT_BACKUP%\\changed-after-install" mkdir "%FIPSKIT_BACKUP%\\changed-after-install"',
    'if exist "%FIPSKIT_DEST%" copy /y "%FIPSKIT_DEST%" "%FIPSKIT_BACKUP%\\changed-after-install\\%~1" >nul',
    ':record_put_back',
    'if not "%~2"=="-" copy /y "%FIPSKIT_BACKUP%\\originals\\%~1" "%FIPSKIT_DEST%" >nul',
    'if "%~2"=="-" if exist "%FIPSKIT_DEST%" del /q "%FIPSKIT_DEST%"',
    'endlocal',
    'exit /b 0',
    ':record_check',
    'if defined FIPSKIT_SAME (endlocal & exit /b 0)',
    'endlocal & set "FIPSKIT_CHANGED=%FIPSKIT_CHANGED% %FIPSKIT_DEST%"',
    'exit /b 0',
    ':record_unknown',
    'set "FIPSKIT_MESSAGE=fipskit: warning: the record names a file %~1 this bundle never installs: left alone." & call :say',
    'endlocal',
    'exit /b 0',
    '',
    ...SUBROUTINES,
    '',
  ];
}

/**
 * The compiled-in directories' root under Program Files, as the build named it (C:\Program Files\fipskit). The target's
 * Program Files is only known when install.cmd runs: the "Program Files" the build named is compared with it there.
 */
function compiledInRootOf(input: WindowsScriptInput): string {
  return compiledInRoot({ opensslDir: input.opensslDir, modulesDir: input.modulesDir }, /^[A-Za-z]:\\Program Files(?=\\)/i.exec(input.opensslDir)?.[0]);
}
