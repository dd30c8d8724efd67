import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * Local equivalents of the actions that need GitHub. Each does what the action does, with the same tools the action
 * would find in the job's container: checkout uses the container's git when there is one and otherwise fetches plain
 * files (as actions/checkout does through GitHub's REST API), nx-set-shas asks the container's git.
 */
export interface ActionContext {
  /** Runs a command in the job's container: argument array, exit status and output. */
  exec(args: string[], options?: { env?: Record<string, string>; cwd?: string }): Promise<{ status: number; output: string }>;
  /** The job's workspace: in the container, and where the same directory is on this machine. */
  workspace: { container: string; host: string };
  /** The git repository the run is of (on this machine; mounted read-only in the container at `origin`). */
  repository: { host: string; container: string };
  event: string;
  sha: string;
  ref: string;
  /** The commit of the last successful run on the main branch, as GitHub's API would give nx-set-shas. */
  lastSuccessfulSha?: string;
  /** Node.js installations to hand out (setup-node's tool cache): version → directory, in the container. */
  nodeToolCache: { version: string; container: string };
  /** Where upload-artifact puts artifacts on this machine. */
  artifacts: string;
  log(line: string): void;
}

export interface ActionResult {
  ok: boolean;
  env?: Record<string, string>;
  path?: string[];
  outputs?: Record<string, string>;
}

type LocalAction = (inputs: Record<string, string>, context: ActionContext) => Promise<ActionResult>;

async function checkout(inputs: Record<string, string>, context: ActionContext): Promise<ActionResult> {
  const workspace = context.workspace.container;
  const depth = Number(inputs['fetch-depth'] ?? '1');
  const git = await context.exec(['sh', '-c', 'command -v git']);
  if (git.status !== 0) {
    // actions/checkout without git: the files of the commit, without a repository.
    context.log('The repository will be downloaded using the GitHub REST API');
    context.log('To create a local Git repository instead, add Git 2.18 or higher to the PATH');
    const archive = spawnSync('git', ['-C', context.repository.host, 'archive', '--format=tar', context.sha], { maxBuffer: 1024 * 1024 * 1024 });
    if (archive.status !== 0) return { ok: false };
    const untar = spawnSync('tar', ['-x', '-C', context.workspace.host], { input: archive.stdout });
    return { ok: untar.status === 0 };
  }
  const branch = context.ref.replace(/^refs\/heads\//, '');
  const refspecs = depth === 0 ? ['+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'] : [`+${context.sha}:refs/remotes/origin/${branch}`];
  const script = [
    ['git', 'config', '--global', '--add', 'safe.directory', workspace],
    ['git', 'config', '--global', '--add', 'safe.directory', context.repository.container],
    ['git', 'init', '-q', workspace],
    ['git', '-C', workspace, 'remote', 'add', 'origin', context.repository.container],
    ['git', '-C', workspace, 'fetch', '--no-tags', '--prune', ...(depth > 0 ? [`--depth=${depth}`] : []), 'origin', ...refspecs],
    ['git', '-C', workspace, 'checkout', '--progress', '--force', '-B', branch, context.sha],
  ];
  for (const args of script) {
    const step = await context.exec(args);
    context.log(`[command]${args.join(' ')}\n${step.output}`);
    if (step.status !== 0) return { ok: false };
  }
  return { ok: true };
}

async function setupNode(inputs: Record<string, string>, context: ActionContext): Promise<ActionResult> {
  const wanted = inputs['node-version'] ?? '';
  const have = context.nodeToolCache.version;
  if (wanted && !(have === wanted || have.startsWith(`${wanted}.`))) {
    context.log(`Unable to find Node version '${wanted}' (this machine's tool cache has ${have} only).`);
    return { ok: false };
  }
  if (inputs.cache === 'npm') {
    const lock = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock'].some((file) => existsSync(join(context.workspace.host, file)));
    if (!lock) {
      context.log(
        `Dependencies lock file is not found in ${context.workspace.container}. Supported file patterns: package-lock.json,npm-shrinkwrap.json,yarn.lock`,
      );
      return { ok: false };
    }
  }
  const bin = join(context.nodeToolCache.container, 'bin');
  const version = await context.exec([join(bin, 'node'), '--version']);
  context.log(`Found in cache @ ${context.nodeToolCache.container}\n${version.output}`);
  return { ok: version.status === 0, path: [bin] };
}

async function nxSetShas(inputs: Record<string, string>, context: ActionContext): Promise<ActionResult> {
  const workspace = context.workspace.container;
  const main = inputs['main-branch-name'] ?? 'main';
  const git = (args: string[]) => context.exec(['git', '-C', workspace, ...args]);
  const head = await git(['rev-parse', 'HEAD']);
  if (head.status !== 0) {
    context.log(head.output);
    return { ok: false };
  }
  let base: string;
  if (context.event === 'pull_request') {
    const mergeBase = await git(['merge-base', `origin/${main}`, 'HEAD']);
    if (mergeBase.status !== 0) {
      context.log(mergeBase.output);
      return { ok: false };
    }
    base = mergeBase.output.trim();
  } else if (context.lastSuccessfulSha && (await git(['cat-file', '-e', `${context.lastSuccessfulSha}^{commit}`])).status === 0) {
    base = context.lastSuccessfulSha;
  } else {
    context.log(
      `WARNING: Unable to find a successful workflow run on 'origin/${main}', or the latest successful workflow was connected to a commit which no longer exists on that branch.`,
    );
    const previous = await git(['rev-parse', 'HEAD~1']);
    if (previous.status !== 0) {
      context.log(previous.output);
      return { ok: false };
    }
    base = previous.output.trim();
  }
  const sha = head.output.trim();
  context.log(`Base SHA ${base}\nHead SHA ${sha}`);
  return { ok: true, env: { NX_BASE: base, NX_HEAD: sha }, outputs: { base, head: sha } };
}

async function uploadArtifact(inputs: Record<string, string>, context: ActionContext): Promise<ActionResult> {
  const patterns = (inputs.path ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const expanded = spawnSync(
    'bash',
    ['-O', 'globstar', '-O', 'nullglob', '-c', 'for p in "$@"; do for f in $p; do printf "%s\\0" "$f"; done; done', 'glob', ...patterns],
    {
      cwd: context.workspace.host,
      encoding: 'utf8',
    },
  );
  const files = expanded.stdout.split('\0').filter(Boolean);
  if (files.length === 0) {
    const mode = inputs['if-no-files-found'] ?? 'warn';
    context.log(`No files were found with the provided path: ${patterns.join(' ')}. No artifacts will be uploaded.`);
    return { ok: mode !== 'error' };
  }
  const target = join(context.artifacts, inputs.name ?? 'artifact');
  for (const file of files) {
    const to = join(target, relative(context.workspace.host, join(context.workspace.host, file)));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(join(context.workspace.host, file), to, { recursive: true });
  }
  context.log(`Artifact ${inputs.name} has been successfully uploaded: ${files.length} entries to ${target}`);
  writeFileSync(join(target, '.files'), files.join('\n') + '\n');
  return { ok: true, outputs: { 'artifact-id': String(readdirSync(context.artifacts).length) } };
}

const ACTIONS: Record<string, LocalAction> = {
  'actions/checkout': checkout,
  'actions/setup-node': setupNode,
  'nrwl/nx-set-shas': nxSetShas,
  'actions/upload-artifact': uploadArtifact,
};

export function localAction(uses: string): LocalAction {
  const name = uses.replace(/@.*$/, '');
  const action = ACTIONS[name];
  if (!action) {
    throw new Error(
      `the harness has no local equivalent of ${uses} (it has ${Object.keys(ACTIONS).join(', ')}): add one to tools/workflow-harness/local-actions.ts.`,
    );
  }
  return action;
}
