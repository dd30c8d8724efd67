import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { validateWorkflow } from '../tools/workflow-harness/actions-toolkit';
import { JobResult, JobRunRequest, runJob } from '../tools/workflow-harness/run-job';
import { LocalRegistry, cleanEnvironment, publishFipskit } from './support/local-registry';
import { RemoteCacheServer, startRemoteCacheServer } from './support/remote-cache-server';
import { WORKSPACE, isolatedNxEnvironment } from './support/workspace';

/**
 * The CI workflow fipskit generates, run: a workspace made as the README says (nx add fipskit, two projects sharing one
 * OpenSSL, nx g fipskit:ci-workflow) in a git repository with two commits, and the workflow's Linux job executed step by
 * step in the Debian container it names (tools/workflow-harness), with local equivalents of the actions that need
 * GitHub. On a push, nx affected builds exactly the project the second commit changed; the weekly scheduled run audits,
 * builds and re-checks every project. This repository's own workflow runs the same way.
 */
jest.setTimeout(90 * 60 * 1000);

const NX_VERSION = JSON.parse(readFileSync(join(WORKSPACE, 'node_modules', 'nx', 'package.json'), 'utf8')).version as string;
const WRITE_TOKEN = 'harness-write-token';
const READ_TOKEN = 'harness-read-token';
const root = mkdtempSync(join(tmpdir(), 'fipskit-ci-workflow-'));
const user = join(root, 'my-workspace');
const workflowFile = join(user, '.github', 'workflows', 'fipskit.yml');
// setup-node's npm cache, kept between runs as GitHub's cache keeps it.
const npmCache = join(homedir(), '.cache', 'fipskit', 'workflow-harness', 'npm');
let registry: LocalRegistry;
let cache: RemoteCacheServer;
let base: string;
let head: string;
let failed = false;

function run(program: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(program, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${program} ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

const git = (repo: string, ...args: string[]) => run('git', ['-c', 'user.name=fipskit e2e', '-c', 'user.email=e2e@fipskit.invalid', ...args], repo).trim();

function job(request: Partial<JobRunRequest> & Pick<JobRunRequest, 'event' | 'runDir'>): Promise<JobResult> {
  return runJob({
    workflowFile,
    job: 'fips-python',
    matrix: { platform: 'linux' },
    repository: user,
    sha: head,
    ref: 'refs/heads/main',
    lastSuccessfulSha: base,
    // The repository's variable and secrets for the self-hosted remote cache (a push to main gets the write token).
    vars: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cache.url },
    secrets: { NX_CACHE_WRITE_TOKEN: WRITE_TOKEN, NX_CACHE_READ_TOKEN: READ_TOKEN },
    // The registry mirror and the remote cache listen on this machine's loopback.
    network: 'host',
    npmCache,
    progress: (line) => process.stdout.write(`  [harness: ${basename(request.runDir)}] ${line}\n`),
    ...request,
  });
}

/** A step's result, its output without terminal colours (Nx colours its output under CI). */
const step = (result: JobResult, name: string) => {
  const found = result.steps.find((s) => s.name === name);
  if (!found) throw new Error(`no step "${name}" (steps: ${result.steps.map((s) => s.name).join(', ')})`);
  return { ...found, output: stripVTControlCharacters(found.output) };
};
const BUILD_STEP = 'Build and verify what this change affects (every project when scheduled)';
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const explain = (result: JobResult) => {
  if (result.conclusion !== 'success') {
    failed = true;
    console.log(result.log.split('\n').slice(-150).join('\n'));
  }
};

beforeAll(async () => {
  registry = await publishFipskit();
  cache = await startRemoteCacheServer({ token: WRITE_TOKEN, readOnlyToken: READ_TOKEN });
  // A user's workspace as the README makes one; its npm registry (committed in .npmrc, as a company's would be) is the
  // one fipskit was published to.
  mkdirSync(user);
  writeFileSync(join(user, 'package.json'), JSON.stringify({ name: 'my-workspace', private: true, devDependencies: { nx: NX_VERSION } }, null, 2) + '\n');
  writeFileSync(join(user, 'nx.json'), '{}\n');
  writeFileSync(join(user, '.npmrc'), `registry=${registry.url}/\n`);
  writeFileSync(join(user, '.gitignore'), 'node_modules\ndist\n');
  const env = cleanEnvironment({ ...isolatedNxEnvironment(), NPM_CONFIG_USERCONFIG: join(user, '.npmrc') });
  const nx = (...args: string[]) => run(join(user, 'node_modules', '.bin', 'nx'), args, user, env);
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], user, env);
  nx('add', 'fipskit');
  nx('g', 'fipskit:project', 'my-fips', '--opensslSource=debian', '--pythonSource=debian', '--no-interactive');
  nx('g', 'fipskit:project', 'other-fips', '--opensslProject=my-fips', '--pythonSource=debian', '--no-interactive');
  nx('g', 'fipskit:ci-workflow', '--no-interactive');
  git(user, 'init', '-q', '-b', 'main');
  git(user, 'add', '-A');
  git(user, 'commit', '-q', '-m', 'fipskit: two FIPS Pythons, one OpenSSL, and their CI');
  base = git(user, 'rev-parse', 'HEAD');
  // The change: a file of other-fips's only (Nx counts every file under a project's folder as the project's).
  writeFileSync(join(user, 'other-fips', 'README.md'), 'The FIPS Python of the reporting service.\n');
  git(user, 'add', 'other-fips/README.md');
  git(user, 'commit', '-q', '-m', 'other-fips: describe it');
  head = git(user, 'rev-parse', 'HEAD');
}, 30 * 60_000);

