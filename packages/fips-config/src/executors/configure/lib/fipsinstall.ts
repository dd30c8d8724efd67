import { Command, ProcessRunner, StageLog, TargetPlatform, sharedLibraryConvention } from '@fipskit/core';

/** Where the parts of an installed OpenSSL prefix are. */
export interface PrefixPaths {
  openssl: string;
  module: string;
  libDir: string;
  binDir: string;
  modulesDir: string;
}

export interface FipsInstallPaths extends PrefixPaths {
  /** An empty config, so a user's OPENSSL_CONF or the prefix's baked-in one cannot interfere. */
  emptyConf: string;
}

export interface FipsInstallSettings {
  securityChecks: boolean;
}

function settingArgs(settings: FipsInstallSettings): string[] {
  return settings.securityChecks ? [] : ['-no_security_checks'];
}

/** Environment for running the prefix's own openssl: its libraries first, no outside configuration. */
export function opensslEnvironment(paths: PrefixPaths, platform: TargetPlatform, conf: string): Record<string, string | undefined> {
  const { libraryPathVar } = sharedLibraryConvention(platform);
  const separator = platform === 'win32' ? ';' : ':';
  const libDir = platform === 'win32' ? paths.binDir : paths.libDir;
  const current = process.env[libraryPathVar];
  return {
    OPENSSL_CONF: conf,
    OPENSSL_MODULES: paths.modulesDir,
    OPENSSL_CONF_INCLUDE: undefined,
    [libraryPathVar]: current ? `${libDir}${separator}${current}` : libDir,
  };
}

export function fipsInstallCommand(paths: FipsInstallPaths, platform: TargetPlatform, out: string, cwd: string, settings: FipsInstallSettings): Command {
  return {
    title: 'openssl fipsinstall (self-tests, module MAC for this machine)',
    program: paths.openssl,
    args: ['fipsinstall', '-module', paths.module, '-out', out, '-provider_name', 'fips', ...settingArgs(settings)],
    cwd,
    env: opensslEnvironment(paths, platform, paths.emptyConf),
  };
}

export function fipsInstallVerifyCommand(paths: FipsInstallPaths, platform: TargetPlatform, cnf: string, cwd: string, settings: FipsInstallSettings): Command {
  return {
    title: 'openssl fipsinstall -verify',
    program: paths.openssl,
    args: ['fipsinstall', '-module', paths.module, '-in', cnf, '-provider_name', 'fips', ...settingArgs(settings), '-verify'],
    cwd,
    env: opensslEnvironment(paths, platform, paths.emptyConf),
  };
}

/** Runs fipsinstall and its verification; the output lines are kept for the manifest. */
export async function runFipsInstall(
  runner: ProcessRunner,
  log: StageLog,
  paths: FipsInstallPaths,
  platform: TargetPlatform,
  out: string,
  cwd: string,
  settings: FipsInstallSettings,
): Promise<{ installOutput: string[]; verifyOutput: string[] }> {
  const installOutput: string[] = [];
  const verifyOutput: string[] = [];
  log.step('openssl fipsinstall');
  await log.run(runner, fipsInstallCommand(paths, platform, out, cwd, settings), { onLine: (l) => installOutput.push(l) });
  log.step('openssl fipsinstall -verify');
  await log.run(runner, fipsInstallVerifyCommand(paths, platform, out, cwd, settings), { onLine: (l) => verifyOutput.push(l) });
  return { installOutput, verifyOutput };
}
