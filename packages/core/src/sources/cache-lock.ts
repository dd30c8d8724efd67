import { hostname } from 'node:os';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
 * (saying for whom) instead of compiling into the same objects; the lock of a run that was killed is
 * taken over, and the stage then starts over from a clean build directory.
 */
export async function withStageLock<T>(buildDir: string, stage: string, print: (line: string) => void, work: () => Promise<T>): Promise<T> {
  return withCacheLock(join(buildDir, '.fipskit-lock'), work, {
    timeoutMs: 6 * 60 * 60_000,
    pollMs: 500,
    staleMs: 6 * 60 * 60_000,
    onWait: (owner) => print(`[${stage}] waiting for ${owner}, which is running this stage in ${buildDir}`),
    onAbandoned: (owner) => print(`[${stage}] a previous run (${owner}) was interrupted; starting over from a clean build directory`),
  });
}
