/**
 * Running real Windows programs under Wine from tests: a private Wine prefix, Unix ↔ Windows paths,
 * a ProcessRunner for Commands whose program is a Windows path, and `.cmd` scripts through cmd.exe.
 *
 * Wine facts the helpers account for (measured with Debian's wine64 8.0):
 * - The Linux root is drive Z: (`<prefix>/dosdevices/z: -> /`); C: is `<prefix>/drive_c`.
 * - Windows programs keep Windows conventions on a pipe: lines end in CRLF (ToolRunner's line
 *   reader drops the CR), and non-ASCII text is in the ANSI code page — cp1252 under the C.UTF-8 locale
 *   set here — so `ë` arrives as the byte 0xEB, which a UTF-8 reader turns into U+FFFD.
 * - The program's PATH is Wine's registry PATH with WINEPATH in front; the Unix PATH never reaches it.
 * - Wine's background services (services.exe, explorer.exe, …) start with the first program and inherit
 *   its stdout/stderr: every run would end ~2 s after the program exits. `startWine` starts them once,
 *   with no pipes, under a wineserver that stays up while the tests run.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, posix, resolve, win32 } from 'node:path';
import { Command, ToolRunner, ProcessResult, ProcessRunner, RunOptions, childEnvironment } from '@fipskit/core';
import { WORKSPACE } from './workspace';

export const WINE64 = '/usr/lib/wine/wine64';
export const WINESERVER = '/usr/lib/wine/wineserver';
/** Reused between runs: creating a prefix takes seconds, reusing one takes none. */
export const DEFAULT_WINE_PREFIX = join(WORKSPACE, 'tmp', 'wine', 'prefix');
const READY_MARKER = '.fipskit-wine-ready';
/** How long the wineserver waits after the last program before it exits (seconds). */
const SERVER_LINGER_SECONDS = 120;

export interface Wine {
  prefix: string;
  /** What every Wine process gets on top of the parent environment. */
  env: Record<string, string | undefined>;
}

/** The environment of every Wine process: this prefix, no debug channels, no Mono/Gecko dialogs, no display, one locale. */
export function wineEnvironment(prefix: string): Record<string, string | undefined> {
  return {
    WINEPREFIX: prefix,
    WINEDEBUG: '-all',
    // Without these, the first start offers to download Mono and Gecko in a dialog.
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
    // The locale decides the Windows ANSI code page: C.UTF-8 gives cp1252 (en-US), as most Windows machines have.
    LC_ALL: 'C.UTF-8',
    DISPLAY: undefined,
    WAYLAND_DISPLAY: undefined,
  };
}

/**
 * Creates the prefix on first use (`wineboot --init`), then starts a wineserver that stays up and
 * Wine's background services without pipes. Call `stopWine` when done.
 */
export function startWine(prefix: string = DEFAULT_WINE_PREFIX): Wine {
  if (!existsSync(WINE64)) throw new Error(`${WINE64} is missing: install Debian's wine64 (bash tools/install-build-deps.sh does).`);
  const env = wineEnvironment(prefix);
  const childEnv = childEnvironment(env);
  mkdirSync(prefix, { recursive: true });
  // Wine's own messages (prefix creation, its 32-bit loader missing on a wine64-only install) go to a file.
  const logFile = join(prefix, '..', 'wine-setup.log');
  const log = openSync(logFile, 'a');
  const run = (program: string, args: string[], allowed: number[] = [0]) => {
    const result = spawnSync(program, args, { env: childEnv, stdio: ['ignore', log, log], timeout: 5 * 60_000 });
    if (result.error || !allowed.includes(result.status ?? -1)) {
      throw new Error(`${[program, ...args].join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}); see ${logFile}.`, { cause: result.error });
    }
    return result.status;
  };
  try {
    // A server left by an earlier run may have its services tied to that run's pipes: start afresh. 1 = none running.
    run(WINESERVER, ['-k'], [0, 1]);
    if (!existsSync(join(prefix, READY_MARKER))) {
      run(WINE64, ['wineboot', '--init']);
      run(WINESERVER, ['-w']);
      writeFileSync(join(prefix, READY_MARKER), `initialized by fipskit's Wine tests\n`);
    }
    run(WINESERVER, [`-p${SERVER_LINGER_SECONDS}`]);
    run(WINE64, ['cmd', '/c', 'exit']);
  } finally {
    closeSync(log);
  }
  return { prefix, env };
}

