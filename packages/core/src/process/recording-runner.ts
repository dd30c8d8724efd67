import { Command, ProcessResult, ProcessRunner, RunOptions } from './command';
import { ProcessError } from './process-error';

export interface ScriptedResponse {
  exitCode?: number;
  output?: string[];
  /** Side effect standing in for what the real program would write. */
  effect?: (command: Command) => void | Promise<void>;
}

/**
 * A runner for unit tests: records every command and answers from a script, so tests can
 * assert exact argument arrays per platform without running compilers.
 */
export class RecordingRunner implements ProcessRunner {
  readonly commands: Command[] = [];
  private readonly responders: Array<[(c: Command) => boolean, ScriptedResponse]> = [];

  respond(match: (c: Command) => boolean, response: ScriptedResponse): this {
    this.responders.push([match, response]);
    return this;
  }

  async run(command: Command, options: RunOptions = {}): Promise<ProcessResult> {
    this.commands.push(command);
    const response = this.responders.find(([match]) => match(command))?.[1] ?? {};
    await response.effect?.(command);
    const output = response.output ?? [];
    output.forEach((line) => options.onLine?.(line));
    const exitCode = response.exitCode ?? 0;
    if (exitCode !== 0 && !options.allowFailure) throw new ProcessError(command, exitCode, output, options.logFile);
    return { exitCode, tail: output };
  }

  /** `[program, ...args]` of every recorded command, for compact assertions. */
  argv(): string[][] {
    return this.commands.map((c) => [c.program, ...c.args]);
  }
}
