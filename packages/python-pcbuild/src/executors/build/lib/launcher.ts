import { quoteForPosix } from '@fipskit/core';

export interface LauncherPaths {
  interpreter: string;
  /** Paths relative to the overlay's root, so the overlay works wherever Nx restores it beside its siblings. */
  overlayLib: string;
  opensslConf: string;
  opensslModules: string;
}

/**
 * `bin/python3`: runs the existing interpreter with the overlay's modules first and the FIPS
 * configuration set. Relative paths are resolved from the launcher's own location.
 */
export function renderPosixLauncher(paths: LauncherPaths): string {
  const fromRoot = (rel: string) => `"$root"/${quoteForPosix(rel)}`;
  return [
    '#!/bin/sh',
    `# fipskit FIPS launcher for ${paths.interpreter.replace(/\n/g, ' ')}. Runs it in FIPS mode; the interpreter itself is not modified.`,
    'root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P) || exit 1',
    `OPENSSL_CONF=${fromRoot(paths.opensslConf)}`,
    `OPENSSL_MODULES=${fromRoot(paths.opensslModules)}`,
    `PYTHONPATH=${fromRoot(paths.overlayLib)}"\${PYTHONPATH:+:\$PYTHONPATH}"`,
    'export OPENSSL_CONF OPENSSL_MODULES PYTHONPATH',
    'unset OPENSSL_CONF_INCLUDE',
    `exec ${quoteForPosix(paths.interpreter)} "$@"`,
    '',
  ].join('\n');
}
