import { appendFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { Command, ProcessResult, ProcessRunner, RunOptions, describeCommand } from './command';
import { ProcessError } from './process-error';
import { trackChild, untrackChild } from './child-registry';

/** Builds a child environment from a copy of the parent's: the parent's own is never mutated. */
export function childEnvironment(changes: Record<string, string | undefined> = {}, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  for (const [key, value] of Object.entries(changes)) {
    // Windows variable names are case-insensitive: replace whichever spelling is present.
    const existing = process.platform === 'win32' ? Object.keys(env).find((k) => k.toLowerCase() === key.toLowerCase()) : undefined;
    if (existing) delete env[existing];
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** A started tool: where its output comes from, how it ended, and how to stop it. */
interface StartedTool {
  pid: number | undefined;
  output: Readable[];
  /** The exit code, or why there is none (not started, killed by a signal). */
  ended: Promise<{ exitCode: number } | { failure: string }>;
  kill(): void;
}

/**
 * Windows: execa, for what it does there (PATHEXT lookup, quoting for `.cmd` and `.bat` programs). Loaded only
 * there: it adds 60-75 ms to every executor's start, measured in a user's workspace, and Node's own spawn does
 * all the rest of what the runner needs.
 */
async function startWithExeca(command: Command, env: Record<string, string>, input: string | undefined): Promise<StartedTool> {
  const { execa } = await import('execa');
  const child = execa(command.program, command.args, {
    cwd: command.cwd,
    env,
    extendEnv: false,
    windowsHide: true,
    all: true,
    buffer: false,
    reject: false,
    stripFinalNewline: false,
    input,
    stdin: input === undefined ? 'ignore' : undefined,
  });
  const ended = child.then((result) =>
    result.failed && result.exitCode === undefined ? { failure: String(result.originalMessage ?? result.message) } : { exitCode: result.exitCode ?? 1 },
  );
  return { pid: child.pid, output: child.all ? [child.all] : [], ended, kill: () => child.kill() };
}

function startWithSpawn(command: Command, env: Record<string, string>, input: string | undefined): StartedTool {
  const child = spawn(command.program, command.args, {
    cwd: command.cwd,
    env,
    windowsHide: true,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined && child.stdin) {
    // A tool that exits without reading its input must not fail the run with EPIPE: its exit code speaks.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  }
  const ended = new Promise<{ exitCode: number } | { failure: string }>((resolve) => {
    child.once('error', (error) => resolve({ failure: error.message }));
    child.once('close', (code, signal) => resolve(code === null ? { failure: `killed by ${signal}` } : { exitCode: code }));
  });
  return { pid: child.pid, output: [child.stdout!, child.stderr!], ended, kill: () => child.kill() };
}

/** The real runner: streams output line by line into the log file and the caller's callback. */
export class ToolRunner implements ProcessRunner {
  constructor(private readonly platform: NodeJS.Platform = process.platform) {}

  async run(command: Command, options: RunOptions = {}): Promise<ProcessResult> {
    const tailLines = options.tailLines ?? 40;
    const tail: string[] = [];
    const { logFile, onLine } = options;
    if (logFile) appendFileSync(logFile, `\n$ ${describeCommand(command)}\n  (cwd: ${command.cwd})\n`);
    const env = childEnvironment(command.env, command.baseEnv ?? process.env);
    const child = this.platform === 'win32' ? await startWithExeca(command, env, options.input) : startWithSpawn(command, env, options.input);
    const pending: string[] = [];
    // A log or progress line that cannot be written (a full disk) stops the tool, and its error is
    // reported once the tool has ended; the tool's output keeps being read so it never blocks on a full pipe.
    let lineError: Error | undefined;
    const guarded = (work: () => void) => {
      if (lineError) return;
      try {
        work();
      } catch (error) {
        lineError = error as Error;
        child.kill();
      }
    };
    const flush = () => {
      guarded(() => {
        if (logFile && pending.length) appendFileSync(logFile, pending.join('\n') + '\n');
      });
      pending.length = 0;
    };
    const read = child.output.map((stream) => {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on('line', (line) => {
        tail.push(line);
        if (tail.length > tailLines) tail.shift();
        pending.push(line);
        if (pending.length >= 200) flush();
        guarded(() => onLine?.(line));
      });
      return new Promise<void>((resolve) => lines.once('close', resolve));
    });
    trackChild(child.pid);
    const ended = await child.ended.finally(() => untrackChild(child.pid));
    await Promise.all(read);
    flush();
    if (lineError) throw lineError;
    if ('failure' in ended) throw new ProcessError(command, null, [ended.failure], logFile);
    if (ended.exitCode !== 0 && !options.allowFailure) throw new ProcessError(command, ended.exitCode, tail, logFile);
    return { exitCode: ended.exitCode, tail };
  }
}
