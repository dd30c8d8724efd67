import { readdirSync, readlinkSync } from 'node:fs';

/** Processes whose working directory is inside dir, from /proc (Linux): tools still running there. */
export function processesInside(dir: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const cwd = readlinkSync(`/proc/${pid}/cwd`);
        return cwd === dir || cwd.startsWith(`${dir}/`);
      } catch {
        return false;
      }
    })
    .map(Number);
}
