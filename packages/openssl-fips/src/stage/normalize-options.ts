import { availableParallelism } from 'node:os';
import { isAbsolute, join } from 'node:path';
import {
  PLAN_ROOTS,
  SourceLock,
  TargetArch,
  TargetPlatform,
  assertEnvironmentOption,
  assertSupportedVersion,
  defaultSourceCacheDir,
  hostArch,
  hostPlatform,
  pathsFor,
  readSourceLock,
} from '@fipskit/core';
import { OpenSslBuildOptions } from '../executors/openssl/schema';

export interface NormalizedOpenSslOptions {
  platform: TargetPlatform;
  arch: TargetArch;
  projectName: string;
  workspaceRoot: string;
  source: SourceLock;
  sourceLockPath: string;
  /** The second source the FIPS provider alone is built from, when it differs from `source`. */
  fipsProviderSource?: SourceLock;
  /** Absolute paths, in the target platform's notation. */
  outputDir: string;
  buildDir: string;
  logFile: string;
  cacheDir: string;
  configureTarget: string;
  configureArgs: string[];
  tests: boolean;
  legacyProvider: boolean;
  scope: 'targeted' | 'full';
  installDocs: boolean;
  jobs: number;
  dryRun: boolean;
  verbose: boolean;
  /** The declared build settings (the `environment` option). */
  environment: Record<string, string>;
}

export interface HostFacts {
  platform: TargetPlatform;
  arch: TargetArch;
  cores: number;
}

export function currentHost(): HostFacts {
  return { platform: hostPlatform(), arch: hostArch(), cores: availableParallelism() };
}

/** Orders OpenSSL release numbers (`3.0.9` < `3.0.22` < `3.5.1`). */
export function compareReleases(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

export function defaultConfigureTarget(platform: TargetPlatform, arch: TargetArch): string {
  const targets: Record<TargetPlatform, Record<TargetArch, string>> = {
    linux: { x64: 'linux-x86_64', arm64: 'linux-aarch64' },
    darwin: { x64: 'darwin64-x86_64', arm64: 'darwin64-arm64' },
    win32: { x64: 'VC-WIN64A', arm64: 'VC-WIN64-ARM' },
  };
  return targets[platform][arch];
}

export function normalizeOptions(
  options: OpenSslBuildOptions,
  context: { root: string; projectName?: string },
  host: HostFacts = currentHost(),
  readLock: (file: string) => SourceLock = (file) => readSourceLock(file, 'openssl'),
): NormalizedOpenSslOptions {
  const platform = !options.platform || options.platform === 'auto' ? host.platform : options.platform;
  const dryRun = options.dryRun ?? false;
  if (platform !== host.platform && !dryRun) {
    throw new Error(
      `platform is "${platform}" (as the project's fipskit.json declares it) but this machine is ${host.platform}: OpenSSL cannot be cross-built here. ` +
        `Build on a ${platform} machine, set platform in fipskit.json to ${host.platform} for a project built here, or use --dryRun to see the ${platform} plan.`,
    );
  }
  const scope = options.scope ?? (platform === 'win32' ? 'full' : 'targeted');
  if (platform === 'win32' && scope === 'targeted') {
    throw new Error('scope "targeted" is only for POSIX make: on Windows the build runs nmake and install_sw/install_fips. Set scope to "full".');
  }
  const paths = pathsFor(platform);
  const projectName = context.projectName ?? 'openssl';
  // A plan for another platform shows its paths under a stand-in root in that platform's notation.
  const root = platform === host.platform ? context.root : PLAN_ROOTS[platform];
  const resolve = (p: string) => (paths.isAbsolute(p) ? p : paths.join(root, p));
  const buildDir = resolve(options.buildDir ?? paths.join('tmp', 'fipskit', projectName, 'openssl'));
  const sourceLockPath = isAbsolute(options.sourceLock) ? options.sourceLock : join(context.root, options.sourceLock);
  const source = readLock(sourceLockPath);
  assertSupportedVersion('openssl', source.version);
  let fipsProviderSource: SourceLock | undefined;
  if (options.fipsProviderSourceLock) {
    fipsProviderSource = readLock(
      isAbsolute(options.fipsProviderSourceLock) ? options.fipsProviderSourceLock : join(context.root, options.fipsProviderSourceLock),
    );
    assertSupportedVersion('openssl', fipsProviderSource.version);
    if (compareReleases(fipsProviderSource.version, source.version) > 0) {
      throw new Error(
        `The FIPS provider source is OpenSSL ${fipsProviderSource.version}, newer than the libraries' ${source.version}: OpenSSL supports a provider ` +
          'with libraries of its own or a later 3.x release only. Use libraries at least as new as the provider, or drop fipsProviderSourceLock.',
      );
    }
  }
  return {
    platform,
    arch: host.arch,
    projectName,
    workspaceRoot: root,
    source,
    sourceLockPath,
    ...(fipsProviderSource ? { fipsProviderSource } : {}),
    outputDir: resolve(options.outputPath),
    buildDir,
    logFile: paths.join(buildDir, 'openssl-build.log'),
    cacheDir: options.cacheDir ? resolve(options.cacheDir) : defaultSourceCacheDir(),
    configureTarget: options.configureTarget ?? defaultConfigureTarget(platform, host.arch),
    configureArgs: options.configureArgs ?? [],
    tests: options.tests ?? false,
    legacyProvider: options.legacyProvider ?? true,
    scope,
    installDocs: options.installDocs ?? false,
    jobs: options.jobs && options.jobs > 0 ? options.jobs : host.cores,
    dryRun,
    verbose: options.verbose ?? false,
    environment: assertEnvironmentOption(options.environment),
  };
}
