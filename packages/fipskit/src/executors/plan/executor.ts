import { isAbsolute, join, relative } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import {
  BuildPlan,
  DEFAULT_FIPS_PROFILE,
  ToolRunner,
  PLAN_ROOTS,
  PlanRequest,
  ProcessRunner,
  PythonMode,
  SourceLock,
  Stage,
  TargetPlatform,
  assertOutputIsOurs,
  compiledInDirectories,
  createStaging,
  defaultMode,
  executorResult,
  hostPlatform,
  modeMismatch,
  pathsFor,
  plannedBuildInfo,
  publishOutput,
  readSourceLock,
  renderPlan,
} from '@fipskit/core';
import { buildWindowsInstallPlan, builtFileNames, defaultBackupDir, normalizePythonForPlan, zipSlotName } from '@fipskit/python-pcbuild';
import { PlanOptions } from './schema';
import { CheckedStageTarget, STAGES, findStage } from './lib/pipeline-targets';
import { writePlanFiles } from './lib/plan-files';
import { verifiedPython } from '../../plugins/stage-targets';

export interface PlanDeps {
  runner?: ProcessRunner;
  print?: (line: string) => void;
  host?: TargetPlatform;
}

/** A python.org install of that CPython version: where a plan for another platform assumes the interpreter is. */
export function defaultInterpreter(platform: TargetPlatform, version: string): string {
  const [major, minor] = version.split('.');
  if (platform === 'win32') return `C:\\Program Files\\Python${major}${minor}\\python.exe`;
  if (platform === 'darwin') return `/Library/Frameworks/Python.framework/Versions/${major}.${minor}/bin/python${major}.${minor}`;
  return `/usr/bin/python${major}.${minor}`;
}

function required<Options, Normalized>(context: ExecutorContext, stage: Stage<Options, Normalized>, what: string): CheckedStageTarget<Options> {
  const found = findStage(context, stage);
  if (!found) {
    throw new Error(
      `${context.projectName} has no ${what} target (executor ${stage.executor}), nor does any project it depends on: generate the project with nx g fipskit:project.`,
    );
  }
  return found;
}

export default async function planExecutor(options: PlanOptions, context: ExecutorContext, deps: PlanDeps = {}): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  return executorResult('plan', print, async () => {
    const host = deps.host ?? hostPlatform();
    const platform = options.platform ?? host;
    const runner = deps.runner ?? new ToolRunner();
    const root = context.root;
    const planRoot = platform === host ? root : PLAN_ROOTS[platform];
    const outputDir = isAbsolute(options.outputPath ?? '')
      ? options.outputPath!
      : join(root, options.outputPath ?? join('dist', context.projectName ?? 'fipskit', 'plan', platform));
    assertOutputIsOurs(outputDir, 'plan');

    const openssl = required(context, STAGES.openssl, 'OpenSSL');
    const fipsConfig = required(context, STAGES.fipsConfig, 'fips-config');
    const python = required(context, STAGES.python, 'Python');
    const opensslOptions = openssl.options;
    const lockPath = isAbsolute(opensslOptions.sourceLock) ? opensslOptions.sourceLock : join(root, opensslOptions.sourceLock);
    const opensslLock: SourceLock = readSourceLock(lockPath, 'openssl');
    const request = (projectName: string): PlanRequest => ({ root, projectName, platform, host, planRoot, runner });

    const plans: BuildPlan[] = [];
    plans.push(await STAGES.openssl.plan(opensslOptions, request(openssl.project)));
    plans.push(await STAGES.fipsConfig.plan(fipsConfig.options, request(fipsConfig.project)));

    const pythonOptions = python.options;
    const pythonLock = readSourceLock(isAbsolute(pythonOptions.sourceLock) ? pythonOptions.sourceLock : join(root, pythonOptions.sourceLock), 'cpython');
    // A plan for another platform shows that platform's mode when the project's does not fit it (the project model's rule).
    const fits = (mode: PythonMode | undefined) => mode !== undefined && !modeMismatch(mode, platform);
    const mode = fits(pythonOptions.mode) ? pythonOptions.mode! : defaultMode(platform);
    const keepInterpreter = pythonOptions.interpreter && platform === host && fits(pythonOptions.mode);
    const interpreter =
      mode === 'full' ? undefined : (options.interpreter ?? (keepInterpreter ? pythonOptions.interpreter : defaultInterpreter(platform, pythonLock.version)));
    const shownOptions = { ...pythonOptions, mode, interpreter, ...(mode === 'pcbuild' ? {} : { route: undefined }) };
    const pythonRequest = { ...request(python.project), openssl: plannedBuildInfo(opensslLock, platform) };
    plans.push(await STAGES.python.plan(shownOptions, pythonRequest));
    if (platform === 'win32') {
      const normalized = normalizePythonForPlan(shownOptions, pythonRequest);
      const win = pathsFor('win32');
      const compiledIn = compiledInDirectories(plannedBuildInfo(opensslLock, 'win32'));
      plans.push(
        buildWindowsInstallPlan({
          builtDir: normalized.outputDir,
          files: [
            ...builtFileNames({ prefix: normalized.opensslPrefix, version: opensslLock.version }).map((name) => `DLLs/${name}`),
            zipSlotName(pythonLock.version),
          ],
          sourceVersion: pythonLock.version,
          pythonDir: win.dirname(interpreter!),
          // The user's data directory on that machine, shown with a stand-in profile path.
          backupDir: defaultBackupDir(win.dirname(interpreter!), { LOCALAPPDATA: 'C:\\Users\\<user>\\AppData\\Local' }, 'win32'),
          openssl: { prefix: normalized.opensslPrefix, opensslDir: compiledIn.opensslDir, modulesDir: compiledIn.modulesDir },
          profile: fipsConfig.options.profile ?? DEFAULT_FIPS_PROFILE,
          workDir: win.join(planRoot, 'tmp', 'fipskit', python.project, 'install-fips-configuration'),
          parentEnv: { PATH: '%PATH%' },
        }),
      );
    }

    // Last, what proves it: the checks inside that interpreter (the installed python.exe on Windows).
    const verify = findStage(context, STAGES.verify);
    if (verify) {
      const verifyPython = verifiedPython(platform, interpreter, pythonOptions.outputPath);
      plans.push(
        await STAGES.verify.plan({ ...verify.options, python: verifyPython }, { ...request(verify.project), openssl: plannedBuildInfo(opensslLock, platform) }),
      );
    }

    const staging = createStaging(outputDir);
    const files = writePlanFiles(staging, plans);
    publishOutput(staging, outputDir, 'plan');
    if (planRoot !== root) print(`(workspace root shown as ${planRoot}; sources: OpenSSL ${opensslLock.version}, CPython ${pythonLock.version})`);
    print(plans.map(renderPlan).join('\n\n'));
    print(
      `\n[plan] ${plans.reduce((n, p) => n + p.steps.length, 0)} steps for ${platform}; plan.txt, plan.json and ${files.length} written files are in ${relative(root, outputDir) || outputDir}`,
    );
  });
}
