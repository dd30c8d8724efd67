/**
 * What inferring the stages costs Nx's project graph: `nx show projects` in a scratch workspace of N fipskit
 * projects (default 20) whose stages come from fipskit's plugin reading each fipskit.json, against the same N
 * projects with the same targets written out in project.json and no plugin. The project graph is built from
 * scratch each time (no daemon, NX_CACHE_PROJECT_GRAPH=false); each variant runs ROUNDS times (default 5), in
 * turn, and the median is printed with the ratio. Measured in this one run, on this machine.
 *
 *   node tools/run-ts.js tools/benchmark/project-graph.ts [projects] [rounds]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stageTargets } from '../../packages/fipskit/src/plugins/stage-targets';
import { FipskitProject } from '../../packages/fipskit/src/plugins/fipskit-json/schema';

const REPO = resolve(__dirname, '..', '..');
const NX = join(REPO, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

const project = (index: number): FipskitProject => ({
  platform: 'linux',
  interpreter: '/usr/bin/python3.11',
  openssl: { kind: 'debian', package: 'openssl', version: `3.0.${index}` },
  python: { kind: 'debian', package: 'python3.11', version: '3.11.2' },
});

function write(root: string, path: string, content: unknown): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

function workspace(count: number, inferred: boolean): string {
  const root = mkdtempSync(join(tmpdir(), `fipskit-graph-${inferred ? 'plugin' : 'written'}-`));
  write(root, 'package.json', { name: 'scratch', private: true });
  write(root, 'nx.json', inferred ? { plugins: ['fipskit/plugin'] } : {});
  // Inside this repository the plugin is TypeScript source, loaded through the workspace's tsconfig paths.
  write(root, 'tsconfig.base.json', { extends: join(REPO, 'tsconfig.base.json'), compilerOptions: { baseUrl: REPO } });
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'junction');
  for (let i = 0; i < count; i++) {
    const name = `fp${i}`;
    const config = project(i);
    if (inferred) {
      write(root, `${name}/fipskit.json`, config);
      write(root, `${name}/project.json`, { name });
    } else {
      const targets = stageTargets({
        outputDir: `dist/${name}`,
        openssl: config.openssl,
        python: config.python,
        interpreter: config.interpreter,
        mode: 'overlay',
        platform: 'linux',
        profile: 'rhel-compatible',
      });
      write(root, `${name}/project.json`, { name, tags: ['fipskit', 'platform:linux'], targets });
    }
  }
  return root;
}

function showProjects(root: string): { ms: number; projects: number } {
  const env = {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_CACHE_PROJECT_GRAPH: 'false',
    NX_WORKSPACE_DATA_DIRECTORY: join(root, '.nx', 'workspace-data'),
  };
  const start = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [NX, 'show', 'projects', '--json'], { cwd: root, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, projects: (JSON.parse(out) as string[]).length };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function main(): void {
  const count = Number(process.argv[2] ?? 20);
  const rounds = Number(process.argv[3] ?? 5);
  const plugin = workspace(count, true);
  const written = workspace(count, false);
  try {
    const times = { plugin: [] as number[], written: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      for (const [variant, root] of [
        ['plugin', plugin],
        ['written', written],
      ] as const) {
        const { ms, projects } = showProjects(root);
        if (projects !== count) throw new Error(`${variant}: nx show projects listed ${projects} projects, not ${count}`);
        times[variant].push(ms);
      }
    }
    const p = median(times.plugin);
    const w = median(times.written);
    console.log(
      `nx show projects, ${count} fipskit projects, median of ${rounds} (ms): inferred by the plugin ${p.toFixed(0)}, written in project.json ${w.toFixed(0)}, ratio ${(p / w).toFixed(2)}`,
    );
  } finally {
    rmSync(plugin, { recursive: true, force: true });
    rmSync(written, { recursive: true, force: true });
  }
}

main();
