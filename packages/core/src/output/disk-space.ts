import { StatsFs, existsSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ProcessError } from '../process/process-error';

export const MB = 1024 * 1024;

/** The file system that holds path, or would once it is created: that of its nearest existing ancestor. */
function fileSystemOf(path: string): StatsFs | undefined {
  let dir = resolve(path);
  while (!existsSync(dir)) {
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  try {
    return statfsSync(dir);
  } catch {
    return undefined;
  }
}

/** Free bytes for an unprivileged writer on the file system that holds path (or would, once created). */
export function freeBytes(path: string): number | undefined {
  const fs = fileSystemOf(path);
  return fs && fs.bavail * fs.bsize;
}

export function describeBytes(bytes: number): string {
  return bytes >= 1024 * MB ? `${(bytes / (1024 * MB)).toFixed(1)} GB` : `${Math.max(0, Math.round(bytes / MB))} MB`;
}

export interface SpaceNeed {
  /** A directory the stage writes (it may not exist yet). */
  dir: string;
  bytes: number;
  /** What goes there, for the message. */
  what: string;
  /** The option that moves it to another disk. */
  option: string;
}

/**
 * Refuses a stage before any work when a directory it writes is on a file system without room, naming
 * the directory, what it needs and the option that moves it. Needs on one file system are added up.
 */
export function assertFreeSpace(stage: string, needs: SpaceNeed[]): void {
  const byFileSystem = new Map<string, { free: number; needs: SpaceNeed[] }>();
  for (const need of needs) {
    const fs = fileSystemOf(need.dir);
    if (!fs) continue;
    // statfs has no device id; file systems differ in these together.
    const key = `${fs.type}:${fs.blocks}:${fs.bsize}:${fs.files}`;
    const entry = byFileSystem.get(key) ?? { free: fs.bavail * fs.bsize, needs: [] };
    entry.needs.push(need);
    byFileSystem.set(key, entry);
  }
  for (const { free, needs: together } of byFileSystem.values()) {
    const total = together.reduce((sum, n) => sum + n.bytes, 0);
    if (free >= total) continue;
    const list = together.map((n) => `${n.what} in ${n.dir} (about ${describeBytes(n.bytes)}; ${n.option} moves it)`).join(', ');
    throw new Error(
      `Not enough free disk space for the ${stage} stage: ${describeBytes(free)} free where it needs about ${describeBytes(total)} for ${list}. ` +
        'Free space on that disk, or point the option at a disk with room. Nothing was started.',
    );
  }
}

/** The disk filled up: from Node (ENOSPC) or from a tool's output. */
export function isDiskFull(error: unknown): boolean {
  if ((error as NodeJS.ErrnoException)?.code === 'ENOSPC') return true;
  if (error instanceof ProcessError) return error.tail.some((line) => /No space left on device|ENOSPC|disk full/i.test(line));
  const message = (error as Error)?.message ?? '';
  return /ENOSPC|No space left on device/.test(message);
}

/**
 * A clear error for a stage that ran out of disk part way: which directory, how much is free now, that
 * nothing was published, and what to do. Other errors pass through unchanged.
 */
export function explainDiskFull(error: unknown, stage: string, needs: Array<Pick<SpaceNeed, 'dir' | 'option'>>): unknown {
  if (!isDiskFull(error)) return error;
  const where = needs.map(({ dir, option }) => `${dir} (${describeBytes(freeBytes(dir) ?? 0)} free now; ${option} moves it)`).join(', ');
  return new Error(
    `The ${stage} stage ran out of disk space (No space left on device) while writing to ${where}. ` +
      'Nothing was published: the unfinished output was removed, and the next run starts over. Free space there, or point those options at a disk with room, then run again.',
    { cause: error },
  );
}
