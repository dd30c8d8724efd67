import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tree, logger } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { SourceProduct, SourceSpec, lockSignaturePolicy } from '@fipskit/core';
import { withSignaturePolicy } from './signature-policy';

const official309: SourceSpec = {
  kind: 'url',
  url: 'https://github.com/openssl/openssl/releases/download/openssl-3.0.9/openssl-3.0.9.tar.gz',
  sha256: 'eb1ab04781474360f77c318ab89d8c5a03abc38e63d65a603cabbf1b00a1dc90',
};
const python = (version: string, sha256 = 'a'.repeat(64)): SourceSpec => ({
  kind: 'url',
  url: `https://www.python.org/ftp/python/${version}/Python-${version}.tgz`,
  sha256,
});

describe('the signature policy of a generated source', () => {
  let tree: Tree;
  let warn: jest.SpyInstance;
  let emptyWorkspace: string;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    emptyWorkspace = mkdtempSync(join(tmpdir(), 'fipskit-policy-'));
  });
  afterEach(() => {
    warn.mockRestore();
    rmSync(emptyWorkspace, { recursive: true, force: true });
  });

  it.each<[string, SourceProduct, SourceSpec, RegExp]>([
    [
      'Debian OpenSSL 3.5',
      'openssl',
      { kind: 'debian', package: 'openssl', version: '3.5', suites: ['trixie'] },
      /^OpenSSL 3\.5 releases since August 2026 are signed with OpenSSL's release key B146 647E .*; the tarball's SHA-256 comes from Debian's signed index\. To check the signature, save https:\/\/openssl-library\.org\/source\/pubkeys\.asc in the workspace and replace this with signature\.keys\.$/,
    ],
    [
      'the pinned OpenSSL 3.0.9 (a validated provider)',
      'openssl',
      official309,
      /^OpenSSL 3\.0\.9 \(2023\) is signed with the key of a member of OpenSSL's release team, whose public keys this workspace does not hold; the tarball's SHA-256 is pinned in fipskit as OpenSSL publishes it\./,
    ],
    [
      'an OpenSSL release with a given SHA-256',
      'openssl',
      { kind: 'url', url: 'https://github.com/openssl/openssl/releases/download/openssl-3.2.1/openssl-3.2.1.tar.gz', sha256: 'b'.repeat(64) },
      /^fipskit cannot tell which of OpenSSL's release keys signed OpenSSL 3\.2\.1.*given with --opensslSha256/,
    ],
    [
      'the pinned CPython 3.11.2',
      'cpython',
      python('3.11.2', '2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849'),
      /^CPython 3\.11 releases are signed with Pablo Galindo Salgado's key A035 C8C1 .*pinned in fipskit as python\.org publishes it\. To check the signature, save the release manager's key \(https:\/\/www\.python\.org\/downloads\/metadata\/pgp\/\) in the workspace and replace this with signature\.keys\.$/,
    ],
    [
      'CPython of a line whose release manager fipskit does not pin',
      'cpython',
      python('3.14.0'),
      /^CPython 3\.14 releases are signed with a release manager's key fipskit does not pin; .*--pythonSha256.*signature\.keys and its fingerprint in signature\.trust\.$/,
    ],
  ])('%s: fipskit holds no key that signed it, so the check is skipped with the reason, and the generator says so', async (_what, product, spec, reason) => {
    const generated = await withSignaturePolicy(tree, product, spec);
    expect(generated).toEqual({ ...spec, signature: { check: 'skip', reason: expect.stringMatching(reason) } });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(
      /^fipskit cannot check the (OpenSSL|CPython) release signature with the keys it holds: .* save .* as keys\/(openssl|cpython)-release-keys\.asc/,
    );
    // The sources stage accepts it in a workspace with no key file: nothing stops the build.
    await expect(lockSignaturePolicy(product, generated!, emptyWorkspace)).resolves.toMatchObject({ check: 'skip' });
  });

  it.each<[string, SourceProduct, SourceSpec]>([
    ['CPython 3.13 from python.org (Thomas Wouters, whose key fipskit carries)', 'cpython', python('3.13.5')],
    ['CPython 3.12 from python.org', 'cpython', python('3.12.11')],
    [
      "Debian's CPython (python3.11 carries no signature; python3.13's is made by a key fipskit carries)",
      'cpython',
      { kind: 'debian', package: 'python3.13', version: '3.13.5' },
    ],
    ['a local OpenSSL tarball (its .asc beside it, checked as OpenSSL requires)', 'openssl', { kind: 'local', path: 'vendor/openssl-3.0.9.tar.gz' }],
  ])('%s: checked with the keys fipskit holds, nothing written', async (_what, product, spec) => {
    expect(await withSignaturePolicy(tree, product, spec)).toEqual(spec);
    expect(warn).not.toHaveBeenCalled();
  });

  it.each<[SourceProduct, SourceSpec]>([
    ['openssl', { kind: 'debian', package: 'openssl', version: '3.0' }],
    ['openssl', official309],
    ['cpython', python('3.11.2')],
    ['cpython', python('3.13.5')],
  ])('a %s key file the user saved in the workspace is used: %j', async (product, spec) => {
    tree.write(`keys/${product}-release-keys.asc`, '-----BEGIN PGP PUBLIC KEY BLOCK-----\n');
    expect(await withSignaturePolicy(tree, product, spec)).toEqual({ ...spec, signature: { keys: `keys/${product}-release-keys.asc` } });
    expect(warn).not.toHaveBeenCalled();
  });
});
