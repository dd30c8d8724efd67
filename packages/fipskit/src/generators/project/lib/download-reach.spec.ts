import { unreachableSources } from './download-reach';

describe('sources this machine cannot download', () => {
  const official = {
    kind: 'url' as const,
    url: 'https://github.com/openssl/openssl/releases/download/openssl-3.1.2/openssl-3.1.2.tar.gz',
    sha256: 'a'.repeat(64),
  };

  it('names each official source the machine gets no answer for, with the route that works offline', async () => {
    const warnings = await unreachableSources(
      [
        { option: 'OpenSSL', localOptions: '--opensslSource=local --opensslPath=<the tarball>', spec: { kind: 'debian', version: '3.5' } },
        { option: 'FIPS provider', localOptions: '--fipsProviderSource=local --fipsProviderPath=<the tarball>', spec: official },
      ],
      async () => false,
    );
    expect(warnings).toEqual([
      `This machine gets no answer from github.com, where the FIPS provider source ${official.url} comes from: the build would stop at its download. ` +
        `Download it where it can be reached, check its SHA-256 (${'a'.repeat(64)}), and generate the project with --fipsProviderSource=local --fipsProviderPath=<the tarball>; or use Debian's sources (--opensslSource=debian).`,
    ]);
  });

  it('says nothing when the server answers', async () => {
    expect(await unreachableSources([{ option: 'FIPS provider', localOptions: '', spec: official }], async () => true)).toEqual([]);
  });
});

import { versionText } from './version-text';

describe('a version the Nx CLI read as a number', () => {
  it('is taken back as typed: 3.10 stays 3.10, not 3.1', () => {
    expect(versionText('opensslVersion', 3.1, ['node', 'nx', 'g', 'fipskit:project', 'p', '--opensslVersion=3.10'])).toBe('3.10');
    expect(versionText('opensslVersion', 3.5, ['node', 'nx', 'g', 'fipskit:project', 'p', '--openssl-version', '3.5'])).toBe('3.5');
    expect(versionText('fipsProviderVersion', 3.1, ['--fipsProviderVersion=3.1'])).toBe('3.1');
    expect(versionText('opensslVersion', '3.0.22', [])).toBe('3.0.22');
    // Called as a function, with a number and no command line: its own text.
    expect(versionText('opensslVersion', 3.5, [])).toBe('3.5');
  });
});
