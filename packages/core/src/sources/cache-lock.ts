import { randomUUID } from 'node:crypto';
import { constants, hostname } from 'node:os';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { killProcessTree, leftoverInside, onChildrenChanged, stopRunningChildren } from '../process/child-registry';
import { pidNamespace, processExists, processStartTime } from '../process/pid-namespace';
import { removeUnpublishedStaging } from '../output/owned-output';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CacheLockOptions {
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
  pollMs?: number;
  /**
   * A lock whose owner cannot be checked from here is taken over once its heartbeat has been seen unchanged
   * for this long (default 2 minutes). See `withCacheLock` for when an owner cannot be checked.
   */
  staleMs?: number;
  /** How often the holder renews its heartbeat (default 5 s); keep it far below staleMs. */
  heartbeatMs?: number;
  /** Told once when the lock is held by another process, with who holds it. */
  onWait?: (owner: string) => void;
  /** Told when the lock of a process that no longer runs (killed, interrupted) is taken over; only the process that takes it over is told. */
  onAbandoned?: (abandoned: AbandonedLock) => void;
}

export interface AbandonedLock {
  /** Who held it, e.g. `process 4242 on build-7`. */
  owner: string;
  /** The abandoned lock, already moved aside: what its owner recorded in it (children.json) is read here; it is removed after the callback. */
  dir: string;
  /**
   * true: its owner ran in this pid namespace and no longer runs. false: its owner could not be checked from
   * here and stopped renewing the lock; whatever it started may still run where it ran.
   */
  ownerSeenGone: boolean;
}

/** The lock as held, for the work done under it. */
export interface HeldLock {
  dir: string;
  /** Removes the lock if it is still this process's own (a signal handler that ends the process early calls it). */
  release(): void;
}

interface LockOwner {
  pid: number;
  host: string;
  /** Where `pid` means something (see `pidNamespace`); absent in locks written before fipskit recorded it. */
  namespace?: string;
  /** The owner's start time, so a reused pid is not taken for it (Linux). */
  started?: string;
  /** One per acquisition: tells this lock from a later one at the same path. */
  token: string;
}

/** A lock found on disk. `text` is its owner record as written, '' when it has none (written by an older fipskit). */
interface FoundLock {
  text: string;
  owner?: LockOwner;
  heartbeat: string;
}

const OWNER_FILE = 'owner.json';
const HEARTBEAT_FILE = 'heartbeat';
/** Inside a lock: the lock a waiter must hold to remove that lock when its owner is gone. */
const TAKEOVER_GUARD = 'takeover';

/**
 * Runs work while holding a directory lock, so two fipskit processes (Nx runs the openssl
 * and cpython source stages side by side) never run apt on the same private state at once.
 * apt's own locking is off for that state (Debug::NoLocking), so this is the only guard.
 *
 * A lock is created whole, owner record included, by one rename of a directory prepared beside it, so no
 * one ever sees it half made. Its owner is judged:
 * - recorded in this pid namespace on this boot (`pidNamespace`): held while that process runs (the same id
 *   and the same start time); taken over at once when it does not;
 * - recorded anywhere else (another container sharing the cache volume and host name has its own pid
 *   namespace, where the recorded pid names some other process here or none), or with no namespace
 *   recorded: fipskit cannot check it, so it waits while the holder renews the lock's heartbeat (every
 *   `heartbeatMs`), and takes it over only after seeing that heartbeat unchanged for `staleMs`, measured on
 *   this process's own monotonic clock (no comparison of two machines' clocks).
 * Removing an abandoned lock is done under a second lock inside it (`takeover`, made the same way), after
 * checking the lock is still the one judged: of several waiters, exactly one removes it, and none can remove
 * a lock another waiter has just taken.
 */
export async function withCacheLock<T>(lockDir: string, work: (held: HeldLock) => Promise<T>, options: CacheLockOptions = {}): Promise<T> {
  const ownText = await acquire(lockDir, options);
  const held: HeldLock = { dir: lockDir, release: () => releaseOwn(lockDir, ownText) };
  const stopHeartbeat = startHeartbeat(lockDir, options.heartbeatMs ?? 5_000);
  try {
    return await work(held);
  } finally {
    stopHeartbeat();
    held.release();
  }
}

