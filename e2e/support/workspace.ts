import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const WORKSPACE = resolve(__dirname, '..', '..');

export interface RunResult {
  status: number;
  output: string;
}

/**
 * Nx state private to this test run: its own local cache and workspace data, so results
 * never come from a developer's earlier runs and caching is tested honestly.
 */
export function isolatedNxEnvironment(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-e2e-nx-'));
  return {
    NX_CACHE_DIRECTORY: join(dir, 'cache'),
    NX_WORKSPACE_DATA_DIRECTORY: join(dir, 'workspace-data'),
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    FORCE_COLOR: '0',
  };
}

export function runNx(args: string[], env: Record<string, string>): RunResult {
  const nx = join(WORKSPACE, 'node_modules', '.bin', 'nx');
  const result = spawnSync(nx, args, {
    cwd: WORKSPACE,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  return { status: result.status ?? 1, output };
}

/** Runs a command in a POSIX shell after sourcing an activation script, as a user would. */
export function runActivated(script: string, command: string): RunResult {
  const result = spawnSync('/bin/sh', ['-c', `. "$1" && shift && "$@"`, 'sh', script, ...command.split(' ')], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' },
  });
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** Nx's verdict for one task in a run's output: ran, or restored from which cache. */
export function taskOutcome(output: string, task: string): 'local cache' | 'existing outputs' | 'remote cache' | 'ran' | 'absent' {
  const line = output.split('\n').find((l) => l.includes(`nx run ${task}`));
  if (!line) return 'absent';
  if (line.includes('existing outputs match the cache')) return 'existing outputs';
  if (line.includes('[local cache]')) return 'local cache';
  if (line.includes('[remote cache]')) return 'remote cache';
  return 'ran';
}

/**
 * Like runNx, without blocking this process: needed when this process also serves the run (the
 * loopback remote cache).
 */
export function runNxAsync(args: string[], env: Record<string, string>, cwd = WORKSPACE): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(join(cwd, 'node_modules', '.bin', 'nx'), args, { cwd, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => done({ status: code ?? 1, output }));
  });
}

/**
 * A second checkout of this workspace at another path, as a clone would be: the files git tracks (and
 * new ones it would track), and a copy of node_modules — no dist/, tmp/ or Nx state.
 */
export function secondCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-e2e-checkout-'));
  const files = execFileSync('git', ['-C', WORKSPACE, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    try {
      cpSync(join(WORKSPACE, file), join(dir, file));
    } catch {
      // a tracked file deleted in the working tree
    }
  }
  cpSync(join(WORKSPACE, 'node_modules'), join(dir, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  return dir;
}

/**
 * Runs nx as a terminal runs a foreground job (its own process group) and, once `when` shows in its
 * output, sends `signal` to the whole group, as Ctrl-C does.
 */
export function interruptNx(args: string[], env: Record<string, string>, when: RegExp, signal: NodeJS.Signals): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(join(WORKSPACE, 'node_modules', '.bin', 'nx'), args, { cwd: WORKSPACE, env: { ...process.env, ...env }, detached: true });
    let output = '';
    let sent = false;
    const watch = (chunk: Buffer) => {
      output += chunk.toString();
      if (!sent && when.test(output)) {
        sent = true;
        // A moment later, so the compilers are busy, not just starting.
        setTimeout(() => process.kill(-child.pid!, signal), 3000);
      }
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    child.on('close', (code, killedBy) => done({ status: code ?? (killedBy ? 128 : 1), output }));
  });
}
