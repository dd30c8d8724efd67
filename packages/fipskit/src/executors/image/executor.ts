import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { create as createTar } from 'tar';
import {
  ToolRunner,
  ProcessRunner,
  StageLog,
  assertOutputIsOurs,
  createStaging,
  defaultSourceCacheDir,
  executorResult,
  publishOutput,
  CERTIFICATE_DATA_AS_OF,
  activeProviders,
  providerStatus,
  sha256File,
} from '@fipskit/core';
import { ImageOptions } from './schema';
import { BundleManifest } from '../package/executor';
import { treeEntries } from '../package/lib/bundle-layout';
import { debianBase, machineRelease } from './lib/base-rootfs';
import { osPackagesFor } from './lib/os-packages';
import { assembleImage, isOciArchive } from './lib/oci-image';

/** Where the bundle lives in the image. */
export const IMAGE_PREFIX = '/opt/fipskit';
const ENTRYPOINT = '/usr/local/bin/fipskit-entrypoint';

export interface NormalizedImageOptions {
  root: string;
  project: string;
  packageDir: string;
  outputDir: string;
  base?: string;
  debianRelease?: string;
  debianMirror?: string;
  configuration: 'at-start' | 'self-test-onload';
  reference?: string;
  cacheDir: string;
  logFile: string;
}

export function normalizeImageOptions(options: ImageOptions, context: { root: string; projectName?: string }): NormalizedImageOptions {
  const resolve = (p: string) => (isAbsolute(p) ? p : join(context.root, p));
  const project = context.projectName ?? 'fips-python';
  const configuration = options.configuration ?? 'at-start';
  if (configuration !== 'at-start' && configuration !== 'self-test-onload') {
    throw new Error(`configuration "${configuration}" is not "at-start" or "self-test-onload".`);
  }
  if (options.base && !existsSync(resolve(options.base))) {
    throw new Error(
      `The base ${resolve(options.base)} does not exist: give a root file system tarball or an OCI image archive, or leave base out for a minimal Debian.`,
    );
  }
  if (options.reference && !/^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/.test(options.reference)) {
    throw new Error(`reference "${options.reference}" is not an image name with an optional tag (e.g. fipskit/fips-python:3.11.2).`);
  }
  return {
    root: context.root,
    project,
    packageDir: resolve(options.packagePath),
    outputDir: resolve(options.outputPath),
    ...(options.base ? { base: resolve(options.base) } : {}),
    ...(options.debianRelease ? { debianRelease: options.debianRelease } : {}),
    ...(options.debianMirror ? { debianMirror: options.debianMirror } : {}),
    configuration,
    ...(options.reference ? { reference: options.reference } : {}),
    cacheDir: defaultSourceCacheDir(),
    logFile: join(context.root, 'tmp', 'fipskit', project, 'image.log'),
  };
}

export interface ImageDeps {
  runner?: ProcessRunner;
  print?: (line: string) => void;
}

export default async function imageExecutor(options: ImageOptions, context: ExecutorContext, deps: ImageDeps = {}): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  return executorResult('image', print, async () => {
    await buildImage(normalizeImageOptions(options, { root: context.root, projectName: context.projectName }), deps.runner ?? new ToolRunner(), print);
  });
}

/** The architecture as OCI and Debian name it. */
const ociArch = (arch: string) => (arch === 'x86_64' ? 'amd64' : arch === 'aarch64' ? 'arm64' : arch);

/** Runs before anything else in the container: the FIPS configuration is in place, or nothing starts. */
export function renderEntrypoint(bundleRoot: string, configuration: NormalizedImageOptions['configuration']): string {
  return [
    '#!/bin/sh',
    '# fipskit-entrypoint: the FIPS configuration is in place before the command starts, or the container stops.',
    'set -e',
    ...(configuration === 'at-start'
      ? [
          "# OpenSSL's security policy: fipsinstall on every machine that uses the module. Each container is one.",
          `if ! ${bundleRoot}/bin/fipskit-setup --quiet; then`,
          '  echo "fipskit-entrypoint: fipskit-setup failed in this container (see above): not starting $*" >&2',
          '  exit 70',
          'fi',
        ]
      : ['# The image carries a configuration written with fipsinstall -self_test_onload: the self-tests run at every load.']),
    'exec "$@"',
    '',
  ].join('\n');
}

