import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

let thisNamespace: string | undefined | null = null;

/**
 * Where a process id names one process, so a lock recorded elsewhere is never judged by a pid that means
 * another process here. On Linux: the boot (`boot_id`; the pid namespace's inode number repeats across
 * machines and boots) and the pid namespace (each container has its own, and containers may share a host
 * name and, through a volume, a cache or build directory). Elsewhere the host name: macOS and Windows hosts
 * have no pid namespaces. Undefined when /proc cannot tell: no owner can then be checked from here.
 */
export function pidNamespace(): string | undefined {
  // A process never changes its own pid namespace (setns and unshare change its children's).
  if (thisNamespace === null) thisNamespace = readPidNamespace();
  return thisNamespace;
}

function readPidNamespace(): string | undefined {
  if (process.platform !== 'linux') return `host:${hostname()}`;
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `linux:${boot}:${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return undefined;
  }
}

/**
 * When a process started (Linux: clock ticks after boot, field 22 of /proc/<pid>/stat), so a process id the
 * system has since given to another process is not taken for the one recorded. Undefined elsewhere or when
 * the process does not exist.
 */
export function processStartTime(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2, the command name, is in parentheses and may itself hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether a process with this id exists in this pid namespace (one of another user counts). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
