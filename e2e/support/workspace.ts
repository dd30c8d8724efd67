import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
