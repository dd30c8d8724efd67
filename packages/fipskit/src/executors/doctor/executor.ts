import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import {
  ToolRunner,
  ProcessRunner,
  SourceSpec,
  probeRemoteCache,
  probeTool,
  reaches,
  TargetPlatform,
  executorResult,
  hostPlatform,
  pathsFor,
} from '@fipskit/core';
import { preflightOpenSslBuild } from '@fipskit/openssl-fips';
import { PythonBuildOptions, assertOverlayFits, checkPythonTask, findMsbuild, probeInterpreter } from '@fipskit/python-pcbuild';
import { STAGES, STAGE_EXECUTORS, findStageTarget } from '../plan/lib/pipeline-targets';
import { DoctorOptions } from './schema';

export interface DoctorDeps {
  runner?: ProcessRunner;
  print?: (line: string) => void;
  host?: TargetPlatform;
  nodeVersion?: string;
  /** Where the remote cache settings are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Whether this machine gets an answer from a URL's server (default: a HEAD request with a few seconds' wait). */
  reaches?: (url: string) => Promise<boolean>;
}

interface Finding {
  what: string;
  ok: boolean;
  detail: string;
}

const MINIMUM_NODE = [20, 19];

async function check(what: string, probe: () => Promise<string>): Promise<Finding> {
  try {
    return { what, ok: true, detail: await probe() };
  } catch (error) {
    return { what, ok: false, detail: (error as Error).message };
  }
}

export default async function doctorExecutor(_options: DoctorOptions, context: ExecutorContext, deps: DoctorDeps = {}): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  return executorResult('doctor', print, async () => {
    const runner = deps.runner ?? new ToolRunner();
    const host = deps.host ?? hostPlatform();
    const cwd = context.root;
    const findings: Finding[] = [];

    const node = deps.nodeVersion ?? process.versions.node;
    const [major, minor] = node.split('.').map(Number);
    const nodeOk = major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1]);
    findings.push({ what: 'Node.js', ok: nodeOk, detail: nodeOk ? `v${node}` : `v${node} is too old: install Node.js 20.19 or later (https://nodejs.org).` });

    const sources = findStageTarget(context, '@fipskit/core:sources');
    const specs = Object.values(sources?.options ?? {}).filter((v): v is SourceSpec => typeof v === 'object' && v !== null && 'kind' in v);
    if (specs.some((spec) => spec.kind === 'debian')) {
      findings.push(
        await check('apt (Debian sources)', async () => {
          const apt = await probeTool(runner, 'apt-get', ['--version'], cwd);
          if (!apt.ok)
            throw new Error(
              'apt-get not found: the "debian" source kind needs a Debian or Ubuntu machine. Elsewhere use kind "url" with the release URL and SHA-256.',
            );
          return apt.output.split('\n')[0];
        }),
      );
    }
    const reach = deps.reaches ?? reaches;
    for (const [option, spec] of Object.entries(sources?.options ?? {})) {
      if (typeof spec !== 'object' || spec === null || (spec as SourceSpec).kind !== 'url') continue;
      const { url, sha256 } = spec as { url: string; sha256: string };
      const host = new URL(url).host;
      const ok = await reach(url);
      findings.push({
        what: `download from ${host}`,
        ok,
        detail: ok
          ? `${host} answers (${option}: ${url})`
          : `no answer from ${host}, where the ${option} source ${url} comes from: the build would stop at its download. ` +
            `Download it where it can be reached, check its SHA-256 (${sha256}) and name it in fipskit.json as { "kind": "local", "path": "<the tarball>", "sha256": "${sha256}" }, ` +
            'or use Debian\'s source package ({ "kind": "debian" }).',
      });
    }
    for (const spec of specs) {
      if (spec.kind === 'local') {
        const path = isAbsolute(spec.path) ? spec.path : join(cwd, spec.path);
        findings.push({
          what: `local source ${spec.path}`,
          ok: existsSync(path),
          detail: existsSync(path) ? path : `${path} does not exist: put the tarball or tree there, or change the source.`,
        });
      }
    }

    if (findStageTarget(context, STAGE_EXECUTORS.openssl)) {
      findings.push(
        await check('OpenSSL build tools', async () => {
          const result = await preflightOpenSslBuild(runner, host, cwd);
          return [...Object.values(result.identity).filter(Boolean), ...result.warnings.map((w) => `warning: ${w}`)].join('; ');
        }),
      );
    }

    const python = findStageTarget(context, STAGE_EXECUTORS.python);
    // The python target's options as the stage reads them: a wrong shape is a finding of its own, naming the target.
    let pythonOptions: PythonBuildOptions | undefined;
    if (python) {
      const where = `${python.project}:${python.target}`;
      try {
        pythonOptions = STAGES.python.options(python.options, where);
      } catch (error) {
        findings.push({ what: `${where} options`, ok: false, detail: (error as Error).message });
      }
    }
    const wanted = (sources?.options?.python as { version?: string } | undefined)?.version;
    if (pythonOptions?.interpreter && host !== 'win32' && pythonOptions.mode !== 'full') {
      const interpreter = pythonOptions.interpreter;
      findings.push(
        await check(`interpreter ${interpreter}`, async () => {
          if (!existsSync(interpreter)) throw new Error(`${interpreter} does not exist: install that Python, or set the python target's interpreter.`);
          const facts = await probeInterpreter(runner, interpreter, cwd);
          assertOverlayFits(facts, wanted && /^\d+\.\d+\.\d+$/.test(wanted) ? wanted : facts.version, interpreter);
          return `CPython ${facts.version}, headers in ${facts.include}`;
        }),
      );
    }
    if (pythonOptions?.interpreter && host === 'win32') {
      const interpreter = pythonOptions.interpreter;
      findings.push(await check('MSBuild (PCbuild)', async () => (await findMsbuild(runner, cwd)).msbuild));
      findings.push(
        await check(`interpreter ${interpreter}`, async () => {
          await checkPythonTask(pathsFor('win32').dirname(interpreter), wanted ?? '', pythonOptions.route ?? 'import-library')();
          return 'x64, matching version, import library present';
        }),
      );
    }

    const remote = await probeRemoteCache(deps.env ?? process.env);
    if (remote) findings.push({ what: 'Nx remote cache', ok: remote.ok, detail: remote.message });

    const width = Math.max(...findings.map((f) => f.what.length));
    for (const finding of findings) {
      const [first, ...rest] = finding.detail.split('\n');
      print(`[doctor] ${finding.ok ? 'ok     ' : 'MISSING'}  ${finding.what.padEnd(width)}  ${first}`);
      for (const line of rest) print(`[doctor]           ${' '.repeat(width)}  ${line}`);
    }
    const missing = findings.filter((f) => !f.ok).length;
    print(
      missing === 0
        ? `[doctor] everything ${context.projectName} needs is here`
        : `[doctor] ${missing} of ${findings.length} checks failed: install what is named above, then run the build.`,
    );
    return missing === 0;
  });
}
