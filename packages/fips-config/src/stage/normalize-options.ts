import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import {
  DEFAULT_FIPS_PROFILE,
  FipsProfile,
  OpenSslBuildInfo,
  PrefixPaths,
  TargetPlatform,
  hostAnsiCodePage,
  hostPlatform,
  pathsFor,
  readBuildInfo,
  windowsPathProblem,
} from '@fipskit/core';
import { FipsConfigOptions } from '../executors/configure/schema';

/**
 * How the programs the stage runs see this machine's files. On Windows, Linux and macOS that is the host's
 * own notation; Windows programs run under Wine see the Linux root as drive Z:.
 */
export interface ProgramView {
  platform: TargetPlatform;
  /** A host path as the programs name it. */
  toProgram: (hostPath: string) => string;
  /** Windows: the ANSI code page the programs run in. Default: the host's own on Windows (asked only for a win32 stage), else Windows-1252. */
  codePage?: number;
}

export const NATIVE_VIEW: ProgramView = { platform: hostPlatform(), toProgram: (path) => path };

export interface NormalizedFipsConfigOptions {
  platform: TargetPlatform;
  workspaceRoot: string;
  projectName: string;
  prefix: string;
  prefixInfo: OpenSslBuildInfo;
  /** This machine's paths: the output directory and the FIPS module the stage checks. */
  outputDir: string;
  hostModule: string;
  logFile: string;
  profile: FipsProfile;
  securityChecks: boolean;
  verbose: boolean;
  /** The prefix's parts as the programs name them. */
  paths: PrefixPaths;
  toProgram: (hostPath: string) => string;
}

export function normalizeOptions(
  options: FipsConfigOptions,
  context: { root: string; projectName?: string },
  view: ProgramView = NATIVE_VIEW,
): NormalizedFipsConfigOptions {
  const resolve = (p: string) => (isAbsolute(p) ? p : join(context.root, p));
  const prefix = resolve(options.opensslPath);
  const prefixInfo = readBuildInfo(prefix);
  const platform = view.platform;
  if (prefixInfo.platform !== platform) {
    throw new Error(`${prefix} holds an OpenSSL built for ${prefixInfo.platform}; fipsinstall must run on the machine that uses it (this one is ${platform}).`);
  }
  const profile = options.profile ?? DEFAULT_FIPS_PROFILE;
  const hostModule = join(prefix, prefixInfo.fipsProvider.module);
  if (!existsSync(hostModule)) throw new Error(`The FIPS provider ${hostModule} is missing: rebuild the openssl stage (its output is incomplete).`);
  if (profile === 'recipe-compatible') {
    const legacy = Object.keys(prefixInfo.artifacts).find((p) => /ossl-modules\/legacy\.(so|dylib|dll)$/.test(p));
    if (!legacy) {
      throw new Error(
        'profile "recipe-compatible" activates the legacy provider, but this OpenSSL was built without it: set legacyProvider: true on the openssl target, or use profile "rhel-compatible" or "strict".',
      );
    }
  }
  const projectName = context.projectName ?? 'fips';
  const programPrefix = view.toProgram(prefix);
  const p = pathsFor(platform);
  const inPrefix = (relative: string) => p.join(programPrefix, ...relative.split('/'));
  const paths = {
    openssl: p.join(inPrefix(prefixInfo.layout.bin), platform === 'win32' ? 'openssl.exe' : 'openssl'),
    module: inPrefix(prefixInfo.fipsProvider.module),
    libDir: inPrefix(prefixInfo.layout.lib),
    binDir: inPrefix(prefixInfo.layout.bin),
    modulesDir: inPrefix(prefixInfo.layout.modules),
  };
  const outputDir = resolve(options.outputPath);
  if (platform === 'win32') assertWindowsCanUse(paths, view.toProgram(outputDir), view.codePage ?? hostAnsiCodePage());
  return {
    platform,
    workspaceRoot: context.root,
    projectName,
    prefix,
    prefixInfo,
    outputDir,
    hostModule,
    logFile: join(context.root, 'tmp', 'fipskit', projectName, 'fips-config.log'),
    profile,
    securityChecks: options.securityChecks ?? true,
    verbose: options.verbose ?? false,
    paths,
    toProgram: view.toProgram,
  };
}

/**
 * Before fipsinstall runs: paths openssl.exe could not use fail deep inside it (a provider that does not load, a file
 * not found), so they are refused here, each naming the path and the fix. The output gets room for the staging
 * directory's suffix and the longest file written into it.
 */
function assertWindowsCanUse(
  paths: { openssl: string; module: string; binDir: string; modulesDir: string },
  outputDir: string,
  codePage: number | undefined,
): void {
  const problems = [
    windowsPathProblem(paths.binDir, 'The OpenSSL program directory', { codePage, onPath: true, room: '\\openssl.exe'.length }),
    windowsPathProblem(paths.module, 'The FIPS provider', { codePage }),
    windowsPathProblem(outputDir, 'The fips-config output directory', { codePage, room: '.4194304.fipskit-partial\\fipsmodule.cnf'.length }),
  ].filter((problem): problem is string => problem !== undefined);
  if (problems.length) throw new Error(problems.join('\n'));
}
