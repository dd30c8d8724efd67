import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  MB,
  assertFreeSpace,
  explainDiskFull,
  ProcessRunner,
  StageLog,
  assertOutputIsOurs,
  createStaging,
  executePlan,
  extractArchive,
  fetchSource,
  publishOutput,
  BuildPlan,
  describeBuildEnvironment,
  sourceDateEpoch,
} from '@fipskit/core';
import { NormalizedPythonOptions } from './normalize-options';
import { assertOverlayFits, assumedDarwinInterpreter, probeInterpreter, pythonMajorMinor } from './interpreter';
import { buildWithPcbuild, planPcbuildForDisplay } from '../windows/pcbuild-build';
import { buildOverlayPlan } from '../overlay/overlay-plan';
import { buildFullPlan, moduleLinkFlags, setMakefileVariables } from '../full/full-plan';
import { writePythonManifest } from './manifest';
import { smokeTestLauncher } from './smoke-test';
import { pythonBuildRunner } from './build-runner';

// The python stage's work: the plan for the options' mode and platform, and the build that runs it (an overlay or a
// full CPython here; PCbuild's on Windows). The build executor is a shell over this (locks, once per task, results).

/** The build the options' mode takes: PCbuild's on Windows, else an overlay or a full CPython. */
export function buildForMode(options: NormalizedPythonOptions, runner: ProcessRunner, print: (line: string) => void): Promise<void> {
  return options.mode === 'pcbuild' ? buildWithPcbuild(options, runner, print) : buildPython(options, runner, print);
}

/** The stage's plan for the options' platform, with nothing built: the interpreter is asked when it is on this machine. */
export async function planPythonForDisplay(options: NormalizedPythonOptions, runner: ProcessRunner): Promise<BuildPlan> {
  return { ...(await stagePlanForDisplay(options, runner)), environment: describeBuildEnvironment(options.environment, options.platform) };
}

async function stagePlanForDisplay(options: NormalizedPythonOptions, runner: ProcessRunner): Promise<BuildPlan> {
  if (options.mode === 'pcbuild') return planPcbuildForDisplay(options, runner);
  const staging = `${options.outputDir}.staging`;
  const layout = { sourceDir: join(options.buildDir, 'src'), objectDir: join(options.buildDir, 'obj'), destDir: join(options.buildDir, 'destdir'), staging };
  if (options.mode === 'full') return buildFullPlan(options, layout, options.jobs);
  const onTarget = options.workspaceRoot === options.hostRoot;
  const facts = onTarget
    ? await probeInterpreter(runner, options.interpreter!, options.hostRoot)
    : assumedDarwinInterpreter(options.interpreter!, options.source.version);
  if (onTarget) assertOverlayFits(facts, options.source.version, options.interpreter!);
  return buildOverlayPlan(options, facts, layout, options.environment.CC?.trim() || 'cc');
}

export async function buildPython(options: NormalizedPythonOptions, runner: ProcessRunner, print: (line: string) => void): Promise<void> {
  assertOutputIsOurs(options.outputDir, 'python');
  // Measured on Linux x64: an overlay unpacks Modules/ only (16 MB); a full CPython build takes about 500 MB.
  const full = options.mode === 'full';
  const spaceNeeds = [
    { dir: options.buildDir, bytes: (full ? 800 : 150) * MB, what: 'the source tree and objects', option: 'buildDir' },
    { dir: dirname(options.outputDir), bytes: (full ? 300 : 30) * MB, what: 'the Python output (staged beside it)', option: 'outputPath' },
  ];
  assertFreeSpace('python', spaceNeeds);
  mkdirSync(options.buildDir, { recursive: true });
  const facts = options.interpreter ? await probeInterpreter(runner, options.interpreter, options.buildDir) : undefined;
  if (facts) assertOverlayFits(facts, options.source.version, options.interpreter!);
  const compiler = options.environment.CC?.trim() || 'cc';
  const fetched = await fetchSource(options.source, {
    workspaceRoot: options.workspaceRoot,
    cacheDir: options.cacheDir,
    runner,
    privateDir: options.buildDir,
    print: (line) => print(line.replace(/^\[sources\]/, '[python]')),
  });
  const build = pythonBuildRunner(options, runner, print);

  rmSync(options.logFile, { force: true });
  const staging = createStaging(options.outputDir);
  const layout = {
    sourceDir: fetched.directory ?? join(options.buildDir, 'src'),
    objectDir: join(options.buildDir, 'obj'),
    destDir: join(options.buildDir, 'destdir'),
    staging,
  };
  for (const dir of [layout.objectDir, layout.destDir, ...(fetched.archive ? [layout.sourceDir] : [])]) rmSync(dir, { recursive: true, force: true });
  mkdirSync(layout.objectDir, { recursive: true });
  const interpreter = facts
    ? { path: options.interpreter!, version: facts.version }
    : { path: `bin/python${pythonMajorMinor(options.source.version)}`, version: options.source.version };
  const tasks = {
    unpack: async () => {
      // The overlay compiles two files from Modules/; the full build needs the whole tree.
      if (fetched.archive) await extractArchive(fetched.archive, layout.sourceDir, { stripTopLevel: true, ...(facts ? { only: ['Modules/'] } : {}) });
      // The build date CPython compiles in (sys.version) is the source's, so every build of one lock is the same bytes.
      build.variables.SOURCE_DATE_EPOCH ??= sourceDateEpoch(layout.sourceDir);
    },
    writeManifest: () => writePythonManifest(options, interpreter, staging, fetched.authenticity),
    publish: async () => publishOutput(staging, options.outputDir, 'python'),
    setLinkFlags: async () => {
      const makefile = join(layout.objectDir, 'Makefile');
      writeFileSync(makefile, setMakefileVariables(readFileSync(makefile, 'utf8'), moduleLinkFlags(options)));
    },
  };
  const plan = facts ? buildOverlayPlan(options, facts, layout, compiler, tasks) : buildFullPlan(options, layout, options.jobs, tasks);
  const log = new StageLog('python', options.logFile, plan.steps.length + 1, print);
  const what = facts ? `overlay for ${options.interpreter} (Python ${facts.version})` : `full build of CPython ${options.source.version}`;
  log.info(`${what} against OpenSSL ${options.openssl.version}, full log: ${options.logFile}`);
  try {
    await executePlan(plan, build.runner, log);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw explainDiskFull(error, 'python', spaceNeeds);
  }
  await smokeTestLauncher(runner, log, options);
  log.info(`done: ${join(options.outputDir, 'bin', 'python3')}`);
}
