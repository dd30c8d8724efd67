import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { JobStatus, interpolate, stepCondition, validateWorkflow } from './actions-toolkit';
import { PODMAN_GLOBAL, PODMAN_LIMITS, containerImage, podman } from './container';
import { ActionContext, localAction } from './local-actions';

/**
 * Runs one job of a GitHub Actions workflow here, as GitHub's runner runs a container job: the job's container from
 * its `container:` image, the workspace mounted at /__w/<repo>/<repo>, each `run:` step through `bash -e` in that
 * container with the workflow's, the job's and the step's environment, `if:` and `${{ }}` evaluated by GitHub's own
 * expression evaluator, GITHUB_ENV / GITHUB_PATH / GITHUB_OUTPUT honoured, and the `uses:` actions that need GitHub
 * replaced by local equivalents (local-actions.ts). The workflow is first checked by GitHub's workflow parser.
 */
export interface JobRunRequest {
  workflowFile: string;
  job: string;
  /** The matrix combination to run (matched against the matrix's `include` entries). */
  matrix?: Record<string, string>;
  event: 'push' | 'pull_request' | 'schedule' | 'workflow_dispatch';
  /** The repository (a git directory on this machine) and the commit and ref the event is for. */
  repository: string;
  sha: string;
  ref: string;
  lastSuccessfulSha?: string;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** A directory of this run's own (the workspace, temp files, artifacts, the log). */
  runDir: string;
  /** setup-node's npm cache (kept between runs, as actions/setup-node's cache is). */
  npmCache: string;
  /** `host`: the container shares this machine's network (for services on loopback: a registry mirror, a cache). */
  network?: 'host' | 'bridge';
  /** One line per step as it starts and ends. */
  progress?: (line: string) => void;
}

export interface StepResult {
  name: string;
  outcome: 'success' | 'failure' | 'skipped';
  seconds: number;
  output: string;
}

export interface JobResult {
  conclusion: JobStatus;
  steps: StepResult[];
  /** Every step's output, in order (also in runDir/job.log). */
  log: string;
  artifacts: string;
  workspace: string;
}

interface WorkflowStep {
  id?: string;
  name?: string;
  if?: unknown;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'working-directory'?: string;
  'continue-on-error'?: boolean;
  'timeout-minutes'?: number;
}

interface WorkflowJob {
  'runs-on': unknown;
  container?: unknown;
  strategy?: { matrix?: Record<string, unknown> & { include?: Record<string, unknown>[] } };
  env?: Record<string, unknown>;
  'timeout-minutes'?: number;
  steps: WorkflowStep[];
}

/** The matrix combinations of a job (its axes' product, then `include`), the one whose values match `wanted`. */
export function matrixEntry(job: WorkflowJob, wanted: Record<string, string> = {}): Record<string, unknown> {
  const matrix = job.strategy?.matrix;
  if (!matrix) return {};
  const axes = Object.entries(matrix).filter(([key]) => key !== 'include' && key !== 'exclude');
  let combinations: Record<string, unknown>[] = [{}];
  for (const [key, values] of axes) combinations = combinations.flatMap((c) => (values as unknown[]).map((v) => ({ ...c, [key]: v })));
  if (axes.length === 0) combinations = [];
  for (const include of matrix.include ?? []) {
    const extended = combinations.filter((c) => Object.entries(c).every(([k, v]) => !(k in include) || include[k] === v));
    if (axes.length > 0 && extended.length > 0) extended.forEach((c) => Object.assign(c, include));
    else combinations.push({ ...include });
  }
  const found = combinations.filter((c) => Object.entries(wanted).every(([k, v]) => c[k] === v));
  if (found.length !== 1) {
    throw new Error(`the matrix has ${found.length} combinations matching ${JSON.stringify(wanted)} (it has ${JSON.stringify(combinations)}).`);
  }
  return found[0];
}

/** Lines of a GITHUB_ENV or GITHUB_OUTPUT file: `NAME=value` and `NAME<<DELIMITER` … `DELIMITER`. */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const heredoc = line.match(/^([^=<]+)<<(.+)$/);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      if (end < 0) throw new Error(`${heredoc[1]}<<${heredoc[2]}: no closing ${heredoc[2]}`);
      values[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return values;
}

const stringValues = (values: Record<string, unknown> | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(values ?? {}).map(([key, value]) => [
      key,
      value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value),
    ]),
  );

