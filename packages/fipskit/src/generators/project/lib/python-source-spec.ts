import { spawnSync } from 'node:child_process';
import { SourceSpec, pythonVersionProblem } from '@fipskit/core';
import { OFFICIAL_CPYTHON_RELEASES } from '../../../constants';
import { ProjectGeneratorOptions } from '../schema';

/** The interpreter's own version, asked of it (nothing from the caller's environment), refused outside the supported range. */
export function interpreterVersion(interpreter: string): string {
  // -E and -s, not -I: a Python 2 or 3.3 must still say its version, so that the refusal can name it.
  const result = spawnSync(interpreter, ['-E', '-s', '-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8', windowsHide: true });
  const version = result.status === 0 ? result.stdout.trim() : '';
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(
      `Could not ask ${interpreter} for its version (${result.error?.message ?? result.stderr?.trim() ?? 'no output'}). Pass --interpreter with an installed Python 3, or --pythonVersion.`,
    );
  }
  const unsupported = pythonVersionProblem(version, `The interpreter ${interpreter}`);
  if (unsupported) throw new Error(unsupported);
  return version;
}

/** The sources stage's `python` option: CPython of exactly the interpreter's version. */
export function pythonSourceSpec(options: ProjectGeneratorOptions, version: string): SourceSpec {
  const kind = options.pythonSource ?? 'official';
  const major = version.split('.').slice(0, 2).join('.');
  if (kind === 'debian') return { kind: 'debian', package: `python${major}`, version };
  if (kind === 'local') {
    if (!options.pythonPath) throw new Error('pythonSource "local" needs pythonPath: the path of a CPython tarball or source directory.');
    return { kind: 'local', path: options.pythonPath };
  }
  const pinned = OFFICIAL_CPYTHON_RELEASES[version];
  if (pinned && (!options.pythonSha256 || options.pythonSha256 === pinned.sha256)) return { kind: 'url', ...pinned };
  if (pinned) throw new Error(`pythonSha256 ${options.pythonSha256} differs from the published SHA-256 of Python-${version}.tgz (${pinned.sha256}).`);
  if (!options.pythonSha256) {
    throw new Error(
      `fipskit has no pinned SHA-256 for Python ${version} (it pins ${Object.keys(OFFICIAL_CPYTHON_RELEASES).join(', ')}). ` +
        `Pass --pythonSha256 with the value published for https://www.python.org/ftp/python/${version}/Python-${version}.tgz.`,
    );
  }
  return { kind: 'url', url: `https://www.python.org/ftp/python/${version}/Python-${version}.tgz`, sha256: options.pythonSha256 };
}
