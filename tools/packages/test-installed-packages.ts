// Installs the tarballs of `npm run pack:packages` into fresh workspaces, one per Nx version, the way a user adds the
// plugin, and uses them there: init, the project generator, the inferred graph, the runtime cache inputs and a plan.
//   npm run test:packages                              the lowest Nx of the supported range, this repository's, and the newest
//   npm run test:packages -- --nx 23.3.2 [--nx …]      those Nx versions instead
//   … --devkit auto | <version>                        let npm choose @nx/devkit from the packages' range, or put that version
//                                                      in the workspace (default: the Nx version when the packages' @nx/devkit
//                                                      range has it, else the lowest of that range)
//   … --keep                                           keep the workspaces (a failed one is always kept)
// Each workspace is a directory under the system temp dir with its own Nx cache and workspace data; npm installs Nx
// and the packages' dependencies from the registry, and the plan's sources stage asks Debian's archive (apt).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as semver from 'semver';
import { npmCommand, readReleasePackages } from './pack-packages';

const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..');
const TARBALLS = path.join(WORKSPACE_ROOT, 'dist', 'packages');
const PROJECT = 'fips-python';
const PROJECT_ARGS = ['--opensslSource=debian', '--pythonSource=debian', '--interpreter=/usr/bin/python3.11', '--no-interactive'];
const STAGES = ['sources', 'openssl', 'fips-config', 'python', 'verify', 'build', 'plan'];

interface Step {
  name: string;
  seconds: number;
}

class StepFailure extends Error {}

/** The tarball `npm pack` writes for a package: `@fipskit/core@0.1.0` → fipskit-core-0.1.0.tgz. */
function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

/** `paired`: the Nx version (else the lowest of the packages' range); `auto`: none, npm picks; else that version. */
type DevkitChoice = 'auto' | 'paired' | string;

function parseArgs(args: string[]): { versions: string[]; devkit: DevkitChoice; keep: boolean } {
  const versions: string[] = [];
  let devkit: DevkitChoice = 'paired';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--nx') versions.push(args[++i]);
    else if (args[i] === '--devkit') devkit = args[++i];
    else if (args[i] !== '--keep') throw new Error(`unknown argument ${args[i]} (see the comment at the top of ${path.relative(WORKSPACE_ROOT, __filename)})`);
  }
  return { versions, devkit, keep: args.includes('--keep') };
}

