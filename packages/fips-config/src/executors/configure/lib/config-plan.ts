import { BuildPlan, PlanStep, TargetPlatform, pathsFor } from '@fipskit/core';
import { FipsConfigOptions } from '../schema';
import { renderActivationScripts } from './activation-scripts';
import { assertSafeConfigValue, renderOpenSslCnf } from './openssl-cnf';

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
 * The fips-config stage as it runs on a machine of `platform`: fipsinstall and its verification with an
 * empty configuration, then openssl.cnf and the activation scripts, then the provider check. The written
 * files are plan operations with their full content, so a plan shows exactly what lands on disk.
 */
export function planFipsConfig(
  options: FipsConfigOptions,
  platform: TargetPlatform,
  root: string,
): BuildPlan {
  const paths = pathsFor(platform);
  const resolve = (p: string) => (paths.isAbsolute(p) ? p : paths.join(root, p));
  const prefix = resolve(options.opensslPath);
  const outputDir = resolve(options.outputPath);
  const staging = `${outputDir}.staging`;
  const profile = options.profile ?? 'strict';
  const checks = options.securityChecks === false ? ['-no_security_checks'] : [];
  const prefixPaths = prefixLayout(prefix, platform);
  const moduleCnf = paths.join(outputDir, 'fipsmodule.cnf');
  assertSafeConfigValue('The fips-config output path', moduleCnf);
  const emptyConf = paths.join(staging, 'empty.cnf');
  const libraryPath = platform === 'win32' ? { PATH: `${prefixPaths.binDir};%PATH%` } : platform === 'darwin' ? { DYLD_LIBRARY_PATH: prefixPaths.libDir } : { LD_LIBRARY_PATH: prefixPaths.libDir };
  const env = (conf: string) => ({ OPENSSL_CONF: conf, OPENSSL_MODULES: prefixPaths.modulesDir, ...libraryPath });
  const opensslConf = paths.join(outputDir, 'openssl.cnf');
  const scripts = renderActivationScripts({ opensslConf, modulesDir: prefixPaths.modulesDir, binDir: prefixPaths.binDir, libDir: prefixPaths.libDir }, platform);
  const run = (title: string, args: string[], conf: string, cwd = staging): PlanStep => ({
    kind: 'run',
    title,
    command: { title, program: prefixPaths.openssl, args, cwd, env: env(conf) },
  });
  return {
    stage: 'fips-config',
    platform,
    steps: [
      {
        kind: 'files',
        title: 'Start from an empty configuration',
        operations: [{ op: 'mkdir', to: staging }, { op: 'write', to: emptyConf, content: '# intentionally empty: fipsinstall must not read any other configuration\n' }],
      },
      {
        kind: 'task',
        title: 'Check the FIPS module is the one the openssl stage built',
        detail: `SHA-256 of ${prefixPaths.module} must equal build-info.json's record, or fipsinstall would bless a changed module`,
        perform: async () => undefined,
      },
      run('openssl fipsinstall (self-tests, module MAC for this machine)', ['fipsinstall', '-module', prefixPaths.module, '-out', paths.join(staging, 'fipsmodule.cnf'), '-provider_name', 'fips', ...checks], emptyConf),
      run('openssl fipsinstall -verify', ['fipsinstall', '-module', prefixPaths.module, '-in', paths.join(staging, 'fipsmodule.cnf'), '-provider_name', 'fips', ...checks, '-verify'], emptyConf),
      {
        kind: 'files',
        title: `Write openssl.cnf (profile ${profile}) and activation scripts`,
        operations: [
          { op: 'remove', to: emptyConf },
          { op: 'write', to: paths.join(staging, 'openssl.cnf'), content: renderOpenSslCnf(moduleCnf, profile) },
          ...scripts.map((script) => ({ op: 'write' as const, to: paths.join(staging, script.name), content: script.content })),
        ],
      },
      { kind: 'task', title: 'Publish output', detail: `write fips-config.json (when and where fipsinstall ran), move ${staging} to ${outputDir}`, perform: async () => undefined },
      run('openssl list -providers with the new configuration', ['list', '-providers', '-verbose'], opensslConf, outputDir),
    ],
  };
}
