import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { CacheReuse } from '../../cache/task-options';
import { defaultSourceCacheDir } from '../../sources/cache-dir';
import { DEFAULT_INDEX_MAX_AGE_HOURS, debianIndexUse } from '../../sources/debian-archive';
import { SourceSpec } from '../../sources/source-spec';
import { SourcesOptions } from './schema';

export interface SourcesReuseContext {
  workspaceRoot: string;
  env: NodeJS.ProcessEnv;
  now: number;
  /** Root of the file system whose apt configuration is read (tests). */
  systemRoot?: string;
}

/** Whether the sources stage is asked to resolve again now, whatever its index: `--refresh`, or FIPSKIT_REFRESH_SOURCES=1 for a whole build. */
export function refreshAsked(options: Pick<SourcesOptions, 'refresh'>, env: NodeJS.ProcessEnv): boolean {
  return (options.refresh ?? false) || env.FIPSKIT_REFRESH_SOURCES === '1';
}

/**
 * What the locks depend on besides the options (which are in the task's hash already), when the resolution would ask
 * nobody: for a url source nothing but the options and a signature keys file; for a Debian source the private index
 * it would use as it is (see `debianIndexUse`). Not reusable when the resolution would ask the archive (no index,
 * one older than indexMaxAgeHours, a refresh) or read a local source, whose bytes only hashing them can tell: then
 * the stage runs, as it always did.
 */
export function sourcesReuse(options: SourcesOptions, ctx: SourcesReuseContext): CacheReuse {
  if (refreshAsked(options, ctx.env)) return { reusable: false, why: 'a refresh is asked' };
  const cacheDir = options.cacheDir
    ? isAbsolute(options.cacheDir)
      ? options.cacheDir
      : join(ctx.workspaceRoot, options.cacheDir)
    : defaultSourceCacheDir(ctx.env);
  const index = { maxAgeHours: options.indexMaxAgeHours ?? DEFAULT_INDEX_MAX_AGE_HOURS };
  const state: string[] = [];
  const specs: Array<[string, SourceSpec | undefined]> = [
    ['openssl', options.openssl],
    ['fipsProvider', options.fipsProvider],
    ['python', options.python],
  ];
  for (const [name, spec] of specs) {
    if (!spec) continue;
    const keys = spec.signature?.keys;
    if (keys !== undefined) {
      const path = resolve(ctx.workspaceRoot, keys);
      state.push(`${name} signature keys ${existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'missing'}`);
    }
    switch (spec.kind) {
      case 'url':
        break;
      case 'debian': {
        const use = debianIndexUse(spec, { cacheDir, systemRoot: ctx.systemRoot, index, now: () => ctx.now });
        if (!use.reused) return { reusable: false, why: `${name}: ${use.why}` };
        state.push(`${name}: ${use.state}`);
        break;
      }
      default:
        return { reusable: false, why: `${name} is a ${spec.kind === 'local' ? 'local source, read afresh each time' : 'source the resolution will check'}` };
    }
  }
  return { reusable: true, state: state.join('\n') };
}
