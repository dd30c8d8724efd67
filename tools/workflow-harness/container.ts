import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ToolRunner, StageLog, defaultSourceCacheDir } from '@fipskit/core';
import { debianBase } from '../../packages/fipskit/src/executors/image/lib/base-rootfs';

/**
 * Debian's podman as it runs on this kind of machine: runc and cgroupfs (the default crun cannot set limits here),
 * limits it may set. Images are made from Debian's archive, never pulled.
 */
export const PODMAN_GLOBAL = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];
export const PODMAN_LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1000:1000'];

export interface Podman {
  status: number;
  stdout: string;
  stderr: string;
}

export function podman(args: string[], options: { input?: string; timeoutMs?: number } = {}): Podman {
  const result = spawnSync('podman', [...PODMAN_GLOBAL, ...args], {
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status ?? 1, stdout: result.stdout ?? '', stderr: `${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

const DEBIAN_RELEASES: Record<string, string> = {
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  bullseye: 'bullseye',
  bookworm: 'bookworm',
  trixie: 'trixie',
};

/**
 * The local image a workflow's `container:` names. Docker Hub's `debian:<version>` is Debian's minbase for that release
 * with its updates and security suites: made here with mmdebstrap from Debian's archive (cached by fipskit's base
 * cache), imported into podman under the same name, so `podman run debian:12` finds it without a registry.
 */
export async function containerImage(name: string, logFile: string): Promise<string> {
  const match = name.match(/^(?:docker\.io\/)?(?:library\/)?debian:([a-z0-9]+)(?:-slim)?$/);
  if (!match || !DEBIAN_RELEASES[match[1]]) {
    throw new Error(
      `container image "${name}": the harness makes Debian images (debian:11, debian:12, debian:13) from Debian's archive; no registry is reachable to pull others.`,
    );
  }
  return debianImage(DEBIAN_RELEASES[match[1]], [], `docker.io/library/debian:${match[1]}`, logFile);
}

/**
 * A podman image `reference` of Debian `release` minbase with `include`'s packages, made with mmdebstrap from
 * Debian's archive (cached by fipskit's base cache) and imported once per root file system.
 */
export async function debianImage(release: string, include: string[], reference: string, logFile: string): Promise<string> {
  const log = new StageLog('harness', logFile, 1, () => undefined);
  const rootfs = await debianBase({ release, include, architecture: 'amd64' }, defaultSourceCacheDir(), new ToolRunner(), log);
  const label = `dev.fipskit.harness.rootfs=${rootfs}`;
  const existing = podman(['image', 'inspect', reference, '--format', '{{index .Labels "dev.fipskit.harness.rootfs"}}']);
  if (existing.status === 0 && existing.stdout.trim() === rootfs) return reference;
  const imported = podman(['import', '--change', `LABEL ${label}`, '--change', 'CMD ["bash"]', rootfs, reference]);
  if (imported.status !== 0) throw new Error(`podman import ${rootfs} failed:\n${imported.stderr}`);
  return reference;
}

export const harnessLog = (dir: string) => join(dir, 'harness.log');
