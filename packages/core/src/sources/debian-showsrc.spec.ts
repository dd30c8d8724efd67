import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseDebianRelease, debianReleases, matchesVersionPrefix, parseShowSrc } from './debian-showsrc';

const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');
const bookworm = parseShowSrc(fixture('showsrc-openssl-bookworm.txt'));
const trixie = parseShowSrc(fixture('showsrc-openssl-trixie.txt'));
const python = parseShowSrc(fixture('showsrc-python3.11-bookworm.txt'));

describe('parseShowSrc', () => {
  it('reads every stanza of a real apt-cache showsrc openssl (bookworm) with its SHA-256 lines', () => {
    expect(bookworm.map((s) => s.version)).toEqual(['3.0.20-1~deb12u2', '3.0.17-1~deb12u2', '3.0.22-1~deb12u2']);
    expect(bookworm[2].files).toContainEqual({
      name: 'openssl_3.0.22.orig.tar.gz',
      size: 15330396,
      sha256: '67ebca7e50d17383028045486653492195b83db95f8558709701bb47b5c1ef81',
    });
    expect(bookworm[0].files.map((f) => f.name)).toEqual([
      'openssl_3.0.20-1~deb12u2.dsc',
      'openssl_3.0.20.orig.tar.gz',
      'openssl_3.0.20.orig.tar.gz.asc',
      'openssl_3.0.20-1~deb12u2.debian.tar.xz',
    ]);
  });

  it("ignores apt's own message lines and other packages", () => {
    const text = `W: Download is performed unsandboxed as root\n\n${fixture('showsrc-openssl-trixie.txt')}\nN: some notice\n\nPackage: openssl-blacklist\nVersion: 0.5-3\n`;
    const stanzas = parseShowSrc(text);
    expect(stanzas.map((s) => s.package)).toEqual(['openssl', 'openssl', 'openssl-blacklist']);
    expect(debianReleases(stanzas, 'openssl')).toHaveLength(2);
  });
});

describe('chooseDebianRelease', () => {
  it('picks the newest 3.0.x with its orig tarball and upstream signature', () => {
    expect(chooseDebianRelease(bookworm, 'openssl', '3.0')).toEqual({
      package: 'openssl',
      debianVersion: '3.0.22-1~deb12u2',
      upstreamVersion: '3.0.22',
      orig: { name: 'openssl_3.0.22.orig.tar.gz', size: 15330396, sha256: '67ebca7e50d17383028045486653492195b83db95f8558709701bb47b5c1ef81' },
      signature: { name: 'openssl_3.0.22.orig.tar.gz.asc', size: 931, sha256: 'b0cc4a379a7731c3a74c349f6756d85253d83099fd63352cf12407bce4395d19' },
    });
  });

  it.each([
    ['3.0.17', '3.0.17-1~deb12u2'],
    ['3.0.20', '3.0.20-1~deb12u2'],
    [undefined, '3.0.22-1~deb12u2'],
    ['3', '3.0.22-1~deb12u2'],
  ])('version %s → %s', (prefix, debianVersion) => {
    expect(chooseDebianRelease(bookworm, 'openssl', prefix).debianVersion).toBe(debianVersion);
  });

  it('prefers a newer upstream over a newer revision, then the newest revision', () => {
    const both = [...trixie, ...bookworm];
    expect(chooseDebianRelease(both, 'openssl').upstreamVersion).toBe('3.5.9');
    expect(chooseDebianRelease(both, 'openssl', '3.5.7').debianVersion).toBe('3.5.7-1~deb13u2');
    expect(chooseDebianRelease(python, 'python3.11', '3.11').debianVersion).toBe('3.11.2-6+deb12u9');
    expect(chooseDebianRelease(python, 'python3.11').signature).toBeUndefined();
  });

  it('lists what is available when nothing matches, and says what to change', () => {
    expect(() => chooseDebianRelease(bookworm, 'openssl', '3.1')).toThrow(
      /no openssl release whose upstream version matches "3\.1".*available: 3\.0\.22 \(3\.0\.22-1~deb12u2\), 3\.0\.20 \(3\.0\.20-1~deb12u2\), 3\.0\.17 \(3\.0\.17-1~deb12u2\)\. Set version/,
    );
    expect(() => chooseDebianRelease(bookworm, 'python3.12')).toThrow(/no source package "python3\.12"/);
  });
});

describe('matchesVersionPrefix', () => {
  it.each([
    ['3.0.22', '3.0', true],
    ['3.1.2', '3.0', false],
    ['3.0.22', '3.0.2', false],
    ['3.0.22', '3.0.22', true],
    ['3.0.22', '', true],
  ])('%s with %s → %s', (upstream, prefix, expected) => {
    expect(matchesVersionPrefix(upstream, prefix)).toBe(expected);
  });
});
