import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

/** `fipskit-sources-<host>-<pid>-XXXXXX`: whose copies they are, so a later run can remove those of a process that was killed. */
const PREFIX = 'fipskit-sources-';
const host = hostname().replace(/[^A-Za-z0-9.]/g, '_');
const ownDirs = new Map<string, string>();

/**
 * A new, empty directory that only this user can enter (mkdtemp makes it 0700), for the private copy of
 * one tarball: under `parent` when given (such as the stage's build directory), else under the system's
 * temporary directory. Everything this process made there is removed when it exits, and the copies of a
 * process that no longer runs (killed) when the next one starts.
 */
export function newPrivateDir(parent: string = tmpdir()): string {
  let own = ownDirs.get(parent);
  if (!own) {
    mkdirSync(parent, { recursive: true });
    removeCopiesOfEndedProcesses(parent);
    own = mkdtempSync(join(parent, `${PREFIX}${host}-${process.pid}-`));
    if (ownDirs.size === 0) process.once('exit', removeOwnDirs);
    ownDirs.set(parent, own);
  }
  return mkdtempSync(join(own, 'verified-'));
}

function removeOwnDirs(): void {
  for (const dir of ownDirs.values()) rmSync(dir, { recursive: true, force: true });
  ownDirs.clear();
}

function removeCopiesOfEndedProcesses(parent: string): void {
  const mine = new RegExp(`^${PREFIX}${host.replace(/\./g, '\\.')}-(\\d+)-`);
  for (const name of readdirSync(parent)) {
    const pid = Number(mine.exec(name)?.[1] ?? NaN);
    if (!pid || pid === process.pid || processRuns(pid)) continue;
    const dir = join(parent, name);
    try {
      // Only this user's: another user's copies are theirs to remove (and the sticky /tmp would refuse anyway).
      if (process.getuid && statSync(dir).uid !== process.getuid()) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Gone already, or another run is removing it.
    }
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
