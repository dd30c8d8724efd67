import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { TargetPlatform, hostPlatform } from '@fipskit/core';
import { OpenSslBuildInfo, readBuildInfo } from '@fipskit/openssl-fips';
import { FipsConfigOptions } from '../schema';
import { FipsProfile } from './openssl-cnf';

export interface NormalizedFipsConfigOptions {
  platform: TargetPlatform;
  workspaceRoot: string;
  projectName: string;
  prefix: string;
  prefixInfo: OpenSslBuildInfo;
  outputDir: string;
  logFile: string;
  profile: FipsProfile;
  securityChecks: boolean;
  verbose: boolean;
  paths: { openssl: string; module: string; libDir: string; binDir: string; modulesDir: string };
}

export function normalizeOptions(options: FipsConfigOptions, context: { root: string; projectName?: string }): NormalizedFipsConfigOptions {
  const resolve = (p: string) => (isAbsolute(p) ? p : join(context.root, p));
  const prefix = resolve(options.opensslPath);
  const prefixInfo = readBuildInfo(prefix);
  const platform = hostPlatform();
  if (prefixInfo.platform !== platform) {
    throw new Error(`${prefix} holds an OpenSSL built for ${prefixInfo.platform}; fipsinstall must run on the machine that uses it (this one is ${platform}).`);
  }
  const profile = options.profile ?? 'strict';
  const modulesDir = join(prefix, prefixInfo.layout.modules);
  const module = join(prefix, prefixInfo.fipsProvider.module);
  if (!existsSync(module)) throw new Error(`The FIPS provider ${module} is missing: rebuild the openssl stage (its output is incomplete).`);
  if (profile === 'recipe-compatible') {
    const legacy = Object.keys(prefixInfo.artifacts).find((p) => /ossl-modules\/legacy\.(so|dylib|dll)$/.test(p));
    if (!legacy) {
      throw new Error('profile "recipe-compatible" activates the legacy provider, but this OpenSSL was built without it: set legacyProvider: true on the openssl target, or use profile "strict".');
    }
  }
  const projectName = context.projectName ?? 'fips';
  return {
    platform,
    workspaceRoot: context.root,
    projectName,
    prefix,
    prefixInfo,
    outputDir: resolve(options.outputPath),
    logFile: join(context.root, 'tmp', 'fipskit', projectName, 'fips-config.log'),
    profile,
    securityChecks: options.securityChecks ?? true,
    verbose: options.verbose ?? false,
    paths: {
      openssl: join(prefix, prefixInfo.layout.bin, platform === 'win32' ? 'openssl.exe' : 'openssl'),
      module,
      libDir: join(prefix, prefixInfo.layout.lib),
      binDir: join(prefix, prefixInfo.layout.bin),
      modulesDir,
    },
  };
}
