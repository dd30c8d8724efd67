import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE, isolatedNxEnvironment } from './workspace';

/** A private npm registry on loopback: fipskit's packages published to it, everything else proxied from npm's. */
export interface LocalRegistry {
  url: string;
  /** A user's npm configuration for it: the registry, and the token that publishes. */
  npmrc: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForRegistry(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${url}/-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`verdaccio did not answer at ${url} within 60 s:\n${output()}`);
}

/** Starts verdaccio (from this repository's node_modules) with its storage in a temporary directory. */
export async function startLocalRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-registry-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const upstream = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim() || 'https://registry.npmjs.org/';
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(join(dir, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(dir, 'htpasswd'))}`,
      '    max_users: 10',
      'uplinks:',
      '  npmjs:',
      `    url: ${JSON.stringify(upstream)}`,
      '    timeout: 120s',
      'packages:',
      // fipskit's packages come from this registry only: what the tests publish, never npm's.
      "  'fipskit':",
      '    access: $all',
      '    publish: $authenticated',
      "  '@fipskit/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    proxy: npmjs',
      'max_body_size: 200mb',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const child = spawn(join(WORKSPACE, 'node_modules', '.bin', 'verdaccio'), ['--config', config, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    }).then(() => rmSync(dir, { recursive: true, force: true }));
  try {
    await waitForRegistry(url, child, () => output);
    // A user for publishing (npm sends a token with every publish).
    const response = await fetch(`${url}/-/user/org.couchdb.user:fipskit-e2e`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'fipskit-e2e', password: 'fipskit-e2e-password' }),
    });
    const { token } = (await response.json()) as { token?: string };
    if (!response.ok || !token) throw new Error(`verdaccio refused the test user (${response.status})`);
    const npmrc = join(dir, '.npmrc');
    writeFileSync(npmrc, `registry=${url}/\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    return { url, npmrc, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A child environment without npm's run-time settings (npm test sets npm_config_registry, which would win over .npmrc) or Nx's. */
export function cleanEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && !name.startsWith('NX_'));
  return { ...Object.fromEntries(kept), ...extra };
}

/**
 * fipskit's six packages as a user gets them: built to JavaScript into dist/packages, then published with
 * nx release publish to a registry of their own on loopback (which proxies everything else from npm's).
 */
export async function publishFipskit(): Promise<LocalRegistry> {
  const run = (program: string, args: string[], env: NodeJS.ProcessEnv) => {
    const result = spawnSync(program, args, { cwd: WORKSPACE, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
  };
  const build = run(
    process.execPath,
    [join(WORKSPACE, 'tools', 'run-ts.js'), join(WORKSPACE, 'tools', 'packages', 'pack-packages.ts'), '--build-only'],
    process.env,
  );
  if (build.status !== 0) throw new Error(`building the packages failed:\n${build.output}`);
  const registry = await startLocalRegistry();
  const publish = run(
    join(WORKSPACE, 'node_modules', '.bin', 'nx'),
    ['release', 'publish', `--registry=${registry.url}`],
    cleanEnvironment({ ...isolatedNxEnvironment(), NPM_CONFIG_USERCONFIG: registry.npmrc }),
  );
  if (publish.status !== 0) {
    await registry.stop();
    throw new Error(`nx release publish failed:\n${publish.output}`);
  }
  return registry;
}
