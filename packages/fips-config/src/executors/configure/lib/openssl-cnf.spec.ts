import { assertSafeConfigValue, renderOpenSslCnf } from './openssl-cnf';

/** Minimal reader of OpenSSL's config syntax: section → key → value, plus .include lines. */
function parseCnf(text: string) {
  const sections: Record<string, Record<string, string>> = { default: {} };
  const includes: string[] = [];
  let current = 'default';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const section = /^\[\s*(\S+)\s*\]$/.exec(line);
    if (section) {
      current = section[1];
      sections[current] = {};
    } else if (line.startsWith('.include')) {
      includes.push(line.slice('.include'.length).trim());
    } else {
      const at = line.indexOf('=');
      sections[current][line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return { sections, includes };
}

describe('openssl.cnf', () => {
  it('strict: absolute include, diagnostics, fips + base only, fips=yes default properties', () => {
    const { sections, includes } = parseCnf(renderOpenSslCnf('/srv/out/fips-config/fipsmodule.cnf', 'strict'));
    expect(includes).toEqual(['/srv/out/fips-config/fipsmodule.cnf']);
    expect(sections.default).toEqual({ config_diagnostics: '1', openssl_conf: 'openssl_init' });
    expect(sections.provider_sect).toEqual({ fips: 'fips_sect', base: 'base_sect' });
    expect(sections.base_sect).toEqual({ activate: '1' });
    expect(sections.algorithm_sect).toEqual({ default_properties: 'fips=yes' });
    expect(sections.default_sect).toBeUndefined();
    expect(sections.legacy_sect).toBeUndefined();
  });

  it('recipe-compatible: also activates default and legacy, still fips=yes by default', () => {
    const { sections } = parseCnf(renderOpenSslCnf('/o/fipsmodule.cnf', 'recipe-compatible'));
    expect(sections.provider_sect).toEqual({ fips: 'fips_sect', base: 'base_sect', default: 'default_sect', legacy: 'legacy_sect' });
    expect(sections.default_sect).toEqual({ activate: '1' });
    expect(sections.legacy_sect).toEqual({ activate: '1' });
    expect(sections.algorithm_sect).toEqual({ default_properties: 'fips=yes' });
  });

  it('keeps a Windows path with spaces as one include', () => {
    expect(parseCnf(renderOpenSslCnf('C:\\Program Files\\fips out\\fipsmodule.cnf', 'strict')).includes).toEqual([
      'C:\\Program Files\\fips out\\fipsmodule.cnf',
    ]);
  });

  it.each([
    ['/tmp/x\n[default_sect]\nactivate = 1/fipsmodule.cnf', 'newline'],
    ['/tmp/x#/fipsmodule.cnf', '"#"'],
    ['/tmp/$HOME/fipsmodule.cnf', '"$"'],
    ['/tmp/a\r/fipsmodule.cnf', 'carriage return'],
  ])('refuses a path that would change the config structure: %j', (path, named) => {
    expect(() => renderOpenSslCnf(path, 'strict')).toThrow(named);
    expect(() => assertSafeConfigValue('x', path)).toThrow(/without these characters/);
  });
});
