import { quoteForPosix } from '@fipskit/core';

export interface LauncherPaths {
  /** An installed interpreter (absolute), or one inside this output (relative to its root). */
  interpreter: string;
  /** Paths relative to the output's root, so it works wherever Nx restores it beside its siblings. */
  overlayLib?: string;
  opensslConf: string;
  opensslModules: string;
}

/**
 * `bin/python3`: runs the existing interpreter with the overlay's modules first and the FIPS
 * configuration set. Relative paths are resolved from the launcher's own location.
 */
export function renderPosixLauncher(paths: LauncherPaths): string {
  const fromRoot = (rel: string) => `"$root"/${quoteForPosix(rel)}`;
  const interpreter = paths.interpreter.startsWith('/') ? quoteForPosix(paths.interpreter) : fromRoot(paths.interpreter);
  const pythonPath = paths.overlayLib ? [`PYTHONPATH=${fromRoot(paths.overlayLib)}"\${PYTHONPATH:+:\$PYTHONPATH}"`, 'export PYTHONPATH'] : [];
  return [
    '#!/bin/sh',
    `# fipskit FIPS launcher for ${paths.interpreter.replace(/\n/g, ' ')}. Runs it in FIPS mode; the interpreter itself is not modified.`,
    'root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P) || exit 1',
    `OPENSSL_CONF=${fromRoot(paths.opensslConf)}`,
    `OPENSSL_MODULES=${fromRoot(paths.opensslModules)}`,
    'export OPENSSL_CONF OPENSSL_MODULES',
    ...pythonPath,
    'unset OPENSSL_CONF_INCLUDE',
    `exec ${interpreter} "$@"`,
    '',
  ].join('\n');
}
