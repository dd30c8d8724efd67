import {
  BuildPlan,
  DEFAULT_FIPS_PROFILE,
  EMPTY_CONF_CONTENT,
  FIPS_SECTION_PLACEHOLDER,
  FipsInstallPaths,
  PlanStep,
  TargetPlatform,
  fipsInstallCommand,
  fipsInstallVerifyCommand,
  pathsFor,
  providerListCommand,
  renderOpenSslCnf,
} from '@fipskit/core';
import { FipsConfigOptions } from '../executors/configure/schema';
import { renderActivationScripts } from './activation-scripts';

/** Where `make install` / `nmake install` puts the parts of the prefix, per platform. */
function prefixLayout(prefix: string, platform: TargetPlatform) {
  const paths = pathsFor(platform);
  const moduleName = { win32: 'fips.dll', darwin: 'fips.dylib', linux: 'fips.so' }[platform];
  const binDir = paths.join(prefix, 'bin');
  return {
    openssl: paths.join(binDir, platform === 'win32' ? 'openssl.exe' : 'openssl'),
    module: paths.join(prefix, 'lib', 'ossl-modules', moduleName),
    modulesDir: paths.join(prefix, 'lib', 'ossl-modules'),
    libDir: paths.join(prefix, 'lib'),
    binDir,
  };
}

/**
 * The fips-config stage as it runs on a machine of `platform`, from the same command builders and renderers
 * the stage uses: fipsinstall and its verification with an empty configuration, openssl.cnf with the
 * machine's FIPS module section written into it, the activation scripts, and the provider check. The
 * written files are plan operations with their full content, so a plan shows exactly what lands on disk.
 */
export function planFipsConfig(options: FipsConfigOptions, platform: TargetPlatform, root: string): BuildPlan {
  const paths = pathsFor(platform);
  const resolve = (p: string) => (paths.isAbsolute(p) ? p : paths.join(root, p));
  const prefix = resolve(options.opensslPath);
  const outputDir = resolve(options.outputPath);
  const staging = `${outputDir}.staging`;
  const profile = options.profile ?? DEFAULT_FIPS_PROFILE;
  const prefixPaths = prefixLayout(prefix, platform);
  const emptyConf = paths.join(staging, 'empty.cnf');
  const fipsPaths: FipsInstallPaths = { ...prefixPaths, emptyConf };
  // A plan for another machine shows the search path it extends symbolically.
  const context = {
    platform,
    parentEnv: platform === 'win32' ? { PATH: '%PATH%' } : { LD_LIBRARY_PATH: '$LD_LIBRARY_PATH', DYLD_LIBRARY_PATH: '$DYLD_LIBRARY_PATH' },
  };
  const settings = { securityChecks: options.securityChecks !== false };
  const moduleCnf = paths.join(staging, 'fipsmodule.cnf');
  const scripts = renderActivationScripts(
    {
      scriptDir: outputDir,
      opensslConf: paths.join(outputDir, 'openssl.cnf'),
      modulesDir: prefixPaths.modulesDir,
      binDir: prefixPaths.binDir,
      libDir: prefixPaths.libDir,
    },
    platform,
  );
  const run = (command: ReturnType<typeof fipsInstallCommand>): PlanStep => ({ kind: 'run', title: command.title!, command });
  return {
    stage: 'fips-config',
    platform,
    steps: [
      {
        kind: 'files',
        title: 'Start from an empty configuration',
        operations: [
          { op: 'mkdir', to: staging },
          { op: 'write', to: emptyConf, content: EMPTY_CONF_CONTENT },
        ],
      },
      {
        kind: 'task',
        title: 'Check the FIPS module is the one the openssl stage built',
        detail: `SHA-256 of ${prefixPaths.module} must equal build-info.json's record, or fipsinstall would bless a changed module`,
        perform: async () => undefined,
      },
      run(fipsInstallCommand(fipsPaths, context, moduleCnf, staging, settings)),
      run(fipsInstallVerifyCommand(fipsPaths, context, moduleCnf, staging, settings)),
      {
        kind: 'files',
        title: `Write openssl.cnf (profile ${profile}) with this machine's FIPS module section, and activation scripts`,
        operations: [
          { op: 'remove', to: emptyConf },
          { op: 'write', to: paths.join(staging, 'openssl.cnf'), content: renderOpenSslCnf(FIPS_SECTION_PLACEHOLDER, profile) },
          ...scripts.map((script) => ({ op: 'write' as const, to: paths.join(staging, script.name), content: script.content })),
        ],
      },
      run(providerListCommand(prefixPaths, context, paths.join(staging, 'openssl.cnf'), staging)),
      {
        kind: 'task',
        title: 'Publish output',
        detail: `write fips-config.json (when and where fipsinstall ran), move ${staging} to ${outputDir}`,
        perform: async () => undefined,
      },
    ],
  };
}