function testNxVersion(nxVersion: string, devkit: string | undefined, keep: boolean): Step[] {
  const packages = readReleasePackages(WORKSPACE_ROOT);
  const tarballs = packages.map(({ manifest }) => [manifest.name, path.join(TARBALLS, tarballName(manifest.name, manifest.version))] as const);
  const missing = tarballs.filter(([, file]) => !existsSync(file));
  if (missing.length) throw new Error(`${missing.map(([, file]) => path.relative(WORKSPACE_ROOT, file)).join(', ')} missing: run npm run pack:packages first`);

  const root = mkdtempSync(path.join(tmpdir(), `fipskit-installed-nx${nxVersion}-`));
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NX_') && !name.startsWith('npm_')));
  Object.assign(env, {
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_CACHE_DIRECTORY: path.join(root, '.nx', 'cache'),
    NX_WORKSPACE_DATA_DIRECTORY: path.join(root, '.nx', 'workspace-data'),
    FORCE_COLOR: '0',
  });
  const steps: Step[] = [];
  const log = (line: string) => console.log(`[nx ${nxVersion}] ${line}`);

  function step<T>(name: string, action: () => T): T {
    const started = Date.now();
    const result = action();
    steps.push({ name, seconds: (Date.now() - started) / 1000 });
    log(`${name}: ok (${steps[steps.length - 1].seconds.toFixed(1)} s)`);
    return result;
  }
  function run(program: string, args: string[], options: { shell?: boolean } = {}): string {
    const result = spawnSync(program, args, {
      cwd: root,
      env,
      encoding: 'utf8',
      windowsHide: true,
      shell: options.shell,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 10 * 60_000,
    });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (result.status !== 0) {
      throw new StepFailure(
        `${[program, ...args].join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}) in ${root}:\n${output.trim().split('\n').slice(-40).join('\n')}`,
      );
    }
    return result.stdout;
  }
  const expect = (ok: boolean, message: string) => {
    if (!ok) throw new StepFailure(`${message} (in ${root})`);
  };
  const readJson = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));
  let nxBin = '';
  const nx = (args: string[]) => run(process.execPath, [nxBin, ...args]);

  log(`workspace ${root}`);
  try {
    step('npm install', () => {
      const devDependencies: Record<string, string> = { nx: nxVersion, ...(devkit ? { '@nx/devkit': devkit } : {}) };
      for (const [name, file] of tarballs) devDependencies[name] = `file:${file}`;
      writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'installed-fipskit', private: true, devDependencies }, null, 2) + '\n');
      writeFileSync(path.join(root, 'nx.json'), '{}\n');
      run(...npmCommand(['install', '--no-audit', '--no-fund', '--loglevel=error']));
      const nxPackage = require.resolve('nx/package.json', { paths: [root] });
      nxBin = path.join(path.dirname(nxPackage), JSON.parse(readFileSync(nxPackage, 'utf8')).bin.nx);
      const devkits = new Set(
        [root, ...tarballs.map(([name]) => path.join(root, 'node_modules', name))]
          .map((from) => require.resolve('@nx/devkit/package.json', { paths: [from] }))
          .map((file) => JSON.parse(readFileSync(file, 'utf8')).version),
      );
      log(`installed nx ${JSON.parse(readFileSync(nxPackage, 'utf8')).version}, @nx/devkit ${[...devkits].join(', ')}`);
    });

    step('nx g fipskit:init', () => {
      nx(['g', 'fipskit:init', '--no-interactive']);
      log(`  nx.json after init: ${JSON.stringify(readJson('nx.json'))}`);
    });

    step(`nx g fipskit:project ${PROJECT}`, () => {
      nx(['g', 'fipskit:project', PROJECT, ...PROJECT_ARGS]);
    });

    const shown = step(`nx show project ${PROJECT} --json`, () => {
      const project = JSON.parse(nx(['show', 'project', PROJECT, '--json']));
      const missingStages = STAGES.filter((stage) => !project.targets?.[stage]);
      expect(missingStages.length === 0, `${PROJECT} has no ${missingStages.join(', ')} target`);
      expect(project.targets.openssl.executor === '@fipskit/openssl-fips:build', `${PROJECT}:openssl runs ${project.targets.openssl.executor}`);
      return project as { targets: Record<string, { inputs?: Array<string | { runtime?: string }> }> };
    });

    // Nx runs these through the shell in the workspace root to hash the stages: they must resolve the installed packages.
    step('runtime cache inputs', () => {
      const runtimes = [
        ...new Set(
          Object.values(shown.targets).flatMap((target) =>
            (target.inputs ?? []).flatMap((input) => (typeof input === 'object' && input.runtime ? [input.runtime] : [])),
          ),
        ),
      ];
      expect(runtimes.length > 0, `${PROJECT} has no runtime inputs`);
      for (const command of runtimes) {
        const printed = run(command, [], { shell: true });
        expect(printed.trim().length > 0, `${command} printed nothing`);
        log(`  ${command}: ${printed.trim().split('\n').pop()}`);
      }
    });

    step(`nx run ${PROJECT}:plan --platform=win32`, () => {
      nx(['run', `${PROJECT}:plan`, '--platform=win32']);
      expect(existsSync(path.join(root, 'dist', PROJECT, 'plan', 'win32', 'plan.json')), `the plan wrote no dist/${PROJECT}/plan/win32/plan.json`);
    });

    // The plugin users register in nx.json: stages inferred from a fipskit.json.
    step('plugin: nx show project from fipskit.json', () => {
      const nxJson = readJson('nx.json');
      const plugins: unknown[] = nxJson.plugins ?? [];
      if (!plugins.some((p) => p === 'fipskit' || (p as { plugin?: string })?.plugin === 'fipskit')) {
        writeFileSync(path.join(root, 'nx.json'), JSON.stringify({ ...nxJson, plugins: [...plugins, 'fipskit'] }, null, 2) + '\n');
      }
      mkdirSync(path.join(root, 'inferred'));
      writeFileSync(path.join(root, 'inferred', 'project.json'), JSON.stringify({ name: 'inferred' }) + '\n');
      writeFileSync(
        path.join(root, 'inferred', 'fipskit.json'),
        JSON.stringify(
          {
            $schema: '../node_modules/fipskit/src/plugins/fipskit-json/schema.json',
            platform: 'linux',
            interpreter: '/usr/bin/python3.11',
            openssl: { kind: 'debian', package: 'openssl', version: '3.0' },
            python: { kind: 'debian', package: 'python3.11', version: '3.11.2' },
          },
          null,
          2,
        ) + '\n',
      );
      expect(
        existsSync(path.join(root, 'node_modules', 'fipskit', 'src', 'plugins', 'fipskit-json', 'schema.json')),
        "fipskit.json's $schema is not in the package",
      );
      const project = JSON.parse(nx(['show', 'project', 'inferred', '--json']));
      const missingStages = STAGES.filter((stage) => !project.targets?.[stage]);
      expect(missingStages.length === 0, `the plugin inferred no ${missingStages.join(', ')} target for inferred/fipskit.json`);
    });
    // Nx keys a task whose executor is not an @nx/ package on every npm package of the lockfile, unless its inputs name
    // packages: an unrelated npm install must not rebuild OpenSSL. Nx's own hashes (tools/task-hash.js), before and
    // after a package nothing of fipskit uses appears in the lockfile.
    step("cache keys name fipskit's packages, not every npm package", () => {
      const project = JSON.parse(nx(['show', 'project', 'inferred', '--json']));
      for (const [stage, name] of [
        ['openssl', '@fipskit/openssl-fips'],
        ['fips-config', '@fipskit/fips-config'],
        ['python', '@fipskit/python-pcbuild'],
      ]) {
        const inputs = JSON.stringify(project.targets[stage].inputs);
        expect(inputs.includes(JSON.stringify({ externalDependencies: [name] })), `inferred:${stage} does not name ${name} in its inputs: ${inputs}`);
      }
      const keys = () => {
        rmSync(path.join(root, '.nx', 'workspace-data'), { recursive: true, force: true });
        const hashes = JSON.parse(run(process.execPath, [path.join(WORKSPACE_ROOT, 'tools', 'task-hash.js'), root, 'inferred:openssl', 'inferred:python']));
        return [hashes['inferred:openssl'].hash, hashes['inferred:python'].hash] as string[];
      };
      const before = keys();
      const lockFile = path.join(root, 'package-lock.json');
      const lock = readFileSync(lockFile, 'utf8');
      const unrelated = JSON.parse(lock);
      unrelated.packages['node_modules/left-pad'] = { version: '1.3.0', resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz', dev: true };
      writeFileSync(lockFile, JSON.stringify(unrelated, null, 2) + '\n');
      try {
        const after = keys();
        expect(
          JSON.stringify(after) === JSON.stringify(before),
          `an unrelated package in package-lock.json changed the openssl/python keys ${before.join(', ')} to ${after.join(', ')}`,
        );
      } finally {
        writeFileSync(lockFile, lock);
      }
    });
    // An upgrade as users run it (nx migrate --run-migrations): fipskit 0.1's written-out stages get 0.2's cache inputs.
    step('nx migrate --run-migrations (0.2.0 cache inputs)', () => {
      mkdirSync(path.join(root, 'legacy'));
      const oldInputs = [{ env: 'CC' }, { env: 'CFLAGS' }, { runtime: 'node node_modules/@fipskit/core/bin/toolchain-identity.js openssl' }];
      writeFileSync(
        path.join(root, 'legacy', 'project.json'),
        JSON.stringify(
          {
            name: 'legacy',
            tags: ['fipskit'],
            targets: { openssl: { executor: '@fipskit/openssl-fips:build', inputs: oldInputs, options: { outputPath: 'dist/legacy/openssl' } } },
          },
          null,
          2,
        ) + '\n',
      );
      writeFileSync(
        path.join(root, 'migrations.json'),
        JSON.stringify({ migrations: [{ package: 'fipskit', name: 'update-0-2-0-cache-inputs', version: '0.2.0' }] }, null, 2) + '\n',
      );
      // nx migrate first checks nx@latest's npm provenance, which the registry mirror here does not serve.
      env.NX_SKIP_PROVENANCE_CHECK = 'true';
      nx(['migrate', '--run-migrations=migrations.json']);
      delete env.NX_SKIP_PROVENANCE_CHECK;
      const inputs = readJson('legacy/project.json').targets.openssl.inputs;
      expect(
        JSON.stringify(inputs) === JSON.stringify([{ runtime: 'node -r @fipskit/core/bin/toolchain-identity.js -e 0 openssl' }]),
        `the migration left legacy's openssl inputs as ${JSON.stringify(inputs)}`,
      );
    });
  } catch (error) {
    log(`FAILED, workspace kept: ${root}`);
    throw error;
  }
  if (!keep) rmSync(root, { recursive: true, force: true });
  return steps;
}

