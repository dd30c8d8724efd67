import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join } from 'node:path';
import {
  OpenSslBuildInfo,
  PLAN_ROOTS,
  SourceLock,
  TargetPlatform,
  assertEnvironmentOption,
  PythonMode,
  checkDebianLock,
  defaultMode,
  defaultSourceCacheDir,
  modeMismatch,
  hostPlatform,
  pathsFor,
  readBuildInfo,
} from '@fipskit/core';
import { PythonBuildOptions } from '../executors/python/schema';
import { PcbuildRoute } from '../windows/msbuild-properties';

export type { PythonMode };

export interface NormalizedPythonOptions {
  mode: PythonMode;
  platform: TargetPlatform;
  dryRun: boolean;
  /** The workspace root in the target's notation (a stand-in root for a plan made for another platform). */
  workspaceRoot: string;
  /** This machine's workspace root, where the locks and the built OpenSSL are read. */
  hostRoot: string;
  projectName: string;
  /** The existing interpreter (overlay, pcbuild). */
  interpreter?: string;
  route: PcbuildRoute;
  jobs: number;
  /** Full mode: CPython's own tests are built and installed. */
  testSuite: boolean;
  source: SourceLock;
  /** The target's paths (in its notation). */
  opensslPrefix: string;
  openssl: OpenSslBuildInfo;
  fipsConfigDir: string;
  outputDir: string;
  buildDir: string;
  logFile: string;
  /** This machine's build directory (where a plan for another platform reads the PCbuild files). */
  hostBuildDir: string;
  cacheDir: string;
  verbose: boolean;
  /** The declared build settings (the `environment` option). */
  environment: Record<string, string>;
}

function readJson<T>(file: string, whatToDo: string): T {
  if (!existsSync(file)) throw new Error(`${file} does not exist: ${whatToDo}`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

const EXAMPLE_INTERPRETER: Record<TargetPlatform, string> = {
  linux: '/usr/bin/python3.11',
  darwin: '/Library/Frameworks/Python.framework/Versions/3.11/bin/python3.11',
  win32: 'C:\\Program Files\\Python311\\python.exe',
};

export function normalizeOptions(
  options: PythonBuildOptions,
  context: { root: string; projectName?: string },
  host: TargetPlatform = hostPlatform(),
  planned: { openssl?: OpenSslBuildInfo } = {},
): NormalizedPythonOptions {
  const platform = !options.platform || options.platform === 'auto' ? host : options.platform;
  const dryRun = options.dryRun ?? false;
  if (platform !== host && !dryRun) {
    throw new Error(
      `platform is "${platform}" (as the project's fipskit.json declares it) but this machine is ${host}: Python modules cannot be cross-built here. ` +
        `Build on a ${platform} machine, set platform in fipskit.json to ${host} for a project built here, or use --dryRun to see the ${platform} plan.`,
    );
  }
  const mode = options.mode ?? defaultMode(platform);
  const mismatch = modeMismatch(mode, platform);
  if (mismatch) throw new Error(mismatch);
  const paths = pathsFor(platform);
  const onTarget = platform === host;
  const example = EXAMPLE_INTERPRETER[platform];
  if (mode === 'overlay' || mode === 'pcbuild') {
    if (!options.interpreter) throw new Error(`mode "${mode}" needs interpreter: the absolute path of the Python to put in FIPS mode (e.g. ${example}).`);
    if (!paths.isAbsolute(options.interpreter)) {
      throw new Error(`interpreter "${options.interpreter}" must be an absolute path (e.g. ${example}), so exactly that interpreter is used.`);
    }
    if (onTarget && !existsSync(options.interpreter))
      throw new Error(`The interpreter ${options.interpreter} does not exist: set interpreter to an installed Python.`);
  } else if (options.interpreter) {
    throw new Error('interpreter is only for modes "overlay" and "pcbuild": a full build makes its own interpreter. Remove it, or change mode.');
  }
  if (options.route && mode !== 'pcbuild') throw new Error('route is only for mode "pcbuild" (Windows): remove it.');
  if (options.testSuite && mode !== 'full') {
    throw new Error(
      `testSuite is only for mode "full" (a Python built from source): mode "${mode}" uses the tests of the interpreter it starts. Remove it, or set mode to "full".`,
    );
  }

  // Locks and the built OpenSSL are read on this machine; the plan's paths are the target's.
  const hostResolve = (p: string) => (isAbsolute(p) ? p : join(context.root, p));
  const root = onTarget ? context.root : PLAN_ROOTS[platform];
  const resolve = (p: string) => (paths.isAbsolute(p) ? p : paths.join(root, p));
  const source = readJson<SourceLock>(
    hostResolve(options.sourceLock),
    'run the "sources" target first (nx runs it through dependsOn), with a python source configured.',
  );
  if (source.product !== 'cpython') throw new Error(`${options.sourceLock} locks a ${source.product} source: point sourceLock at cpython.source.json.`);
  // Its package name and version become apt arguments when the tarball is fetched: refused here, naming this file.
  if (source.origin === 'debian') checkDebianLock(source, hostResolve(options.sourceLock));
  // A plan made before the openssl stage ran is given what build-info.json will say.
  const openssl = planned.openssl && dryRun ? planned.openssl : readBuildInfo(hostResolve(options.opensslPath));
  if (onTarget) {
    readJson(join(hostResolve(options.fipsConfigPath), 'fips-config.json'), 'fipsConfigPath must be the output of the fips-config stage; run it first.');
  }
  const projectName = context.projectName ?? 'python';
  const relativeBuildDir = options.buildDir ?? paths.join('tmp', 'fipskit', projectName, 'python');
  const buildDir = resolve(relativeBuildDir);
  return {
    mode,
    platform,
    dryRun,
    workspaceRoot: root,
    hostRoot: context.root,
    projectName,
    interpreter: options.interpreter,
    route: options.route ?? 'import-library',
    jobs: options.jobs && options.jobs > 0 ? options.jobs : availableParallelism(),
    testSuite: options.testSuite ?? false,
    source,
    opensslPrefix: resolve(options.opensslPath),
    openssl,
    fipsConfigDir: resolve(options.fipsConfigPath),
    outputDir: resolve(options.outputPath),
    buildDir,
    logFile: paths.join(buildDir, 'python-build.log'),
    hostBuildDir: onTarget ? buildDir : join(context.root, 'tmp', 'fipskit', projectName, `python-plan-${platform}`),
    cacheDir: options.cacheDir ? hostResolve(options.cacheDir) : defaultSourceCacheDir(),
    verbose: options.verbose ?? false,
    environment: assertEnvironmentOption(options.environment),
  };
}
