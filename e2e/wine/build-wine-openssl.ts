/**
 * Windows binaries of the very OpenSSL fipskit builds (the source the `fips-python` project locks),
 * cross-compiled with MinGW-w64 so the Wine suite can check Windows semantics against the real
 * thing. Run by `nx run wine-openssl:build` (see e2e/wine/project.json), which caches the result:
 *
 *   node tools/run-ts.js e2e/wine/build-wine-openssl.ts [--dry-run]
 *
 * The output is laid out as the product's win32 openssl stage lays out its prefix (bin/*.exe and the
 * DLLs, lib/ossl-modules/fips.dll, include/openssl) with a build-info.json that `readBuildInfo` accepts.
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  BuildPlan,
  Command,
  ToolRunner,
  FileOperation,
  ProcessRunner,
  SourceLock,
  StageLog,
  authenticitySummary,
  createStaging,
  defaultSourceCacheDir,
  executePlan,
  buildEnvironment,
  inEnvironment,
  extractArchive,
  fetchSource,
  probeTool,
  publishOutput,
  renderPlan,
  withStageLock,
} from '@fipskit/core';
import { BUILD_INFO_FILE, collectBuildInfo, compiledInPrefix, preflightOpenSslBuild, readSourceLock, writeBuildInfo } from '@fipskit/openssl-fips';

const STAGE = 'wine-openssl';
export const CROSS_COMPILE_PREFIX = 'x86_64-w64-mingw32-';
const CROSS_CC = `${CROSS_COMPILE_PREFIX}gcc`;
/** Workspace-relative, as in e2e/wine/project.json. */
export const WINE_OPENSSL_PATHS = {
  sourceLock: 'dist/fips-python/sources/openssl.source.json',
  buildDir: 'tmp/wine-openssl',
  output: 'dist/wine-openssl',
} as const;

/** A fresh copy of the built Windows OpenSSL prefix at `to`, for a test to run and change; refuses when it was not built. */
export function copyWindowsOpenSsl(workspaceRoot: string, to: string): void {
  const built = join(workspaceRoot, WINE_OPENSSL_PATHS.output);
  if (!existsSync(join(built, BUILD_INFO_FILE))) {
    throw new Error(`${built} holds no Windows build: run npm run test:wine, which builds it first (nx run wine-openssl:build).`);
  }
  rmSync(to, { recursive: true, force: true });
  mkdirSync(dirname(to), { recursive: true });
  cpSync(built, to, { recursive: true });
}
/** What the product's VC-WIN64A build calls these; mingw64 names them the same. */
const WINDOWS_LIBRARIES = ['libcrypto-3-x64.dll', 'libssl-3-x64.dll'];
export interface WineOpenSslLayout {
  workspaceRoot: string;
  buildDir: string;
  sourceDir: string;
  objectDir: string;
  logFile: string;
  outputDir: string;
}

export function wineOpenSslLayout(workspaceRoot: string): WineOpenSslLayout {
  const buildDir = join(workspaceRoot, WINE_OPENSSL_PATHS.buildDir);
  return {
    workspaceRoot,
    buildDir,
    sourceDir: join(buildDir, 'src'),
    objectDir: join(buildDir, 'obj'),
    logFile: join(buildDir, 'wine-openssl-build.log'),
    outputDir: join(workspaceRoot, WINE_OPENSSL_PATHS.output),
  };
}

/**
 * The product's win32 `--prefix` (`C:\Program Files\fipskit\openssl-<version>`) in the only spelling
 * OpenSSL's unix Makefile (used by mingw64) compiles correctly: it puts `-DOPENSSLDIR="\"$(OPENSSLDIR)\""`
 * on the compiler line unescaped, so each backslash starts a C escape (`\f` of `\fipskit` is a form
 * feed, `\P` is dropped). The space is harmless: the define is inside double quotes. Windows takes `/`
 * as a separator, so the compiled-in directories are the same ones the VC build's backslashes name.
 */
export function mingwCompiledInPrefix(source: SourceLock): string {
  return compiledInPrefix({ platform: 'win32', source }).replace(/\\/g, '/');
}

