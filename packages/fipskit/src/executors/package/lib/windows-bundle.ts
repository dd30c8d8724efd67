import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, win32 } from 'node:path';
import { FipsProfile, OpenSslBuildInfo, compiledInDirectories, sha256File } from '@fipskit/core';
import { renderWindowsBundleScripts } from '@fipskit/python-pcbuild';

/** The python stage's record of a Windows (pcbuild) build: what install.cmd copies into the Python, with its SHA-256. */
export interface PcbuildOutputManifest {
  mode: 'pcbuild';
  interpreter: { path: string; version: string };
  source: { version: string };
  install: Record<string, string>;
}

export interface WindowsTreeInput {
  tree: string;
  bundleName: string;
  pythonDir: string;
  opensslDir: string;
  manifest: PcbuildOutputManifest;
  info: OpenSslBuildInfo;
  profile: FipsProfile;
}

/** The Windows bundle's own entry points and read-me, at its top. */
export const WINDOWS_ENTRY_POINTS = ['install.cmd', 'restore.cmd', 'install.ps1', 'restore.ps1', 'README.txt'];

/**
 * Lays out a Windows bundle: `python\` with the files install.cmd copies into the installed Python (checked against
 * the SHA-256 the python stage recorded), `openssl\` with openssl.exe, the OpenSSL DLLs and fips.dll, and install.cmd /
 * restore.cmd, rendered from the install plan the `install` target runs.
 */
export async function layOutWindowsBundle(input: WindowsTreeInput): Promise<{ defaultPythonDir: string; opensslDir: string; modulesDir: string }> {
  const { tree, manifest, info } = input;
  for (const [path, expected] of Object.entries(manifest.install)) {
    const file = join(input.pythonDir, ...path.split('/'));
    const actual = existsSync(file) ? await sha256File(file) : 'missing';
    if (actual !== expected) {
      throw new Error(
        `${file} is not the file the python stage built (SHA-256 ${actual}, recorded ${expected}): rebuild it with nx run <project>:python --skip-nx-cache.`,
      );
    }
    copyInto(file, join(tree, 'python', ...path.split('/')));
  }
  copyInto(join(input.pythonDir, 'fipskit-python.json'), join(tree, 'python', 'fipskit-python.json'));

  // What runs on the target: openssl.exe and the DLLs beside it, the provider; not headers or import libraries.
  const prefix = input.opensslDir;
  for (const name of readdirSync(join(prefix, info.layout.bin)).sort()) {
    if (/\.(exe|dll)$/i.test(name)) copyInto(join(prefix, info.layout.bin, name), join(tree, 'openssl', 'bin', name));
  }
  const module = join(prefix, ...info.fipsProvider.module.split('/'));
  if (!existsSync(module))
    throw new Error(`${module} does not exist: ${prefix} is not a complete openssl stage output; rebuild it (nx run <project>:openssl).`);
  copyInto(module, join(tree, 'openssl', 'lib', 'ossl-modules', posix.basename(info.fipsProvider.module)));
  copyInto(join(prefix, 'build-info.json'), join(tree, 'openssl', 'build-info.json'));
  for (const name of ['openssl.exe', 'libcrypto-3-x64.dll']) {
    if (!existsSync(join(tree, 'openssl', 'bin', name)))
      throw new Error(`${join(prefix, info.layout.bin, name)} does not exist: the bundle's install.cmd runs it. Rebuild the openssl stage.`);
  }

  const compiledIn = compiledInDirectories(info);
  const defaultPythonDir = win32.dirname(manifest.interpreter.path);
  const scriptInput = {
    bundleName: input.bundleName,
    files: Object.keys(manifest.install),
    sourceVersion: manifest.source.version,
    opensslDir: compiledIn.opensslDir,
    modulesDir: compiledIn.modulesDir,
    profile: input.profile,
    defaultPythonDir,
  };
  // The files the scripts read first, then the scripts with the SHA-256 of every other file of the bundle in them.
  for (const file of renderWindowsBundleScripts(scriptInput).files) writeInto(join(tree, ...file.path.split('\\')), file.content);
  const checksums: Record<string, string> = {};
  for (const path of filesUnder(tree)) checksums[path] = await sha256File(join(tree, ...path.split('/')));
  const scripts = renderWindowsBundleScripts({ ...scriptInput, checksums });
  writeFileSync(join(tree, 'install.cmd'), scripts.installCmd);
  writeFileSync(join(tree, 'restore.cmd'), scripts.restoreCmd);
  writeFileSync(join(tree, 'install.ps1'), scripts.installPs1);
  writeFileSync(join(tree, 'restore.ps1'), scripts.restorePs1);
  writeFileSync(join(tree, 'README.txt'), readMe(input.bundleName, manifest, info, defaultPythonDir, compiledIn.opensslDir));
  return { defaultPythonDir, ...compiledIn };
}

function copyInto(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

function writeInto(to: string, content: string): void {
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, content);
}

function readMe(name: string, manifest: PcbuildOutputManifest, info: OpenSslBuildInfo, defaultPythonDir: string, opensslDir: string): string {
  return [
    `${name}: FIPS mode for an installed Python ${manifest.source.version} (x64), with OpenSSL ${info.version} and its FIPS provider ${info.fipsProvider.version}.`,
    '',
    'On each machine, in a Command Prompt run as administrator:',
    '',
    `  install.cmd ["C:\\path\\to\\Python"]     (default: ${defaultPythonDir})`,
    '',
    'It runs openssl fipsinstall on this machine (its output must never be copied from another machine), writes',
    `openssl.cnf into ${opensslDir}, where this OpenSSL looks with no OPENSSL_CONF, puts _ssl, _hashlib, the`,
    "OpenSSL DLLs and fipskit's runtime into the Python, keeping every file it replaces, then starts python.exe with",
    "none of fipskit's variables and fails unless it is in FIPS mode (MD5 refused).",
    '',
    '  restore.cmd ["C:\\path\\to\\Python"] [/force]',
    '',
    'puts back what install.cmd replaced. A file changed since the install is left alone unless /force, which keeps',
    'a copy of it first. Records and originals are in %ProgramData%\\fipskit\\install-backups.',
    '',
    'In PowerShell: .\\install.ps1 [-PythonDir <dir>] and .\\restore.ps1 [-PythonDir <dir>] [-Force] run the same scripts.',
    '',
    'share\\fipskit\\bundle.json lists every file of this bundle with its SHA-256.',
    '',
  ].join('\r\n');
}

/** Every file under `dir`, by POSIX path relative to it, sorted. */
export function filesUnder(dir: string, base = ''): string[] {
  return readdirSync(join(dir, base), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const rel = base ? `${base}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return filesUnder(dir, rel);
      return statSync(join(dir, rel)).isFile() ? [rel] : [];
    });
}
