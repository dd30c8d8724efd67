import { ProcessRunner } from './command';
import { ProcessError } from './process-error';

/** What asking a tool for its version found: whether it ran and succeeded, and what it printed. */
export interface ToolProbe {
  ok: boolean;
  output: string;
}

/** Runs a tool's version or self-check command; a tool that is not installed is `ok: false`, not an error. */
export async function probeTool(runner: ProcessRunner, program: string, args: string[], cwd: string): Promise<ToolProbe> {
  const lines: string[] = [];
  try {
    const result = await runner.run({ program, args, cwd }, { allowFailure: true, onLine: (l) => lines.push(l), tailLines: 5 });
    return { ok: result.exitCode === 0, output: lines.join('\n').trim() };
  } catch (error) {
    if (error instanceof ProcessError && error.exitCode === null) return { ok: false, output: '' };
    throw error;
  }
}
