import { appendFileSync } from 'node:fs';
import { CMVP_CERTIFICATES_FILE, Command, ProcessRunner, StageLog, TargetPlatform, describeCommand, sharedLibraryConvention } from '@fipskit/core';
import { VERIFY_DRIVER } from '../python/verify-files';
import { MovedCopy, NormalizedVerifyOptions, VerifyProfile } from './normalize-options';
import { TargetConfigurationDigest } from './target-configuration';

/** The fipskit release that writes the evidence: this package's version, which nx release sets for all packages at once. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- read at run time; an import would have tsc compile package.json into the build output
const FIPSKIT_VERSION: string = (require('../../package.json') as { version: string }).version;

/** What the driver prints for the stage starts with this: `fipskit-verify:step <title>`, `…:info`, `…:log`, `…:error`. */
export const STAGE_LINE = 'fipskit-verify:';

/** What the checks hold the interpreter to (the TLS servers are the driver's to add). */
export interface DriverExpectations {
  opensslVersion: string;
  fipsProviderVersion?: string;
  libcryptoDir?: string;
  profile: VerifyProfile;
  /** Start the interpreter the other ways users do (-I, a symlink, a venv, a clean child, a manager). */
  startModes: boolean;
  movedCopy?: MovedCopy;
}

/** The prefix's library directory first on the platform's search path: what lets its openssl program run. */
export interface LibraryPath {
  variable: string;
  directory: string;
  separator: string;
}

/** The JSON fipskit_verify_run.py reads with --config: everything the run needs, resolved by the stage. */
export interface DriverConfig {
  /** The interpreter the checks run in. */
  python: string;
  /** The interpreter as report.json and the evidence name it. */
  pythonShown: string;
  /** Variables the checks run with (activation fips-env); none for a Python that brings its own FIPS setup. */
  activationEnvironment: Record<string, string>;
  openssl: { program: string; conf: string; modulesDir: string; libraryPath: LibraryPath };
  prefix: string;
  expectations: DriverExpectations;
  tls: boolean;
  fipsConfigDir: string;
  auditFile: string;
  projectName: string;
  targetConfiguration: TargetConfigurationDigest | null;
  certificatesFile: string;
  /** Where the five outputs go, and nothing else. */
  outputDir: string;
  logFile: string;
  /** The driver's work directory (certificates, the checks' JSON) is made in here and removed after. */
  workParent: string;
  /** report.json's generatedAt and host, instead of the clock's and the machine's (tests). */
  generatedAt?: string;
  host?: string;
  fipskitVersion: string;
  verbose: boolean;
}

/** What `fips-env` sets for an installed Python (activation "fips-env"); nothing for one that brings its own setup. */
export function activationEnvironment(
  options: Pick<NormalizedVerifyOptions, 'activation'> & { paths: { opensslConf: string; modulesDir: string } },
): Record<string, string> {
  return options.activation === 'fips-env' ? { OPENSSL_CONF: options.paths.opensslConf, OPENSSL_MODULES: options.paths.modulesDir } : {};
}

/** Windows finds DLLs on PATH and keeps a prefix's beside its programs; the others have a library path variable. */
export function libraryPath(paths: { libDir: string; binDir: string }, platform: TargetPlatform): LibraryPath {
  return {
    variable: sharedLibraryConvention(platform).libraryPathVar,
    directory: platform === 'win32' ? paths.binDir : paths.libDir,
    separator: platform === 'win32' ? ';' : ':',
  };
}

export function driverConfig(
  options: NormalizedVerifyOptions,
  run: { outputDir: string; workParent: string; generatedAt?: string; host?: string },
): DriverConfig {
  return {
    python: options.python,
    pythonShown: options.python,
    activationEnvironment: activationEnvironment(options),
    openssl: {
      program: options.paths.openssl,
      conf: options.paths.opensslConf,
      modulesDir: options.paths.modulesDir,
      libraryPath: libraryPath(options.paths, options.platform),
    },
    prefix: options.prefix,
    expectations: {
      opensslVersion: options.prefixInfo.version,
      fipsProviderVersion: options.prefixInfo.fipsProvider.version,
      libcryptoDir: options.libcryptoDir,
      profile: options.profile,
      startModes: options.activation === 'self',
      ...(options.movedCopy ? { movedCopy: options.movedCopy } : {}),
    },
    tls: options.tls,
    fipsConfigDir: options.fipsConfigDir,
    auditFile: options.auditFile,
    projectName: options.projectName,
    targetConfiguration: options.targetConfiguration ?? null,
    certificatesFile: CMVP_CERTIFICATES_FILE,
    outputDir: run.outputDir,
    logFile: options.logFile,
    workParent: run.workParent,
    ...(run.generatedAt ? { generatedAt: run.generatedAt } : {}),
    ...(run.host ? { host: run.host } : {}),
    fipskitVersion: FIPSKIT_VERSION,
    verbose: options.verbose,
  };
}

/**
 * The driver runs in the interpreter under test itself, isolated (-I: no PYTHON* variables, no user site), without
 * site (-S) and writing no bytecode (-B): it imports nothing that needs OpenSSL, so a broken FIPS setup is reported.
 */
export function driverCommand(python: string, configFile: string, cwd: string): Command {
  return { title: `FIPS verification inside ${python}`, program: python, args: ['-I', '-S', '-B', VERIFY_DRIVER, '--config', configFile], cwd };
}

export interface DriverRun {
  exitCode: number;
  /** The driver's own account of a failure that left no report. */
  errors: string[];
  /** The last lines it printed that were not meant for the stage: an interpreter's own errors. */
  tail: string[];
}

/**
 * Runs the driver: its steps and notes go through the stage log (which prints them and writes them into the log file),
 * its log lines are printed when verbose (the driver writes them into the log file itself), and anything else it
 * prints is written into the log and kept for the failure message.
 */
export async function runDriver(
  runner: ProcessRunner,
  log: StageLog,
  command: Command,
  output: { verbose: boolean; print: (line: string) => void },
): Promise<DriverRun> {
  const errors: string[] = [];
  const tail: string[] = [];
  appendFileSync(log.logFile, `\n$ ${describeCommand(command)}\n  (cwd: ${command.cwd})\n`);
  const onLine = (line: string) => {
    if (line.startsWith(STAGE_LINE)) {
      const [, kind, text] = /^(\w+) ?(.*)$/s.exec(line.slice(STAGE_LINE.length)) ?? [];
      if (kind === 'step') return log.step(text);
      if (kind === 'info') return log.info(text);
      if (kind === 'error') return void errors.push(text);
      if (kind === 'log') return output.verbose ? output.print(text) : undefined;
    }
    appendFileSync(log.logFile, `${line}\n`);
    tail.push(line);
    if (tail.length > 30) tail.shift();
    if (output.verbose) output.print(line);
  };
  const { exitCode } = await runner.run(command, { onLine, allowFailure: true, tailLines: 30 });
  return { exitCode, errors, tail };
}

/** When the interpreter could not even run the driver (or it crashed): what to say, naming both and the log. */
export function driverFailure(command: Command, run: DriverRun, problem: string, logFile: string): string {
  return [
    `${command.program} could not run fipskit's verification, ${VERIFY_DRIVER} (exit code ${run.exitCode}; ${problem}): ` +
      'it must be a working Python 3.8 or later. Run it by hand to see why.',
    ...(run.tail.length ? ['Last lines of its output:', ...run.tail.map((l) => `  ${l}`)] : []),
    `Full log: ${logFile}`,
  ].join('\n');
}
