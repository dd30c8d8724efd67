import { pythonBuildRunner } from '../stage/build-runner';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  BuildPlan,
  ProcessRunner,
  StageLog,
  assertOutputIsOurs,
  compiledInDirectories,
  createStaging,
  executePlan,
  extractArchive,
  fetchSource,
  pathsFor,
  publishOutput,
} from '@fipskit/core';
import { NormalizedPythonOptions } from '../stage/normalize-options';
import { writePythonManifest } from '../stage/manifest';
import { readPcbuildFacts } from './pcbuild-facts';
import { extractPcbuild } from './pcbuild-reference-sources';
import { WindowsPcbuildInput, WindowsPcbuildToolchain, buildWindowsPcbuildPlan, checkPythonTask } from './windows-plan';
import { windowsRuntimeLayout } from '../fips-runtime/fips-runtime-entries';
import { openSslDllSuffix } from './pcbuild-layout';

const win = pathsFor('win32');

/** What a plan made on another machine shows for MSBuild; a real build finds it with vswhere. */
export const ASSUMED_MSBUILD = 'C:\\Program Files\\Microsoft Visual Studio\\2022\\Enterprise\\MSBuild\\Current\\Bin\\amd64\\MSBuild.exe';
const VSWHERE = 'C:\\Program Files (x86)\\Microsoft Visual Studio\\Installer\\vswhere.exe';

export function pcbuildInput(options: NormalizedPythonOptions, sourceDir: string, staging: string): WindowsPcbuildInput {
  return {
    runtime: windowsRuntimeLayout(compiledInDirectories(options.openssl), `libcrypto${openSslDllSuffix(options.openssl.version)}.dll`),
    sourceDir,
    sourceVersion: options.source.version,
    ...(options.source.fileName ? { sourceArchive: options.source.fileName } : {}),
    openssl: { prefix: options.opensslPrefix, version: options.openssl.version },
    pythonDir: win.dirname(options.interpreter!),
    staging,
    outputDir: options.outputDir,
    route: options.route,
  };
}

/**
 * The Windows plan, made on any machine from the real PCbuild files of the locked CPython source: the
 * tarball is fetched and verified as for a build, and only `PCbuild/` is unpacked (into this machine's
 * build directory) to be read.
 */
export async function planPcbuildForDisplay(options: NormalizedPythonOptions, runner: ProcessRunner): Promise<BuildPlan> {
  const fetched = await fetchSource(options.source, { workspaceRoot: options.hostRoot, cacheDir: options.cacheDir, runner });
  let pcbuildDir: string;
  if (fetched.archive) {
    const unpacked = join(options.hostBuildDir, 'pcbuild-files');
    rmSync(unpacked, { recursive: true, force: true });
    mkdirSync(unpacked, { recursive: true });
    pcbuildDir = await extractPcbuild(fetched.archive, unpacked);
  } else {
    pcbuildDir = join(fetched.directory!, 'PCbuild');
  }
  const facts = readPcbuildFacts(pcbuildDir);
  const input = pcbuildInput(options, win.join(options.buildDir, 'src'), `${options.outputDir}.staging`);
  return buildWindowsPcbuildPlan(input, facts, { msbuild: ASSUMED_MSBUILD });
}

/**
 * MSBuild of the newest Visual Studio with the C++ build tools, found the way PCbuild's find_msbuild.bat
 * finds it (vswhere, which every Visual Studio 2017+ installs in a fixed place).
 */
export async function findMsbuild(runner: ProcessRunner, cwd: string): Promise<WindowsPcbuildToolchain> {
  const lines: string[] = [];
  try {
    await runner.run(
      {
        program: VSWHERE,
        args: [
          '-latest',
          '-prerelease',
          '-products',
          '*',
          '-requires',
          'Microsoft.Component.MSBuild',
          'Microsoft.VisualStudio.Component.VC.Tools.x86.x64',
          '-find',
          'MSBuild\\**\\Bin\\amd64\\MSBuild.exe',
        ],
        cwd,
      },
      { onLine: (line) => lines.push(line) },
    );
  } catch {
    lines.length = 0;
  }
  const msbuild = lines.map((line) => line.trim()).find((line) => /MSBuild\.exe$/i.test(line));
  if (!msbuild) {
    throw new Error(
      'MSBuild with the C++ x64 build tools was not found (vswhere found no Visual Studio with Microsoft.VisualStudio.Component.VC.Tools.x86.x64). ' +
        'Install Visual Studio 2022 or its Build Tools with the "Desktop development with C++" workload: winget install Microsoft.VisualStudio.2022.BuildTools ' +
        '--override "--add Microsoft.VisualStudio.Workload.VCTools --includeRecommended --quiet".',
    );
  }
  return { msbuild };
}

/** The Windows build: the modules with PCbuild, collected with their OpenSSL DLLs into the output's `DLLs\`. */
export async function buildWithPcbuild(options: NormalizedPythonOptions, runner: ProcessRunner, print: (line: string) => void): Promise<void> {
  assertOutputIsOurs(options.outputDir, 'python');
  mkdirSync(options.buildDir, { recursive: true });
  const pythonDir = win.dirname(options.interpreter!);
  await checkPythonTask(pythonDir, options.source.version, options.route)();
  const toolchain = await findMsbuild(runner, options.buildDir);
  const fetched = await fetchSource(options.source, { workspaceRoot: options.workspaceRoot, cacheDir: options.cacheDir, runner, privateDir: options.buildDir });
  rmSync(options.logFile, { force: true });
  const staging = createStaging(options.outputDir);
  const sourceDir = fetched.directory ?? join(options.buildDir, 'src');
  if (fetched.archive) rmSync(sourceDir, { recursive: true, force: true });
  const input = pcbuildInput(options, sourceDir, staging);
  // The facts come from the tree being built, so the tree is unpacked before the plan is made.
  if (fetched.archive) await extractArchive(fetched.archive, sourceDir, { stripTopLevel: true });
  const facts = readPcbuildFacts(join(sourceDir, 'PCbuild'));
  const plan = buildWindowsPcbuildPlan({ ...input, sourceArchive: undefined }, facts, toolchain, {
    checkPython: checkPythonTask(pythonDir, options.source.version, options.route),
    writeManifest: () => writePythonManifest(options, { path: options.interpreter!, version: options.source.version }, staging, fetched.authenticity),
    publish: async () => publishOutput(staging, options.outputDir, 'python'),
  });
  const log = new StageLog('python', options.logFile, plan.steps.length, print);
  log.info(
    `_ssl.pyd and _hashlib.pyd for ${pythonDir} (Python ${options.source.version}) against OpenSSL ${options.openssl.version}, full log: ${options.logFile}`,
  );
  try {
    await executePlan(plan, pythonBuildRunner(options, runner, print).runner, log);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  log.info(`done: ${join(options.outputDir, 'DLLs')}; run the install target to put them into ${pythonDir}`);
}
