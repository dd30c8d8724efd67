import { CMVP_CERTIFICATES_FILE } from '@fipskit/core';
import { verifyRuntimeFiles } from '@fipskit/verify';
import { shellWord } from './posix-shell';

/** The files a bundle verifies itself with, under share/fipskit/verify (name → path on this machine). */
export const VERIFY_RUNTIME_FILES = verifyRuntimeFiles(CMVP_CERTIFICATES_FILE);

/**
 * bin/fipskit-verify: runs the verify stage's checks with the bundle's own Python (isolated, without site, so that
 * nothing of the target's environment and no failing start-up reaches the run itself) and writes the evidence there.
 */
export function renderVerifyScript(input: { bundleName: string; launcher: string }): string {
  return [
    '#!/bin/sh',
    `# fipskit-verify for the bundle ${input.bundleName}: proves FIPS mode on THIS machine with the checks of fipskit's`,
    "# verify stage, checks every shipped file against the bundle's manifest, and writes report.json, summary.txt,",
    '# evidence.html and an SBOM naming this host. Needs nothing but this bundle. --help lists the options.',
    'set -eu',
    'root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)',
    `exec "$root"/${shellWord(input.launcher)} -I -S -B "$root/share/fipskit/verify/fipskit_verify_run.py" --bundle "$root" "$@"`,
    '',
  ].join('\n');
}
