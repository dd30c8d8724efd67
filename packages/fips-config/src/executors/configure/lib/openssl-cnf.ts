export type FipsProfile = 'strict' | 'recipe-compatible';

/**
 * Refuses a value that would change the config's structure when written into it: a newline starts a
 * new line (a new section or directive), `#` starts a comment, `$` starts a variable reference.
 */
export function assertSafeConfigValue(what: string, value: string): void {
  const bad = [...new Set(value.match(/[\r\n#$\0]/g) ?? [])];
  if (bad.length) {
    const names = bad.map((c) => (c === '\n' ? 'newline' : c === '\r' ? 'carriage return' : c === '\0' ? 'NUL' : `"${c}"`));
    throw new Error(
      `${what} (${JSON.stringify(value)}) contains ${names.join(', ')}, which OpenSSL's config parser would read as ` +
        `structure, not as part of the path. Move the output to a path without these characters.`,
    );
  }
}

/**
 * The FIPS openssl.cnf. The fips section is pulled in with an absolute `.include`: a relative one
 * resolves against the process's current directory, not this file (config(5)).
 */
export function renderOpenSslCnf(fipsModuleCnf: string, profile: FipsProfile): string {
  assertSafeConfigValue('The fipsmodule.cnf path', fipsModuleCnf);
  const recipe = profile === 'recipe-compatible';
  const providers = ['fips = fips_sect', 'base = base_sect', ...(recipe ? ['default = default_sect', 'legacy = legacy_sect'] : [])];
  const lines = [
    `# FIPS configuration written by fipskit (profile: ${profile}).`,
    '# Report configuration errors instead of silently ignoring them.',
    'config_diagnostics = 1',
    'openssl_conf = openssl_init',
    '',
    `.include ${fipsModuleCnf}`,
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
  if (recipe) {
    lines.push(
      '# recipe-compatible: non-approved algorithms stay reachable with an explicit "-fips" property query.',
      '[default_sect]',
      'activate = 1',
      '',
      '[legacy_sect]',
      'activate = 1',
      '',
    );
  }
  lines.push('[algorithm_sect]', 'default_properties = fips=yes', '');
  return lines.join('\n');
}