/**
 * `--openssldir=ssl` and `--libdir=lib` are relative on purpose: the template tests them with the
 * build host's (Unix) notion of absolute, so `C:/…/ssl` would be appended to the prefix a second
 * time; and mingw64 defaults libdir to `lib64`, where the product's layout has `lib`.
 */
export function mingwConfigureArguments(source: SourceLock): string[] {
  return [
    'mingw64',
    'enable-fips',
    'no-tests',
    'no-legacy',
    `--cross-compile-prefix=${CROSS_COMPILE_PREFIX}`,
    `--prefix=${mingwCompiledInPrefix(source)}`,
    '--openssldir=ssl',
    '--libdir=lib',
  ];
}

/** The make targets of a targeted build: the two DLLs, the FIPS provider and the program, nothing static. */
export const MINGW_MAKE_TARGETS = [...WINDOWS_LIBRARIES, 'providers/fips.dll', 'apps/openssl.exe'];

export interface WineOpenSslTasks {
  unpack: () => Promise<void>;
  writeBuildInfo: (staging: string) => Promise<void>;
  publish: (staging: string) => Promise<void>;
}

export function wineOpenSslPlan(source: SourceLock, layout: WineOpenSslLayout, staging: string, jobs: number, tasks: WineOpenSslTasks): BuildPlan {
  const inObj = (title: string, program: string, args: string[]): Command => ({
    title,
    program,
    args,
    cwd: layout.objectDir,
  });
  const parallel = `-j${jobs}`;
  return {
    stage: STAGE,
    // Not 'win32': the commands run here, on Linux, and are shown with POSIX quoting.
    platform: 'win32 x64, cross-compiled on Linux with MinGW-w64',
    steps: [
      {
        kind: 'task',
        title: `Unpack ${source.fileName} (OpenSSL ${source.version})`,
        detail: `extract ${source.fileName} (sha256 ${source.sha256}) into ${layout.sourceDir}, refusing entries that escape it`,
        perform: tasks.unpack,
      },
      {
        kind: 'run',
        title: 'Configure (mingw64)',
        command: inObj('Configure (mingw64)', 'perl', [join(layout.sourceDir, 'Configure'), ...mingwConfigureArguments(source)]),
      },
      { kind: 'run', title: 'Generate headers (make build_generated)', command: inObj('make build_generated', 'make', [parallel, 'build_generated']) },
      {
        kind: 'run',
        title: 'Compile the DLLs, the FIPS provider and openssl.exe',
        command: inObj('make', 'make', [parallel, ...MINGW_MAKE_TARGETS]),
        progress: { unit: 'objects compiled', countWith: inObj('Count objects', 'make', ['-n', ...MINGW_MAKE_TARGETS]), pattern: '(^|\\s)-c(\\s|$)' },
      },
      { kind: 'files', title: 'Lay out the installed prefix (as the win32 openssl stage does)', operations: installOperations(layout, staging) },
      { kind: 'task', title: 'Record build information', detail: `write build-info.json into ${staging}`, perform: () => tasks.writeBuildInfo(staging) },
      { kind: 'task', title: 'Publish output', detail: `move ${staging} to ${layout.outputDir}`, perform: () => tasks.publish(staging) },
    ],
  };
}

function installOperations(layout: WineOpenSslLayout, staging: string): FileOperation[] {
  const { objectDir: obj, sourceDir: src } = layout;
  return [
    { op: 'copy', from: join(obj, 'apps', 'openssl.exe'), to: join(staging, 'bin', 'openssl.exe') },
    ...WINDOWS_LIBRARIES.map((dll): FileOperation => ({ op: 'copy', from: join(obj, dll), to: join(staging, 'bin', dll) })),
    { op: 'copy', from: join(obj, 'providers', 'fips.dll'), to: join(staging, 'lib', 'ossl-modules', 'fips.dll') },
    { op: 'copy', from: join(src, 'include', 'openssl', '*.h'), to: join(staging, 'include', 'openssl') },
    { op: 'copy', from: join(obj, 'include', 'openssl', '*.h'), to: join(staging, 'include', 'openssl') },
    { op: 'copy', from: join(src, 'apps', 'openssl.cnf'), to: join(staging, 'ssl', 'openssl.cnf.dist') },
    { op: 'copy', from: join(src, 'apps', 'ct_log_list.cnf'), to: join(staging, 'ssl', 'ct_log_list.cnf') },
  ];
}

