import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tree, logger } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parse } from 'yaml';
import { projectGenerator } from '../project/generator';
import { setInterpreterGenerator } from '../set-interpreter/generator';
import { ciWorkflowGenerator } from './generator';
import { resolvedProject } from '../../testing/resolved-project';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  shell?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  env: Record<string, string>;
  jobs: { 'fips-python': { strategy: { matrix: { include: Array<{ os: string; platform: string; exclude: string }> } }; steps: Step[] } };
}

describe('ci-workflow generator', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));
  afterEach(() => jest.restoreAllMocks());
  const read = (path = '.github/workflows/fipskit.yml') => parse(tree.read(path, 'utf8')!) as Workflow;

  it('a Linux and a Windows project: one runner each, nx affected restricted to that platform, restore after Windows', async () => {
    await projectGenerator(tree, { name: 'lin', platform: 'linux', pythonVersion: '3.11.2' });
    await projectGenerator(tree, { name: 'win', platform: 'win32', pythonVersion: '3.11.2' });
    await ciWorkflowGenerator(tree, {});
    const workflow = read();
    expect(workflow.jobs['fips-python'].strategy.matrix.include).toEqual([
      // The Linux project overlays /usr/bin/python3 locked at 3.11.2: Debian 12's, not ubuntu-latest's 3.12.
      { os: 'ubuntu-latest', platform: 'linux', exclude: 'tag:platform:darwin,tag:platform:win32', container: 'debian:12' },
      { os: 'windows-latest', platform: 'win32', exclude: 'tag:platform:linux,tag:platform:darwin' },
    ]);
    const steps = workflow.jobs['fips-python'].steps;
    const run = (name: string) => steps.find((s) => s.name === name)!;
    expect(run('Build and verify what this change affects (every project when scheduled)').run).toBe(
      "npx nx ${{ github.event_name == 'schedule' && 'run-many' || 'affected' }} -t build --exclude='${{ matrix.exclude }}'",
    );
    // The weekly run audits every project's cached OpenSSL and Python against a rebuild from source, before verify cites it.
    const audit = steps.findIndex((s) => s.name === 'Reproducibility audit (scheduled)');
    expect(steps[audit]).toMatchObject({ if: "github.event_name == 'schedule'", run: "npx nx run-many -t audit --exclude='${{ matrix.exclude }}'" });
    expect(audit).toBeLessThan(steps.findIndex((s) => s.name?.startsWith('Build and verify')));
    expect(workflow.on.schedule).toEqual([{ cron: '23 4 * * 1' }]);
    expect(run('Put installed Pythons back (Windows)')).toMatchObject({ if: "always() && matrix.platform == 'win32'" });
    expect(steps.find((s) => s.uses === 'actions/setup-python@v5')!.with).toEqual({ 'python-version': '3.11.2', architecture: 'x64' });
    expect(steps.find((s) => s.uses === 'nrwl/nx-set-shas@v4')!.with).toEqual({ 'main-branch-name': 'main' });
    expect(steps.find((s) => s.uses === 'actions/upload-artifact@v4')!.with!.path).toContain('dist/*/verify');
    expect(steps.find((s) => s.uses === 'actions/upload-artifact@v4')!.with!.path).toContain('dist/*/audit');
    // Pull requests read the shared cache; only pushes to the base branch write to it.
    expect(workflow.env.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN).toBe(
      "${{ github.event_name == 'push' && github.ref == 'refs/heads/main' && secrets.NX_CACHE_WRITE_TOKEN || secrets.NX_CACHE_READ_TOKEN }}",
    );
    expect(workflow.env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER).toBe('${{ vars.NX_SELF_HOSTED_REMOTE_CACHE_SERVER }}');
    expect(Object.keys(workflow.on)).toEqual(['pull_request', 'push', 'workflow_dispatch', 'schedule']);
  });

  it('Windows: every Windows project is pointed at the Python setup-python installed before anything builds or restores', async () => {
    await projectGenerator(tree, { name: 'lin', platform: 'linux', pythonVersion: '3.11.2' });
    await projectGenerator(tree, { name: 'win', platform: 'win32', pythonVersion: '3.11.2' });
    await projectGenerator(tree, { name: 'win-b', platform: 'win32', opensslProject: 'win', pythonVersion: '3.11.2' });
    await ciWorkflowGenerator(tree, {});
    const steps = read().jobs['fips-python'].steps;
    const setupPython = steps.findIndex((s) => s.uses === 'actions/setup-python@v5');
    const setInterpreter = steps.findIndex((s) => s.run?.includes('fipskit:set-interpreter'));
    const build = steps.findIndex((s) => s.name?.startsWith('Build and verify'));
    const npmCi = steps.findIndex((s) => s.run === 'npm ci');
    expect(steps[setupPython].id).toBe('python');
    expect(steps[setInterpreter]).toEqual({
      name: "Point the Windows projects at this runner's Python",
      if: "matrix.platform == 'win32'",
      shell: 'pwsh',
      run: 'npx nx g fipskit:set-interpreter --platform=win32 --interpreter="${{ steps.python.outputs.python-path }}" --no-interactive',
    });
    expect(npmCi).toBeLessThan(setInterpreter);
    expect(setInterpreter).toBeLessThan(build);

    // Run the step as the runner would, with the path setup-python reports.
    const runnerPython = 'C:\\hostedtoolcache\\windows\\Python\\3.11.2\\x64\\python.exe';
    const command = steps[setInterpreter].run!.replace('${{ steps.python.outputs.python-path }}', runnerPython);
    const [, generator, args] = /^npx nx g fipskit:(\S+) (.*) --no-interactive$/.exec(command)!;
    const generators = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'generators.json'), 'utf8')).generators;
    expect(generators[generator].factory).toBe('./src/generators/set-interpreter/generator');
    const options = Object.fromEntries([...args.matchAll(/--(\w+)=("([^"]*)"|\S+)/g)].map(([, key, raw, quoted]) => [key, quoted ?? raw]));
    expect(options).toEqual({ platform: 'win32', interpreter: runnerPython });
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    await setInterpreterGenerator(tree, { platform: 'win32', interpreter: options.interpreter });
    for (const name of ['win', 'win-b']) {
      const { targets = {} } = resolvedProject(tree, name);
      expect([
        targets.python.options.interpreter,
        targets.install.options.interpreter,
        targets.restore.options.interpreter,
        targets.verify.options.python,
      ]).toEqual(Array(4).fill(runnerPython));
    }
    expect(resolvedProject(tree, 'lin').targets?.python.options.interpreter).toBe('/usr/bin/python3');
  });

  it('Linux only, another branch, no remote cache', async () => {
    await projectGenerator(tree, { name: 'lin', platform: 'linux', pythonVersion: '3.11.2' });
    await ciWorkflowGenerator(tree, { baseBranch: 'trunk', remoteCache: 'none', path: 'ci/fips.yml' });
    const workflow = read('ci/fips.yml');
    expect(workflow.jobs['fips-python'].strategy.matrix.include.map((m) => m.platform)).toEqual(['linux']);
    expect(workflow.env).not.toHaveProperty('NX_SELF_HOSTED_REMOTE_CACHE_SERVER');
    expect(workflow.on.push).toEqual({ branches: ['trunk'] });
  });

  it('in a Debian container, installs git and the CA certificates before checkout, which otherwise fetches files without history', async () => {
    await projectGenerator(tree, { name: 'lin', platform: 'linux', pythonVersion: '3.11.2' });
    await ciWorkflowGenerator(tree, { linuxContainer: 'debian:12', remoteCache: 'none' });
    const steps = read().jobs['fips-python'].steps as Array<{ name?: string; uses?: string; run?: string }>;
    const tools = steps.findIndex((step) => step.name === 'Build tools (Linux)');
    const checkout = steps.findIndex((step) => step.uses?.startsWith('actions/checkout@'));
    expect(tools).toBeGreaterThanOrEqual(0);
    expect(tools).toBeLessThan(checkout);
    expect(steps[tools].run).toMatch(/apt-get install -y ca-certificates git /);
  });

  describe('the Linux job runs where the Linux projects can build', () => {
    const SHA = 'a'.repeat(64);
    const container = () => read().jobs['fips-python'].strategy.matrix.include.find((m) => m.platform === 'linux') as { container?: string };

    it("the README's project (Debian's sources and interpreter): Debian 12, whose python3 is the locked 3.11", async () => {
      await projectGenerator(tree, { name: 'my-fips', platform: 'linux', opensslSource: 'debian', pythonSource: 'debian', pythonVersion: '3.11.2' });
      await ciWorkflowGenerator(tree, {});
      expect(container()).toMatchObject({ container: 'debian:12' });
      expect(tree.read('.github/workflows/fipskit.yml', 'utf8')).toContain('    container: ${{ matrix.container }}\n');
    });

    it('a project on an interpreter of its own and release tarballs: the runner itself', async () => {
      await projectGenerator(tree, {
        name: 'own',
        platform: 'linux',
        interpreter: '/opt/python/3.11.9/bin/python3.11',
        pythonVersion: '3.11.9',
        pythonSha256: SHA,
      });
      await ciWorkflowGenerator(tree, {});
      expect(container().container).toBeUndefined();
    });

    it('a CPython 3.13 project: Debian 13; with a 3.11 one beside it, the other is named as built by no job', async () => {
      await projectGenerator(tree, { name: 'new', platform: 'linux', interpreter: '/usr/bin/python3.13', pythonVersion: '3.13.5', pythonSha256: SHA });
      const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
      await ciWorkflowGenerator(tree, {});
      expect(container()).toMatchObject({ container: 'debian:13' });
      expect(warn).not.toHaveBeenCalled();
      await projectGenerator(tree, { name: 'old', platform: 'linux', interpreter: '/usr/bin/python3.11', pythonVersion: '3.11.2' });
      await projectGenerator(tree, { name: 'older', platform: 'linux', interpreter: '/usr/bin/python3.11', pythonVersion: '3.11.2' });
      await ciWorkflowGenerator(tree, {});
      expect(container()).toMatchObject({ container: 'debian:12' });
      expect(warn.mock.calls.map(([m]) => m).join('\n')).toMatch(
        /new needs debian:13, but the Linux job runs in debian:12 \(for old, older\): no job builds it/,
      );
    });

    it('warns about a CPython no Debian release ships, and about macOS projects; an explicit linuxContainer is taken as given', async () => {
      await projectGenerator(tree, { name: 'twelve', platform: 'linux', interpreter: '/usr/bin/python3.12', pythonVersion: '3.12.3', pythonSha256: SHA });
      await projectGenerator(tree, { name: 'mac', platform: 'darwin', pythonVersion: '3.11.2' });
      const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
      await ciWorkflowGenerator(tree, {});
      const warnings = warn.mock.calls.map(([m]) => m).join('\n');
      expect(warnings).toMatch(
        /twelve needs Debian .* with CPython 3\.12, which no Debian release's container ships \(3\.11: debian:12, 3\.13: debian:13\): no job can build it/,
      );
      expect(warnings).toMatch(/mac is a macOS project: this workflow has Linux and Windows jobs only/);
      expect(container().container).toBeUndefined();
      warn.mockClear();
      await ciWorkflowGenerator(tree, { linuxContainer: 'ghcr.io/acme/python312:latest' });
      expect(container()).toMatchObject({ container: 'ghcr.io/acme/python312:latest' });
      expect(warn).not.toHaveBeenCalled();
    });
  });

  it('refuses a branch name that would break the workflow', async () => {
    await expect(ciWorkflowGenerator(tree, { baseBranch: "main' || true" })).rejects.toThrow(/not a plain branch name/);
  });

  it("this repository's own workflow is the generator's output", async () => {
    const repo = join(__dirname, '..', '..', '..', '..', '..');
    // A Windows checkout (core.autocrlf) has CRLF line ends; the generator writes LF.
    const committed = readFileSync(join(repo, '.github', 'workflows', 'fipskit.yml'), 'utf8').replace(/\r\n/g, '\n');
    const fresh = createTreeWithEmptyWorkspace();
    for (const name of ['fips-python', 'fips-python-split']) {
      for (const file of ['project.json', 'fipskit.json']) fresh.write(`${name}/${file}`, readFileSync(join(repo, name, file), 'utf8'));
    }
    // The committed projects take Debian's sources and interpreter: the generator puts the Linux job in Debian 12 by itself.
    await ciWorkflowGenerator(fresh, {});
    expect(fresh.read('.github/workflows/fipskit.yml', 'utf8')).toBe(committed);
  });
});