afterAll(async () => {
  await registry?.stop();
  await cache?.close();
  if (!failed) rmSync(root, { recursive: true, force: true });
  else console.log(`the runs are kept for inspection: ${root}`);
});

describe('the workflow nx g fipskit:ci-workflow writes', () => {
  it("is a valid workflow by GitHub's own parser, which rejects a broken one", () => {
    expect(validateWorkflow(workflowFile)).toEqual([]);
    const broken = join(root, 'broken.yml');
    writeFileSync(broken, readFileSync(workflowFile, 'utf8').replace('runs-on:', 'run-on:').replace('timeout-minutes: 120', 'timeout-minutes: two hours'));
    const errors = validateWorkflow(broken);
    expect(errors.join('\n')).toMatch(/Unexpected value 'run-on'/);
    expect(errors.join('\n')).toMatch(/Required property is missing: runs-on/);
    expect(errors.join('\n')).toMatch(/Unexpected value 'two hours'/);
  });

  it('puts the Linux job in Debian 12 (the projects use Debian 12 sources and its python3.11)', () => {
    const workflow = parseYaml(readFileSync(workflowFile, 'utf8'));
    expect(workflow.jobs['fips-python'].strategy.matrix.include).toEqual([expect.objectContaining({ platform: 'linux', container: 'debian:12' })]);
  });

  it('on a push to main: nx affected builds and verifies exactly the project the change touched, in the container', async () => {
    const result = await job({ event: 'push', runDir: join(root, 'push') });
    explain(result);
    expect(result.conclusion).toBe('success');
    expect(step(result, 'actions/checkout@v4').outcome).toBe('success');
    expect(step(result, 'nrwl/nx-set-shas@v4').output).toContain(`Base SHA ${base}`);
    const build = step(result, BUILD_STEP);
    expect(build.outcome).toBe('success');
    expect(build.output).toMatch(/Running target build for project other-fips\b/);
    // other-fips's own stages ran; of my-fips only the stages other-fips depends on (its OpenSSL and FIPS config).
    expect(build.output).toMatch(/nx run other-fips:verify/);
    expect(build.output).toMatch(/nx run my-fips:openssl/);
    expect(build.output).not.toMatch(/nx run my-fips:(python|verify|build)\b/);
    const report = readJson(join(result.artifacts, 'fipskit-verify-linux', 'dist', 'other-fips', 'verify', 'report.json'));
    expect(report).toMatchObject({ passed: true, failedRequired: [] });
    expect(existsSync(join(result.artifacts, 'fipskit-verify-linux', 'dist', 'my-fips', 'verify'))).toBe(false);
    // A push to main writes the remote cache.
    expect(cache.requests.filter((r) => r.method === 'PUT' && r.status < 300).length).toBeGreaterThan(0);
  });

  it('the weekly scheduled run audits every project against a rebuild, builds them all and re-checks compliance', async () => {
    const before = cache.requests.length;
    const result = await job({ event: 'schedule', runDir: join(root, 'schedule') });
    explain(result);
    expect(result.conclusion).toBe('success');
    for (const name of ['Reproducibility audit (scheduled)', BUILD_STEP, 'Compliance re-check (scheduled)'])
      expect([name, step(result, name).outcome]).toEqual([name, 'success']);
    expect(step(result, BUILD_STEP).output).toMatch(/Running target build for 2 projects/);
    // What the push run built came back from the remote cache (in the audit step, which needs it first); the build
    // step then found it in the local cache.
    expect(stripVTControlCharacters(result.log)).toMatch(/nx run other-fips:python\s+\[remote cache\]/);
    expect(step(result, BUILD_STEP).output).toMatch(/nx run other-fips:python\s+\[local cache\]/);
    expect(cache.requests.slice(before).some((r) => r.method === 'GET' && r.status === 200)).toBe(true);
    for (const project of ['my-fips', 'other-fips']) {
      expect(existsSync(join(result.artifacts, 'fipskit-verify-linux', 'dist', project, 'verify', 'report.json'))).toBe(true);
    }
    expect(existsSync(join(result.artifacts, 'fipskit-verify-linux', 'dist', 'my-fips', 'audit'))).toBe(true);
    expect(existsSync(join(result.artifacts, 'fipskit-verify-linux', 'dist', 'my-fips', 'compliance'))).toBe(true);
  });

  it('fails as it did before the fix when git is installed after checkout (no repository for nx affected)', async () => {
    // The workflow as the generator wrote it before: the container's build tools after actions/checkout.
    const workflow = parseYaml(readFileSync(workflowFile, 'utf8'));
    const steps = workflow.jobs['fips-python'].steps as Array<{ name?: string; uses?: string }>;
    const tools = steps.findIndex((s) => s.name === 'Build tools (Linux)');
    const [moved] = steps.splice(tools, 1);
    steps.splice(steps.findIndex((s) => s.uses?.startsWith('actions/checkout')) + 1, 0, moved);
    const before = join(user, '.github', 'workflows', 'before.yml');
    writeFileSync(before, stringifyYaml(workflow));
    const result = await job({ event: 'push', runDir: join(root, 'before'), workflowFile: before });
    rmSync(before);
    expect(result.conclusion).toBe('failure');
    expect(step(result, 'actions/checkout@v4').output).toContain('downloaded using the GitHub REST API');
    expect(step(result, 'nrwl/nx-set-shas@v4').outcome).toBe('failure');
    expect(step(result, BUILD_STEP).outcome).toBe('skipped');
  });
});