/** The lowest Nx of the range, the one this repository develops with, and the newest the registry has in the range. */
function defaultVersions(range: string): string[] {
  const lowest = semver.minVersion(range)!.version;
  const repository = JSON.parse(readFileSync(require.resolve('nx/package.json', { paths: [WORKSPACE_ROOT] }), 'utf8')).version as string;
  const [npm, npmArgs] = npmCommand(['view', `nx@${range}`, 'version', '--json']);
  const view = spawnSync(npm, npmArgs, { encoding: 'utf8', windowsHide: true });
  const published = view.status === 0 ? ([] as string[]).concat(JSON.parse(view.stdout)) : [];
  const newest = semver.maxSatisfying(published, range);
  if (!newest) console.warn(`npm view nx@"${range}" failed: testing nx ${lowest} and ${repository} only`);
  return [...new Set([lowest, repository, ...(newest ? [newest] : [])])];
}

function main(args: string[]): number {
  const options = parseArgs(args);
  const fipskit = readReleasePackages(WORKSPACE_ROOT).find((p) => p.manifest.name === 'fipskit')!.manifest;
  // The Nx versions fipskit supports (its nx peer range) and the @nx/devkit it calls.
  const nxRange = fipskit.peerDependencies?.nx ?? '';
  const devkitRange = fipskit.dependencies?.['@nx/devkit'] ?? '';
  const versions = options.versions.length ? options.versions : defaultVersions(nxRange);
  for (const version of versions) {
    if (!semver.satisfies(version, nxRange)) console.warn(`nx ${version} is outside the packages' range ${nxRange}: npm may refuse it`);
  }
  const devkitFor = (nxVersion: string) =>
    options.devkit === 'auto'
      ? undefined
      : options.devkit !== 'paired'
        ? options.devkit
        : semver.satisfies(nxVersion, devkitRange)
          ? nxVersion
          : semver.minVersion(devkitRange)!.version;
  const results: Array<{ version: string; devkit?: string; steps: Step[] }> = [];
  let failed = false;
  for (const version of versions) {
    try {
      results.push({ version, devkit: devkitFor(version), steps: testNxVersion(version, devkitFor(version), options.keep) });
    } catch (error) {
      console.error((error as Error).message);
      failed = true;
    }
  }
  for (const { version, devkit, steps } of results) {
    console.log(
      `\nnx ${version}${devkit ? ` + @nx/devkit ${devkit}` : ' (@nx/devkit chosen by npm)'}: ${steps.reduce((sum, s) => sum + s.seconds, 0).toFixed(1)} s`,
    );
    for (const s of steps) console.log(`  ${s.seconds.toFixed(1).padStart(6)} s  ${s.name}`);
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`test:packages: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
