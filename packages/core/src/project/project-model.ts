import { posix, win32 } from 'node:path';
import { DEFAULT_FIPS_PROFILE, FipsProfile } from '../fips/profiles';
import { assertEnvironmentOption } from '../process/build-environment';
import type { SourceSpec } from '../sources/source-spec';
import { pythonVersionProblem } from './python-versions';

/**
 * The one place that turns a fipskit project (its fipskit.json, or the project generator's options written as one)
 * into what the stages are made from: defaults, the platform ⇔ mode rule, the interpreter rules, a shared OpenSSL
 * project, the output directory. The generator, the plugin, `plan`, `audit`, `doctor` and the python stage ask it;
 * none decides these again.
 */

export type ProjectPlatform = 'linux' | 'darwin' | 'win32';
export type PythonMode = 'overlay' | 'full' | 'pcbuild';

export const PROJECT_PLATFORMS: readonly ProjectPlatform[] = ['linux', 'darwin', 'win32'];
export const PYTHON_MODES: readonly PythonMode[] = ['overlay', 'full', 'pcbuild'];
export const FIPS_PROFILES: readonly FipsProfile[] = ['strict', 'rhel-compatible', 'recipe-compatible'];

/** What a fipskit.json holds (its documented schema is fipskit's `plugins/fipskit-json/schema.d.ts`). */
export interface ProjectFile {
  $schema?: string;
  platform: ProjectPlatform;
  mode?: PythonMode;
  interpreter?: string;
  openssl?: SourceSpec;
  fipsProvider?: SourceSpec;
  opensslProject?: string;
  python: SourceSpec;
  profile?: FipsProfile;
  environment?: Record<string, string>;
  outputDir?: string;
}

const KEYS: ReadonlyArray<keyof ProjectFile> = [
  '$schema',
  'platform',
  'mode',
  'interpreter',
  'openssl',
  'fipsProvider',
  'opensslProject',
  'python',
  'profile',
  'environment',
  'outputDir',
];

/** A project as every stage sees it, every default applied. */
export interface ProjectModel {
  name: string;
  platform: ProjectPlatform;
  mode: PythonMode;
  /** overlay, pcbuild: the existing interpreter (absolute, in the platform's notation); full: none. */
  interpreter?: string;
  /** Absent when the OpenSSL comes from another project (`shared`). */
  openssl?: SourceSpec;
  fipsProvider?: SourceSpec;
  python: SourceSpec;
  profile: FipsProfile;
  /** The project whose openssl and fips-config stages this one uses. */
  shared?: { project: string; outputDir: string };
  environment?: Record<string, string>;
  /** Relative to the workspace root, `/`-separated, inside it. */
  outputDir: string;
}

/** A project file as read, with the name Nx gives the project. */
export interface NamedProjectFile {
  name: string;
  config: ProjectFile;
}

/** Windows builds PCbuild modules into an installed interpreter; Linux and macOS put an existing one in FIPS mode. */
export function defaultMode(platform: ProjectPlatform): PythonMode {
  return platform === 'win32' ? 'pcbuild' : 'overlay';
}

/** Why `mode` cannot be built for `platform`, or undefined when it can. */
export function modeMismatch(mode: PythonMode, platform: ProjectPlatform): string | undefined {
  if ((platform === 'win32') === (mode === 'pcbuild')) return undefined;
  return `mode "${mode}" does not fit platform ${platform}: Windows uses "pcbuild", Linux and macOS use "overlay" or "full".`;
}

/** The interpreter a project on `platform` puts in FIPS mode when none is named. */
export function defaultInterpreter(platform: ProjectPlatform): string {
  if (platform === 'win32') return 'C:\\Program Files\\Python311\\python.exe';
  if (platform === 'darwin') return '/Library/Frameworks/Python.framework/Versions/3.11/bin/python3.11';
  return '/usr/bin/python3';
}

/**
 * Why an interpreter path cannot be used, or undefined. It must be absolute in the platform's notation, so exactly
 * that interpreter is used; and it reaches the cache key's command line (run by the platform's shell), so quotes,
 * `$`, backquotes, `%`, line breaks and a trailing backslash (which escapes the closing quote) are refused.
 */
