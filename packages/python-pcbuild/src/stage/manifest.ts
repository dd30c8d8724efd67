import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { SourceAuthenticity, sha256File } from '@fipskit/core';
import { NormalizedPythonOptions } from './normalize-options';
import { ROUTED_BUILTINS, zipSlotName } from '../fips-runtime/fips-runtime-entries';

export const PYTHON_MANIFEST = 'fipskit-python.json';

/** The files that make the FIPS behaviour: the two OpenSSL modules and the zip slot with fipskit's runtime. */
function isFipsModule(name: string): boolean {
  return /^_(ssl|hashlib)\..*(so|pyd)$/.test(name) || /^python3\d+\.zip$/.test(name);
}

function findFipsModules(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'test' || entry.name === 'site-packages' ? [] : findFipsModules(path);
      return entry.isFile() && isFipsModule(entry.name) ? [path] : [];
    });
}

/** Describes the FIPS Python for the verify stage and for auditors; holds no path of this checkout. */
export async function writePythonManifest(
  options: NormalizedPythonOptions,
  interpreter: { path: string; version: string },
  staging: string,
  sourceAuthenticity?: SourceAuthenticity,
): Promise<void> {
  const modules: Record<string, string> = {};
  const zip = zipSlotName(options.source.version);
  const found = options.mode === 'pcbuild' ? [...findFipsModules(join(staging, 'DLLs')), join(staging, zip)] : findFipsModules(join(staging, 'lib'));
  for (const file of found) modules[relative(staging, file).split(sep).join('/')] = await sha256File(file);
  const files: Record<string, string> = {};
  if (options.mode === 'pcbuild') {
    // Every file the install step copies into the Python, by its place there, with the SHA-256 it must have.
    for (const name of readdirSync(join(staging, 'DLLs')).sort()) files[`DLLs/${name}`] = await sha256File(join(staging, 'DLLs', name));
    files[zip] = await sha256File(join(staging, zip));
  }
  const manifest = {
    mode: options.mode,
    interpreter,
    source: options.source,
    ...(sourceAuthenticity ? { sourceAuthenticity } : {}),
    openssl: { version: options.openssl.version, fipsProvider: options.openssl.fipsProvider },
    platform: options.platform,
    launcher: options.mode === 'pcbuild' ? null : 'bin/python3',
    ...(options.mode === 'pcbuild' ? { install: files } : {}),
    routedBuiltinHashModules: ROUTED_BUILTINS,
    modules,
  };
  writeFileSync(join(staging, PYTHON_MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
}