export async function runJob(request: JobRunRequest): Promise<JobResult> {
  const errors = validateWorkflow(request.workflowFile);
  if (errors.length > 0) throw new Error(`${request.workflowFile} is not a valid GitHub Actions workflow:\n${errors.join('\n')}`);
  const workflow = parseYaml(readFileSync(request.workflowFile, 'utf8')) as { env?: Record<string, unknown>; jobs: Record<string, WorkflowJob> };
  const job = workflow.jobs[request.job];
  if (!job) throw new Error(`${request.workflowFile} has no job "${request.job}" (it has ${Object.keys(workflow.jobs).join(', ')}).`);

  const progress = request.progress ?? (() => undefined);
  const repoName = basename(request.repository).replace(/\.git$/, '') || 'repository';
  const hostWork = join(request.runDir, 'w');
  const hostWorkspace = join(hostWork, repoName, repoName);
  const hostTemp = join(hostWork, '_temp');
  const hostHome = join(request.runDir, 'home');
  const artifacts = join(request.runDir, 'artifacts');
  const logFile = join(request.runDir, 'job.log');
  rmSync(request.runDir, { recursive: true, force: true });
  for (const dir of [hostWorkspace, hostTemp, hostHome, artifacts, request.npmCache]) mkdirSync(dir, { recursive: true });
  writeFileSync(logFile, '');
  const workspace = `/__w/${repoName}/${repoName}`;

  const github = {
    event_name: request.event,
    sha: request.sha,
    ref: request.ref,
    ref_name: request.ref.replace(/^refs\/(heads|tags)\//, ''),
    repository: `local/${repoName}`,
    workspace,
    run_id: '1',
    run_number: '1',
    actor: 'fipskit-harness',
    server_url: 'https://github.com',
    event: {},
  };
  const context: Record<string, unknown> = {
    github,
    matrix: matrixEntry(job, request.matrix),
    secrets: { GITHUB_TOKEN: 'harness-token', ...(request.secrets ?? {}) },
    vars: request.vars ?? {},
    runner: { os: 'Linux', arch: 'X64', name: 'fipskit-harness', temp: '/__w/_temp', tool_cache: '/__t' },
    job: { status: 'success' },
    steps: {},
    strategy: { 'fail-fast': true, 'job-index': 0, 'job-total': 1 },
    inputs: {},
    env: {},
  };
  const runsOn = String(interpolate(job['runs-on'], context));
  if (!/^ubuntu-/.test(runsOn)) throw new Error(`runs-on: ${runsOn}: the harness runs Linux jobs (ubuntu-*) only.`);
  const container = interpolate(job.container, context) as string | { image: string } | undefined;
  const image = typeof container === 'string' ? container : container?.image;
  if (!image) {
    throw new Error(
      `job ${request.job} runs on ${runsOn} with no container: the harness runs a job in its container, and no Ubuntu runner image can be made here.`,
    );
  }
  const workflowEnv = stringValues(interpolate(workflow.env ?? {}, context) as Record<string, unknown>);
  context.env = workflowEnv;
  const jobEnv = { ...workflowEnv, ...stringValues(interpolate(job.env ?? {}, context) as Record<string, unknown>) };
  context.env = jobEnv;

  const reference = await containerImage(image, join(request.runDir, 'image.log'));
  const nodeDir = nodeToolCache(join(dirname(request.npmCache), `node-${process.versions.node}`));
  const trust = machineTrust();
  const name = `fipskit-harness-${randomUUID().slice(0, 8)}`;
  const started = podman([
    'run',
    '-d',
    '--name',
    name,
    '--pull=never',
    `--network=${request.network ?? 'bridge'}`,
    ...PODMAN_LIMITS,
    '-v',
    `${hostWork}:/__w`,
    '-v',
    `${hostHome}:/github/home`,
    '-v',
    `${request.npmCache}:/github/home/.npm`,
    ...trust.mounts,
    '-v',
    `${nodeDir.host}:/__t/node:ro`,
    '-v',
    `${request.repository}:/__harness/origin:ro`,
    '-e',
    'HOME=/github/home',
    '-w',
    workspace,
    '--entrypoint',
    'tail',
    reference,
    '-f',
    '/dev/null',
  ]);
  if (started.status !== 0) throw new Error(`podman run ${reference} failed:\n${started.stderr}`);

  const steps: StepResult[] = [];
  let status: JobStatus = 'success';
  let extraEnv: Record<string, string> = {};
  const extraPath: string[] = [];
  const deadline = Date.now() + (job['timeout-minutes'] ?? 360) * 60_000;
  const baseEnv = () => ({
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: request.event,
    GITHUB_SHA: request.sha,
    GITHUB_REF: request.ref,
    GITHUB_REPOSITORY: github.repository,
    GITHUB_WORKSPACE: workspace,
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: '/__w/_temp',
    RUNNER_TOOL_CACHE: '/__t',
    HOME: '/github/home',
    ...trust.env,
    PATH: [...extraPath].reverse().concat(['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']).join(':'),
  });
  // Asynchronous, so that services this process runs (a remote cache on loopback) keep answering while a step runs;
  // the step's output goes to the job log as it comes (tail -f runDir/job.log).
  const exec = (args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) =>
    new Promise<{ status: number; output: string }>((done) => {
      const env = { ...baseEnv(), ...(options.env ?? {}) };
      const child = spawn(
        'podman',
        [...PODMAN_GLOBAL, 'exec', '-w', options.cwd ?? workspace, ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), name, ...args],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      const take = (chunk: Buffer) => {
        output += chunk.toString();
        appendFileSync(logFile, chunk);
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      const timer = setTimeout(
        () => {
          output += `\nThe job has exceeded the maximum execution time of ${job['timeout-minutes'] ?? 360} minutes.`;
          child.kill('SIGKILL');
        },
        Math.max(1_000, deadline - Date.now()),
      );
      child.on('error', (error) => {
        clearTimeout(timer);
        done({ status: 1, output: `${output}${String(error)}` });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        done({ status: code ?? 1, output });
      });
    });

  try {
    for (const [index, step] of job.steps.entries()) {
      const title = step.name ?? step.uses ?? (step.run ?? '').split('\n')[0];
      context.job = { status };
      if (!stepCondition(step.if, context, status)) {
        steps.push({ name: title, outcome: 'skipped', seconds: 0, output: '' });
        appendFileSync(logFile, `== ${title}: skipped\n`);
        continue;
      }
      progress(`step ${index + 1}/${job.steps.length}: ${title}`);
      const begin = Date.now();
      const stepEnv = { ...jobEnv, ...extraEnv };
      context.env = stepEnv;
      const env = { ...stepEnv, ...stringValues(interpolate(step.env ?? {}, context, status) as Record<string, unknown>) };
      context.env = env;
      const files = { GITHUB_ENV: `set_env_${index}`, GITHUB_PATH: `add_path_${index}`, GITHUB_OUTPUT: `set_output_${index}` };
      for (const file of Object.values(files)) writeFileSync(join(hostTemp, file), '');
      const commandFiles = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, `/__w/_temp/${f}`]));
      let ok: boolean;
      let output = '';
      let outputs: Record<string, string> = {};
      if (Date.now() > deadline) throw new Error(`the job exceeded its timeout-minutes (${job['timeout-minutes']})`);
      if (step.run !== undefined) {
        const script = String(interpolate(step.run, context, status));
        const shell = step.shell ?? 'bash';
        if (shell !== 'bash' && shell !== 'sh') throw new Error(`step "${title}": shell ${shell} does not run in a Linux container.`);
        const file = `/__w/_temp/${randomUUID()}.sh`;
        writeFileSync(join(hostWork, file.slice('/__w/'.length)), script);
        const args = shell === 'bash' ? ['bash', '-e', file] : ['sh', '-e', file];
        const cwd = step['working-directory'] ? join(workspace, step['working-directory']) : workspace;
        appendFileSync(logFile, `== ${title}\n`);
        const result = await exec(args, { env: { ...env, ...commandFiles }, cwd });
        ok = result.status === 0;
        output = `${result.output}${ok ? '' : `\nError: Process completed with exit code ${result.status}.`}`;
      } else if (step.uses) {
        const inputs = stringValues(interpolate(step.with ?? {}, context, status) as Record<string, unknown>);
        const lines: string[] = [];
        const actionContext: ActionContext = {
          exec: (args, options) => exec(args, { ...options, env: { ...env, ...(options?.env ?? {}) } }),
          workspace: { container: workspace, host: hostWorkspace },
          repository: { host: request.repository, container: '/__harness/origin' },
          event: request.event,
          sha: request.sha,
          ref: request.ref,
          lastSuccessfulSha: request.lastSuccessfulSha,
          nodeToolCache: { version: process.versions.node, container: '/__t/node' },
          artifacts,
          log: (line) => lines.push(line),
        };
        appendFileSync(logFile, `== ${title}\n`);
        const result = await localAction(step.uses)(inputs, actionContext);
        ok = result.ok;
        output = lines.join('\n');
        if (result.env)
          appendFileSync(
            join(hostTemp, files.GITHUB_ENV),
            Object.entries(result.env)
              .map(([k, v]) => `${k}=${v}\n`)
              .join(''),
          );
        if (result.path) appendFileSync(join(hostTemp, files.GITHUB_PATH), result.path.map((p) => `${p}\n`).join(''));
        outputs = { ...(result.outputs ?? {}) };
      } else {
        throw new Error(`step "${title}" has neither run nor uses.`);
      }
      extraEnv = { ...extraEnv, ...parseCommandFile(readFileSync(join(hostTemp, files.GITHUB_ENV), 'utf8')) };
      extraPath.push(...readFileSync(join(hostTemp, files.GITHUB_PATH), 'utf8').split('\n').filter(Boolean));
      outputs = { ...outputs, ...parseCommandFile(readFileSync(join(hostTemp, files.GITHUB_OUTPUT), 'utf8')) };
      const outcome = ok ? 'success' : 'failure';
      if (step.id)
        (context.steps as Record<string, unknown>)[step.id] = { outputs, outcome, conclusion: ok || step['continue-on-error'] ? 'success' : 'failure' };
      if (!ok && !step['continue-on-error']) status = 'failure';
      const seconds = (Date.now() - begin) / 1000;
      steps.push({ name: title, outcome, seconds, output });
      appendFileSync(logFile, `\n== ${title}: ${outcome} (${seconds.toFixed(1)} s)\n${step.uses ? `${output}\n` : ''}`);
      progress(`step ${index + 1}/${job.steps.length}: ${title}: ${outcome} (${seconds.toFixed(1)} s)`);
    }
  } finally {
    podman(['rm', '-f', '-t', '0', name]);
  }
  return { conclusion: status, steps, log: readFileSync(logFile, 'utf8'), artifacts, workspace: hostWorkspace };
}

