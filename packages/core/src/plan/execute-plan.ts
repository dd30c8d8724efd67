import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync, lstatSync, rmSync } from 'node:fs';
import { copySync, moveSync } from 'fs-extra';
import { basename, dirname, join } from 'node:path';
import { StageLog } from '../log/stage-log';
import { ProcessRunner } from '../process/command';
import { storedZip } from '../output/stored-zip';
import { BuildPlan, FileOperation, ProgressCounter } from './build-plan';

/** Runs a plan step by step, showing progress and keeping compiler output in the log file. */
export async function executePlan(plan: BuildPlan, runner: ProcessRunner, log: StageLog): Promise<void> {
  for (const step of plan.steps) {
    log.step(step.title);
    if (step.kind === 'run') {
      const onLine = step.progress ? await progressReporter(step.progress, runner, log) : undefined;
      // Every command of the step ends before the step fails: none is left writing into the build directory.
      const ended = await Promise.allSettled([log.run(runner, step.command, { onLine }), ...(step.alongside ?? []).map((command) => log.run(runner, command))]);
      const failed = ended.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) throw failed.reason;
    } else if (step.kind === 'files') {
      step.operations.forEach(applyFileOperation);
    } else {
      await step.perform();
    }
  }
  log.finish();
}

async function progressReporter(counter: ProgressCounter, runner: ProcessRunner, log: StageLog) {
  const pattern = new RegExp(counter.pattern);
  let total = 0;
  await runner.run(counter.countWith, { allowFailure: true, onLine: (line) => pattern.test(line) && total++ });
  let done = 0;
  return (line: string) => {
    if (pattern.test(line)) log.progress(++done, total, counter.unit);
  };
}

export function applyFileOperation(op: FileOperation): void {
  switch (op.op) {
    case 'mkdir':
      mkdirSync(op.to, { recursive: true });
      return;
    case 'write':
      mkdirSync(dirname(op.to), { recursive: true });
      writeFileSync(op.to, op.content, { mode: op.mode ?? 0o644 });
      if (op.mode !== undefined) chmodSync(op.to, op.mode);
      return;
    case 'symlink':
      mkdirSync(dirname(op.to), { recursive: true });
      if (existsSync(op.to) || isDanglingLink(op.to)) rmSync(op.to);
      symlinkSync(op.target, op.to);
      return;
    case 'move':
      // From the build directory to the staging directory, which may be on another disk (`buildDir` on a
      // disk with room is what the disk-full message advises): a rename on one file system, a copy that
      // keeps modes, times and links, then removal of the source across file systems (EXDEV).
      // Publishing staging → output stays an atomic rename (owned-output): staging sits beside the output.
      moveSync(op.from, op.to);
      return;
    case 'zip':
      mkdirSync(dirname(op.to), { recursive: true });
      writeFileSync(op.to, storedZip(op.entries), { mode: 0o644 });
      return;
    case 'copy':
      copyMatching(op.from, op.to);
      return;
    case 'remove':
      rmSync(op.to, { force: true, recursive: true });
      return;
  }
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Copies a file, a directory tree, or every file matching a `*` pattern in the last segment into a directory. */
function copyMatching(from: string, to: string): void {
  const name = basename(from);
  if (name.includes('*')) {
    const dir = dirname(from);
    const regex = new RegExp('^' + name.split('*').map(escapeRegExp).join('.*') + '$');
    const matches = existsSync(dir) ? readdirSync(dir).filter((entry) => regex.test(entry)) : [];
    if (matches.length === 0) throw new Error(`Nothing matches ${from}: the build did not produce the expected files.`);
    mkdirSync(to, { recursive: true });
    for (const entry of matches) copyPath(join(dir, entry), join(to, entry));
    return;
  }
  if (!existsSync(from)) throw new Error(`${from} is missing: the build did not produce it.`);
  copyPath(from, to);
}

/** Files keep their mode; links inside a copied tree stay links with the same (relative) target. */
function copyPath(from: string, to: string): void {
  copySync(from, to, { dereference: false });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
