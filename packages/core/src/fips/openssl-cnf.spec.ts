import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FIPS_SECTION_PLACEHOLDER, providerIsActive, readFipsSection, renderOpenSslCnf } from './openssl-cnf';

const SECTION = ['[fips_sect]', 'activate = 1', 'install-version = 1', 'module-mac = 0A:1B', 'install-status = INSTALL_SELF_TEST_KATS_RUN'].join('\n');

describe('readFipsSection', () => {
  it('takes fipsinstall output as it is, without blank lines', () => {
    expect(readFipsSection(`${SECTION}\n\n`, 'x.cnf')).toBe(SECTION);
  });

  it("takes OpenSSL 3.5's longer section, whose keys hold digits", () => {
    const section = `${SECTION}\ntls1-prf-ems-check = 0\ntls13-kdf-digest-check = 0\nx963kdf-key-check = 0\npbkdf2-lower-bound-check = 1`;
    expect(readFipsSection(section.replace(/\n/g, '\r\n'), 'x.cnf')).toBe(section);
  });

  it.each([
    ['another section', `${SECTION}\n[default_sect]\nactivate = 1\n`, /unexpected lines: "\[default_sect\]"/],
    ['an include', `${SECTION}\n.include /etc/ssl/evil.cnf\n`, /unexpected lines: "\.include/],
    ['a variable', `${SECTION}\nmodule-mac = $ENV::HOME\n`, /unexpected lines/],
    ['no section header', 'activate = 1\nmodule-mac = AB\n', /does not start with \[fips_sect\]/],
    ['no MAC', '[fips_sect]\nactivate = 1\n', /has no module-mac/],
  ])('refuses %s', (_what, text, problem) => {
    expect(() => readFipsSection(text, 'x.cnf')).toThrow(problem);
    expect(() => readFipsSection(text, 'x.cnf')).toThrow(/x\.cnf is not the output of openssl fipsinstall/);
  });
});

describe('renderOpenSslCnf', () => {
  it('names no file: the FIPS section is in the configuration itself', () => {
    const cnf = renderOpenSslCnf(SECTION, 'strict');
    expect(cnf).not.toMatch(/^\.include/m);
    expect(cnf).toContain(`\n${SECTION}\n`);
    expect(cnf).toMatch(/^config_diagnostics = 1$/m);
    expect(cnf).toMatch(/^\[algorithm_sect\]\ndefault_properties = fips=yes$/m);
  });

  it.each([
    ['strict', ['fips = fips_sect', 'base = base_sect']],
    ['rhel-compatible', ['fips = fips_sect', 'base = base_sect', 'default = default_sect']],
    ['recipe-compatible', ['fips = fips_sect', 'base = base_sect', 'default = default_sect', 'legacy = legacy_sect']],
  ] as const)('%s activates exactly its providers', (profile, providers) => {
    const cnf = renderOpenSslCnf(SECTION, profile);
    const section = cnf.split('[provider_sect]\n')[1].split('\n\n')[0];
    expect(section.split('\n')).toEqual(providers);
  });

  it("a plan shows where the machine's section goes", () => {
    expect(renderOpenSslCnf(FIPS_SECTION_PLACEHOLDER, 'strict')).toContain('Written here by openssl fipsinstall on the machine that uses the module');
  });
});

// The real parser: the FIPS OpenSSL the e2e suite builds. A configuration is only proven by OpenSSL loading it.
const WORKSPACE = resolve(__dirname, '..', '..', '..', '..');
const prefix = join(WORKSPACE, 'dist', 'fips-python', 'openssl');
const openssl = join(prefix, 'bin', 'openssl');
const real = existsSync(openssl) ? describe : describe.skip;
if (!existsSync(openssl)) {
  describe('openssl.cnf in a real OpenSSL — SKIPPED: no FIPS OpenSSL at dist/fips-python (build it with nx run fips-python:openssl)', () => {
    it.todo('runs once dist/fips-python/openssl exists');
  });
}

real('openssl.cnf in a real OpenSSL', () => {
  // Characters OpenSSL's config parser treats specially (escapes, quotes, variables, comments) and a space.
  const dir = join(mkdtempSync(join(tmpdir(), 'fipskit cnf ')), `Zoë's "x" \\t $HOME #1`);
  const env = (conf: string) => ({
    ...process.env,
    OPENSSL_CONF: conf,
    OPENSSL_MODULES: join(prefix, 'lib', 'ossl-modules'),
    LD_LIBRARY_PATH: join(prefix, 'lib'),
  });
  const run = (conf: string, args: string[]) => spawnSync(openssl, args, { env: env(conf), encoding: 'utf8', cwd: tmpdir() });
  let section: string;

  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'empty.cnf'), '');
    execFileSync(
      openssl,
      ['fipsinstall', '-module', join(prefix, 'lib', 'ossl-modules', 'fips.so'), '-out', join(dir, 'fipsmodule.cnf'), '-provider_name', 'fips'],
      {
        env: env(join(dir, 'empty.cnf')),
        stdio: 'pipe',
      },
    );
    section = readFipsSection(readFileSync(join(dir, 'fipsmodule.cnf'), 'utf8'), 'fipsmodule.cnf');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['strict', ['base', 'fips']],
    ['rhel-compatible', ['base', 'default', 'fips']],
  ] as const)('%s: loads from a directory whose name OpenSSL would mangle, the FIPS provider is active, MD5 refused by default', (profile, active) => {
    const conf = join(dir, `${profile}.cnf`);
    writeFileSync(conf, renderOpenSslCnf(section, profile));
    const list = run(conf, ['list', '-providers', '-verbose']);
    expect(list.status).toBe(0);
    const lines = list.stdout.split('\n');
    expect(providerIsActive(lines, 'fips')).toBe(true);
    expect(
      lines
        .filter((l) => /^ {2}\S/.test(l))
        .map((l) => l.trim())
        .sort(),
    ).toEqual(active);
    const md5 = run(conf, ['dgst', '-md5', conf]);
    expect(md5.status).not.toBe(0);
    expect(md5.stderr).toMatch(/unsupported/);
    expect(run(conf, ['dgst', '-sha256', conf]).status).toBe(0);
  });

  it('rhel-compatible: MD5 is there for whoever asks for it outside FIPS (-propquery -fips), strict has none', () => {
    for (const [profile, works] of [
      ['rhel-compatible', true],
      ['strict', false],
    ] as const) {
      const conf = join(dir, `${profile}.cnf`);
      writeFileSync(conf, renderOpenSslCnf(section, profile));
      const md5 = run(conf, ['dgst', '-md5', '-propquery', '-fips', conf]);
      expect({ profile, works: md5.status === 0 }).toEqual({ profile, works });
    }
  });

  it("a section whose MAC does not match the module: no FIPS provider, and OpenSSL serves no digest at all instead of the default provider's", () => {
    const conf = join(dir, 'tampered.cnf');
    writeFileSync(
      conf,
      renderOpenSslCnf(
        section.replace(/module-mac = ([0-9A-F]{2})/, (_m, byte) => `module-mac = ${byte === '00' ? '01' : '00'}`),
        'rhel-compatible',
      ),
    );
    const list = run(conf, ['list', '-providers', '-verbose']);
    // openssl list itself exits 0 here: the provider silently stays out, which is why every consumer checks it.
    expect(providerIsActive(list.stdout.split('\n'), 'fips')).toBe(false);
    const sha256 = run(conf, ['dgst', '-sha256', conf]);
    expect(sha256.status).not.toBe(0);
    expect(sha256.stderr).toMatch(/unsupported/);
  });
});
