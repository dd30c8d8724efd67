import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { pidNamespace, processExists, processStartTime } from '../process/pid-namespace';
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
 * Runs work while holding a directory lock, so two fipskit processes never work on the same state at once: the
 * private apt state in the source cache (Nx runs the openssl and cpython source stages side by side, and apt's own
 * locking is off for that state, Debug::NoLocking, so this is the only guard), a base image in the cache, and a
 * stage's build directory (`withStageLock`).
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
      throw new Error(
        `Another fipskit process has held ${lockDir} for more than ${Math.round(timeoutMs / 1000)} s (${owner}). If no fipskit process runs any more, delete that directory.`,
      );
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
function breakAbandoned(
  path: string,
  found: FoundLock,
  ownerSeenGone: boolean,
  judge: LockJudge,
  onAbandoned?: (abandoned: AbandonedLock) => void,
  depth = 0,
): boolean {
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
