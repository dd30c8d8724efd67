import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { sep } from 'node:path';

/**
 * The external tools this process is running now (make, cl, perl …), so an interrupted stage can
 * stop them with everything they started, instead of leaving compilers writing into a build directory
 * the next run is about to use.
 */
const running = new Set<number>();
const listeners = new Set<(pids: number[]) => void>();

export function trackChild(pid: number | undefined): void {
  if (pid === undefined) return;
  running.add(pid);
  for (const listener of listeners) listener([...running]);
}

export function untrackChild(pid: number | undefined): void {
  if (pid === undefined) return;
  running.delete(pid);
  for (const listener of listeners) listener([...running]);
}

export function runningChildren(): number[] {
  return [...running];
}

/** Told whenever the set of running children changes (the stage lock records it for a later run). */
export function onChildrenChanged(listener: (pids: number[]) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Every process below pid, deepest last, from the system's process table. */
export function descendantsOf(pid: number): number[] {
  if (process.platform === 'win32') return [];
  const table = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  if (table.status !== 0) return [];
  const children = new Map<number, number[]>();
  for (const line of table.stdout.split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (!child || Number.isNaN(parent)) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Kills a process and everything it started, at once (SIGKILL: a compiler has nothing to save). The
 * parent first, so make cannot start another compiler while its children die.
 */
export function killProcessTree(pid: number): void {
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/PID', String(pid), '/T', '/F'], { windowsHide: true });
    return;
  }
  const tree = [pid, ...descendantsOf(pid)];
  for (const target of tree) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Stops every tool this process is running, with their children. */
export function stopRunningChildren(): number[] {
  const stopped = runningChildren();
  for (const pid of stopped) killProcessTree(pid);
  running.clear();
  return stopped;
}

/**
 * A process a killed run left behind, if it still runs inside dir. Only on Linux, where /proc tells
 * the working directory: elsewhere a reused process id could name someone else's process.
 */
export function leftoverInside(pid: number, dir: string): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return cwd === dir || cwd.startsWith(dir + sep);
  } catch {
    return false;
  }
}