/** Ends this prefix's wineserver and every Wine process in it (none of another prefix). */
export function stopWine(wine: Wine): void {
  spawnSync(WINESERVER, ['-k'], { env: childEnvironment(wine.env), stdio: 'ignore' });
}

/** `/a/b c` → `Z:\a\b c`: how a Windows program under Wine names a Linux path. */
export function toWindowsPath(unixPath: string): string {
  if (!isAbsolute(unixPath)) throw new Error(`${unixPath} is not absolute: only absolute Linux paths have a Windows name under Wine.`);
  return `Z:${posix.normalize(unixPath).replace(/\/+$/, '').split('/').join('\\') || '\\'}`;
}

/** `Z:\a\b c` (or `Z:/a/b c`) → `/a/b c`; other drives through the prefix's dosdevices links (C: → drive_c). */
export function toUnixPath(windowsPath: string, prefix: string = DEFAULT_WINE_PREFIX): string {
  const match = /^([A-Za-z]):([\\/].*)?$/.exec(windowsPath);
  if (!match) throw new Error(`${windowsPath} is not an absolute Windows path with a drive letter.`);
  const drive = match[1].toLowerCase();
  const rest = win32
    .normalize(match[2] ?? '\\')
    .split('\\')
    .filter(Boolean);
  const link = join(prefix, 'dosdevices', `${drive}:`);
  const root = drive === 'z' ? '/' : resolve(join(prefix, 'dosdevices'), readlinkSync(link));
  return posix.join(root, ...rest);
}

export function isWindowsPath(path: string): boolean {
  return /^[A-Za-z]:([\\/]|$)/.test(path);
}

/**
 * The Linux command that runs a Windows Command under Wine: wine64 with the program and its
 * arguments, the working directory as a Linux path, the Windows PATH as WINEPATH.
 */
export function wineCommand(wine: Wine, command: Command): Command {
  const windowsEnv: Record<string, string | undefined> = {};
  let windowsPath: string | undefined;
  for (const [key, value] of Object.entries(command.env ?? {})) {
    if (key.toUpperCase() === 'PATH') windowsPath = value;
    else windowsEnv[key] = value;
  }
  return {
    ...(command.title ? { title: command.title } : {}),
    program: WINE64,
    args: [command.program, ...command.args],
    cwd: isWindowsPath(command.cwd) ? toUnixPath(command.cwd, wine.prefix) : command.cwd,
    env: { ...windowsEnv, ...(windowsPath ? { WINEPATH: windowsPath } : {}), ...wine.env },
  };
}

/** Runs Windows Commands under Wine; output lines, log file and errors as ToolRunner gives them. */
export class WineRunner implements ProcessRunner {
  constructor(
    readonly wine: Wine,
    private readonly runner: ProcessRunner = new ToolRunner(),
  ) {}

  run(command: Command, options?: RunOptions): Promise<ProcessResult> {
    return this.runner.run(wineCommand(this.wine, command), options);
  }
}

/**
 * `cmd /d /c <script> <args>` as a Windows Command. The line travels in an environment variable
 * (`cmd /d /c %FIPSKIT_CMD_LINE%`), because Wine turns its argv into a command line the CRT way
 * (`"` → `\"`), which cmd does not read, and cmd /c strips the first and last quote of a line that
 * starts with one — the script path with a space and a quoted argument cannot both get through. The
 * usual work-around, `cmd /c call …`, loses the exit code under Wine 8 (`exit /b 7` gives 1).
 */
export function cmdScriptCommand(script: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}): Command {
  for (const value of [script, ...args]) {
    // cmd has no escape for " inside quotes; Wine's cmd expands %…% again after the variable is expanded.
    if (/["%\r\n\0]/.test(value)) throw new Error(`${JSON.stringify(value)} holds a character cmd.exe cannot be handed safely (", %, a line break).`);
  }
  const line = [`"${script}"`, ...args.map(quoteForCmdLine)].join(' ');
  return { title: `cmd /c ${script}`, program: 'cmd', args: ['/d', '/c', '%FIPSKIT_CMD_LINE%'], cwd, env: { ...env, FIPSKIT_CMD_LINE: line } };
}

/** Quotes an argument cmd.exe would split or interpret (spaces, & | < > ^ ( ) , ; =). */
function quoteForCmdLine(arg: string): string {
  return arg === '' || /[\s&|<>^(),;=]/.test(arg) ? `"${arg}"` : arg;
}
