import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import {
  DEFAULT_FIPS_PROFILE,
  ToolRunner,
  FipsProfile,
  OUTPUT_MARKER,
  ProcessRunner,
  StageLog,
  assertOutputIsOurs,
  createStaging,
  executorResult,
  publishOutput,
  OpenSslBuildInfo,
  readBuildInfo,
  sha256File,
} from '@fipskit/core';
import { PackageOptions } from './schema';
import { PLUGIN_VERSION } from '../../constants';
import { validateSbom } from '@fipskit/verify';
import { PythonOutputManifest, bundleArch, commonRoot, interpreterRequirement, readPythonManifest, treeEntries } from './lib/bundle-layout';
import { writeBundleArchives, writeBundleZip } from './lib/bundle-archive';
import { PcbuildOutputManifest, filesUnder, layOutWindowsBundle } from './lib/windows-bundle';
import { renderSetupScript, InterpreterRequirement, BundlePaths } from './lib/setup-script';
import { VERIFY_RUNTIME_FILES, renderVerifyScript } from './lib/verify-script';

/** The bundle's own record of what it holds, at `share/fipskit/bundle.json`: fipskit-verify compares every file with it. */
export const BUNDLE_MANIFEST = 'share/fipskit/bundle.json';
/** The build's SBOM of the bundle: every shipped file's SHA-256, which fipskit-verify compares the files with. */
export const BUNDLE_SBOM = 'share/fipskit/sbom.cdx.json';

export interface BundleManifest {
  schema: 1;
  name: string;
  /** The fipskit release that packed it. */
  fipskitVersion: string;
  project: string;
  platform: string;
  arch: string;
  /** launcher: the bundle's python3, by bundle-relative path; null in a Windows bundle, installed into a python.org Python. */
  python: { version: string; mode: PythonOutputManifest['mode']; launcher: string | null; interpreter?: InterpreterRequirement; installsInto?: string };
  openssl: {
    version: string;
    prefix: string;
    module: string;
    fipsProvider: { version: string; validated: boolean; status: string; certificate?: string; standard?: string };
  };
  /** Where fipskit-setup writes the target's FIPS configuration; never part of the bundle. */
  fipsConfig: string;
  profile: FipsProfile;
  securityChecks: boolean;
  /** Every shipped file's SHA-256 and mode, every link's target, by bundle-relative path. */
  files: Record<string, { sha256: string; mode: string } | { symlink: string }>;
}

export interface NormalizedPackageOptions {
  root: string;
  project: string;
  name: string;
  pythonDir: string;
  opensslDir: string;
  fipsConfigDir: string;
  outputDir: string;
  profile: FipsProfile;
  securityChecks: boolean;
  zstd: boolean;
  logFile: string;
}

export function normalizePackageOptions(options: PackageOptions, context: { root: string; projectName?: string }): NormalizedPackageOptions {
  const resolve = (p: string) => (isAbsolute(p) ? p : join(context.root, p));
  const project = context.projectName ?? 'fips-python';
  const name = options.name ?? project;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new Error(`name "${name}" cannot start a bundle's file name: use letters, digits, ".", "_" and "-".`);
  }
  return {
    root: context.root,
    project,
    name,
    pythonDir: resolve(options.pythonPath),
    opensslDir: resolve(options.opensslPath),
    fipsConfigDir: resolve(options.fipsConfigPath),
    outputDir: resolve(options.outputPath),
    profile: options.profile ?? DEFAULT_FIPS_PROFILE,
    securityChecks: options.securityChecks ?? true,
    zstd: options.zstd ?? true,
    logFile: join(context.root, 'tmp', 'fipskit', project, 'package.log'),
  };
}

export interface PackageDeps {
  runner?: ProcessRunner;
  print?: (line: string) => void;
}

export default async function packageExecutor(options: PackageOptions, context: ExecutorContext, deps: PackageDeps = {}): Promise<{ success: boolean }> {
  const print = deps.print ?? ((line: string) => console.log(line));
  return executorResult('package', print, async () => {
    await packBundle(normalizePackageOptions(options, { root: context.root, projectName: context.projectName }), deps.runner ?? new ToolRunner(), print);
  });
}