export function interpreterProblem(interpreter: string, platform: ProjectPlatform): string | undefined {
  const paths = platform === 'win32' ? win32 : posix;
  if (!paths.isAbsolute(interpreter) || (platform === 'win32' && !/^([A-Za-z]:\\|\\\\)/.test(interpreter))) {
    return `interpreter "${interpreter}" is not an absolute ${platform} path: name exactly the Python to use (e.g. ${defaultInterpreter(platform)}).`;
  }
  if (/["$`%\r\n]/.test(interpreter) || /\\$/.test(interpreter)) {
    return `interpreter "${interpreter}" contains a quote, $, \`, %, a line break or a trailing backslash: install Python in a plain path.`;
  }
  return undefined;
}

/**
 * Why an output directory cannot be used, or undefined: relative to the workspace root and inside it, since the
 * stages write and replace what is there.
 */
export function outputDirProblem(outputDir: string): string | undefined {
  const normal = posix.normalize(outputDir.replace(/\\/g, '/'));
  if (posix.isAbsolute(normal) || win32.isAbsolute(outputDir) || normal === '..' || normal.startsWith('../') || normal === '.' || normal === '') {
    return `outputDir "${outputDir}" is not a directory inside the workspace: the stages write and replace their outputs there. Set a relative path such as dist/<project>.`;
  }
  return undefined;
}

/** The closest known key to a misspelt one (edit distance at most 2), for "did you mean". */
function closest(key: string, known: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length];
  };
  const ranked = known.map((k) => [k, distance(key, k)] as const).sort((x, y) => x[1] - y[1]);
  return ranked[0] && ranked[0][1] <= 2 ? ranked[0][0] : undefined;
}

const describe = (value: unknown) => (value === undefined ? 'missing' : JSON.stringify(value));

function checkSource(value: unknown, field: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `${field} must be a source object such as {"kind": "debian", "version": "3.0"}, not ${describe(value)}.`;
  const kind = (value as { kind?: unknown }).kind;
  if (kind !== 'url' && kind !== 'debian' && kind !== 'local') return `${field}.kind must be "url", "debian" or "local", not ${describe(kind)}.`;
  const version = (value as { version?: unknown }).version;
  if (version !== undefined && typeof version !== 'string') {
    return `${field}.version must be a string such as "${String(version)}" (in quotes: 3.10 as a number is 3.1), not ${describe(version)}.`;
  }
  if (kind === 'debian' && typeof version === 'string') {
    const bad = debianVersionProblem(version, field === 'python' ? 'python' : 'openssl');
    if (bad) return `${field}.version ${bad}`;
  }
  if (field === 'python') {
    const spec = value as { url?: unknown; path?: unknown };
    const named = typeof version === 'string' && version !== '' ? version : /Python-(\d+\.\d+\.\d+)/.exec(String(spec.url ?? spec.path ?? ''))?.[1];
    if (named)
      return pythonVersionProblem(named, typeof version === 'string' && version !== '' ? `${field}.version "${version}"` : `${field} (CPython ${named})`);
  }
  return undefined;
}

/**
 * Why a Debian source version cannot be resolved, or undefined: a prefix of the upstream version (3.0, 3.11) takes
 * the newest Debian serves with it, an exact Debian version (3.0.17-1~deb12u2) that one; a word such as "latest"
 * names nothing.
 */
export function debianVersionProblem(version: string, what: 'openssl' | 'python'): string | undefined {
  if (version === '') return undefined;
  if (/^3(\.\d+){1,2}(-[0-9A-Za-z.+~]+)?$/.test(version)) return undefined;
  const example = what === 'openssl' ? { prefix: '3.0 or 3.5', exact: '3.0.17-1~deb12u2' } : { prefix: '3.11', exact: '3.11.2-6+deb12u6' };
  return (
    `"${version}" is not a Debian version of ${what === 'openssl' ? 'OpenSSL 3' : 'CPython 3'}: give a prefix such as ${example.prefix} ` +
    `(the newest version Debian serves with it) or an exact Debian version such as ${example.exact}.`
  );
}