export async function buildImage(
  options: NormalizedImageOptions,
  runner: ProcessRunner,
  print: (line: string) => void,
): Promise<{ archive: string; reference: string; labels: Record<string, string> }> {
  const manifestFile = join(options.packageDir, 'bundle.json');
  if (!existsSync(manifestFile))
    throw new Error(`${manifestFile} does not exist: packagePath must be the package target's output. Run nx run ${options.project}:package first.`);
  const bundle = JSON.parse(readFileSync(manifestFile, 'utf8')) as BundleManifest;
  const tarball = join(options.packageDir, `${bundle.name}.tar.gz`);
  if (bundle.platform !== 'linux') throw new Error(`${bundle.name} is a ${bundle.platform} bundle: container images are Linux.`);
  assertOutputIsOurs(options.outputDir, 'image');
  const log = new StageLog('image', options.logFile, 4, print);
  const staging = createStaging(options.outputDir);
  const work = join(staging, 'work');
  const layerRoot = join(work, 'layer');
  const bundleRoot = `${IMAGE_PREFIX}/${bundle.name}`;
  mkdirSync(join(layerRoot, IMAGE_PREFIX.slice(1)), { recursive: true });

  log.step(`Lay out the image's layer: ${bundle.name} in ${bundleRoot}, and its entry point`);
  execFileSync('tar', ['-xzf', tarball, '--no-same-owner', '-C', join(layerRoot, IMAGE_PREFIX.slice(1))]);
  mkdirSync(join(layerRoot, 'usr', 'local', 'bin'), { recursive: true });
  writeFileSync(join(layerRoot, ENTRYPOINT.slice(1)), renderEntrypoint(bundleRoot, options.configuration));
  chmodSync(join(layerRoot, ENTRYPOINT.slice(1)), 0o755);
  const tree = join(layerRoot, bundleRoot.slice(1));
  if (options.configuration === 'self-test-onload') {
    // Depends on the module's bytes alone (OpenSSL's fipsinstall documentation): written once, here, for every container.
    await log.run(runner, {
      title: 'fipskit-setup --self-test-onload',
      program: join(tree, 'bin', 'fipskit-setup'),
      args: ['--self-test-onload', '--quiet'],
      cwd: tree,
    });
  }

  log.step(options.base ? `Base: ${relative(options.root, options.base)}` : 'Base: a minimal Debian root file system with what the bundle needs from the OS');
  let base = options.base;
  const architecture = ociArch(bundle.arch);
  if (!base) {
    const release = options.debianRelease ?? machineRelease();
    if (!release) throw new Error('This machine names no Debian release in /etc/os-release: set debianRelease (e.g. bookworm), or give a base.');
    const include =
      bundle.python.mode === 'overlay'
        ? (bundle.python.interpreter?.packages ?? []).map((p) => `${p.name}=${p.version}`)
        : await osPackagesFor(tree, join(tree, bundle.openssl.prefix, 'lib'), runner);
    base = await debianBase(
      { release, ...(options.debianMirror ? { mirror: options.debianMirror } : {}), include, architecture },
      options.cacheDir,
      runner,
      log,
    );
  }

  log.step('Assemble the OCI image with umoci and write the archive with skopeo');
  const layer = join(work, 'bundle-layer.tar');
  const created = new Date(Number(process.env.SOURCE_DATE_EPOCH ?? 946684800) * 1000);
  const entries = treeEntries(layerRoot).map((entry) => entry.path);
  await createTar({ cwd: layerRoot, file: layer, portable: true, noDirRecurse: true, mtime: created, follow: false }, entries);
  const provider = bundle.openssl.fipsProvider;
  const status = providerStatus(provider.version);
  // A statement as of the day the image is built, by fipskit's CMVP data: certificates go historical without a rebuild
  // (nx run <project>:compliance, or fipskit-verify in the container, judges again).
  const today = (process.env.SOURCE_DATE_EPOCH ? created : new Date()).toISOString().slice(0, 10);
  const active = activeProviders(today).some((p) => p.version === provider.version);
  const manifestSha256 = await sha256File(manifestFile);
  const sbomFile = join(options.packageDir, 'sbom.cdx.json');
  const sbomSha256 = existsSync(sbomFile) ? await sha256File(sbomFile) : undefined;
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': bundle.name,
    'org.opencontainers.image.description': `FIPS-mode Python ${bundle.python.version} (${bundle.python.mode}) with OpenSSL ${bundle.openssl.version} and its FIPS provider ${provider.version}, made by fipskit`,
    'org.opencontainers.image.version': bundle.python.version,
    'dev.fipskit.fips-provider.version': provider.version,
    'dev.fipskit.fips-provider.status': status.status,
    ...(status.certificate ? { 'dev.fipskit.fips-provider.certificate': `${status.standard} #${status.certificate}` } : {}),
    'dev.fipskit.compliance': active
      ? `claimable as of ${today} where fipskit-verify proves FIPS mode (CMVP data of ${CERTIFICATE_DATA_AS_OF})`
      : status.validated
        ? `not claimable as of ${today}: the certificate does not support a claim for a new system then (CMVP data of ${CERTIFICATE_DATA_AS_OF})`
        : 'not claimable: no CMVP certificate covers this provider version',
    'dev.fipskit.cmvp-data-as-of': CERTIFICATE_DATA_AS_OF,
    'dev.fipskit.configuration': options.configuration,
    'dev.fipskit.bundle.manifest-sha256': manifestSha256,
    ...(sbomSha256 ? { 'dev.fipskit.bundle.sbom-sha256': sbomSha256 } : {}),
    'dev.fipskit.verify': `${bundleRoot}/bin/fipskit-verify`,
  };
  const reference = options.reference ?? `fipskit/${bundle.project}:${bundle.python.version}`;
  const archive = join(staging, `${bundle.name}.oci.tar`);
  await assembleImage(
    {
      layout: join(work, 'oci'),
      tag: 'fipskit',
      base,
      baseIsOci: isOciArchive(base),
      layer,
      config: {
        entrypoint: [ENTRYPOINT],
        cmd: [`${bundleRoot}/bin/python3`],
        env: { PATH: `${bundleRoot}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, LANG: 'C.UTF-8' },
        labels,
        architecture,
        created: created.toISOString(),
      },
      archive,
      reference,
    },
    runner,
    log,
  );
  rmSync(work, { recursive: true, force: true });
  writeFileSync(
    join(staging, 'image.json'),
    JSON.stringify({ archive: `${bundle.name}.oci.tar`, reference, labels, base: options.base ?? 'debian minbase (mmdebstrap)' }, null, 2) + '\n',
  );
  publishOutput(staging, options.outputDir, 'image');
  log.finish();
  const shown = relative(options.root, join(options.outputDir, `${bundle.name}.oci.tar`));
  log.info(`${shown}: podman load -i ${shown} (or docker load), then podman run --rm ${reference} ${bundleRoot}/bin/fipskit-verify`);
  return { archive: join(options.outputDir, `${bundle.name}.oci.tar`), reference, labels };
}
