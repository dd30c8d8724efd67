import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { BUILD_INFO_FILE, OpenSslBuildInfo, ToolchainIdentity, fipsModuleFileName, providerStatus, redactedEnvironment, sha256File } from '@fipskit/core';
import { NormalizedOpenSslOptions } from './normalize-options';

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
    // Secrets and URL credentials masked: build-info.json is shared through the cache and quoted by the evidence.
    environment: redactedEnvironment(options.environment ?? {}),
    toolchain,
    layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include', openssldir: 'ssl' },
    artifacts,
  };
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
