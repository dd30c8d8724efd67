import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { ToolRunner } from '../../process/tool-runner';
import { executorResult } from '../../log/executor-result';
import { ProcessRunner } from '../../process/command';
import { defaultSourceCacheDir } from '../../sources/cache-dir';
import { resolveSource } from '../../sources/resolve-source';
import { DEFAULT_INDEX_MAX_AGE_HOURS } from '../../sources/debian-archive';
import { refreshAsked } from './sources-reuse';
import { SourceLock, SourceProduct, SourceSpec } from '../../sources/source-spec';
import { SourcesOptions } from './schema';

export function lockFileName(product: SourceProduct): string {
  return `${product}.source.json`;
}

/** The lock of the second OpenSSL source, from which only the FIPS provider is built. */
export const FIPS_PROVIDER_LOCK = 'openssl-fips-provider.source.json';

export default async function sourcesExecutor(
  options: SourcesOptions,
  context: ExecutorContext,
  deps: { runner?: ProcessRunner; print?: (line: string) => void } = {},
): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  const resolvePath = (p: string) => (isAbsolute(p) ? p : join(context.root, p));
  const ctx = {
    workspaceRoot: context.root,
    cacheDir: options.cacheDir ? resolvePath(options.cacheDir) : defaultSourceCacheDir(),
    runner: deps.runner ?? new ToolRunner(),
    // FIPSKIT_REFRESH_SOURCES=1 asks for it from a whole build (nx run <project>:build), which passes no option to sources.
    index: {
      refresh: refreshAsked(options, process.env),
      maxAgeHours: options.indexMaxAgeHours ?? DEFAULT_INDEX_MAX_AGE_HOURS,
    },
    print,
  };
  const wanted: Array<[SourceProduct, SourceSpec, string]> = [];
  if (options.openssl) wanted.push(['openssl', options.openssl, lockFileName('openssl')]);
  if (options.fipsProvider) wanted.push(['openssl', options.fipsProvider, FIPS_PROVIDER_LOCK]);
  if (options.python) wanted.push(['cpython', options.python, lockFileName('cpython')]);
  return executorResult('sources', print, async () => {
    if (wanted.length === 0) throw new Error('No source is configured: set openssl and/or python (and optionally fipsProvider).');
    if (options.fipsProvider && !options.openssl)
      throw new Error("fipsProvider is the FIPS provider built beside the openssl source's libraries: set openssl too.");
    const locks: Array<[SourceLock, string]> = [];
    for (const [product, spec, file] of wanted) {
      const lock = await resolveSource(product, spec, ctx);
      const what = file === FIPS_PROVIDER_LOCK ? 'openssl (FIPS provider only)' : product;
      print(`[sources] ${what} ${lock.version} from ${lock.origin}: ${lock.location} (sha256 ${lock.sha256})`);
      locks.push([lock, file]);
    }
    const outputDir = resolvePath(options.outputPath);
    mkdirSync(outputDir, { recursive: true });
    for (const [lock, file] of locks) writeFileSync(join(outputDir, file), JSON.stringify(lock, null, 2) + '\n');
  });
}
