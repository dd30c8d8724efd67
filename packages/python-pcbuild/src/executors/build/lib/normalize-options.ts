import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { SourceLock, defaultSourceCacheDir, hostPlatform } from '@fipskit/core';
import { OpenSslBuildInfo, readBuildInfo } from '@fipskit/openssl-fips';
import { PythonBuildOptions } from '../schema';

export interface NormalizedPythonOptions {
  mode: 'overlay' | 'full';
  workspaceRoot: string;
  projectName: string;
  /** The existing interpreter (overlay mode). */
  interpreter?: string;
  jobs: number;
  source: SourceLock;
  opensslPrefix: string;
  openssl: OpenSslBuildInfo;
  fipsConfigDir: string;
  outputDir: string;
  buildDir: string;
  logFile: string;
  cacheDir: string;
  verbose: boolean;
}

function readJson<T>(file: string, whatToDo: string): T {
  if (!existsSync(file)) throw new Error(`${file} does not exist: ${whatToDo}`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function normalizeOptions(options: PythonBuildOptions, context: { root: string; projectName?: string }): NormalizedPythonOptions {
  if (hostPlatform() === 'win32') {
    throw new Error('The POSIX overlay cannot run on Windows: Windows builds _ssl.pyd and _hashlib.pyd with PCbuild (not available in this version).');
  }
  const resolve = (p: string) => (isAbsolute(p) ? p : join(context.root, p));
  const mode = options.mode ?? 'overlay';
  if (mode === 'overlay') {
    if (!options.interpreter) throw new Error('mode "overlay" needs interpreter: the absolute path of the Python to put in FIPS mode (e.g. /usr/bin/python3.11).');
    if (!isAbsolute(options.interpreter)) {
      throw new Error(`interpreter "${options.interpreter}" must be an absolute path (e.g. /usr/bin/python3.11), so the launcher runs exactly that interpreter.`);
    }
    if (!existsSync(options.interpreter)) throw new Error(`The interpreter ${options.interpreter} does not exist: set interpreter to an installed Python.`);
  } else if (options.interpreter) {
    throw new Error('interpreter is only for mode "overlay": a full build makes its own interpreter. Remove it, or set mode to "overlay".');
  }
  const source = readJson<SourceLock>(resolve(options.sourceLock), 'run the "sources" target first (nx runs it through dependsOn), with a python source configured.');
  if (source.product !== 'cpython') throw new Error(`${options.sourceLock} locks a ${source.product} source: point sourceLock at cpython.source.json.`);
  const opensslPrefix = resolve(options.opensslPath);
  const openssl = readBuildInfo(opensslPrefix);
  const fipsConfigDir = resolve(options.fipsConfigPath);
  readJson(join(fipsConfigDir, 'fips-config.json'), 'fipsConfigPath must be the output of the fips-config stage; run it first.');
  const projectName = context.projectName ?? 'python';
  const buildDir = resolve(options.buildDir ?? join('tmp', 'fipskit', projectName, 'python'));
  return {
    mode,
    workspaceRoot: context.root,
    projectName,
    interpreter: options.interpreter,
    jobs: options.jobs && options.jobs > 0 ? options.jobs : availableParallelism(),
    source,
    opensslPrefix,
    openssl,
    fipsConfigDir,
    outputDir: resolve(options.outputPath),
    buildDir,
    logFile: join(buildDir, 'python-build.log'),
    cacheDir: options.cacheDir ? resolve(options.cacheDir) : defaultSourceCacheDir(),
    verbose: options.verbose ?? false,
  };
}
