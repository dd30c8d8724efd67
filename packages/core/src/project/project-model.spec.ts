import { defaultMode, interpreterProblem, modeMismatch, normalizeProject, outputDirProblem } from './project-model';

const linux = {
  platform: 'linux',
  interpreter: '/usr/bin/python3.11',
  openssl: { kind: 'debian', version: '3.0' },
  python: { kind: 'debian', package: 'python3.11', version: '3.11.2' },
};
const where = 'fips/fipskit.json';
const normalize = (config: unknown, others = []) => normalizeProject(config, { name: 'fips', where, others });

describe('the project model: one place for defaults and rules', () => {
  it('applies the defaults: overlay on Linux, pcbuild on Windows, rhel-compatible, dist/<name>', () => {
    expect(normalize(linux)).toEqual({
      name: 'fips',
      platform: 'linux',
      mode: 'overlay',
      interpreter: '/usr/bin/python3.11',
      openssl: linux.openssl,
      python: linux.python,
      profile: 'rhel-compatible',
      outputDir: 'dist/fips',
    });
    expect(normalize({ ...linux, platform: 'win32', interpreter: 'C:\\Program Files\\Python311\\python.exe' }).mode).toBe('pcbuild');
    expect(defaultMode('darwin')).toBe('overlay');
    expect(modeMismatch('full', 'win32')).toMatch(/mode "full" does not fit platform win32/);
    expect(modeMismatch('full', 'linux')).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a misspelt field, which would silently leave the default',
      { profle: 'strict' },
      /^fips\/fipskit\.json: unknown field "profle" \(did you mean "profile"\?\): a misspelt field would silently leave its default/,
    ],
    ['two unknown fields', { profle: 'strict', zzz: 1 }, /unknown fields "profle" \(did you mean "profile"\?\), "zzz": /],
    [
      'a version given as a number',
      { python: { kind: 'debian', package: 'python3.11', version: 3.11 } },
      /python\.version must be a string such as "3\.11" \(in quotes/,
    ],
    ['an invalid mode', { mode: 'fast' }, /mode must be "overlay", "full" or "pcbuild", not "fast"/],
    ['a mode the platform cannot build', { mode: 'pcbuild' }, /mode "pcbuild" does not fit platform linux/],
    ['an unknown source kind', { openssl: { kind: 'git' } }, /openssl\.kind must be "url", "debian" or "local", not "git"/],
    ['a relative interpreter', { interpreter: 'python3' }, /interpreter "python3" is not an absolute linux path/],
    [
      "an interpreter ending in a backslash (it would escape the cache key command line's quote)",
      { interpreter: '/usr/bin/python3.11\\' },
      /trailing backslash: install Python in a plain path/,
    ],
    ['an interpreter with a $', { interpreter: '/opt/$x/python3' }, /contains a quote, \$/],
    ['an output directory outside the workspace', { outputDir: '../../etc' }, /outputDir "\.\.\/\.\.\/etc" is not a directory inside the workspace/],
    ['an absolute output directory', { outputDir: '/tmp/out' }, /outputDir "\/tmp\/out" is not a directory inside the workspace/],
    ['an unknown profile', { profile: 'fips' }, /profile must be "strict", "rhel-compatible", "recipe-compatible", not "fips"/],
    ['no python source', { python: undefined }, /python must name the CPython source/],
    ['full with an interpreter', { mode: 'full' }, /mode "full" builds its own interpreter: remove interpreter/],
    [
      'a Debian OpenSSL named by a word',
      { openssl: { kind: 'debian', package: 'openssl', version: 'latest' } },
      /openssl\.version "latest" is not a Debian version of OpenSSL 3: give a prefix such as 3\.0 or 3\.5/,
    ],
    [
      'a Debian OpenSSL 1.1',
      { openssl: { kind: 'debian', package: 'openssl', version: '1.1.1' } },
      /openssl\.version "1\.1\.1" is not a Debian version of OpenSSL 3/,
    ],
    [
      'a Python 2 source',
      { python: { kind: 'debian', package: 'python2.7', version: '2.7.18' } },
      /python\.version "2\.7\.18" is not a Debian version of CPython 3/,
    ],
    [
      'a Python 3.9 tarball',
      { python: { kind: 'url', url: 'https://www.python.org/ftp/python/3.9.18/Python-3.9.18.tgz', sha256: 'a'.repeat(64) } },
      /python \(CPython 3\.9\.18\) is Python 3\.9\.18: fipskit builds for CPython 3\.10 to 3\.14/,
    ],
  ])('refuses %s, naming the file and the field', (_name, change, message) => {
    expect(() => normalize({ ...linux, ...change })).toThrow(message);
    expect(() => normalize({ ...linux, ...change })).toThrow(/^fips\/fipskit\.json: /);
  });

  it('a Windows interpreter must be a drive or UNC path', () => {
    expect(interpreterProblem('C:\\Python311\\python.exe', 'win32')).toBeUndefined();
    expect(interpreterProblem('\\\\server\\share\\python.exe', 'win32')).toBeUndefined();
    expect(interpreterProblem('\\Python311\\python.exe', 'win32')).toMatch(/not an absolute win32 path/);
    expect(interpreterProblem('/usr/bin/python3', 'win32')).toMatch(/not an absolute win32 path/);
  });

  it('keeps output directories inside the workspace, however they are spelt', () => {
    expect(outputDirProblem('dist/a')).toBeUndefined();
    expect(outputDirProblem('dist/../out')).toBeUndefined();
    for (const bad of ['dist/../../x', '..', '.', 'C:\\out', '\\\\server\\x', '..\\x'])
      expect(outputDirProblem(bad)).toMatch(/not a directory inside the workspace/);
    expect(normalize({ ...linux, outputDir: 'out/./fips/' }).outputDir).toBe('out/fips');
  });

  it("a project sharing another project's OpenSSL takes its profile and output, for the same platform only", () => {
    const base = { name: 'base', config: { ...linux, profile: 'strict' as const, outputDir: 'out/base' } } as never;
    const shared = { platform: 'linux', mode: 'full', opensslProject: 'base', python: linux.python };
    expect(normalize(shared, [base])).toMatchObject({ shared: { project: 'base', outputDir: 'out/base' }, profile: 'strict', mode: 'full' });
    expect(() => normalize({ ...shared, profile: 'strict' }, [base])).toThrow(/come from base: remove openssl, fipsProvider and profile/);
    expect(() => normalize(shared, [])).toThrow(/opensslProject "base" is not a fipskit project with an OpenSSL of its own/);
    const windows = { name: 'base', config: { ...linux, platform: 'win32' } } as never;
    expect(() => normalize(shared, [windows])).toThrow(/builds for win32, this project for linux/);
  });

  it('refuses a FIPS provider newer than the libraries, or the same release twice, naming fipsProvider', () => {
    const official = (v: string) => ({
      kind: 'url',
      url: `https://github.com/openssl/openssl/releases/download/openssl-${v}/openssl-${v}.tar.gz`,
      sha256: 'a'.repeat(64),
    });
    expect(() => normalize({ ...linux, openssl: { kind: 'debian', version: '3.0' }, fipsProvider: official('3.1.2') })).toThrow(
      /^fips\/fipskit\.json: fipsProvider \(OpenSSL 3\.1\.2\) is newer than the libraries openssl gives \(OpenSSL "3\.0"\): OpenSSL allows a FIPS provider only beside libraries of its own release or a later one/,
    );
    expect(() => normalize({ ...linux, openssl: official('3.0.8'), fipsProvider: official('3.1.2') })).toThrow(
      /fipsProvider \(OpenSSL 3\.1\.2\) is newer than the libraries openssl gives \(OpenSSL 3\.0\.8\)/,
    );
    expect(() => normalize({ ...linux, openssl: official('3.0.9'), fipsProvider: official('3.0.9') })).toThrow(
      /fipsProvider and openssl are both OpenSSL 3\.0\.9: a provider of its own is built from the libraries' source\. Remove fipsProvider/,
    );
    // What OpenSSL allows, and what cannot be told from the file.
    expect(normalize({ ...linux, openssl: { kind: 'debian', version: '3.5', release: 'trixie' }, fipsProvider: official('3.1.2') }).fipsProvider).toEqual(
      official('3.1.2'),
    );
    expect(normalize({ ...linux, openssl: { kind: 'debian', version: '3.5' }, fipsProvider: { kind: 'debian', version: '3.0' } }).fipsProvider).toEqual({
      kind: 'debian',
      version: '3.0',
    });
    expect(normalize({ ...linux, openssl: { kind: 'debian' }, fipsProvider: official('3.1.2') }).fipsProvider).toEqual(official('3.1.2'));
  });
});
