import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parse } from 'yaml';
import { projectGenerator } from '../project/generator';
import { ciWorkflowGenerator } from './generator';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  env: Record<string, string>;
  jobs: { 'fips-python': { strategy: { matrix: { include: Array<{ os: string; platform: string; exclude: string }> } }; steps: Step[] } };
}

describe('ci-workflow generator', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));
  const read = (path = '.github/workflows/fipskit.yml') => parse(tree.read(path, 'utf8')!) as Workflow;

  it('a Linux and a Windows project: one runner each, nx affected restricted to that platform, restore after Windows', async () => {
    await projectGenerator(tree, { name: 'lin', pythonVersion: '3.11.2' });
    await projectGenerator(tree, { name: 'win', platform: 'win32', pythonVersion: '3.11.2' });
    await ciWorkflowGenerator(tree, {});
    const workflow = read();
    expect(workflow.jobs['fips-python'].strategy.matrix.include).toEqual([
      { os: 'ubuntu-latest', platform: 'linux', exclude: 'tag:platform:darwin,tag:platform:win32' },
      { os: 'windows-latest', platform: 'win32', exclude: 'tag:platform:linux,tag:platform:darwin' },
    ]);
    const steps = workflow.jobs['fips-python'].steps;
    const run = (name: string) => steps.find((s) => s.name === name)!;
    expect(run('Build and verify what this change affects').run).toBe("npx nx affected -t build --exclude='${{ matrix.exclude }}'");
    expect(run('Put installed Pythons back (Windows)')).toMatchObject({ if: "always() && matrix.platform == 'win32'" });
    expect(steps.find((s) => s.uses === 'actions/setup-python@v5')!.with).toEqual({ 'python-version': '3.11.2', architecture: 'x64' });
    expect(steps.find((s) => s.uses === 'nrwl/nx-set-shas@v4')!.with).toEqual({ 'main-branch-name': 'main' });
    expect(steps.find((s) => s.uses === 'actions/upload-artifact@v4')!.with!.path).toContain('dist/*/verify');
    // Pull requests read the shared cache; only pushes to the base branch write to it.
    expect(workflow.env.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN).toBe(
      "${{ github.event_name == 'push' && github.ref == 'refs/heads/main' && secrets.NX_CACHE_WRITE_TOKEN || secrets.NX_CACHE_READ_TOKEN }}",
    );
    expect(workflow.env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER).toBe('${{ vars.NX_SELF_HOSTED_REMOTE_CACHE_SERVER }}');
    expect(Object.keys(workflow.on)).toEqual(['pull_request', 'push', 'workflow_dispatch']);
  });

  it('Linux only, another branch, no remote cache', async () => {
    await projectGenerator(tree, { name: 'lin', pythonVersion: '3.11.2' });
    await ciWorkflowGenerator(tree, { baseBranch: 'trunk', remoteCache: 'none', path: 'ci/fips.yml' });
    const workflow = read('ci/fips.yml');
    expect(workflow.jobs['fips-python'].strategy.matrix.include.map((m) => m.platform)).toEqual(['linux']);
    expect(workflow.env).not.toHaveProperty('NX_SELF_HOSTED_REMOTE_CACHE_SERVER');
    expect(workflow.on.push).toEqual({ branches: ['trunk'] });
  });

  it('refuses a branch name that would break the workflow', async () => {
    await expect(ciWorkflowGenerator(tree, { baseBranch: "main' || true" })).rejects.toThrow(/not a plain branch name/);
  });

  it("this repository's own workflow is the generator's output", async () => {
    const repo = join(__dirname, '..', '..', '..', '..', '..');
    const committed = readFileSync(join(repo, '.github', 'workflows', 'fipskit.yml'), 'utf8');
    const fresh = createTreeWithEmptyWorkspace();
    for (const name of ['fips-python', 'fips-python-split']) {
      fresh.write(`${name}/project.json`, readFileSync(join(repo, name, 'project.json'), 'utf8'));
    }
    // The committed projects take Debian's sources and interpreter: the Linux job runs in Debian 12.
    await ciWorkflowGenerator(fresh, { linuxContainer: 'debian:12' });
    expect(fresh.read('.github/workflows/fipskit.yml', 'utf8')).toBe(committed);
  });
});
