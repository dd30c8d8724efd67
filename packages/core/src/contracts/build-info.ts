import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProviderStatus, providerStatus } from '../fips/validated-providers';
import type { TargetPlatform } from '../platform/target-platform';
import type { SourceAuthenticity } from '../sources/source-authenticity';
import type { SourceLock } from '../sources/source-spec';

/** The file the openssl stage writes into its output, and every later stage reads. */
export const BUILD_INFO_FILE = 'build-info.json';

/** Versions of the tools that shape the binaries; recorded in build-info.json. */
export interface ToolchainIdentity {
  perl: string;
  make: string;
  compiler: string;
  /** A program the compiler runs under (`CC="ccache gcc"`), with its version. */
  launcher?: string;
  assembler?: string;
  /** Windows: the SDK whose headers and libraries vcvars selected. */
  windowsSdk?: string;
}

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
  if (
    typeof info.version !== 'string' ||
    typeof info.fipsProvider?.version !== 'string' ||
    typeof info.fipsProvider?.module !== 'string' ||
    !layout ||
    ![layout.bin, layout.lib, layout.modules, layout.include].every((p) => typeof p === 'string') ||
    typeof info.artifacts !== 'object'
  ) {
    throw new Error(`${infoFile} lacks version, fipsProvider or layout: it was not written by this version of the openssl stage; rebuild it.`);
  }
  return info as OpenSslBuildInfo;
}
