import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, ProcessResult, ProcessRunner, RunOptions } from '../process/command';

export type Printer = (line: string) => void;

/**
 * What a long stage shows the user: which step runs, how far it is, and where the full log is.
 * Compiler output goes to the log file only; the terminal gets one line per step and progress.
 */
export class StageLog {
  private stepIndex = 0;
  private lastPercent = -1;
  private lastPrintAt = 0;
  private readonly timings: Array<{ title: string; startedAt: number; seconds?: number }> = [];

  constructor(
    readonly stage: string,
    readonly logFile: string,
    private readonly totalSteps: number,
    private readonly print: Printer = (line) => console.log(line),
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(dirname(logFile), { recursive: true });
    appendFileSync(logFile, `# ${stage} — ${new Date(this.now()).toISOString()}\n`);
  }

  info(message: string): void {
    this.print(`[${this.stage}] ${message}`);
    appendFileSync(this.logFile, `# ${message}\n`);
  }

  step(title: string): void {
    this.closeStep();
    this.timings.push({ title, startedAt: this.now() });
    this.stepIndex++;
    this.lastPercent = -1;
    this.info(`(${this.stepIndex}/${this.totalSteps}) ${title}`);
  }

  /**
   * Prints at most every 10 % or every 15 s, so CI logs stay short. Work beyond the planned total
   * (a build step the dry run could not see) is shown as a count only, never as more than 100 %.
   */
  progress(done: number, total: number, unit: string): void {
    if (done > total) {
      const now = this.now();
      if (now - this.lastPrintAt < 15_000) return;
      this.lastPrintAt = now;
      this.print(`[${this.stage}]     ${done} ${unit}`);
      return;
    }
    if (total <= 0) return;
    const percent = Math.min(100, Math.floor((done * 100) / total));
    const now = this.now();
    const bucket = Math.floor(percent / 10);
    if (bucket === Math.floor(this.lastPercent / 10) && now - this.lastPrintAt < 15_000) return;
    if (percent === this.lastPercent) return;
    this.lastPercent = percent;
    this.lastPrintAt = now;
    this.print(`[${this.stage}]     ${done}/${total} ${unit} (${percent}%)`);
  }

  /** Seconds each step took, so slow steps (and any overhead around the tools) are visible. */
  finish(): Array<{ title: string; seconds: number }> {
    this.closeStep();
    const timings = this.timings.map(({ title, seconds }) => ({ title, seconds: seconds ?? 0 }));
    const total = timings.reduce((sum, t) => sum + t.seconds, 0);
    this.info(`took ${total.toFixed(1)} s: ${timings.map((t) => `${t.title} ${t.seconds.toFixed(1)} s`).join(', ')}`);
    return timings;
  }

  private closeStep(): void {
    const open = this.timings.at(-1);
    if (open && open.seconds === undefined) open.seconds = (this.now() - open.startedAt) / 1000;
  }

  /** Runs a command with its output going to this stage's log file. */
  run(runner: ProcessRunner, command: Command, options: Omit<RunOptions, 'logFile'> = {}): Promise<ProcessResult> {
    return runner.run(command, { ...options, logFile: this.logFile });
  }
}
