import { constants } from 'node:os';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killProcessTree, leftoverInside, onChildrenChanged, stopRunningChildren } from '../process/child-registry';
import { removeUnpublishedStaging } from '../output/owned-output';
import { HeldLock, withCacheLock } from './cache-lock';

/**
 * One run of a stage at a time in a build directory: a second `nx run` of the same project waits
 * (saying for whom) instead of compiling into the same objects. While the stage runs:
 * - SIGINT, SIGTERM or SIGHUP stop the tools it runs (with their children), remove its unpublished
 *   output and its lock, say so, and end the process with the status that signal gives (130, 143,
 *   129): nothing half-written is published, so Nx caches nothing and the next run starts the stage over;
 * - the tools' process ids are kept in the lock, so when a run was killed outright (SIGKILL, a crash)
 *   the next run stops what it left compiling in the build directory before starting over.
 */
export async function withStageLock<T>(buildDir: string, stage: string, print: (line: string) => void, work: () => Promise<T>): Promise<T> {
  const lockDir = join(buildDir, '.fipskit-lock');
  return withCacheLock(
    lockDir,
    async (held) => {
      const note = join(buildDir, INTERRUPTION_NOTE);
      if (existsSync(note)) {
        print(`[${stage}] ${readFileSync(note, 'utf8').trim()} Starting ${stage} over.`);
        rmSync(note, { force: true });
      }
      const stopRecording = onChildrenChanged((pids) => recordChildren(lockDir, pids));
      const stopGuarding = guardAgainstSignals(stage, buildDir, held, print);
      try {
        return await work();
      } finally {
        stopGuarding();
        stopRecording();
      }
    },
    {
      timeoutMs: 6 * 60 * 60_000,
      pollMs: 500,
      // Long enough for the stage's longest synchronous step (copying an install tree across disks) to pass without a beat.
      staleMs: STAGE_LOCK_STALE_MS,
      onWait: (owner) => print(`[${stage}] waiting for ${owner}, which is running this stage in ${buildDir}`),
      onAbandoned: ({ owner, dir, ownerSeenGone }) => {
        if (!ownerSeenGone) {
          print(
            `[${stage}] a previous run (${owner}) stopped renewing its lock; taking it over and starting over from a clean build directory (tools it started there cannot be stopped from here)`,
          );
          return;
        }
        const leftovers = readChildren(dir).filter((pid) => leftoverInside(pid, buildDir));
        leftovers.forEach(killProcessTree);
        const stopped = leftovers.length ? ` (stopped processes ${leftovers.join(', ')} it left running in the build directory)` : '';
        print(`[${stage}] a previous run (${owner}) was interrupted${stopped}; starting over from a clean build directory`);
      },
    },
  );
}

/** A stage lock whose owner cannot be checked (another container) is taken over after 5 minutes without a heartbeat. */
export const STAGE_LOCK_STALE_MS = 5 * 60_000;

const CHILDREN_FILE = 'children.json';

function recordChildren(lockDir: string, pids: number[]): void {
  try {
    if (!existsSync(lockDir)) return;
    // Written whole and then renamed, so a run killed mid-write leaves the previous record, never half of one.
    const record = join(lockDir, CHILDREN_FILE);
    writeFileSync(`${record}.${process.pid}`, JSON.stringify(pids));
    renameSync(`${record}.${process.pid}`, record);
  } catch {
    // The record only helps a later run clean up after a crash; the build does not depend on it.
  }
}

function readChildren(lockDir: string): number[] {
  try {
    const pids = JSON.parse(readFileSync(join(lockDir, CHILDREN_FILE), 'utf8'));
    return Array.isArray(pids) ? pids.filter((p): p is number => Number.isInteger(p) && p > 1) : [];
  } catch {
    return [];
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** What an interrupted run did, for the next run to say (Nx may be gone before the interrupted run's own message shows). */
const INTERRUPTION_NOTE = '.fipskit-interrupted';

function guardAgainstSignals(stage: string, buildDir: string, held: HeldLock, print: (line: string) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    stopGuarding();
    const stopped = stopRunningChildren();
    const removed = removeUnpublishedStaging();
    held.release();
    const tools = stopped.length ? `stopped the running tools (processes ${stopped.join(', ')}) and ` : '';
    const output = removed.length ? `removed the unfinished output (${removed.join(', ')})` : 'nothing had been written to the output yet';
    const what = `${tools}${output}. Nothing was published, so nothing was cached.`;
    print(`[${stage}] interrupted by ${signal}: ${what} The next run starts ${stage} over.`);
    try {
      writeFileSync(join(buildDir, INTERRUPTION_NOTE), `The previous run was interrupted by ${signal} at ${new Date().toISOString()}: it ${what}\n`);
    } catch {
      // Only a message for the next run.
    }
    // End now, with the status a shell gives a process the signal ended (130 for SIGINT, 143 for SIGTERM).
    process.exit(128 + (constants.signals[signal] ?? 1));
  };
  const stopGuarding = () => SIGNALS.forEach((signal) => process.removeListener(signal, handler));
  SIGNALS.forEach((signal) => process.on(signal, handler));
  return stopGuarding;
}
