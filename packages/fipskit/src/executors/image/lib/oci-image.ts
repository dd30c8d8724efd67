import { execFileSync } from 'node:child_process';
import { ProcessRunner, StageLog } from '@fipskit/core';

/** What the image runs and says about itself. */
export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  architecture: string;
  created: string;
}

/** Whether a tarball is an OCI image archive (an `oci-layout` at its top) rather than a root file system. */
export function isOciArchive(tarball: string): boolean {
  const listing = execFileSync('tar', ['-tf', tarball], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }).split('\n');
  return listing.some((entry) => entry.replace(/^\.\//, '') === 'oci-layout');
}

/**
 * Assembles the image in an OCI layout with umoci (no daemon, no registry, no root needed) and writes it as an OCI
 * archive with skopeo: the base (a root file system as the first layer, or an OCI archive's own layers), the bundle's
 * layer on top, then the configuration.
 */
export async function assembleImage(
  input: { layout: string; tag: string; base: string; baseIsOci: boolean; layer: string; config: ImageConfig; archive: string; reference: string },
  runner: ProcessRunner,
  log: StageLog,
): Promise<void> {
  const image = `${input.layout}:${input.tag}`;
  const run = (title: string, program: string, args: string[]) => log.run(runner, { title, program, args, cwd: input.layout.replace(/\/[^/]+$/, '') });
  const history = ['--history.created', input.config.created];
  if (input.baseIsOci) {
    await run('skopeo copy the base image into the layout', 'skopeo', ['copy', '--quiet', `oci-archive:${input.base}`, `oci:${image}`]);
  } else {
    await run('umoci init', 'umoci', ['init', '--layout', input.layout]);
    await run('umoci new', 'umoci', ['new', '--image', image]);
    await run('umoci add the base root file system as the first layer', 'umoci', [
      'raw',
      'add-layer',
      ...history,
      '--history.created_by',
      'fipskit: base root file system',
      '--image',
      image,
      input.base,
    ]);
  }
  await run("umoci add the bundle's layer", 'umoci', [
    'raw',
    'add-layer',
    ...history,
    '--history.created_by',
    'fipskit: FIPS Python bundle',
    '--image',
    image,
    input.layer,
  ]);
  const config = [
    '--clear=config.entrypoint',
    '--clear=config.cmd',
    ...input.config.entrypoint.flatMap((word) => ['--config.entrypoint', word]),
    ...input.config.cmd.flatMap((word) => ['--config.cmd', word]),
    ...Object.entries(input.config.env).flatMap(([name, value]) => ['--config.env', `${name}=${value}`]),
    ...Object.entries(input.config.labels).flatMap(([name, value]) => ['--config.label', `${name}=${value}`, '--manifest.annotation', `${name}=${value}`]),
    '--architecture',
    input.config.architecture,
    '--os',
    'linux',
    '--created',
    input.config.created,
    ...history,
    '--history.created_by',
    'fipskit: entry point and labels',
  ];
  await run('umoci config: entry point, command, environment, labels', 'umoci', ['config', ...config, '--image', image]);
  await run(`skopeo write the OCI archive (${input.reference})`, 'skopeo', [
    'copy',
    '--quiet',
    `oci:${image}`,
    `oci-archive:${input.archive}:${input.reference}`,
  ]);
}