/** The modes of files the bundle ships, as bundle.json records them. */
const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;
const toPosix = (path: string) => path.split(sep).join('/');

export async function packBundle(options: NormalizedPackageOptions, runner: ProcessRunner, print: (line: string) => void): Promise<BundleManifest> {
  const manifest = readPythonManifest(options.pythonDir);
  const info = readBuildInfo(options.opensslDir);
  if (manifest.mode === 'pcbuild') return packWindowsBundle(options, manifest as unknown as PcbuildOutputManifest, info, print);
  if (manifest.launcher === null) throw new Error(`${options.pythonDir} has no launcher: rebuild the python stage.`);
  assertOutputIsOurs(options.outputDir, 'package');
  const log = new StageLog('package', options.logFile, 5, print);
  const pythonVersion = manifest.mode === 'full' ? manifest.source.version : manifest.interpreter.version;
  const top = `${options.name}-${pythonVersion}-${info.platform}-${bundleArch(info.platform, info.arch)}`;
  const base = commonRoot([options.pythonDir, options.opensslDir, options.fipsConfigDir]);
  const rel = (dir: string) => toPosix(relative(base, dir));
  const paths: BundlePaths = {
    python: rel(options.pythonDir),
    openssl: rel(options.opensslDir),
    fipsConfig: rel(options.fipsConfigDir),
    layout: { bin: info.layout.bin, lib: info.layout.lib, modules: info.layout.modules },
    module: info.fipsProvider.module,
  };

  const staging = createStaging(options.outputDir);
  const tree = join(staging, top);
  log.step(
    `Lay out ${top}: the Python (${manifest.mode}), OpenSSL ${info.version} with its FIPS provider ${info.fipsProvider.version}, fipskit's setup and verification`,
  );
  const skip = (source: string) => !source.endsWith(`${sep}${OUTPUT_MARKER}`);
  cpSync(options.pythonDir, join(tree, paths.python), { recursive: true, verbatimSymlinks: true, filter: skip });
  cpSync(options.opensslDir, join(tree, paths.openssl), { recursive: true, verbatimSymlinks: true, filter: skip });
  if (existsSync(join(tree, paths.fipsConfig))) {
    throw new Error(
      `The FIPS configuration directory ${paths.fipsConfig} would be inside the Python or OpenSSL output: give the fips-config stage its own output directory.`,
    );
  }
  const interpreter = manifest.mode === 'overlay' ? await interpreterRequirement(options.pythonDir, manifest, runner, sha256File) : undefined;
  mkdirSync(join(tree, 'bin'), { recursive: true });
  writeFileSync(
    join(tree, 'bin', 'fipskit-setup'),
    renderSetupScript({ bundleName: top, paths, profile: options.profile, securityChecks: options.securityChecks, interpreter }),
  );
  const launcher = posix.join(paths.python, manifest.launcher);
  writeFileSync(join(tree, 'bin', 'fipskit-verify'), renderVerifyScript({ bundleName: top, launcher }));
  for (const script of ['fipskit-setup', 'fipskit-verify']) chmodSync(join(tree, 'bin', script), 0o755);
  symlinkSync(posix.relative('bin', launcher), join(tree, 'bin', 'python3'));
  const verifyDir = join(tree, 'share', 'fipskit', 'verify');
  mkdirSync(verifyDir, { recursive: true });
  for (const [name, from] of Object.entries(VERIFY_RUNTIME_FILES)) writeFileSync(join(verifyDir, name), readFileSync(from));

  log.step('Record every file with its SHA-256 (share/fipskit/bundle.json)');
  const files: BundleManifest['files'] = {};
  for (const entry of treeEntries(tree)) {
    if (entry.kind === 'symlink') files[entry.path] = { symlink: entry.target! };
    else if (entry.kind === 'file') files[entry.path] = { sha256: await sha256File(join(tree, entry.path)), mode: octal(entry.mode) };
  }
  const bundle: BundleManifest = {
    schema: 1,
    name: top,
    fipskitVersion: PLUGIN_VERSION,
    project: options.project,
    platform: info.platform,
    arch: bundleArch(info.platform, info.arch),
    python: { version: pythonVersion, mode: manifest.mode, launcher, ...(interpreter ? { interpreter } : {}) },
    openssl: {
      version: info.version,
      prefix: paths.openssl,
      module: posix.join(paths.openssl, info.fipsProvider.module),
      fipsProvider: {
        version: info.fipsProvider.version,
        validated: info.fipsProvider.validated,
        status: info.fipsProvider.status,
        ...(info.fipsProvider.certificate ? { certificate: info.fipsProvider.certificate, standard: info.fipsProvider.standard } : {}),
      },
    },
    fipsConfig: paths.fipsConfig,
    profile: options.profile,
    securityChecks: options.securityChecks,
    files,
  };
  mkdirSync(join(tree, 'share', 'fipskit'), { recursive: true });
  writeFileSync(join(tree, BUNDLE_MANIFEST), JSON.stringify(bundle, null, 2) + '\n');
  // One fixed time for every entry and for the SBOM: the same bundle gives the same bytes.
  const mtime = bundleTime();

  log.step(`Write the bundle's CycloneDX SBOM (${BUNDLE_SBOM}), with the bundle's own Python, and validate it`);
  // The verify stage's SBOM code, run by the Python being packed (isolated, without site): fipskit-verify on the target
  // compares every file with this SBOM.
  await log.run(runner, {
    title: `${launcher} fipskit_verify_run.py --bundle-sbom`,
    program: join(tree, launcher),
    args: ['-I', '-S', '-B', join(verifyDir, 'fipskit_verify_run.py'), '--bundle-sbom', tree, '--created', mtime.toISOString()],
    cwd: tree,
  });
  const invalid = await validateSbom(readFileSync(join(tree, BUNDLE_SBOM), 'utf8'));
  if (invalid) throw new Error(`The bundle's SBOM does not validate against the CycloneDX schema: ${invalid}`);

  log.step(`Write ${top}.tar.gz${options.zstd ? ' and .tar.zst' : ''}`);
  const entries = [top, ...treeEntries(tree).map((entry) => `${top}/${entry.path}`)];
  const archives = await writeBundleArchives(
    { parent: staging, top, entries, tarGz: join(staging, `${top}.tar.gz`), ...(options.zstd ? { tarZst: join(staging, `${top}.tar.zst`) } : {}), mtime },
    runner,
  );
  if (archives.zstdMissing) log.info('zstd is not installed: only the .tar.gz was written (apt-get install zstd for .tar.zst)');
  // Beside the archives, the manifest and the SBOM; the tree they were made from is not kept in the output (or in Nx's cache).
  writeFileSync(join(staging, 'bundle.json'), JSON.stringify(bundle, null, 2) + '\n');
  writeFileSync(join(staging, 'sbom.cdx.json'), readFileSync(join(tree, BUNDLE_SBOM)));
  rmSync(tree, { recursive: true, force: true });
  // bundle.json is the manifest fipskit-verify checks every file against: its digest beside the archives' lets a
  // target's report (bundle.manifestSha256) be compared with what was packed.
  const sums = [archives.tarGz, archives.tarZst, join(staging, 'bundle.json'), join(staging, 'sbom.cdx.json')].filter((f): f is string => !!f);
  writeFileSync(join(staging, 'SHA256SUMS'), (await Promise.all(sums.map(async (f) => `${await sha256File(f)}  ${relative(staging, f)}`))).join('\n') + '\n');
  publishOutput(staging, options.outputDir, 'package');
  log.finish();
  log.info(
    `${relative(options.root, join(options.outputDir, `${top}.tar.gz`))}: unpack it anywhere on the target, run bin/fipskit-setup there, then bin/fipskit-verify`,
  );
  return bundle;
}