/** Waits for the lock and takes it; returns the owner record it holds it by. */
async function acquire(lockDir: string, options: CacheLockOptions): Promise<string> {
  const { timeoutMs = 10 * 60_000, pollMs = 200, staleMs = 2 * 60_000 } = options;
  const deadline = Date.now() + timeoutMs;
  const judge = new LockJudge(staleMs);
  let told = false;
  for (;;) {
    mkdirSync(dirname(lockDir), { recursive: true });
    const ours = tryCreate(lockDir);
    if (ours !== undefined) return ours;
    const found = readLock(lockDir);
    if (found) {
      const verdict = judge.verdict(lockDir, found);
      if (verdict !== 'held' && breakAbandoned(lockDir, found, verdict === 'gone', judge, options.onAbandoned)) continue;
      if (!told) {
        options.onWait?.(describeOwner(found, staleMs));
        told = true;
      }
    }
    if (Date.now() > deadline) {
      const owner = found ? describeOwner(found, staleMs) : 'owner unknown';
      throw new Error(`Another fipskit process has held ${lockDir} for more than ${Math.round(timeoutMs / 1000)} s (${owner}). If no fipskit process runs any more, delete that directory.`);
    }
    await sleep(pollMs);
  }
}

/** Creates the lock at `path` whole; returns its owner record, or undefined when a lock is there (or, for a takeover guard, the lock around it is gone). */
function tryCreate(path: string): string | undefined {
  const namespace = pidNamespace();
  const started = processStartTime(process.pid);
  const owner: LockOwner = { pid: process.pid, host: hostname(), ...(namespace ? { namespace } : {}), ...(started ? { started } : {}), token: randomUUID() };
  const text = JSON.stringify(owner);
  const prepared = `${path}.acquiring-${process.pid}-${owner.token}`;
  try {
    mkdirSync(prepared);
    writeFileSync(join(prepared, OWNER_FILE), text);
    renameSync(prepared, path);
    return text;
  } catch (error) {
    rmSync(prepared, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    // POSIX refuses to rename onto a directory that holds files (ENOTEMPTY/EEXIST), and a lock always holds its
    // owner record; Windows refuses to rename onto any directory (EPERM). ENOENT: a takeover guard's lock vanished.
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT' || ((code === 'EPERM' || code === 'EACCES') && existsSync(path))) return undefined;
    throw error;
  }
}

function readLock(path: string): FoundLock | undefined {
  const text = readText(join(path, OWNER_FILE));
  if (text === undefined && !existsSync(path)) return undefined;
  let owner: LockOwner | undefined;
  try {
    owner = text ? JSON.parse(text) : undefined;
  } catch {
    owner = undefined;
  }
  return { text: text ?? '', owner, heartbeat: readText(join(path, HEARTBEAT_FILE)) ?? '' };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

type Verdict = 'held' | 'gone' | 'stale';

/** Judges the locks one waiter sees, remembering since when each has looked the same. */
class LockJudge {
  private readonly seen = new Map<string, { state: string; since: number }>();
  constructor(readonly staleMs: number) {}

  verdict(path: string, found: FoundLock): Verdict {
    const owner = ownerHere(found.owner);
    if (owner === 'running') return 'held';
    if (owner === 'gone') return 'gone';
    const state = `${found.text}\n${found.heartbeat}`;
    const now = performance.now();
    const last = this.seen.get(path);
    if (!last || last.state !== state) {
      this.seen.set(path, { state, since: now });
      return this.staleMs <= 0 ? 'stale' : 'held';
    }
    return now - last.since >= this.staleMs ? 'stale' : 'held';
  }
}

/** 'unknown' when the owner's pid means nothing here: another pid namespace, another boot or machine, or not recorded. */
function ownerHere(owner: LockOwner | undefined): 'running' | 'gone' | 'unknown' {
  const here = pidNamespace();
  if (!owner || !Number.isInteger(owner.pid) || owner.pid < 1 || !owner.namespace || !here || owner.namespace !== here) return 'unknown';
  if (!processExists(owner.pid)) return 'gone';
  const started = owner.started === undefined ? undefined : processStartTime(owner.pid);
  // The id now names a process that started at another time: the owner is gone and the system reused its id.
  if (started !== undefined && started !== owner.started) return 'gone';
  return 'running';
}

/**
 * Removes the abandoned lock `found` at `path` if this process is the one that gets to; true when it did.
 * Only the holder of the guard inside it may remove it, and only while its owner record is still the one
 * judged: a lock taken afresh at the same path in the meantime has another record (its token).
 */
function breakAbandoned(path: string, found: FoundLock, ownerSeenGone: boolean, judge: LockJudge, onAbandoned?: (abandoned: AbandonedLock) => void, depth = 0): boolean {
  const guard = join(path, TAKEOVER_GUARD);
  const guardText = tryCreate(guard);
  if (guardText === undefined) {
    // Another waiter is taking it over; or one died doing so, and its guard is judged like any lock (bounded: each level needs another death in a window of a few system calls).
    const other = depth < 3 ? readLock(guard) : undefined;
    if (other) {
      const verdict = judge.verdict(guard, other);
      if (verdict !== 'held') breakAbandoned(guard, other, verdict === 'gone', judge, undefined, depth + 1);
    }
    return false;
  }
  if (!isStill(path, found)) {
    releaseOwn(guard, guardText);
    return false;
  }
  const aside = `${path}.abandoned-${process.pid}-${randomUUID()}`;
  try {
    renameSync(path, aside);
  } catch {
    // Windows refuses while another waiter reads the owner record: the next round tries again.
    releaseOwn(guard, guardText);
    return false;
  }
  try {
    onAbandoned?.({ owner: describeOwner(found, judge.staleMs), dir: aside, ownerSeenGone });
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
  return true;
}

/** Whether the lock at `path` is still the one found (a lock without an owner record only comes from an older fipskit). */
function isStill(path: string, found: FoundLock): boolean {
  const text = readText(join(path, OWNER_FILE));
  return text === undefined ? found.text === '' && existsSync(path) : text === found.text;
}

/** Removes a lock this process holds, unless another process has since taken it over; never leaves it half removed in place. */
function releaseOwn(path: string, ownText: string): void {
  if (readText(join(path, OWNER_FILE)) !== ownText) return;
  const aside = `${path}.released-${process.pid}-${randomUUID()}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    // Windows refuses to rename a directory while another process reads a file in it: remove it in place.
    rmSync(path, { recursive: true, force: true, maxRetries: 5 });
    return;
  }
  rmSync(aside, { recursive: true, force: true });
}

/** Renews the heartbeat while the work runs, so a waiter that cannot check this process sees it is alive. */
function startHeartbeat(lockDir: string, everyMs: number): () => void {
  let beat = 0;
  const timer = setInterval(() => {
    try {
      writeFileSync(join(lockDir, HEARTBEAT_FILE), String(++beat));
    } catch {
      // A missed beat only makes a waiter that cannot check this process wait; the next one renews it.
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

function describeOwner(found: FoundLock, staleMs: number): string {
  const { owner } = found;
  if (!owner || !Number.isInteger(owner.pid)) return `owner unknown (fipskit takes the lock over once it has gone ${duration(staleMs)} unchanged)`;
  const who = `process ${owner.pid} on ${owner.host}`;
  if (ownerHere(owner) !== 'unknown') return who;
  return `${who} (in another pid namespace or on another machine: fipskit cannot check it there, and takes the lock over once it has gone ${duration(staleMs)} without renewing it)`;
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
          print(`[${stage}] a previous run (${owner}) stopped renewing its lock; taking it over and starting over from a clean build directory (tools it started there cannot be stopped from here)`);
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
