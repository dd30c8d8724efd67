import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessRunner, StageLog, debianSuites, planDebSrcLines, readSystemAptSources, systemCodename, withCacheLock } from '@fipskit/core';

/** What the default base is made of: a Debian release, its archive, and the packages the bundle needs from the OS. */
export interface DebianBaseRequest {
  release: string;
  mirror?: string;
  /** `name` or `name=version` (an overlay's interpreter packages, exactly as the bundle was built against). */
  include: string[];
  /** Debian's architecture name (`amd64`). */
  architecture: string;
}

/** This machine's Debian release, from /etc/os-release. */
export function machineRelease(systemRoot = '/'): string | undefined {
  return systemCodename(systemRoot, readSystemAptSources(systemRoot));
}

/** The `deb` lines of the release's main, updates and security suites, on the archive this machine's apt uses. */
export function baseSourceLines(request: Pick<DebianBaseRequest, 'release' | 'mirror'>, systemRoot = '/'): string[] {
  const system = readSystemAptSources(systemRoot);
  const lines = planDebSrcLines(system, {
    suites: debianSuites({ release: request.release }),
    mirror: request.mirror,
    codename: systemCodename(systemRoot, system),
  });
  return lines.map(
    (line) => `deb${line.signedBy && !/\s/.test(line.signedBy) ? ` [signed-by=${line.signedBy}]` : ''} ${line.uri} ${line.suite} ${line.components.join(' ')}`,
  );
}

/**
 * A minimal Debian root file system (mmdebstrap --variant=minbase) with the packages the bundle needs, as a tarball in
 * fipskit's cache: made once per release, archive and package list, then reused (--refresh-base makes it again).
 */
export async function debianBase(request: DebianBaseRequest, cacheDir: string, runner: ProcessRunner, log: StageLog): Promise<string> {
  const sources = baseSourceLines(request);
  const key = createHash('sha256')
    .update(JSON.stringify({ variant: 'minbase', release: request.release, sources, include: [...request.include].sort(), architecture: request.architecture }))
    .digest('hex')
    .slice(0, 16);
  const dir = join(cacheDir, 'images');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `debian-${request.release}-minbase-${key}.tar`);
  return withCacheLock(`${file}.lock`, async () => {
    if (existsSync(file)) {
      log.info(`base: ${file} (Debian ${request.release} minbase with ${request.include.join(', ') || 'nothing more'}, made before)`);
      return file;
    }
    log.info(
      `base: mmdebstrap Debian ${request.release} minbase with ${request.include.join(', ') || 'nothing more'} from ${sources.map((s) => s.split(' ').slice(-3, -1).join(' ')).join(', ')}`,
    );
    const partial = `${file}.partial`;
    rmSync(partial, { force: true });
    const include = request.include.length ? [`--include=${request.include.join(',')}`] : [];
    try {
      await log.run(runner, {
        title: `mmdebstrap ${request.release} (minbase)`,
        program: 'mmdebstrap',
        args: ['--variant=minbase', `--architectures=${request.architecture}`, ...include, '--format=tar', request.release, partial, ...sources],
        cwd: dir,
        env: { LC_ALL: 'C.UTF-8' },
      });
    } catch (error) {
      rmSync(partial, { force: true });
      const exact = request.include.filter((p) => p.includes('='));
      throw new Error(
        `mmdebstrap could not make the Debian ${request.release} base (log: ${log.logFile}).` +
          (exact.length
            ? ` An overlay bundle needs the exact interpreter packages it was built against (${exact.join(', ')}); Debian's archive serves only a ` +
              `release's current versions. Upgrade the build machine's interpreter packages to them (apt-get install --only-upgrade), rebuild, ` +
              `and package again; or build in mode "full", whose bundle brings its own interpreter; or give a base that has them (base option).`
            : ' Check that this machine reaches the Debian archive, or give a base of your own (base option).'),
        { cause: error },
      );
    }
    renameSync(partial, file);
    return file;
  });
}
