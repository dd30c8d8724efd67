import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ContentCache, DebianSource, ToolRunner, ResolveContext, defaultSourceCacheDir, extractArchive, fetchSource, resolveSource } from '@fipskit/core';

export interface PcbuildReferenceSource {
  version: string;
  fileName: string;
  sha256: string;
  /** How CI fetches it: `resolveSource('cpython', spec, ctx)` then `fetchSource`. */
  spec: DebianSource;
}

/**
 * The CPython releases whose real PCbuild files the Windows specs are checked against, as Debian
 * carries them (upstream tarballs unchanged). Pinned by SHA-256: the expected plans name their defaults.
 */
export const PCBUILD_REFERENCE_SOURCES = {
  '3.11': {
    version: '3.11.2',
    fileName: 'python3.11_3.11.2.orig.tar.gz',
    sha256: '2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849',
    spec: { kind: 'debian', package: 'python3.11', version: '3.11.2', suites: ['bookworm'] },
  },
  '3.13': {
    version: '3.13.5',
    fileName: 'python3.13_3.13.5.orig.tar.xz',
    sha256: '93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640',
    spec: { kind: 'debian', package: 'python3.13', version: '3.13.5', suites: ['trixie'] },
  },
} satisfies Record<string, PcbuildReferenceSource>;

export type PcbuildReferenceSeries = keyof typeof PCBUILD_REFERENCE_SOURCES;

/** The tarball's path in fipskit's content cache, or undefined when it has not been fetched there. */
export function cachedCpythonTarball(series: PcbuildReferenceSeries, cacheDir: string = defaultSourceCacheDir()): string | undefined {
  const source = PCBUILD_REFERENCE_SOURCES[series];
  const path = new ContentCache(cacheDir).pathFor(source.sha256, source.fileName);
  return existsSync(path) ? path : undefined;
}

/** Unpacks only `PCbuild/` (after the whole archive passed the safety scan); returns the PCbuild directory. */
export async function extractPcbuild(archive: string, destDir: string): Promise<string> {
  await extractArchive(archive, destDir, { only: ['PCbuild/'] });
  return join(destDir, 'PCbuild');
}

/** For specs: the cached tarball, and a suite title that says why the suite is skipped when it is missing. */
export function referenceTarball(series: PcbuildReferenceSeries, cacheDir?: string): { archive?: string; title: string } {
  const source = PCBUILD_REFERENCE_SOURCES[series];
  const archive = cachedCpythonTarball(series, cacheDir);
  const title = archive
    ? `${source.fileName} (CPython ${source.version})`
    : `${source.fileName} — SKIPPED: not in fipskit's content cache; fetch it with resolveSource('cpython', ${JSON.stringify(source.spec)}) and fetchSource`;
  return { archive, title };
}

/**
 * Fetches the reference tarballs into the content cache through Debian's signed index, refusing one
 * whose SHA-256 is not the pinned one. For CI, before the unit tests:
 *   node tools/run-ts.js packages/python-pcbuild/src/windows/pcbuild-reference-sources.ts
 */
export async function fetchReferenceTarballs(ctx: ResolveContext): Promise<Record<PcbuildReferenceSeries, string>> {
  const fetched = {} as Record<PcbuildReferenceSeries, string>;
  for (const series of Object.keys(PCBUILD_REFERENCE_SOURCES) as PcbuildReferenceSeries[]) {
    const source = PCBUILD_REFERENCE_SOURCES[series];
    const lock = await resolveSource('cpython', source.spec, ctx);
    if (lock.sha256 !== source.sha256 || lock.fileName !== source.fileName) {
      throw new Error(
        `Debian now gives ${lock.fileName} (SHA-256 ${lock.sha256}) for CPython ${source.version}, not the pinned ${source.fileName} (${source.sha256}): update PCBUILD_REFERENCE_SOURCES and the expected plans.`,
      );
    }
    const { archive } = await fetchSource(lock, ctx);
    if (!archive) throw new Error(`Fetching ${source.fileName} gave no archive.`);
    fetched[series] = archive;
  }
  return fetched;
}

if (require.main === module) {
  fetchReferenceTarballs({ workspaceRoot: process.cwd(), cacheDir: defaultSourceCacheDir(), runner: new ToolRunner() }).then(
    (fetched) => Object.entries(fetched).forEach(([series, archive]) => console.log(`CPython ${series}: ${archive}`)),
    (error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
