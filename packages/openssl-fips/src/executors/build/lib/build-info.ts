import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ProviderStatus, SourceAuthenticity, SourceLock, TargetPlatform, pathsFor, providerStatus, sha256File } from '@fipskit/core';
import { NormalizedOpenSslOptions } from './normalize-options';
import { compiledInPrefix } from './openssl-plan';
import { ToolchainIdentity } from './preflight';

export const BUILD_INFO_FILE = 'build-info.json';

/** Describes an installed OpenSSL prefix to the later stages and to auditors; holds no absolute path. */
export interface OpenSslBuildInfo {
  product: 'openssl';
  version: string;
  platform: TargetPlatform;
  arch: string;
  /** The provider's own version: the libraries' unless it was built from a second source (`source` below). */
  fipsProvider: ProviderStatus & { module: string; source?: SourceLock };
  source: SourceLock;
  /** The upstream signature checks of the source (and of the provider's source), made before unpacking. */
  authenticity?: { source: SourceAuthenticity; fipsProvider?: SourceAuthenticity };
  configure: { target: string; arguments: string[]; scope: 'targeted' | 'full' };
  /** The variables the build was given beyond those that locate the tools (the `environment` option); nothing else reached it. */
  environment?: Record<string, string>;
  toolchain: ToolchainIdentity;
  /** Paths relative to the prefix. */
  layout: { bin: string; lib: string; modules: string; include: string; openssldir: string };
  /** SHA-256 of every file under bin/ and lib/, keyed by prefix-relative POSIX path. */
  artifacts: Record<string, string>;
}

export function fipsModuleFileName(platform: TargetPlatform): string {
  return platform === 'win32' ? 'fips.dll' : platform === 'darwin' ? 'fips.dylib' : 'fips.so';
}

/** The parts of the build's options build-info.json records (a build made outside the executor supplies just these). */
export type BuildInfoOptions = Pick<NormalizedOpenSslOptions, 'platform' | 'arch' | 'source' | 'fipsProviderSource' | 'configureTarget' | 'scope'> &
  Partial<Pick<NormalizedOpenSslOptions, 'environment'>>;

export async function collectBuildInfo(
  options: BuildInfoOptions,
  prefix: string,
  configureArgs: string[],
  toolchain: ToolchainIdentity,
  authenticity?: OpenSslBuildInfo['authenticity'],
): Promise<OpenSslBuildInfo> {
  const module = `lib/ossl-modules/${fipsModuleFileName(options.platform)}`;
  if (!existsSync(join(prefix, module))) {
    throw new Error(`The build finished but ${module} is missing from ${prefix}: check that enable-fips was not overridden in configureArgs.`);
  }
  const artifacts: Record<string, string> = {};
  for (const top of ['bin', 'lib']) {
    for (const file of listFiles(join(prefix, top))) {
      artifacts[relative(prefix, file).split(sep).join('/')] = await sha256File(file);
    }
  }
  return {
    product: 'openssl',
    version: options.source.version,
    platform: options.platform,
    arch: options.arch,
    fipsProvider: options.fipsProviderSource
      ? { ...providerStatus(options.fipsProviderSource.version), module, source: options.fipsProviderSource }
      : { ...providerStatus(options.source.version), module },
    source: options.source,
    ...(authenticity ? { authenticity } : {}),
    configure: { target: options.configureTarget, arguments: configureArgs, scope: options.scope },
    environment: options.environment ?? {},
    toolchain,
    layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include', openssldir: 'ssl' },
    artifacts,
  };
}

/**
 * What build-info.json will say about a build not made yet, for plans: versions and layout from the source
 * lock, no artifacts and no toolchain.
 */
export function plannedBuildInfo(source: SourceLock, platform: TargetPlatform, configureTarget = ''): OpenSslBuildInfo {
  return {
    product: 'openssl',
    version: source.version,
    platform,
    arch: 'x64',
    fipsProvider: { ...providerStatus(source.version), module: `lib/ossl-modules/${fipsModuleFileName(platform)}` },
    source,
    configure: { target: configureTarget, arguments: [], scope: platform === 'win32' ? 'full' : 'targeted' },
    toolchain: {} as ToolchainIdentity,
    layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include', openssldir: 'ssl' },
    artifacts: {},
  };
}

/** The directories a build compiled into libcrypto, where a process that sets no OPENSSL_CONF / OPENSSL_MODULES looks. */
export interface CompiledInDirectories {
  prefix: string;
  /** OPENSSLDIR: `openssl.cnf` is read from here. */
  opensslDir: string;
  /** MODULESDIR: providers (`fips.dll`) are loaded from here. */
  modulesDir: string;
}

/**
 * Read from the Configure arguments the build ran with (`--prefix`, `--openssldir`, `--libdir`; relative ones
 * are under the prefix, as OpenSSL takes them); a plan made before the build gets fipskit's own prefix.
 */
export function compiledInDirectories(info: Pick<OpenSslBuildInfo, 'platform' | 'version' | 'configure'>): CompiledInDirectories {
  const paths = pathsFor(info.platform);
  const given = (name: string) => info.configure.arguments.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const prefix = paths.normalize(given('prefix') ?? compiledInPrefix({ platform: info.platform, source: { version: info.version } }));
  const under = (value: string | undefined, fallback: string) => (value === undefined ? paths.join(prefix, fallback) : paths.isAbsolute(value) ? paths.normalize(value) : paths.join(prefix, value));
  return { prefix, opensslDir: under(given('openssldir'), 'ssl'), modulesDir: paths.join(under(given('libdir'), 'lib'), 'ossl-modules') };
}

export function writeBuildInfo(prefix: string, info: OpenSslBuildInfo): void {
  writeFileSync(join(prefix, BUILD_INFO_FILE), JSON.stringify(info, null, 2) + '\n');
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) return [];
      if (entry.isDirectory()) return listFiles(path);
      return statSync(path).isFile() ? [path] : [];
    });
}

/**
 * Reads the build-info.json of an openssl stage output: the one reader every later stage uses.
 * A missing, unreadable or foreign file is an error that says to (re)build the openssl stage.
 */
export function readBuildInfo(prefix: string): OpenSslBuildInfo {
  const infoFile = join(prefix, BUILD_INFO_FILE);
  if (!existsSync(infoFile)) {
    throw new Error(`${infoFile} does not exist: opensslPath must be the output of the openssl stage. Run the openssl target first, or fix opensslPath.`);
  }
  let info: Partial<OpenSslBuildInfo>;
  try {
    info = JSON.parse(readFileSync(infoFile, 'utf8'));
  } catch (error) {
    throw new Error(`${infoFile} is not valid JSON (${(error as Error).message}): rebuild the openssl stage.`, { cause: error });
  }
  const layout = info.layout;
  if (typeof info.version !== 'string' || typeof info.fipsProvider?.version !== 'string' || typeof info.fipsProvider?.module !== 'string' || !layout || ![layout.bin, layout.lib, layout.modules, layout.include].every((p) => typeof p === 'string') || typeof info.artifacts !== 'object') {
    throw new Error(`${infoFile} lacks version, fipsProvider or layout: it was not written by this version of the openssl stage; rebuild it.`);
  }
  return info as OpenSslBuildInfo;
}
