import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BuildPlan, Command, PlanStep, RunStep, pathsFor } from '@fipskit/core';
import { assertPythonMatchesSource } from '../install/install-into-python';
import { PcbuildRoute, assertOverridable, msbuildPropertySwitches, pcbuildMsbuildProperties, pythonForBuildEnv } from './msbuild-properties';
import { PCBUILD_MODULES, PcbuildFacts } from './pcbuild-facts';
import { WindowsOpenSsl, pcbuildOpenSslLayout, stageOpenSslForPcbuild } from './pcbuild-layout';
import { FipsRuntimeLayout, fipsRuntimeEntries, zipSlotName } from '../fips-runtime/fips-runtime-entries';

const win = pathsFor('win32');

/*
 * Why msbuild on the module projects, and not build.bat (evidence from 3.11.2 and 3.13.5):
 * - build.bat always builds pcbuild.proj, whose only targets are Build/Clean/CleanAll/Rebuild: every
 *   project, pythoncore and the tests included; `/t:_ssl` would name a target pcbuild.proj lacks.
 * - It calls get_externals.bat unless -E (downloads bzip2, sqlite, xz, zlib, libffi, Tcl/Tk and
 *   CPython's own openssl-bin-*), and -E sets IncludeExternals=false, which drops _ssl and _hashlib
 *   from pcbuild.proj's project list (`ExternalModules` are only built with IncludeExternals).
 * - It passes at most nine extra arguments (%1..%9) through cmd.exe, where `=` splits arguments.
 * So each project is given to MSBuild directly, with the properties as separate arguments.
 */

export interface WindowsPcbuildInput {
  /** The unpacked CPython release: the directory holding PCbuild\. */
  sourceDir: string;
  /** CPython version of the source, e.g. `3.11.2`. */
  sourceVersion: string;
  /** Tarball the source is unpacked from (shown in the plan); absent for a tree already unpacked. */
  sourceArchive?: string;
  openssl: WindowsOpenSsl;
  /** The installed Python the modules are built for, e.g. `C:\Program Files\Python311`. */
  pythonDir: string;
  /** fipskit's runtime for the installed Python's zip slot: where it finds the modules and OpenSSL's compiled-in configuration. */
  runtime: FipsRuntimeLayout;
  /** The stage's staging directory: the built files are collected into its `DLLs\`. */
  staging: string;
  /** Where the staging directory is published (the stage's output). */
  outputDir: string;
  route?: PcbuildRoute;
}

export interface WindowsPcbuildToolchain {
  /** MSBuild.exe of a Visual Studio with the C++ workload (found with vswhere, as PCbuild's find_msbuild.bat does). */
  msbuild: string;
}

/** In-process steps; plans made for display get no-ops. */
export interface WindowsPcbuildTasks {
  unpack?: () => Promise<void>;
  checkPython?: () => Promise<void>;
  writeManifest?: () => Promise<void>;
  publish?: () => Promise<void>;
}

/** `PCbuild\amd64\`: python.props' BuildPath64 when Py_OutDir is not set, the modules' $(OutDir). */
export function pcbuildOutDir(sourceDir: string): string {
  return win.join(sourceDir, 'PCbuild', 'amd64');
}

/** pythonXY.lib: what PC\pyconfig.h's `#pragma comment(lib, ...)` and the pythoncore reference link against. */
export function pythonImportLibrary(sourceVersion: string): string {
  const [major, minor] = sourceVersion.split('.');
  return `python${major}${minor}.lib`;
}

/** What goes into `<python>\DLLs`: the two modules and the OpenSSL DLLs they import. */
export function builtFileNames(openssl: WindowsOpenSsl): string[] {
  // The DLLs come from PCbuild\amd64 too, where _CopySSLDLL put them: the same bytes the modules were linked with.
  return [...PCBUILD_MODULES.map((module) => `${module}.pyd`), ...pcbuildOpenSslLayout('', openssl).dlls];
}

/** The build plan's check of the Python the modules are built for, run on the build machine. */
export function checkPythonTask(pythonDir: string, sourceVersion: string, route: PcbuildRoute = 'import-library'): () => Promise<void> {
  return async () => {
    assertPythonMatchesSource(pythonDir, sourceVersion);
    const library = join(pythonDir, 'libs', pythonImportLibrary(sourceVersion));
    if (route === 'import-library' && !existsSync(library)) {
      throw new Error(
        `${library} does not exist: this Python was installed without its headers and libraries (installer option Include_dev=0). ` +
          'Run its installer again with Include_dev=1 (the default), or set route to "full-core" to compile pythoncore instead.',
      );
    }
  };
}

