import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourcesReuse } from './sources-reuse';

const URL_SOURCE = {
  kind: 'url' as const,
  url: 'https://github.com/openssl/openssl/releases/download/openssl-3.0.9/openssl-3.0.9.tar.gz',
  sha256: 'e'.repeat(64),
};

describe('sourcesReuse: whether the locks can come from the cache', () => {
  let root: string;
  const ctx = (env: NodeJS.ProcessEnv = {}) => ({ workspaceRoot: root, env: { FIPSKIT_CACHE_DIR: join(root, 'cache'), ...env }, now: Date.now() });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fipskit-sources-reuse-'));
  });

  it('url sources: the options are all the resolution reads', () => {
    expect(sourcesReuse({ openssl: URL_SOURCE, outputPath: 'dist/x/sources' }, ctx())).toEqual({ reusable: true, state: '' });
  });

  it('a signature keys file is read: its bytes are part of the state, and a missing one is named', () => {
    const openssl = { ...URL_SOURCE, signature: { keys: 'keys/pubkeys.asc' } };
    const missing = sourcesReuse({ openssl, outputPath: 'o' }, ctx());
    expect(missing).toEqual({ reusable: true, state: 'openssl signature keys missing' });
    mkdirSync(join(root, 'keys'));
    writeFileSync(join(root, 'keys', 'pubkeys.asc'), 'one key');
    const one = sourcesReuse({ openssl, outputPath: 'o' }, ctx());
    writeFileSync(join(root, 'keys', 'pubkeys.asc'), 'another key');
    const another = sourcesReuse({ openssl, outputPath: 'o' }, ctx());
    expect(one.reusable && another.reusable && one.state !== another.state && one.state !== 'openssl signature keys missing').toBe(true);
  });

  it('--refresh, or FIPSKIT_REFRESH_SOURCES=1 for a whole build, always resolves again', () => {
    expect(sourcesReuse({ openssl: URL_SOURCE, outputPath: 'o', refresh: true }, ctx())).toEqual({ reusable: false, why: 'a refresh is asked' });
    expect(sourcesReuse({ openssl: URL_SOURCE, outputPath: 'o' }, ctx({ FIPSKIT_REFRESH_SOURCES: '1' }))).toEqual({
      reusable: false,
      why: 'a refresh is asked',
    });
  });

  it('a local source is read afresh every time: only hashing its bytes tells whether it changed', () => {
    expect(sourcesReuse({ openssl: URL_SOURCE, python: { kind: 'local', path: 'Python-3.11.2.tgz' }, outputPath: 'o' }, ctx())).toEqual({
      reusable: false,
      why: 'python is a local source, read afresh each time',
    });
  });

  it('a Debian source with no index yet resolves (apt-get update) instead of coming from the cache', () => {
    const reuse = sourcesReuse({ openssl: { kind: 'debian', suites: ['bookworm'], mirror: 'http://deb.example/debian' }, outputPath: 'o' }, ctx());
    expect(reuse).toEqual({ reusable: false, why: expect.stringMatching(/^openssl: no index for these sources yet/) });
  });
});
