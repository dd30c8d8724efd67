import { StageLog } from '../log/stage-log';
import { TargetPlatform, sharedLibraryConvention } from '../platform/target-platform';
import { Command, ProcessRunner } from '../process/command';

/** Where the parts of an installed OpenSSL prefix are, in the notation of the platform that runs them. */
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

/** What the commands run in: a plan made for another platform shows the parent's search path symbolically. */
export interface CommandContext {
  platform: TargetPlatform;
  parentEnv?: NodeJS.ProcessEnv;
}

export const EMPTY_CONF_CONTENT = '# intentionally empty: fipsinstall must not read any other configuration\n';

function settingArgs(settings: FipsInstallSettings): string[] {
  return settings.securityChecks ? [] : ['-no_security_checks'];
}

/**
 * Environment for running the prefix's own openssl: its libraries first, no outside configuration.
 * `parentEnv` supplies the library search path to extend (a plan shows `%PATH%`/`$LD_LIBRARY_PATH`).
 */
export function opensslEnvironment(paths: PrefixPaths, context: CommandContext, conf: string): Record<string, string | undefined> {
  const { libraryPathVar } = sharedLibraryConvention(context.platform);
  const separator = context.platform === 'win32' ? ';' : ':';
  const libDir = context.platform === 'win32' ? paths.binDir : paths.libDir;
  const current = (context.parentEnv ?? process.env)[libraryPathVar];
  return {
    OPENSSL_CONF: conf,
    OPENSSL_MODULES: paths.modulesDir,
    OPENSSL_CONF_INCLUDE: undefined,
    [libraryPathVar]: current ? `${libDir}${separator}${current}` : libDir,
  };
}

export function fipsInstallCommand(paths: FipsInstallPaths, context: CommandContext, out: string, cwd: string, settings: FipsInstallSettings): Command {
  return {
    title: 'openssl fipsinstall (self-tests, module MAC for this machine)',
    program: paths.openssl,
    args: ['fipsinstall', '-module', paths.module, '-out', out, '-provider_name', 'fips', ...settingArgs(settings)],
    cwd,
    env: opensslEnvironment(paths, context, paths.emptyConf),
  };
}

export function fipsInstallVerifyCommand(paths: FipsInstallPaths, context: CommandContext, cnf: string, cwd: string, settings: FipsInstallSettings): Command {
  return {
    title: 'openssl fipsinstall -verify',
    program: paths.openssl,
    args: ['fipsinstall', '-module', paths.module, '-in', cnf, '-provider_name', 'fips', ...settingArgs(settings), '-verify'],
    cwd,
    env: opensslEnvironment(paths, context, paths.emptyConf),
  };
}

/**
 * `openssl list -providers` with the written configuration: the proof that it activates the FIPS provider.
 * Without one, the program runs as any process does that sets neither OPENSSL_CONF nor OPENSSL_MODULES:
 * with the configuration and modules its build compiled in.
 */
export function providerListCommand(paths: PrefixPaths, context: CommandContext, opensslConf: string | undefined, cwd: string): Command {
  const env = opensslEnvironment(paths, context, opensslConf ?? '');
  return {
    title: opensslConf ? 'openssl list -providers with the new configuration' : 'openssl list -providers with the compiled-in configuration',
    program: paths.openssl,
    args: ['list', '-providers', '-verbose'],
    cwd,
    env: opensslConf ? env : { ...env, OPENSSL_CONF: undefined, OPENSSL_MODULES: undefined },
  };
}

/** Runs fipsinstall and its verification; the output lines are kept for the manifest. */
export async function runFipsInstall(
  runner: ProcessRunner,
  log: StageLog,
  paths: FipsInstallPaths,
  context: CommandContext,
  out: string,
  cwd: string,
  settings: FipsInstallSettings,
): Promise<{ installOutput: string[]; verifyOutput: string[] }> {
  const installOutput: string[] = [];
  const verifyOutput: string[] = [];
  log.step('openssl fipsinstall');
  await log.run(runner, fipsInstallCommand(paths, context, out, cwd, settings), { onLine: (l) => installOutput.push(l) });
  log.step('openssl fipsinstall -verify');
  await log.run(runner, fipsInstallVerifyCommand(paths, context, out, cwd, settings), { onLine: (l) => verifyOutput.push(l) });
  return { installOutput, verifyOutput };
}