/** The versions an OpenSSL source can give, as far as the project file tells: [lowest, highest], or undefined. */
function versionRange(spec: SourceSpec | undefined): { min: number[]; max: number[]; exact: boolean } | undefined {
  if (!spec || typeof spec !== 'object') return undefined;
  const named =
    spec.kind === 'debian'
      ? spec.version
      : /openssl[-_](\d+\.\d+\.\d+)/.exec((spec.kind === 'url' ? spec.url : (spec.path ?? '')).split(/[\\/]/).pop() ?? '')?.[1];
  if (typeof named !== 'string' || !/^\d+(\.\d+){0,2}$/.test(named)) return undefined;
  const parts = named.split('.').map(Number);
  const min = [...parts, 0, 0].slice(0, 3);
  const max = [...parts, Infinity, Infinity].slice(0, 3);
  return { min, max, exact: parts.length === 3 };
}

const compareVersions = (a: number[], b: number[]) => a.map((n, i) => n - b[i]).find((d) => d !== 0) ?? 0;

/**
 * Why a FIPS provider source cannot go beside the libraries' source, or undefined. OpenSSL's FIPS guidance allows a
 * provider with libraries of its own release or a later one, never an earlier one; the same release twice is no split.
 */
export function providerPairingProblem(openssl: SourceSpec | undefined, fipsProvider: SourceSpec | undefined): string | undefined {
  const libraries = versionRange(openssl);
  const provider = versionRange(fipsProvider);
  if (!libraries || !provider) return undefined;
  const shown = (range: { min: number[]; exact: boolean }, spec: SourceSpec) =>
    range.exact ? range.min.join('.') : `"${(spec as { version?: string }).version}"`;
  if (compareVersions(provider.min, libraries.max) > 0) {
    return (
      `fipsProvider (OpenSSL ${shown(provider, fipsProvider!)}) is newer than the libraries openssl gives (OpenSSL ${shown(libraries, openssl!)}): ` +
      'OpenSSL allows a FIPS provider only beside libraries of its own release or a later one. Set openssl to that release or a later one, or fipsProvider to an older one.'
    );
  }
  if (provider.exact && libraries.exact && compareVersions(provider.min, libraries.min) === 0) {
    return `fipsProvider and openssl are both OpenSSL ${provider.min.join('.')}: a provider of its own is built from the libraries' source. Remove fipsProvider, or name another release in it.`;
  }
  return undefined;
}

/**
 * Checks a project file and applies every default. Each refusal names the field and the fix; `where` prefixes it
 * (the file's workspace path). `others` are the workspace's other projects, for `opensslProject`.
 */
