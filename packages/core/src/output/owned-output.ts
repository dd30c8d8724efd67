import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** File fipskit writes into every output directory it creates; its presence is our proof of ownership. */
export const OUTPUT_MARKER = '.fipskit-output.json';
const PARTIAL_SUFFIX = '.fipskit-partial';

export interface OutputMarker {
  createdBy: 'fipskit';
  stage: string;
  createdAt: string;
  /** The Nx hash of the task that made it, when Nx ran it: another run of the same task can take it instead. */
  taskHash?: string;
}

/** Refuses to touch a directory that holds files fipskit did not create. */
export function assertOutputIsOurs(dir: string, stage: string): void {
  if (!existsSync(dir)) return;
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  const marker = readMarker(dir);
  if (marker) return;
  const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
  throw new Error(
    `The ${stage} output directory ${dir} already holds files that fipskit did not create (${shown}). ` +
      `fipskit never deletes files it did not create: move them away, or set outputPath to an empty or new directory.`,
  );
}

export function readMarker(dir: string): OutputMarker | undefined {
  const file = join(dir, OUTPUT_MARKER);
  if (!existsSync(file)) return undefined;
  try {
    const marker = JSON.parse(readFileSync(file, 'utf8'));
    return marker?.createdBy === 'fipskit' ? marker : undefined;
  } catch {
    return undefined;
  }
}

/** This process's staging directories not yet published. */
const unpublished = new Set<string>();

/** Removes the staging directories of this process that were never published (an interrupted stage). */
export function removeUnpublishedStaging(): string[] {
  const removed = [...unpublished];
  for (const dir of removed) rmSync(dir, { recursive: true, force: true });
  unpublished.clear();
  return removed;
}

/**
 * A staging directory beside the final output. Everything is written there first and moved
 * into place only when the stage succeeded, so an interrupted run never leaves a half-written
 * output for Nx to cache or for the next stage to use.
 */
export function createStaging(finalDir: string): string {
  const parent = dirname(finalDir);
  try {
    mkdirSync(parent, { recursive: true });
    removeStaleStaging(finalDir);
    const staging = join(parent, `${basename(finalDir)}.${process.pid}${PARTIAL_SUFFIX}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    unpublished.add(staging);
    return staging;
  } catch (error) {
    throw notWritable(error, parent, finalDir);
  }
}

const NOT_WRITABLE: Record<string, string> = {
  EACCES: 'this user may not write there',
  EPERM: 'this user may not write there (or a file in it is marked read-only or immutable)',
  EROFS: 'it is on a read-only file system',
  EBUSY: 'another program holds it open',
};

/**
 * A sentence for a directory the stage may not write, instead of a raw `EACCES … rename`: what, why, and the way
 * out. Other errors pass through unchanged.
 */
function notWritable(error: unknown, dir: string, finalDir: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (!code || !(code in NOT_WRITABLE)) return error;
  return new Error(
    `Cannot write the output ${finalDir}: ${NOT_WRITABLE[code]} (${code} on ${dir}). Make ${dirname(finalDir)} and ${finalDir} writable ` +
      '(chmod/chown, remount read-write, or close the program holding them), or point outputPath (fipskit.json: outputDir) at a writable ' +
      'directory, and run the stage again. The previous output, if any, is unchanged.',
  );
}

/**
 * Leftovers of runs that were killed: this output's own staging names (`<name>.<pid>.fipskit-partial`, and the
 * `.previous` one a publish moves aside) of a process that is no longer running — never anything else: not another
 * output whose name starts the same (the audit's `<name>.audit.<pid>.fipskit-partial`), not a run still going.
 */
export function removeStaleStaging(finalDir: string): string[] {
  const parent = dirname(finalDir);
  if (!existsSync(parent)) return [];
  const own = new RegExp(`^${basename(finalDir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)(\\.previous)?${PARTIAL_SUFFIX.replace(/\./g, '\\.')}$`);
  const stale = readdirSync(parent).filter((name) => {
    const pid = own.exec(name)?.[1];
    return pid !== undefined && (Number(pid) === process.pid || !isRunning(Number(pid)));
  });
  for (const name of stale) rmSync(join(parent, name), { recursive: true, force: true });
  return stale;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Moves a finished staging directory into place, replacing a previous fipskit output only. */
export function publishOutput(staging: string, finalDir: string, stage: string): void {
  assertOutputIsOurs(finalDir, stage);
  const marker: OutputMarker = { createdBy: 'fipskit', stage, createdAt: new Date().toISOString() };
  try {
    writeFileSync(join(staging, OUTPUT_MARKER), JSON.stringify(marker, null, 2) + '\n');
    if (existsSync(finalDir)) {
      const previous = `${finalDir}.${process.pid}.previous${PARTIAL_SUFFIX}`;
      renameSync(finalDir, previous);
      try {
        renameSync(staging, finalDir);
      } catch (error) {
        // The previous output goes back where it was: a failed publish loses nothing.
        renameSync(previous, finalDir);
        throw error;
      }
      rmSync(previous, { recursive: true, force: true });
    } else {
      renameSync(staging, finalDir);
    }
  } catch (error) {
    throw notWritable(error, dirname(finalDir), finalDir);
  }
  unpublished.delete(staging);
}

/**
 * The Nx hash of the task this process runs (Nx sets NX_TASK_HASH for it), when Nx started it for this project and
 * target and may take a cached result: with --skip-nx-cache the user asked for a build, so there is none to share.
 */
export function nxTaskHash(context: { projectName?: string; targetName?: string }, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!env.NX_TASK_HASH || env.NX_SKIP_NX_CACHE === 'true') return undefined;
  if (env.NX_TASK_TARGET_PROJECT !== context.projectName || env.NX_TASK_TARGET_TARGET !== context.targetName) return undefined;
  return env.NX_TASK_HASH;
}

/**
 * A stage's build inside its lock, once per task: when another run of the same task (the same Nx hash) published the
 * output while this one waited for the lock, that output is this run's too, and nothing is built again.
 */
export function buildOncePerTask(
  finalDir: string,
  stage: string,
  taskHash: string | undefined,
  print: (line: string) => void,
  build: () => Promise<void>,
): () => Promise<void> {
  const before = readMarker(finalDir);
  return async (): Promise<void> => {
    const now = readMarker(finalDir);
    if (taskHash && now?.taskHash === taskHash && now.createdAt !== before?.createdAt) {
      print(`[${stage}] another run of this task (the same Nx hash) published ${finalDir} while this one waited: using it, nothing built again`);
      return;
    }
    await build();
    const published = readMarker(finalDir);
    if (taskHash && published) writeFileSync(join(finalDir, OUTPUT_MARKER), JSON.stringify({ ...published, taskHash }, null, 2) + '\n');
  };
}