/** The bundle's fixed modification time: the same tree gives the same archive bytes. */
function bundleTime(): Date {
  return new Date(Number(process.env.SOURCE_DATE_EPOCH ?? 946684800) * 1000);
}

/**
 * A Windows bundle: `<name>-<version>-win-amd64.zip` with install.cmd and restore.cmd, for machines with a
 * python.org Python and no Node.js. install.cmd is the install target's plan as a batch file: fipsinstall there, the
 * files in with every replaced one kept, then python.exe started with no fipskit variable must be in FIPS mode.
 */
async function packWindowsBundle(
  options: NormalizedPackageOptions,
  manifest: PcbuildOutputManifest,
  info: OpenSslBuildInfo,
  print: (line: string) => void,
): Promise<BundleManifest> {
  if (info.platform !== 'win32')
    throw new Error(
      `${options.opensslDir} is a ${info.platform} OpenSSL build, and ${options.pythonDir} holds Windows modules: point opensslPath at the win32 openssl stage output.`,
    );
  if (!manifest.install || Object.keys(manifest.install).length === 0)
    throw new Error(`${options.pythonDir} records no files to install: rebuild the python stage (nx run <project>:python).`);
  assertOutputIsOurs(options.outputDir, 'package');
  const log = new StageLog('package', options.logFile, 3, print);
  // Python's own platform tag (win-amd64, win-arm64), as its installers and wheels are named.
  const arch = info.arch === 'x64' ? 'amd64' : info.arch;
  const top = `${options.name}-${manifest.source.version}-win-${arch}`;
  const staging = createStaging(options.outputDir);
  const tree = join(staging, top);
  log.step(
    `Lay out ${top}: _ssl, _hashlib and fipskit's runtime for Python ${manifest.source.version}, OpenSSL ${info.version} with its FIPS provider ${info.fipsProvider.version}, install.cmd and restore.cmd`,
  );
  const placed = await layOutWindowsBundle({
    tree,
    bundleName: top,
    pythonDir: options.pythonDir,
    opensslDir: options.opensslDir,
    manifest,
    info,
    profile: options.profile,
  });

  log.step('Record every file with its SHA-256 (share/fipskit/bundle.json)');
  const files: BundleManifest['files'] = {};
  for (const path of filesUnder(tree)) files[path] = { sha256: await sha256File(join(tree, ...path.split('/'))), mode: '0644' };
  const bundle: BundleManifest = {
    schema: 1,
    name: top,
    fipskitVersion: PLUGIN_VERSION,
    project: options.project,
    platform: 'win32',
    arch,
    python: { version: manifest.source.version, mode: 'pcbuild', launcher: null, installsInto: placed.defaultPythonDir },
    openssl: {
      version: info.version,
      prefix: 'openssl',
      module: posix.join('openssl', 'lib', 'ossl-modules', posix.basename(info.fipsProvider.module)),
      fipsProvider: {
        version: info.fipsProvider.version,
        validated: info.fipsProvider.validated,
        status: info.fipsProvider.status,
        ...(info.fipsProvider.certificate ? { certificate: info.fipsProvider.certificate, standard: info.fipsProvider.standard } : {}),
      },
    },
    // install.cmd writes the machine's configuration where the OpenSSL build compiled it in.
    fipsConfig: placed.opensslDir,
    profile: options.profile,
    securityChecks: true,
    files,
  };
  writeFileSync(join(tree, ...BUNDLE_MANIFEST.split('/')), JSON.stringify(bundle, null, 2) + '\n');

  log.step(`Write ${top}.zip`);
  const zip = await writeBundleZip({ parent: staging, top, files: filesUnder(tree), zip: join(staging, `${top}.zip`), mtime: bundleTime() });
  rmSync(tree, { recursive: true, force: true });
  writeFileSync(join(staging, 'bundle.json'), JSON.stringify(bundle, null, 2) + '\n');
  const sums = [zip, join(staging, 'bundle.json')];
  writeFileSync(join(staging, 'SHA256SUMS'), (await Promise.all(sums.map(async (f) => `${await sha256File(f)}  ${relative(staging, f)}`))).join('\n') + '\n');
  publishOutput(staging, options.outputDir, 'package');
  log.finish();
  log.info(
    `${relative(options.root, zip.replace(staging, options.outputDir))}: unzip it on each Windows machine and run install.cmd there as administrator (restore.cmd undoes it)`,
  );
  return bundle;
}
