import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { assertSupportedVersion, readSourceVersion, versionFromFileName } from './source-version';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-version-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const VERSION_DAT = 'MAJOR=3\nMINOR=0\nPATCH=22\nPRE_RELEASE_TAG=\nBUILD_METADATA=\nRELEASE_DATE="25 Aug 2026"\nSHLIB_VERSION=3\n';

describe('readSourceVersion', () => {
  it('reads OpenSSL 3 from VERSION.dat', () => {
    expect(readSourceVersion('openssl', tree({ 'VERSION.dat': VERSION_DAT }))).toBe('3.0.22');
  });

  it('keeps a pre-release tag', () => {
    const dat = VERSION_DAT.replace('PATCH=22', 'PATCH=0').replace('MINOR=0', 'MINOR=2').replace('PRE_RELEASE_TAG=', 'PRE_RELEASE_TAG=alpha1');
    expect(readSourceVersion('openssl', tree({ 'VERSION.dat': dat }))).toBe('3.2.0-alpha1');
  });

  it('detects a 1.1.1 tree from opensslv.h', () => {
    const header = '# define OPENSSL_VERSION_NUMBER  0x101011bfL\n# define OPENSSL_VERSION_TEXT    "OpenSSL 1.1.1w  11 Sep 2023"\n';
    expect(readSourceVersion('openssl', tree({ 'include/openssl/opensslv.h': header }))).toBe('1.1.1w');
  });

  it('reads OPENSSL_VERSION_STR of a configured 3.x header', () => {
    const header = '# define OPENSSL_VERSION_STR "3.1.2"\n# define OPENSSL_VERSION_TEXT "OpenSSL 3.1.2 1 Aug 2023"\n';
    expect(readSourceVersion('openssl', tree({ 'include/openssl/opensslv.h': header }))).toBe('3.1.2');
  });

  it('reads CPython from patchlevel.h', () => {
    const header = '#define PY_MAJOR_VERSION 3\n#define PY_VERSION              "3.11.2"\n';
    expect(readSourceVersion('cpython', tree({ 'Include/patchlevel.h': header }))).toBe('3.11.2');
  });

  it('says which files it looked for and what to point at', () => {
    expect(() => readSourceVersion('openssl', tree({ 'README.md': 'x' }))).toThrow(
      /not a OpenSSL source tree: none of VERSION\.dat, include\/openssl\/opensslv\.h exists.*top directory/,
    );
  });

  it('refuses a version file without version lines', () => {
    expect(() => readSourceVersion('cpython', tree({ 'Include/patchlevel.h': '/* empty */' }))).toThrow(/Cannot read the CPython version/);
  });
});

describe('versionFromFileName', () => {
  it.each([
    ['openssl', 'openssl-3.0.22.tar.gz', '3.0.22'],
    ['openssl', 'openssl_3.0.22.orig.tar.gz', '3.0.22'],
    ['openssl', 'openssl-1.1.1w.tar.gz', '1.1.1w'],
    ['openssl', 'openssl-3.2.0-alpha1.tar.gz', '3.2.0-alpha1'],
    ['openssl', 'openssl_3.5.7.orig.tar.gz.asc', undefined],
    ['openssl', 'openssl-3.0.22.zip', undefined],
    ['openssl', 'Python-3.11.2.tgz', undefined],
    ['cpython', 'Python-3.11.2.tgz', '3.11.2'],
    ['cpython', 'Python-3.13.0rc1.tar.xz', '3.13.0rc1'],
    ['cpython', 'python3.11_3.11.2.orig.tar.xz', '3.11.2'],
    ['cpython', 'python3.13_3.13.5.orig.tar.xz', '3.13.5'],
    ['cpython', 'openssl-3.0.22.tar.gz', undefined],
  ] as const)('%s %s → %s', (product, name, expected) => {
    expect(versionFromFileName(product, name)).toBe(expected);
  });
});

describe('assertSupportedVersion', () => {
  it.each(['3.0.0', '3.0.22', '3.1.2', '3.5.7', '3.2.0-alpha1'])('accepts OpenSSL %s', (v) => {
    expect(() => assertSupportedVersion('openssl', v)).not.toThrow();
  });

  it.each(['1.1.1w', '1.0.2u'])('refuses OpenSSL %s, naming the version and the choices', (v) => {
    expect(() => assertSupportedVersion('openssl', v)).toThrow(
      new RegExp(`OpenSSL ${v.replace(/\./g, '\\.')} has no FIPS provider.*3\\.0\\.0.*3\\.0\\.8, 3\\.0\\.9 or 3\\.1\\.2.*any other 3\\.x`),
    );
  });

  it('accepts CPython versions and refuses gibberish', () => {
    expect(() => assertSupportedVersion('cpython', '3.11.2')).not.toThrow();
    expect(() => assertSupportedVersion('cpython', 'latest')).toThrow(/"latest" is not a CPython version/);
  });
});
