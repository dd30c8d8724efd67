import { accessSync, constants, existsSync, statSync } from 'node:fs';
import nodePath, { PlatformPath, dirname, isAbsolute, join } from 'node:path';
import { DEFAULT_FIPS_PROFILE, OpenSslBuildInfo, TargetPlatform, hostPlatform, pathsFor, readBuildInfo } from '@fipskit/core';
import { VerifyOptions } from '../executors/verify/schema';
import { TargetConfigurationDigest } from './target-configuration';

export type VerifyProfile = NonNullable<VerifyOptions['profile']>;

/** The interpreter's output tree and its siblings, copied elsewhere to prove the copy stays FIPS. */
export type MovedCopy = { root: string; trees: string[]; python: string } | { unavailable: string };

/** The openssl stage's build-info.json, as this stage reads it. */
export type PrefixBuildInfo = OpenSslBuildInfo;

export interface NormalizedVerifyOptions {
  platform: TargetPlatform;
  workspaceRoot: string;
  projectName: string;
  python: string;
  activation: 'self' | 'fips-env';
  prefix: string;
  prefixInfo: PrefixBuildInfo;
  /** Where the interpreter's libcrypto must come from. */
  libcryptoDir: string;
  /** What start-moved-copy copies; none for an installed Python. */
  movedCopy?: MovedCopy;
  fipsConfigDir: string;
  /** Where the audit stage's audit.json is looked for. */
  auditFile: string;
  /** The Nx targets that made this Python, as a digest for the evidence (absent outside Nx). */
  targetConfiguration?: TargetConfigurationDigest;
  outputDir: string;
  logFile: string;
  profile: VerifyProfile;
  tls: boolean;
  verbose: boolean;
  paths: { openssl: string; opensslConf: string; libDir: string; binDir: string; modulesDir: string };
}

/** Where and for what the options are resolved: this machine's checkout, or a plan's stand-in root on another platform. */
export interface VerifyResolution {
  root: string;
  projectName?: string;
  platform: TargetPlatform;
  /** What the openssl stage's build-info.json says (or, for a plan, will say). */
  prefixInfo: PrefixBuildInfo;
  /** Whether the interpreter is an installed Windows Python (its DLLs\ holds what the install target put there). */
  installedWindowsPython: boolean;
  /** The tree start-moved-copy copies, for an interpreter that brings its own FIPS setup. */
  movedCopy: (python: string, siblings: string[]) => MovedCopy;
}

/**
 * The options resolved against `where`, touching no file: what a run on this machine uses (`normalizeOptions`, after
 * its checks) and what a plan for any platform shows.
 */
export function resolveVerifyOptions(options: VerifyOptions, where: VerifyResolution): NormalizedVerifyOptions {
  const { platform, prefixInfo } = where;
  const paths = pathsFor(platform);
  const resolve = (p: string) => (paths.isAbsolute(p) ? p : paths.join(where.root, p));
  const python = resolve(options.python);
  const prefix = resolve(options.opensslPath);
  const activation = options.activation ?? 'self';
  const fipsConfigDir = resolve(options.fipsConfigPath);
  const binDir = paths.join(prefix, prefixInfo.layout.bin);
  const libDir = paths.join(prefix, prefixInfo.layout.lib);
  const projectName = where.projectName ?? 'fips';
  // An installed Windows Python loads the DLLs the install put beside _ssl.pyd in its DLLs\; Windows keeps a prefix's beside its programs.
  const installed = platform === 'win32' && where.installedWindowsPython;
  const libcryptoDir = installed ? paths.join(paths.dirname(python), 'DLLs') : platform === 'win32' ? binDir : libDir;
  return {
    platform,
    workspaceRoot: where.root,
    projectName,
    python,
    activation,
    prefix,
    prefixInfo,
    libcryptoDir,
    // An installed Python's FIPS setup is in OpenSSL's compiled-in directories: it has no tree to move.
    movedCopy: activation === 'self' && !installed ? where.movedCopy(python, [prefix, fipsConfigDir]) : undefined,
    fipsConfigDir,
    auditFile: paths.join(options.auditPath ? resolve(options.auditPath) : paths.join(paths.dirname(prefix), 'audit'), 'audit.json'),
    outputDir: resolve(options.outputPath),
    logFile: paths.join(where.root, 'tmp', 'fipskit', projectName, 'verify.log'),
    profile: options.profile ?? DEFAULT_FIPS_PROFILE,
    tls: options.tls ?? true,
    verbose: options.verbose ?? false,
    paths: {
      openssl: paths.join(binDir, platform === 'win32' ? 'openssl.exe' : 'openssl'),
      opensslConf: paths.join(fipsConfigDir, 'openssl.cnf'),
      libDir,
      binDir,
      modulesDir: paths.join(prefix, prefixInfo.layout.modules),
    },
  };
}