/**
 * This machine's own certificate authorities (/usr/local/share/ca-certificates: a proxy that inspects TLS, a company
 * CA) are the runner's, as a self-hosted runner's are: mounted where Debian's ca-certificates adds them to the system
 * bundle when a step installs it, and that bundle given to Node.js (NODE_EXTRA_CA_CERTS), as the runner's .env would.
 */
function machineTrust(): { mounts: string[]; env: Record<string, string> } {
  const dir = '/usr/local/share/ca-certificates';
  if (!existsSync(dir) || readdirSync(dir).length === 0) return { mounts: [], env: {} };
  return { mounts: ['-v', `${dir}:${dir}:ro`], env: { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' } };
}

/**
 * This machine's Node.js and npm as setup-node's tool cache holds one (bin/node, bin/npm, bin/npx, lib/node_modules/npm),
 * made once per Node.js version beside the kept npm cache and mounted read-only into every job.
 */
function nodeToolCache(dir: string): { host: string } {
  const npmDir = join(dirname(require.resolve('npm/package.json', { paths: [join(dirname(process.execPath), '..', 'lib', 'node_modules')] })));
  if (!existsSync(join(dir, 'bin', 'node'))) {
    mkdirSync(join(dir, 'bin'), { recursive: true });
    cpSync(npmDir, join(dir, 'lib', 'node_modules', 'npm'), { recursive: true });
    writeFileSync(join(dir, 'bin', 'npm'), '#!/bin/sh\nexec "$(dirname "$0")/node" "$(dirname "$0")/../lib/node_modules/npm/bin/npm-cli.js" "$@"\n', {
      mode: 0o755,
    });
    writeFileSync(join(dir, 'bin', 'npx'), '#!/bin/sh\nexec "$(dirname "$0")/node" "$(dirname "$0")/../lib/node_modules/npm/bin/npx-cli.js" "$@"\n', {
      mode: 0o755,
    });
    // bin/node last: its presence says the copy is whole (an interrupted one is made again).
    cpSync(process.execPath, join(dir, 'bin', 'node.partial'));
    renameSync(join(dir, 'bin', 'node.partial'), join(dir, 'bin', 'node'));
  }
  return { host: dir };
}
