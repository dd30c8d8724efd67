import { Command, describeCommand } from './command';

/** A program exited non-zero, or could not be started. Carries the output tail and the log path. */
export class ProcessError extends Error {
  constructor(
    readonly command: Command,
    readonly exitCode: number | null,
    readonly tail: string[],
    readonly logFile?: string,
    options?: { cause?: unknown },
  ) {
    super(ProcessError.compose(command, exitCode, tail, logFile), options);
    this.name = 'ProcessError';
  }

  private static compose(command: Command, exitCode: number | null, tail: string[], logFile?: string): string {
    const what = command.title ? `${command.title} failed` : `${command.program} failed`;
    const status = exitCode === null ? 'could not be started' : `exited with code ${exitCode}`;
    const lines = [`${what}: ${describeCommand(command)} ${status} (in ${command.cwd}).`];
    if (tail.length) lines.push('Last lines of its output:', ...tail.map((l) => `  ${l}`));
    if (logFile) lines.push(`Full log: ${logFile}`);
    return lines.join('\n');
  }
}
