import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { ExecaRunner } from '../../process/execa-runner';
import { executorResult } from '../../log/executor-result';
import { ProcessRunner } from '../../process/command';
import { defaultSourceCacheDir } from '../../sources/cache-dir';
import { resolveSource } from '../../sources/resolve-source';
import { SourceLock, SourceProduct, SourceSpec } from '../../sources/source-spec';
import { SourcesOptions } from './schema';

export function lockFileName(product: SourceProduct): string {
  return `${product}.source.json`;
}

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
    runner: deps.runner ?? new ExecaRunner(),
  };
  const wanted: Array<[SourceProduct, SourceSpec]> = [['openssl', options.openssl]];
  if (options.python) wanted.push(['cpython', options.python]);
  return executorResult('sources', print, async () => {
    const locks: SourceLock[] = [];
    for (const [product, spec] of wanted) {
      const lock = await resolveSource(product, spec, ctx);
      print(`[sources] ${product} ${lock.version} from ${lock.origin}: ${lock.location} (sha256 ${lock.sha256})`);
      locks.push(lock);
    }
    const outputDir = resolvePath(options.outputPath);
    mkdirSync(outputDir, { recursive: true });
    for (const lock of locks) writeFileSync(join(outputDir, lockFileName(lock.product)), JSON.stringify(lock, null, 2) + '\n');
  });
}
