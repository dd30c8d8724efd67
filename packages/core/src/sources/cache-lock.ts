import { constants, hostname } from 'node:os';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { killProcessTree, leftoverInside, onChildrenChanged, stopRunningChildren } from '../process/child-registry';
import { removeUnpublishedStaging } from '../output/owned-output';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CacheLockOptions {
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
  pollMs?: number;
  /** A lock older than this is taken over even if its owner cannot be checked (default 30 minutes). */
  staleMs?: number;
  /** Told once when the lock is held by another running process, with who holds it. */
  onWait?: (owner: string) => void;
  /** Told when the lock of a process that no longer runs (killed, interrupted) is taken over. */
  onAbandoned?: (owner: string) => void;
}

interface LockOwner {
  pid: number;
  host: string;
}

/**
 * Runs work while holding a directory lock, so two fipskit processes (Nx runs the openssl
 * and cpython source stages side by side) never run apt on the same private state at once.
 * apt's own locking is off for that state (Debug::NoLocking), so this is the only guard.
 */
export async function withCacheLock<T>(lockDir: string, work: () => Promise<T>, options: CacheLockOptions = {}): Promise<T> {
  const { timeoutMs = 10 * 60_000, pollMs = 200, staleMs = 30 * 60_000 } = options;
  mkdirSync(dirname(lockDir), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let told = false;
  while (!tryAcquire(lockDir)) {
    if (isAbandoned(lockDir, staleMs)) {
      options.onAbandoned?.(describeOwner(lockDir));
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!told) {
      options.onWait?.(describeOwner(lockDir));
      told = true;
    }
    if (Date.now() > deadline) {
      throw new Error(`Another fipskit process has held ${lockDir} for more than ${Math.round(timeoutMs / 1000)} s (${describeOwner(lockDir)}). If no fipskit process runs any more, delete that directory.`);
    }
    await sleep(pollMs);
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function tryAcquire(lockDir: string): boolean {
  try {
    mkdirSync(lockDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  const owner: LockOwner = { pid: process.pid, host: hostname() };
  writeFileSync(join(lockDir, 'owner.json'), JSON.stringify(owner));
  return true;
}

function readOwner(lockDir: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(join(lockDir, 'owner.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

function isAbandoned(lockDir: string, staleMs: number): boolean {
  const owner = readOwner(lockDir);
  if (owner && owner.host === hostname()) return !isRunning(owner.pid);
  try {
    return Date.now() - statSync(lockDir).mtimeMs > staleMs;
  } catch {
    return false;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeOwner(lockDir: string): string {
  const owner = readOwner(lockDir);
  return owner ? `process ${owner.pid} on ${owner.host}` : 'owner unknown';
}

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
    async () => {
      const note = join(buildDir, INTERRUPTION_NOTE);
      if (existsSync(note)) {
        print(`[${stage}] ${readFileSync(note, 'utf8').trim()} Starting ${stage} over.`);
        rmSync(note, { force: true });
      }
      const stopRecording = onChildrenChanged((pids) => recordChildren(lockDir, pids));
      const stopGuarding = guardAgainstSignals(stage, buildDir, lockDir, print);
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
      staleMs: 6 * 60 * 60_000,
      onWait: (owner) => print(`[${stage}] waiting for ${owner}, which is running this stage in ${buildDir}`),
      onAbandoned: (owner) => {
        const leftovers = readChildren(lockDir).filter((pid) => leftoverInside(pid, buildDir));
        leftovers.forEach(killProcessTree);
        const stopped = leftovers.length ? ` (stopped processes ${leftovers.join(', ')} it left running in the build directory)` : '';
        print(`[${stage}] a previous run (${owner}) was interrupted${stopped}; starting over from a clean build directory`);
      },
    },
  );
}

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

function guardAgainstSignals(stage: string, buildDir: string, lockDir: string, print: (line: string) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    stopGuarding();
    const stopped = stopRunningChildren();
    const removed = removeUnpublishedStaging();
    rmSync(lockDir, { recursive: true, force: true });
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
