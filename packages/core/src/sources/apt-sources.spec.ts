import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { planDebSrcLines, readSystemAptSources, renderDebSrcLine, systemCodename } from './apt-sources';

const DEBIAN_SOURCES = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

const THIRD_PARTY_SOURCES = `Types: deb
URIs: https://deb.nodesource.example/node_20.x
Suites: nodistro
Components: main
Signed-By: /usr/share/keyrings/nodesource.gpg

Types: deb
URIs: http://deb.example/debian
Suites: bookworm-backports
Components: main
Enabled: no
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBF...
 -----END PGP PUBLIC KEY BLOCK-----
`;

function machine(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-apt-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const thisKindOfMachine = () =>
  machine({
    'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_CODENAME=bookworm\n',
    'etc/apt/sources.list.d/debian.sources': DEBIAN_SOURCES,
    'etc/apt/sources.list.d/nodesource.sources': THIRD_PARTY_SOURCES,
    'etc/apt/sources.list.d/cloud-sdk.list': 'deb https://packages.cloud.example/apt cloud-sdk-bookworm main\n',
    'etc/apt/sources.list.d/old.list.disabled': 'deb http://elsewhere.example/debian bookworm main\n',
  });

describe('readSystemAptSources', () => {
  it('reads deb822 and one-line files, skipping disabled stanzas and other file names', () => {
    const root = thisKindOfMachine();
    const entries = readSystemAptSources(root);
    expect(entries.map((e) => [e.uris[0], e.suites.join(' ')])).toEqual([
      ['https://packages.cloud.example/apt', 'cloud-sdk-bookworm'],
      ['http://deb.example/debian', 'bookworm bookworm-updates'],
      ['http://deb.example/debian-security', 'bookworm-security'],
      ['https://deb.nodesource.example/node_20.x', 'nodistro'],
    ]);
    expect(entries[1].signedBy).toBe('/usr/share/keyrings/debian-archive-keyring.gpg');
    expect(systemCodename(root, entries)).toBe('bookworm');
  });

  it('parses the classic one-line sources.list with options and comments', () => {
    const root = machine({
      'etc/apt/sources.list':
        '# deb cdrom:[Debian]/ bookworm main\n' +
        'deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main contrib # comment\n' +
        'deb-src http://mirror.example/debian bookworm main\n' +
        'deb http://security.example/debian-security bookworm-security main\n',
    });
    const entries = readSystemAptSources(root);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({
      types: ['deb'],
      uris: ['http://mirror.example/debian'],
      suites: ['bookworm'],
      components: ['main', 'contrib'],
      signedBy: '/k.gpg',
    });
    expect(systemCodename(root, entries)).toBe('bookworm');
  });

  it('finds nothing on a machine without apt', () => {
    expect(readSystemAptSources(machine({ 'etc/hostname': 'x' }))).toEqual([]);
  });
});

describe('planDebSrcLines', () => {
  const root = thisKindOfMachine();
  const system = readSystemAptSources(root);
  const plan = (request: Parameters<typeof planDebSrcLines>[1]) => planDebSrcLines(system, { codename: 'bookworm', ...request }).map(renderDebSrcLine);
  const key = '[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]';

  it('defaults to the suites of the machine, on their own URIs, without third-party repositories', () => {
    expect(plan({})).toEqual([
      `deb-src ${key} http://deb.example/debian bookworm main`,
      `deb-src ${key} http://deb.example/debian bookworm-updates main`,
      `deb-src ${key} http://deb.example/debian-security bookworm-security main`,
    ]);
  });

  it('reads a newer release from the URI serving the machine release, its security suite from the security URI', () => {
    expect(plan({ suites: ['trixie', 'trixie-security'] })).toEqual([
      `deb-src ${key} http://deb.example/debian trixie main`,
      `deb-src ${key} http://deb.example/debian-security trixie-security main`,
    ]);
  });

  it('lets mirror override every URI', () => {
    expect(plan({ suites: ['trixie'], mirror: 'https://mirror.example/debian' })).toEqual(['deb-src https://mirror.example/debian trixie main']);
  });

  it('explains what to set when the machine has no Debian archive configured', () => {
    expect(() => planDebSrcLines([], { codename: 'bookworm' })).toThrow(/lists no Debian archive for its release "bookworm".*Set suites and mirror/);
    expect(() => planDebSrcLines([], { suites: ['trixie'] })).toThrow(/serves the Debian suite "trixie".*Set mirror/);
  });
});