/** The options resolved for a run on this machine, after checking that what they name is there to verify. */
export function normalizeOptions(options: VerifyOptions, context: { root: string; projectName?: string }): NormalizedVerifyOptions {
  const resolve = (p: string) => (isAbsolute(p) ? p : join(context.root, p));
  const platform = hostPlatform();
  if (!options.python) {
    throw new Error("The python option is not set: point it at the interpreter to verify, usually the python stage's bin/python3 launcher.");
  }
  const python = resolve(options.python);
  assertRunnable(python, platform);

  const prefix = resolve(options.opensslPath);
  const prefixInfo = readBuildInfo(prefix);
  if (prefixInfo.platform !== platform) {
    throw new Error(`${prefix} holds an OpenSSL built for ${prefixInfo.platform}; it cannot serve the TLS checks on this ${platform} machine.`);
  }
  const opensslConf = join(resolve(options.fipsConfigPath), 'openssl.cnf');
  if ((options.tls ?? true) && !existsSync(opensslConf)) {
    throw new Error(
      `${opensslConf} does not exist: fipsConfigPath must be the output of the fips-config stage (the TLS test server runs with its openssl.cnf). ` +
        'Run the fips-config target first, fix fipsConfigPath, or set tls: false.',
    );
  }
  return resolveVerifyOptions(options, {
    root: context.root,
    projectName: context.projectName,
    platform,
    prefixInfo,
    installedWindowsPython: platform === 'win32' && existsSync(join(dirname(python), 'DLLs')),
    movedCopy: movedCopyOf,
  });
}

/** File the python stage writes into its output; only such an output (with its siblings) can be copied. */
const PYTHON_OUTPUT_MANIFEST = 'fipskit-python.json';

/**
 * The python stage's output (`<output>/bin/python3`) with the OpenSSL prefix and FIPS configuration it
 * finds relative to itself, to copy elsewhere as a moved checkout would be.
 */
export function movedCopyOf(python: string, siblings: string[]): MovedCopy {
  const output = dirname(dirname(python));
  if (!existsSync(join(output, PYTHON_OUTPUT_MANIFEST))) {
    return { unavailable: `${python} is not in a fipskit python stage output (no ${PYTHON_OUTPUT_MANIFEST} in ${output}), so there is no tree to move` };
  }
  const trees = [...new Set([output, ...siblings])];
  return { root: commonDirectory(trees), trees, python };
}

/** The deepest directory holding every one of `paths` (with the platform's path rules, for plans). */
export function commonDirectory(paths: string[], api: PlatformPath = nodePath): string {
  const split = paths.map((p) => api.resolve(p).split(api.sep));
  const common: string[] = [];
  for (let i = 0; split.every((parts) => parts[i] !== undefined && parts[i] === split[0][i]); i++) common.push(split[0][i]);
  return common.join(api.sep) || api.sep;
}

function assertRunnable(python: string, platform: TargetPlatform): void {
  const fix = 'build the python stage first, or fix the python option';
  if (!existsSync(python)) throw new Error(`The interpreter to verify, ${python}, does not exist: ${fix}.`);
  if (!statSync(python).isFile()) throw new Error(`The interpreter to verify, ${python}, is not a file: ${fix} (it must name the program, e.g. bin/python3).`);
  if (platform === 'win32') return;
  try {
    accessSync(python, constants.X_OK);
  } catch {
    throw new Error(`The interpreter to verify, ${python}, is not executable: chmod +x it, or ${fix}.`);
  }
}