/** Names the missing cross compiler with the package that has it, before anything is unpacked. */
async function assertCrossCompiler(runner: ProcessRunner, cwd: string): Promise<void> {
  const probe = await probeTool(runner, CROSS_CC, ['--version'], cwd);
  if (!probe.ok) {
    throw new Error(`${CROSS_CC} not found on PATH: install Debian's gcc-mingw-w64-x86-64-win32 (bash tools/install-build-deps.sh does).`);
  }
}

export async function buildWineOpenSsl(workspaceRoot: string, runner: ProcessRunner, print: (line: string) => void, dryRun = false): Promise<void> {
  const layout = wineOpenSslLayout(workspaceRoot);
  const source = readSourceLock(join(workspaceRoot, WINE_OPENSSL_PATHS.sourceLock), 'openssl');
  const jobs = availableParallelism();
  if (dryRun) {
    const noop = async () => undefined;
    print(renderPlan(wineOpenSslPlan(source, layout, `${layout.outputDir}.staging`, jobs, { unpack: noop, writeBuildInfo: noop, publish: noop })));
    return;
  }
  mkdirSync(layout.buildDir, { recursive: true });
  await withStageLock(layout.buildDir, STAGE, print, async () => {
    await assertCrossCompiler(runner, layout.buildDir);
    // The product's own preflight (perl with the modules Configure needs, make), asked about the cross compiler.
    // The product's build environment: Configure and make get nothing from the developer's that changes the binaries.
    const environment = buildEnvironment({}, 'linux');
    const preflight = await preflightOpenSslBuild(runner, 'linux', layout.buildDir, { ...environment.variables, CC: CROSS_CC });
    const fetched = await fetchSource(source, { workspaceRoot, cacheDir: defaultSourceCacheDir(), runner });
    if (!fetched.archive)
      throw new Error(`${WINE_OPENSSL_PATHS.sourceLock} does not name a release tarball: the Wine binaries are built from the locked tarball only.`);
    const archive = fetched.archive;
    print(`[${STAGE}] ${authenticitySummary(source, fetched.authenticity)}`);

    rmSync(layout.logFile, { force: true });
    for (const dir of [layout.sourceDir, layout.objectDir]) rmSync(dir, { recursive: true, force: true });
    mkdirSync(layout.objectDir, { recursive: true });
    const staging = createStaging(layout.outputDir);
    const plan = wineOpenSslPlan(source, layout, staging, jobs, {
      unpack: async () => {
        await extractArchive(archive, layout.sourceDir, { stripTopLevel: true });
      },
      writeBuildInfo: async (dir) => {
        const options = { platform: 'win32' as const, arch: 'x64' as const, source, configureTarget: 'mingw64', scope: 'targeted' as const };
        const info = await collectBuildInfo(options, dir, mingwConfigureArguments(source), preflight.identity, { source: fetched.authenticity });
        writeBuildInfo(dir, info);
      },
      publish: async (dir) => publishOutput(dir, layout.outputDir, STAGE),
    });
    const log = new StageLog(STAGE, layout.logFile, plan.steps.length, print);
    log.info(`OpenSSL ${source.version} for Windows x64 (MinGW-w64, for the Wine tests), full log: ${layout.logFile}`);
    try {
      await executePlan(plan, inEnvironment(runner, environment.variables), log);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
    log.info(`done: ${layout.outputDir}`);
  });
}

if (require.main === module) {
  const workspaceRoot = resolve(__dirname, '..', '..');
  const print = (line: string) => console.log(line);
  buildWineOpenSsl(workspaceRoot, new ToolRunner(), print, process.argv.includes('--dry-run')).catch((error: unknown) => {
    print(`[${STAGE}] ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
