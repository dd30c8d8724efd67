import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import {
  ExecaRunner,
  ProcessRunner,
  StageLog,
  assertOutputIsOurs,
  createStaging,
  executePlan,
  extractArchive,
  fetchSource,
  publishOutput,
} from '@fipskit/core';
import { PythonBuildOptions } from './schema';
import { NormalizedPythonOptions, normalizeOptions } from './lib/normalize-options';
import { assertOverlayFits, probeInterpreter } from './lib/interpreter';
import { buildOverlayPlan } from './lib/overlay-plan';
import { writePythonManifest } from './lib/manifest';
import { smokeTestLauncher } from './lib/smoke-test';

export const GUARD_SOURCE = join(__dirname, 'python', '_hashlib.py');

export interface PythonExecutorDeps {
  runner?: ProcessRunner;
  print?: (line: string) => void;
}

export default async function pythonBuildExecutor(
  rawOptions: PythonBuildOptions,
  context: ExecutorContext,
  deps: PythonExecutorDeps = {},
): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  try {
    const options = normalizeOptions(rawOptions, { root: context.root, projectName: context.projectName });
    await buildOverlay(options, deps.runner ?? new ExecaRunner(), print);
    return { success: true };
  } catch (error) {
    print(`[python] ${error instanceof Error ? error.message : String(error)}`);
    return { success: false };
  }
}

export async function buildOverlay(options: NormalizedPythonOptions, runner: ProcessRunner, print: (line: string) => void): Promise<void> {
  assertOutputIsOurs(options.outputDir, 'python');
  mkdirSync(options.buildDir, { recursive: true });
  const facts = await probeInterpreter(runner, options.interpreter, options.buildDir);
  assertOverlayFits(facts, options.source.version, options.interpreter);
  const compiler = process.env.CC?.trim() || 'cc';
  const fetched = await fetchSource(options.source, { workspaceRoot: options.workspaceRoot, cacheDir: options.cacheDir, runner });

  rmSync(options.logFile, { force: true });
  const staging = createStaging(options.outputDir);
  const layout = {
    sourceDir: fetched.directory ?? join(options.buildDir, 'src'),
    objectDir: join(options.buildDir, 'obj'),
    staging,
  };
  for (const dir of [layout.objectDir, ...(fetched.archive ? [layout.sourceDir] : [])]) rmSync(dir, { recursive: true, force: true });
  mkdirSync(layout.objectDir, { recursive: true });
  const plan = buildOverlayPlan(options, facts, layout, compiler, { guardSource: readFileSync(GUARD_SOURCE, 'utf8') }, {
    unpack: async () => {
      if (fetched.archive) await extractArchive(fetched.archive, layout.sourceDir, { stripTopLevel: true });
    },
    writeManifest: () => writePythonManifest(options, facts, staging),
    publish: async () => publishOutput(staging, options.outputDir, 'python'),
  });
  const log = new StageLog('python', options.logFile, plan.steps.length + 1, print);
  log.info(`overlay for ${options.interpreter} (Python ${facts.version}), CPython source ${options.source.version}, full log: ${options.logFile}`);
  try {
    await executePlan(plan, runner, log);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  await smokeTestLauncher(runner, log, options);
  log.info(`done: ${join(options.outputDir, 'bin', 'python3')}`);
}