export function buildWindowsPcbuildPlan(
  input: WindowsPcbuildInput,
  facts: PcbuildFacts,
  toolchain: WindowsPcbuildToolchain,
  tasks: WindowsPcbuildTasks = {},
): BuildPlan {
  const noop = async () => undefined;
  const route = input.route ?? 'import-library';
  const pcbuild = win.join(input.sourceDir, 'PCbuild');
  const outDir = pcbuildOutDir(input.sourceDir);
  const layout = pcbuildOpenSslLayout(input.sourceDir, input.openssl);
  const properties = pcbuildMsbuildProperties(layout, route);
  assertOverridable(facts, properties);
  const pythonExe = win.join(input.pythonDir, 'python.exe');
  const importLibrary = pythonImportLibrary(input.sourceVersion);

  const msbuild = (title: string, project: string, target = 'Build'): RunStep => {
    const command: Command = {
      title,
      program: toolchain.msbuild,
      args: [win.join(pcbuild, project), `/t:${target}`, '/nologo', '/v:m', ...msbuildPropertySwitches(properties)],
      cwd: pcbuild,
      env: pythonForBuildEnv(pythonExe),
    };
    return { kind: 'run', title, command };
  };

  const steps: PlanStep[] = [];
  if (input.sourceArchive) {
    steps.push({
      kind: 'task',
      title: `Unpack ${input.sourceArchive} (CPython ${input.sourceVersion})`,
      detail: `extract into ${input.sourceDir}`,
      perform: tasks.unpack ?? noop,
    });
  }
  steps.push({
    kind: 'task',
    title: `Check ${input.pythonDir}`,
    detail:
      `must be an x64 Python ${input.sourceVersion} (python${input.sourceVersion.split('.').slice(0, 2).join('')}.dll, include\\patchlevel.h)` +
      (route === 'import-library' ? ` with its import library libs\\${importLibrary}` : ''),
    perform: tasks.checkPython ?? noop,
  });
  steps.push({
    kind: 'files',
    title: `Stage OpenSSL ${input.openssl.version} where PCbuild looks for it`,
    operations: stageOpenSslForPcbuild(layout, input.openssl, facts),
  });

  if (route === 'import-library') {
    steps.push({
      kind: 'files',
      title: `Link against the installed Python's ${importLibrary} instead of compiling pythoncore`,
      operations: [
        { op: 'mkdir', to: outDir },
        { op: 'copy', from: win.join(input.pythonDir, 'libs', importLibrary), to: win.join(outDir, importLibrary) },
      ],
    });
    // 3.13 generates pyconfig.h into pythoncore's IntDir (pyproject.props GeneratedPyConfigDir), which every
    // module compiles against; this target only writes that file.
    if (facts.generatesPyconfig)
      steps.push(msbuild('Generate pyconfig.h (pythoncore target _UpdatePyconfig, no compiling)', 'pythoncore.vcxproj', '_UpdatePyconfig'));
    // A referenced project's import library is a link input even when it is not rebuilt (_ssl -> _socket.lib).
    const linked = [...new Set(PCBUILD_MODULES.flatMap((module) => facts.modules[module].references))].filter((project) => project !== 'pythoncore');
    for (const project of linked) steps.push(msbuild(`Build ${project} (its import library is an input of the modules' link)`, `${project}.vcxproj`));
  } else {
    // pcbuild.proj builds _freeze_module first: pythoncore compiles the frozen modules it generates
    // (3.11: Python\frozen_modules\*.h and, through PythonForBuild, Python\deepfreeze\deepfreeze.c).
    steps.push(msbuild('Build _freeze_module and generate the frozen modules pythoncore compiles', '_freeze_module.vcxproj'));
  }
  for (const module of PCBUILD_MODULES) {
    const references = facts.modules[module].references.join(', ');
    const title = route === 'import-library' ? `Build ${module}.pyd` : `Build ${module}.pyd (and ${references} through its project references)`;
    steps.push(msbuild(title, `${module}.vcxproj`));
  }

  const collected = win.join(input.staging, 'DLLs');
  steps.push({
    kind: 'files',
    title: "Collect the modules and the OpenSSL DLLs they import, and fipskit's runtime for the zip slot",
    operations: [
      { op: 'mkdir', to: collected },
      ...builtFileNames(input.openssl).map((name) => ({ op: 'copy' as const, from: win.join(outDir, name), to: win.join(collected, name) })),
      // The zip slot the install puts beside python.exe: the first entry of sys.path however it is started.
      { op: 'zip', to: win.join(input.staging, zipSlotName(input.sourceVersion)), entries: fipsRuntimeEntries(input.runtime) },
    ],
  });
  steps.push({
    kind: 'task',
    title: 'Record build information',
    detail: 'write fipskit-python.json with versions and SHA-256 of each file',
    perform: tasks.writeManifest ?? noop,
  });
  steps.push({ kind: 'task', title: 'Publish output', detail: `move ${input.staging} to ${input.outputDir}`, perform: tasks.publish ?? noop });
  return { stage: 'python', platform: 'win32', steps };
}
