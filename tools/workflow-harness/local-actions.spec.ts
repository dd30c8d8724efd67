import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionContext, localAction } from './local-actions';

/** The actions' local equivalents, with this machine standing in for the job's container (same paths inside and out). */
function git(repo: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}

function repository(): { repo: string; first: string; second: string } {
  const repo = mkdtempSync(join(tmpdir(), 'fipskit-actions-origin-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'a.txt'), 'one\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'one');
  const first = git(repo, 'rev-parse', 'HEAD');
  writeFileSync(join(repo, 'b.txt'), 'two\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'two');
  return { repo, first, second: git(repo, 'rev-parse', 'HEAD') };
}

function context(repo: string, sha: string, options: { gitInContainer?: boolean; lastSuccessfulSha?: string } = {}): ActionContext & { lines: string[] } {
  const workspace = mkdtempSync(join(tmpdir(), 'fipskit-actions-ws-'));
  const home = mkdtempSync(join(tmpdir(), 'fipskit-actions-home-'));
  const lines: string[] = [];
  return {
    lines,
    exec: async (args) => {
      if (options.gitInContainer === false && args.join(' ') === 'sh -c command -v git') return { status: 1, output: '' };
      const result = spawnSync(args[0], args.slice(1), { encoding: 'utf8', env: { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1' } });
      return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
    },
    workspace: { container: workspace, host: workspace },
    repository: { host: repo, container: repo },
    event: 'push',
    sha,
    ref: 'refs/heads/main',
    lastSuccessfulSha: options.lastSuccessfulSha,
    nodeToolCache: { version: process.versions.node, container: '/nonexistent' },
    artifacts: mkdtempSync(join(tmpdir(), 'fipskit-actions-artifacts-')),
    log: (line) => lines.push(line),
  };
}

describe('actions/checkout, locally', () => {
  it('makes a repository with the whole history when the container has git (fetch-depth 0)', async () => {
    const { repo, first, second } = repository();
    const ctx = context(repo, second);
    expect((await localAction('actions/checkout@v4')({ 'fetch-depth': '0' }, ctx)).ok).toBe(true);
    expect(git(ctx.workspace.host, 'rev-parse', 'HEAD')).toBe(second);
    expect(git(ctx.workspace.host, 'rev-parse', 'HEAD~1')).toBe(first);
  });

  it('fetches plain files, with no repository, when the container has no git (as the real action does)', async () => {
    const { repo, second } = repository();
    const ctx = context(repo, second, { gitInContainer: false });
    expect((await localAction('actions/checkout@v4')({}, ctx)).ok).toBe(true);
    expect(readFileSync(join(ctx.workspace.host, 'b.txt'), 'utf8')).toBe('two\n');
    expect(existsSync(join(ctx.workspace.host, '.git'))).toBe(false);
    expect(ctx.lines.join('\n')).toContain('downloaded using the GitHub REST API');
  });
});

describe('nrwl/nx-set-shas, locally', () => {
  it('the last successful commit as the base, HEAD as the head', async () => {
    const { repo, first, second } = repository();
    const ctx = context(repo, second, { lastSuccessfulSha: first });
    await localAction('actions/checkout@v4')({ 'fetch-depth': '0' }, ctx);
    const result = await localAction('nrwl/nx-set-shas@v4')({ 'main-branch-name': 'main' }, ctx);
    expect(result).toMatchObject({ ok: true, env: { NX_BASE: first, NX_HEAD: second } });
  });

  it("HEAD~1 with the action's warning when no successful run is known, and fails without a repository", async () => {
    const { repo, first, second } = repository();
    const ctx = context(repo, second);
    await localAction('actions/checkout@v4')({ 'fetch-depth': '0' }, ctx);
    expect(await localAction('nrwl/nx-set-shas@v4')({}, ctx)).toMatchObject({ ok: true, env: { NX_BASE: first } });
    expect(ctx.lines.join('\n')).toContain('Unable to find a successful workflow run');
    const plain = context(repo, second, { gitInContainer: false });
    await localAction('actions/checkout@v4')({}, plain);
    expect((await localAction('nrwl/nx-set-shas@v4')({}, plain)).ok).toBe(false);
  });
});

describe('the other local actions', () => {
  it('setup-node refuses a version the tool cache does not hold, and a missing lock file with cache: npm', async () => {
    const { repo, second } = repository();
    const ctx = context(repo, second);
    expect((await localAction('actions/setup-node@v4')({ 'node-version': '18' }, ctx)).ok).toBe(false);
    expect(ctx.lines.join('\n')).toContain("Unable to find Node version '18'");
    expect((await localAction('actions/setup-node@v4')({ 'node-version': process.versions.node.split('.')[0], cache: 'npm' }, ctx)).ok).toBe(false);
    expect(ctx.lines.join('\n')).toContain('Dependencies lock file is not found');
  });

  it('upload-artifact copies what the globs match, and fails on nothing only when told to', async () => {
    const { repo, second } = repository();
    const ctx = context(repo, second);
    mkdirSync(join(ctx.workspace.host, 'dist', 'p', 'verify'), { recursive: true });
    writeFileSync(join(ctx.workspace.host, 'dist', 'p', 'verify', 'report.json'), '{}');
    expect((await localAction('actions/upload-artifact@v4')({ name: 'r', path: 'dist/*/verify\ndist/*/audit' }, ctx)).ok).toBe(true);
    expect(existsSync(join(ctx.artifacts, 'r', 'dist', 'p', 'verify', 'report.json'))).toBe(true);
    expect((await localAction('actions/upload-artifact@v4')({ name: 's', path: 'nothing/*', 'if-no-files-found': 'error' }, ctx)).ok).toBe(false);
  });

  it('an action with no local equivalent is refused by name', () => {
    expect(() => localAction('actions/cache@v4')).toThrow(/no local equivalent of actions\/cache@v4/);
  });
});
