import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRegistry, cleanEnvironment, publishFipskit } from './support/local-registry';
import { RunResult, WORKSPACE, isolatedNxEnvironment } from './support/workspace';

/**
 * fipskit as a user gets it: the six packages built, published with nx release to a registry on loopback, added
 * with nx add to a fresh Nx workspace outside this repository, a project generated there and built: its Python
 * passes verify in that workspace, with nothing of this repository on its paths.
 */
jest.setTimeout(60 * 60 * 1000);

const NX_VERSION = JSON.parse(readFileSync(join(WORKSPACE, 'node_modules', 'nx', 'package.json'), 'utf8')).version as string;
const FIPSKIT_VERSION = JSON.parse(readFileSync(join(WORKSPACE, 'packages', 'fipskit', 'package.json'), 'utf8')).version as string;
const PROJECT = 'my-fips';

let registry: LocalRegistry;
let user: string;
let env: NodeJS.ProcessEnv;
let failed = false;

function run(program: string, args: string[], cwd: string, environment: NodeJS.ProcessEnv): RunResult {
  const result = spawnSync(program, args, { cwd, env: environment, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 50 * 60_000 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) failed = true;
  return { status: result.status ?? 1, output };
}

const nx = (args: string[]) => run(join(user, 'node_modules', '.bin', 'nx'), args, user, env);
const readJson = (path: string) => JSON.parse(readFileSync(join(user, path), 'utf8'));

beforeAll(async () => {
  registry = await publishFipskit();

  // A new workspace of a user's: Nx and nothing else, npm pointed at the registry.
  user = mkdtempSync(join(tmpdir(), 'fipskit-user-workspace-'));
  writeFileSync(join(user, 'package.json'), JSON.stringify({ name: 'my-workspace', private: true, devDependencies: { nx: NX_VERSION } }, null, 2) + '\n');
  writeFileSync(join(user, 'nx.json'), '{}\n');
  writeFileSync(join(user, '.npmrc'), `registry=${registry.url}/\n`);
  env = cleanEnvironment({ ...isolatedNxEnvironment(), NPM_CONFIG_USERCONFIG: join(user, '.npmrc') });
  const install = run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], user, env);
  if (install.status !== 0) throw new Error(`npm install in the new workspace failed:\n${install.output}`);
}, 30 * 60_000);

afterAll(async () => {
  await registry?.stop();
  if (user && !failed) rmSync(user, { recursive: true, force: true });
  else if (user) console.log(`the user workspace is kept for inspection: ${user}`);
});

describe('fipskit from a registry, in a workspace of its own', () => {
  it('nx release published all six packages at one version', () => {
    for (const name of ['fipskit', '@fipskit/core', '@fipskit/openssl-fips', '@fipskit/fips-config', '@fipskit/python-pcbuild', '@fipskit/verify']) {
      const shown = run('npm', ['view', name, 'dist-tags.latest', `--registry=${registry.url}/`], user, env);
      expect([name, shown.output.trim()]).toEqual([name, FIPSKIT_VERSION]);
    }
  });

  it('nx add fipskit installs the plugin from the registry, registers it and adds the packages', () => {
    const added = nx(['add', 'fipskit']);
    expect(added.status).toBe(0);
    expect(readJson('nx.json').plugins).toEqual([{ plugin: 'fipskit/plugin', options: {} }]);
    const { devDependencies } = readJson('package.json');
    for (const name of ['fipskit', '@fipskit/core', '@fipskit/openssl-fips', '@fipskit/fips-config', '@fipskit/python-pcbuild', '@fipskit/verify']) {
      expect(devDependencies[name]).toMatch(new RegExp(`^\\^?${FIPSKIT_VERSION.replace(/\./g, '\\.')}$`));
      // JavaScript from the registry, not this repository's TypeScript.
      const installed = JSON.parse(readFileSync(join(user, 'node_modules', name, 'package.json'), 'utf8'));
      expect(installed.main).toBe('./src/index.js');
      expect(realpathSync(join(user, 'node_modules', name)).startsWith(WORKSPACE)).toBe(false);
    }
  });

  it(`nx g fipskit:project ${PROJECT}: a fipskit.json, and nx show project lists its stages`, () => {
    const generated = nx(['g', 'fipskit:project', PROJECT, '--opensslSource=debian', '--pythonSource=debian', '--no-interactive']);
    expect(generated.status).toBe(0);
    expect(existsSync(join(user, PROJECT, 'fipskit.json'))).toBe(true);
    const shown = nx(['show', 'project', PROJECT, '--json']);
    expect(shown.status).toBe(0);
    const project = JSON.parse(shown.output.slice(shown.output.indexOf('{')));
    expect(Object.keys(project.targets)).toEqual(
      expect.arrayContaining(['sources', 'openssl', 'fips-config', 'python', 'verify', 'build', 'doctor', 'plan', 'audit']),
    );
  });

  it('doctor finds every tool, and a Windows plan is made there', () => {
    const doctor = nx(['run', `${PROJECT}:doctor`]);
    expect(doctor.status).toBe(0);
    expect(doctor.output).toContain(`everything ${PROJECT} needs is here`);
    const plan = nx(['run', `${PROJECT}:plan`, '--platform=win32']);
    expect(plan.status).toBe(0);
    expect(existsSync(join(user, 'dist', PROJECT, 'plan', 'win32', 'plan.txt'))).toBe(true);
  });

  it(`nx run ${PROJECT}:build builds OpenSSL and the FIPS Python there, and verify passes`, () => {
    const build = nx(['run', `${PROJECT}:build`]);
    if (build.status !== 0) console.log(build.output.split('\n').slice(-80).join('\n'));
    expect(build.status).toBe(0);
    const report = readJson(join('dist', PROJECT, 'verify', 'report.json'));
    expect(report.passed).toBe(true);
    expect(report.failedRequired).toEqual([]);
    // The FIPS module that ran is the one built in that workspace.
    expect(report.fipsModule.path).toBe(join(realpathSync(user), 'dist', PROJECT, 'openssl', 'lib', 'ossl-modules', 'fips.so'));
    expect(JSON.stringify(report)).not.toContain(WORKSPACE);
  });
});