export function normalizeProject(raw: unknown, project: { name: string; where: string; others?: NamedProjectFile[] }): ProjectModel {
  const refuse = (what: string) => new Error(`${project.where}: ${what}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw refuse('must hold one JSON object (see its $schema).');
  const config = raw as Record<string, unknown>;
  const unknown = Object.keys(config).filter((key) => !(KEYS as readonly string[]).includes(key));
  if (unknown.length) {
    const hints = unknown.map((key) => {
      const near = closest(key, KEYS);
      return near ? `"${key}" (did you mean "${near}"?)` : `"${key}"`;
    });
    throw refuse(
      `unknown field${unknown.length > 1 ? 's' : ''} ${hints.join(', ')}: a misspelt field would silently leave its default. Known fields: ${KEYS.join(', ')}.`,
    );
  }
  const platform = config.platform as ProjectPlatform;
  if (!PROJECT_PLATFORMS.includes(platform)) throw refuse(`platform must be "linux", "darwin" or "win32", not ${describe(config.platform)}.`);
  if (config.mode !== undefined && !PYTHON_MODES.includes(config.mode as PythonMode)) {
    throw refuse(`mode must be "overlay", "full" or "pcbuild", not ${describe(config.mode)}.`);
  }
  const mode = (config.mode as PythonMode | undefined) ?? defaultMode(platform);
  const mismatch = modeMismatch(mode, platform);
  if (mismatch) throw refuse(mismatch);
  if (config.interpreter !== undefined && typeof config.interpreter !== 'string')
    throw refuse(`interpreter must be a path string, not ${describe(config.interpreter)}.`);
  const interpreter = config.interpreter as string | undefined;
  if (mode === 'full' && interpreter) throw refuse('mode "full" builds its own interpreter: remove interpreter.');
  if (mode !== 'full' && !interpreter)
    throw refuse(`mode "${mode}" puts an existing interpreter in FIPS mode: set interpreter to its absolute path (e.g. ${defaultInterpreter(platform)}).`);
  const badInterpreter = interpreter && interpreterProblem(interpreter, platform);
  if (badInterpreter) throw refuse(badInterpreter);
  const badPython = checkSource(config.python, 'python');
  if (badPython) throw refuse(config.python === undefined ? 'python must name the CPython source (see docs/sources.md).' : badPython);
  for (const field of ['openssl', 'fipsProvider'] as const) {
    const bad = config[field] !== undefined && checkSource(config[field], field);
    if (bad) throw refuse(bad);
  }
  const pairing = providerPairingProblem(config.openssl as SourceSpec | undefined, config.fipsProvider as SourceSpec | undefined);
  if (pairing) throw refuse(pairing);
  if (config.profile !== undefined && !FIPS_PROFILES.includes(config.profile as FipsProfile)) {
    throw refuse(`profile must be ${FIPS_PROFILES.map((p) => `"${p}"`).join(', ')}, not ${describe(config.profile)}.`);
  }
  if (config.environment !== undefined) assertEnvironmentOption(config.environment, `${project.where}: environment`);
  if (config.outputDir !== undefined && typeof config.outputDir !== 'string')
    throw refuse(`outputDir must be a path string, not ${describe(config.outputDir)}.`);
  const outputDir = (config.outputDir as string | undefined) ?? `dist/${project.name}`;
  const badOutput = outputDirProblem(outputDir);
  if (badOutput) throw refuse(badOutput);

  let shared: ProjectModel['shared'];
  let profile = (config.profile as FipsProfile | undefined) ?? DEFAULT_FIPS_PROFILE;
  if (config.opensslProject !== undefined) {
    if (typeof config.opensslProject !== 'string') throw refuse(`opensslProject must be a project name, not ${describe(config.opensslProject)}.`);
    if (config.openssl || config.fipsProvider || config.profile) {
      throw refuse(
        `the OpenSSL, its provider and the profile come from ${config.opensslProject}: remove openssl, fipsProvider and profile, or opensslProject.`,
      );
    }
    const other = project.others?.find((candidate) => candidate.name === config.opensslProject);
    if (!other || other.config.opensslProject || !other.config.openssl) {
      throw refuse(`opensslProject "${config.opensslProject}" is not a fipskit project with an OpenSSL of its own (a fipskit.json with openssl).`);
    }
    if (other.config.platform !== platform) {
      throw refuse(
        `opensslProject "${config.opensslProject}" builds for ${other.config.platform}, this project for ${platform}: share an OpenSSL built for the same platform.`,
      );
    }
    shared = { project: other.name, outputDir: other.config.outputDir ?? `dist/${other.name}` };
    profile = other.config.profile ?? DEFAULT_FIPS_PROFILE;
  } else if (!config.openssl) {
    throw refuse('openssl must name the OpenSSL source, or opensslProject another fipskit project whose OpenSSL this one uses.');
  }
  return {
    name: project.name,
    platform,
    mode,
    ...(interpreter ? { interpreter } : {}),
    ...(config.openssl ? { openssl: config.openssl as SourceSpec } : {}),
    ...(config.fipsProvider ? { fipsProvider: config.fipsProvider as SourceSpec } : {}),
    python: config.python as SourceSpec,
    profile,
    ...(shared ? { shared } : {}),
    ...(config.environment ? { environment: config.environment as Record<string, string> } : {}),
    outputDir: posix.normalize(outputDir.replace(/\\/g, '/')).replace(/\/$/, ''),
  };
}
