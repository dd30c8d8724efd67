import type { TreeFipskitProject } from '../../../plugins/fipskit-projects';

/** Debian's own CPython per release: the container whose /usr/bin/python3 (and python3-dev) is that series. */
const DEBIAN_CPYTHON: Record<string, string> = { '3.11': 'debian:12', '3.13': 'debian:13' };

export interface LinuxJobEnvironment {
  /** The container the Linux job runs in; undefined: the runner itself serves every Linux project. */
  container?: string;
  /** Projects no job of the workflow can build, each with why and what to change. */
  warnings: string[];
}

/** The CPython series (3.11) a project builds against: its python source's version, or its interpreter's name. */
function pythonSeries(project: TreeFipskitProject): string | undefined {
  const python = project.python as { version?: string; url?: string; package?: string } | undefined;
  const version = python?.version ?? /Python-(\d+\.\d+)\.\d+\.t/.exec(python?.url ?? '')?.[1] ?? /^python(\d+\.\d+)$/.exec(python?.package ?? '')?.[1];
  return /^(\d+\.\d+)/.exec(version ?? '')?.[1] ?? /python(\d+\.\d+)$/.exec(project.interpreter ?? '')?.[1];
}

/** A source from Debian's archive, or a distribution's interpreter (/usr/bin/…): what ubuntu-latest cannot give. */
function needsDebian(project: TreeFipskitProject): boolean {
  const specs = [project.file?.openssl, project.file?.fipsProvider, project.python];
  const mode = project.file?.mode;
  const interpreter = mode === 'full' ? undefined : (project.interpreter ?? '/usr/bin/python3');
  return specs.some((spec) => (spec as { kind?: string } | undefined)?.kind === 'debian') || interpreter?.startsWith('/usr/bin/') === true;
}

/**
 * What the Linux job must run in for the workspace's Linux projects. ubuntu-latest has no Debian source packages and
 * its /usr/bin/python3 is Ubuntu's (3.12 on 24.04): a project that takes a source from Debian's archive or puts a
 * distribution's interpreter in FIPS mode needs the Debian release whose CPython is the project's (3.11: Debian 12,
 * 3.13: Debian 13). Projects that need another container than the one chosen, a CPython no Debian release ships, or
 * macOS, are named: no job of this workflow builds them.
 */
export function linuxJobEnvironment(projects: TreeFipskitProject[]): LinuxJobEnvironment {
  const warnings: string[] = [];
  const wanted = new Map<string, string[]>();
  for (const project of projects) {
    if (project.platform === 'darwin') {
      warnings.push(
        `${project.name} is a macOS project: this workflow has Linux and Windows jobs only, so nothing builds it. Build it on a macOS runner of your own.`,
      );
      continue;
    }
    if (project.platform === 'win32' || !needsDebian(project)) continue;
    const series = pythonSeries(project);
    const container = series ? DEBIAN_CPYTHON[series] : undefined;
    if (!container) {
      warnings.push(
        `${project.name} needs Debian (a source from its archive, or the interpreter ${project.interpreter ?? '/usr/bin/python3'}) with CPython ${series ?? '(unknown)'}, ` +
          `which no Debian release's container ships (${Object.entries(DEBIAN_CPYTHON)
            .map(([s, c]) => `${s}: ${c}`)
            .join(', ')}): no job can build it. ` +
          'Give linuxContainer an image that has it, or move the project to one of those versions.',
      );
      continue;
    }
    wanted.set(container, [...(wanted.get(container) ?? []), project.name]);
  }
  const [first, ...others] = [...wanted.entries()].sort((a, b) => b[1].length - a[1].length);
  for (const [container, names] of others) {
    warnings.push(
      `${names.join(', ')} need${names.length === 1 ? 's' : ''} ${container}, but the Linux job runs in ${first[0]} (for ${first[1].join(', ')}): no job builds ${names.length === 1 ? 'it' : 'them'}. Move them to the same CPython series, or add a job of your own.`,
    );
  }
  return { ...(first ? { container: first[0] } : {}), warnings };
}