describe("this repository's own workflow (.github/workflows/fipskit.yml)", () => {
  it('on a push that changes fips-python: the Linux job builds and verifies fips-python, and only it', async () => {
    const repo = join(root, 'fipskit');
    execFileSync('git', ['clone', '-q', '--no-hardlinks', WORKSPACE, repo]);
    git(repo, 'checkout', '-q', '-B', 'main');
    const first = git(repo, 'rev-parse', 'HEAD');
    appendFileSync(join(repo, 'fips-python', 'fipskit.json'), '\n');
    git(repo, 'commit', '-q', '-am', 'fips-python: touch its project file');
    const result = await runJob({
      workflowFile: join(repo, '.github', 'workflows', 'fipskit.yml'),
      job: 'fips-python',
      matrix: { platform: 'linux' },
      event: 'push',
      repository: repo,
      sha: git(repo, 'rev-parse', 'HEAD'),
      ref: 'refs/heads/main',
      lastSuccessfulSha: first,
      runDir: join(root, 'own'),
      npmCache,
      progress: (line) => process.stdout.write(`  [harness own] ${line}\n`),
    });
    explain(result);
    expect(result.conclusion).toBe('success');
    const build = step(result, BUILD_STEP).output;
    expect(build).toMatch(/Running target build for project fips-python\b/);
    expect(build).not.toMatch(/nx run (fips-python-split|wine-openssl):/);
    expect(readJson(join(result.artifacts, 'fipskit-verify-linux', 'dist', 'fips-python', 'verify', 'report.json'))).toMatchObject({ passed: true });
  });
});
