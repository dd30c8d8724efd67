/**
 * Which machine a FIPS configuration belongs to. OpenSSL's FIPS security policy says `openssl fipsinstall` must run on
 * every machine that uses the module and its output must never be copied; nothing in the output itself enforces that
 * (its MACs are the same everywhere). fipskit writes this file beside openssl.cnf (the fips-config stage, and
 * fipskit-setup in a shipped bundle), and the FIPS Python compares it with the machine it starts on: a configuration
 * carried to another machine is refused, naming the command that writes one there.
 *
 * `machine`: bound to the digest of the machine id, host name and platform (see fips-config's hostIdentity).
 * `self-test-onload`: `fipsinstall -self_test_onload` wrote only the module MAC; the self-tests run at every load, so the
 * file depends on the module's bytes alone and may travel with it (images, read-only targets).
 */
export const BINDING_FILE = 'fipskit-binding.txt';

export type MachineBinding =
  { kind: 'machine'; hostDigest: string; hostname: string; ranAt: string } | { kind: 'self-test-onload'; hostname: string; ranAt: string };

/** `key=value` lines: the Python runtime reads them at every start without importing json. */
export function renderBinding(binding: MachineBinding): string {
  const lines = [
    '# fipskit: the machine this FIPS configuration belongs to (openssl fipsinstall ran there). Do not copy it to another machine.',
    `kind=${binding.kind}`,
    ...(binding.kind === 'machine' ? [`host-digest=${binding.hostDigest}`] : []),
    `hostname=${binding.hostname}`,
    `ran-at=${binding.ranAt}`,
  ];
  return lines.join('\n') + '\n';
}
