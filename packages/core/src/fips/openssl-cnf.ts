import { FipsProfile } from './profiles';

/** The section `openssl fipsinstall` writes (its default `-section_name`). */
export const FIPS_SECTION = 'fips_sect';

/**
 * What a plan shows where the machine's own fipsinstall output goes: the MACs exist only after fipsinstall
 * ran on the machine that uses the module.
 */
export const FIPS_SECTION_PLACEHOLDER = [
  `[${FIPS_SECTION}]`,
  '# Written here by openssl fipsinstall on the machine that uses the module:',
  '# activate, install-version, conditional-errors, security-checks, module-mac, install-mac, install-status.',
].join('\n');

/**
 * The fipsinstall output, checked to be exactly one `[fips_sect]` of `key = value` lines, so it can be
 * written into openssl.cnf as it is: nothing in it can start another section, pull in a file or expand a
 * variable.
 */
export function readFipsSection(text: string, source: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const problems: string[] = [];
  if (lines[0] !== `[${FIPS_SECTION}]`) problems.push(`it does not start with [${FIPS_SECTION}]`);
  const body = lines.slice(1);
  const bad = body.filter((line) => !/^[a-z][a-z0-9-]*\s*=\s*[A-Za-z0-9:_]+$/.test(line));
  if (bad.length) problems.push(`unexpected lines: ${bad.map((l) => JSON.stringify(l)).join(', ')}`);
  for (const key of ['activate', 'module-mac']) {
    if (!body.some((line) => line.startsWith(`${key} `) || line.startsWith(`${key}=`))) problems.push(`it has no ${key}`);
  }
  if (problems.length) {
    throw new Error(
      `${source} is not the output of openssl fipsinstall: ${problems.join('; ')}. Run fipsinstall again (nx run <project>:fips-config --skip-nx-cache).`,
    );
  }
  return lines.join('\n');
}

/**
 * The FIPS openssl.cnf, with the machine's fipsinstall section written into it. No `.include`: OpenSSL
 * applies its escape rules to an include's path (`\t` in `C:\tmp` becomes a tab), resolves a relative
 * one against the current directory, and skips a missing one; a configuration with no path in it has
 * none of those failure modes and keeps working when its directory moves.
 */
export function renderOpenSslCnf(fipsSection: string, profile: FipsProfile): string {
  const withDefault = profile !== 'strict';
  const withLegacy = profile === 'recipe-compatible';
  const providers = [
    'fips = fips_sect',
    'base = base_sect',
    ...(withDefault ? ['default = default_sect'] : []),
    ...(withLegacy ? ['legacy = legacy_sect'] : []),
  ];
  const lines = [
    `# FIPS configuration written by fipskit (profile: ${profile}).`,
    '# Report configuration errors instead of silently ignoring them.',
    'config_diagnostics = 1',
    'openssl_conf = openssl_init',
    '',
    '[openssl_init]',
    'providers = provider_sect',
    'alg_section = algorithm_sect',
    '',
    '[provider_sect]',
    ...providers,
    '',
    '# Encoders and decoders for keys and certificates; no algorithms of its own.',
    '[base_sect]',
    'activate = 1',
    '',
  ];
  if (withDefault) {
    lines.push(
      profile === 'rhel-compatible'
        ? '# rhel-compatible: non-approved algorithms only where code asks for them with "-fips" (Python: usedforsecurity=False).'
        : '# recipe-compatible: non-approved algorithms stay reachable with an explicit "-fips" property query.',
      '[default_sect]',
      'activate = 1',
      '',
    );
  }
  if (withLegacy) lines.push('[legacy_sect]', 'activate = 1', '');
  lines.push(
    '# Every algorithm fetched without an explicit property query comes from the FIPS provider.',
    '[algorithm_sect]',
    'default_properties = fips=yes',
    '',
    '# The FIPS module section, as openssl fipsinstall wrote it on this machine (also kept in fipsmodule.cnf).',
    fipsSection,
    '',
  );
  return lines.join('\n');
}

/** Parses `openssl list -providers` output: a provider block is `  <name>` followed by indented `key: value` lines. */
export function providerIsActive(lines: string[], name: string): boolean {
  let current: string | undefined;
  for (const line of lines) {
    const header = /^ {2}(\S+)\s*$/.exec(line);
    if (header) {
      current = header[1];
      continue;
    }
    if (current === name && /^\s+status:\s*active\s*$/.test(line)) return true;
  }
  return false;
}
