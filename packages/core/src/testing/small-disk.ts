import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real, small file system (tmpfs) for disk-full tests: writes past its size fail with ENOSPC. */
export interface SmallDisk {
  dir: string;
  /** Takes all free space but `leaveBytes` with one file. */
  fill(leaveBytes?: number): void;
  unmount(): void;
}

/** Mounts a tmpfs of sizeMb; returns why not when this machine does not allow it (not root). */
export function mountSmallDisk(sizeMb: number): SmallDisk | string {
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-small-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0755`, 'fipskit-small-disk', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()}): disk-full tests need root`;
  }
  return {
    dir,
    fill(leaveBytes = 0) {
      const stats = statfsSync(dir);
      const free = stats.bavail * stats.bsize;
      if (free > leaveBytes) writeFileSync(join(dir, `filler-${Date.now()}`), Buffer.alloc(free - leaveBytes));
    },
    unmount() {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
