import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
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

/** The real runner: streams output line by line into the log file and the caller's callback. */
export class ExecaRunner implements ProcessRunner {
  async run(command: Command, options: RunOptions = {}): Promise<ProcessResult> {
    const tailLines = options.tailLines ?? 40;
    const tail: string[] = [];
    const { logFile, onLine } = options;
    if (logFile) appendFileSync(logFile, `\n$ ${describeCommand(command)}\n  (cwd: ${command.cwd})\n`);
    const child = execa(command.program, command.args, {
      cwd: command.cwd,
      env: childEnvironment(command.env, command.baseEnv ?? process.env),
      extendEnv: false,
      windowsHide: true,
      all: true,
      buffer: false,
      reject: false,
      stripFinalNewline: false,
      input: options.input,
      stdin: options.input === undefined ? 'ignore' : undefined,
    });
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
    if (child.all) {
      const lines = createInterface({ input: child.all, crlfDelay: Infinity });
      lines.on('line', (line) => {
        tail.push(line);
        if (tail.length > tailLines) tail.shift();
        pending.push(line);
        if (pending.length >= 200) flush();
        guarded(() => onLine?.(line));
      });
    }
    trackChild(child.pid);
    const result = await child.finally(() => untrackChild(child.pid));
    flush();
    if (lineError) throw lineError;
    if (result.failed && result.exitCode === undefined) {
      throw new ProcessError(command, null, [String(result.originalMessage ?? result.message)], logFile, {
        cause: result,
      });
    }
    const exitCode = result.exitCode ?? 1;
    if (exitCode !== 0 && !options.allowFailure) throw new ProcessError(command, exitCode, tail, logFile);
    return { exitCode, tail };
  }
}
