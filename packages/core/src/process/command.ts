/** One external program run: always an argument array, never a shell string. */
export interface Command {
  /** Program name looked up on PATH, or an absolute path. */
  program: string;
  args: string[];
  cwd: string;
  /** Variables added to (or, with `undefined`, removed from) a copy of the parent environment. */
  env?: Record<string, string | undefined>;
  /** The environment `env` changes instead of a copy of this process's: a build's allow-listed environment. */
  baseEnv?: Record<string, string>;
  /** What this step is for, shown in plans and progress. */
  title?: string;
}

export interface ProcessResult {
  exitCode: number;
  /** Last lines of combined stdout/stderr, for error messages. */
  tail: string[];
}

export interface RunOptions {
  /** Called for every output line (stdout and stderr), e.g. to count compiled objects. */
  onLine?: (line: string) => void;
  /** Where the full output goes. */
  logFile?: string;
  /** Lines kept for the failure message. */
  tailLines?: number;
  /** Resolve with the exit code instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
  /** Text written to the program's standard input. */
  input?: string;
}

/** Runs external programs; injectable so unit tests can assert exact argument arrays. */
export interface ProcessRunner {
  run(command: Command, options?: RunOptions): Promise<ProcessResult>;
}

/** Renders a command for a human (plans, logs). Quoting follows the target platform's shell. */
export function describeCommand(command: Command, platform: NodeJS.Platform = process.platform): string {
  const quote = platform === 'win32' ? quoteForCmd : quoteForPosix;
  return [command.program, ...command.args].map(quote).join(' ');
}

export function quoteForPosix(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_\-+=.,/:@%^]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quoting as MSVC's CRT parses a command line (CommandLineToArgvW rules). */
export function quoteForCmd(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    if (ch === '"') {
      out += '\\'.repeat(backslashes * 2 + 1) + '"';
    } else {
      out += '\\'.repeat(backslashes) + ch;
    }
    backslashes = 0;
  }
  return out + '\\'.repeat(backslashes * 2) + '"';
}

/** Wraps a runner so every output line is also printed (the executors' `verbose` option). */
export function echoingRunner(runner: ProcessRunner, print: (line: string) => void): ProcessRunner {
  return {
    run: (command, options = {}) =>
      runner.run(command, {
        ...options,
        onLine: (line) => {
          print(line);
          options.onLine?.(line);
        },
      }),
  };
}
