import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { sha256File } from '@fipskit/core';
import { InterpreterFacts } from './interpreter';
import { NormalizedPythonOptions } from './normalize-options';
import { EXTENSION_DIR, OVERLAY_LIB, ROUTED_BUILTINS } from './overlay-plan';

export const PYTHON_MANIFEST = 'fipskit-python.json';

/** Describes the overlay for the verify stage and for auditors; holds no path of this checkout. */
export async function writePythonManifest(options: NormalizedPythonOptions, facts: InterpreterFacts, staging: string): Promise<void> {
  const modules: Record<string, string> = {};
  for (const dir of [OVERLAY_LIB, EXTENSION_DIR]) {
    for (const name of readdirSync(join(staging, dir)).filter((n) => n.endsWith(facts.extSuffix) || n.endsWith('.py')).sort()) {
      modules[relative(staging, join(staging, dir, name)).split(sep).join('/')] = await sha256File(join(staging, dir, name));
    }
  }
  const manifest = {
    mode: options.mode,
    interpreter: { path: options.interpreter, version: facts.version, extSuffix: facts.extSuffix },
    source: options.source,
    openssl: { version: options.openssl.version, fipsProvider: options.openssl.fipsProvider },
    launcher: 'bin/python3',
    routedBuiltinHashModules: ROUTED_BUILTINS,
    modules,
  };
  writeFileSync(join(staging, PYTHON_MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
}
