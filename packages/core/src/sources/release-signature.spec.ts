import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { BUNDLED_RELEASE_KEYS, PINNED_RELEASE_KEYS } from './release-keys';
import { BadSignatureError, UntrustedSignatureError, loadReleaseKeyring, verifyReleaseSignature } from './release-signature';

/** A throw-away release team: keys made here, pinned only for these tests. */
interface TestKey {
  privateKey: openpgp.PrivateKey;
  publicArmored: string;
  fingerprint: string;
}

async function makeKey(name: string, withSigningSubkey = false): Promise<TestKey> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    userIDs: [{ name, email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.org` }],
    ...(withSigningSubkey ? { subkeys: [{ sign: true }] } : {}),
    format: 'object',
  });
  return { privateKey, publicArmored: publicKey.armor(), fingerprint: publicKey.getFingerprint().toUpperCase() };
}

async function sign(key: TestKey, data: Buffer, signingKeyID?: openpgp.KeyID): Promise<string> {
  const message = await openpgp.createMessage({ binary: data });
  return openpgp.sign({ message, signingKeys: key.privateKey, detached: true, ...(signingKeyID ? { signingKeyIDs: [signingKeyID] } : {}) }) as Promise<string>;
}

let dir: string;
let release: TestKey;
let stranger: TestKey;
let tarball: string;
let bundledFile: string;
const pin = (key: TestKey) => ({ fingerprint: key.fingerprint, owner: 'Test Release', publishedIn: 'the test' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fipskit-signature-'));
  [release, stranger] = await Promise.all([makeKey('Test Release'), makeKey('Stranger')]);
  tarball = join(dir, 'openssl-3.0.99.tar.gz');
  writeFileSync(tarball, Buffer.from('release bytes '.repeat(1000)));
  bundledFile = join(dir, 'bundled.asc');
  writeFileSync(bundledFile, release.publicArmored);
});

const ring = (extra: Parameters<typeof loadReleaseKeyring>[1] = {}) =>
  loadReleaseKeyring('openssl', { bundled: { path: bundledFile, origin: 'the bundled test key' }, pinned: [pin(release)], ...extra });

async function signatureFile(name: string, armored: string): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, armored);
  return path;
}

describe('verifyReleaseSignature', () => {
  it('accepts a signature made by a pinned key, and says which key and when', async () => {
    const asc = await signatureFile('good.asc', await sign(release, readFileSync(tarball)));
    const signer = await verifyReleaseSignature(tarball, asc, await ring());
    expect(signer.fingerprint).toBe(release.fingerprint);
    expect(signer.signingKey).toBeUndefined();
    expect(signer.userIds).toEqual(['Test Release <test.release@example.org>']);
    expect(signer.keyOrigin).toBe('the bundled test key');
    expect(Date.now() - Date.parse(signer.signedAt)).toBeLessThan(60 * 60 * 1000);
  });

  it('refuses the tarball when one byte differs from what was signed', async () => {
    const asc = await signatureFile('for-original.asc', await sign(release, readFileSync(tarball)));
    const changed = join(dir, 'changed.tar.gz');
    const bytes = readFileSync(tarball);
    bytes[100] ^= 1;
    writeFileSync(changed, bytes);
    await expect(verifyReleaseSignature(changed, asc, await ring())).rejects.toThrow(BadSignatureError);
    await expect(verifyReleaseSignature(changed, asc, await ring())).rejects.toThrow(/does not verify.*nothing was unpacked/);
  });

  it('refuses a signature file that is not a signature', async () => {
    const asc = await signatureFile('garbage.asc', '-----BEGIN PGP SIGNATURE-----\n\nbm90IGEgc2lnbmF0dXJl\n-----END PGP SIGNATURE-----\n');
    await expect(verifyReleaseSignature(tarball, asc, await ring())).rejects.toThrow(BadSignatureError);
  });

  it('refuses a signature that is a FIFO or larger than any signature, before reading it', async () => {
    const fifo = join(dir, 'fifo.asc');
    execFileSync('mkfifo', [fifo]);
    await expect(verifyReleaseSignature(tarball, fifo, await ring())).rejects.toThrow(
      /fifo\.asc is not a regular file \(a directory, FIFO, socket or device\), so it is not an OpenPGP signature\./,
    );
    const huge = await signatureFile('huge.asc', 'x'.repeat(65 * 1024));
    await expect(verifyReleaseSignature(tarball, huge, await ring())).rejects.toThrow(
      /huge\.asc is 66560 bytes, more than an OpenPGP signature ever is \(65536 at most\)/,
    );
  });

  it('refuses a valid signature by a key that is not pinned, naming the key and how to supply one', async () => {
    const asc = await signatureFile('stranger.asc', await sign(stranger, readFileSync(tarball)));
    const attempt = verifyReleaseSignature(tarball, asc, await ring());
    await expect(attempt).rejects.toThrow(UntrustedSignatureError);
    await expect(verifyReleaseSignature(tarball, asc, await ring())).rejects.toThrow(
      new RegExp(`${stranger.fingerprint.slice(-16)}.*signature\\.keys.*"skip" with a reason`),
    );
  });

  it('ignores a key brought by a key file unless its fingerprint is trusted', async () => {
    const asc = await signatureFile('stranger2.asc', await sign(stranger, readFileSync(tarball)));
    const keysFile = join(dir, 'pubkeys.asc');
    writeFileSync(keysFile, stranger.publicArmored);
    const extraKeys = { path: keysFile, shown: 'keys/pubkeys.asc' };
    await expect(verifyReleaseSignature(tarball, asc, await ring({ extraKeys }))).rejects.toThrow(UntrustedSignatureError);
    const signer = await verifyReleaseSignature(tarball, asc, await ring({ extraKeys, trust: [stranger.fingerprint] }));
    expect(signer.fingerprint).toBe(stranger.fingerprint);
    expect(signer.keyOrigin).toBe("the project's key file keys/pubkeys.asc");
    expect(signer.trustedBecause).toMatch(/signature\.trust/);
  });

  it('reports the primary key and the signing subkey when a subkey signed', async () => {
    const team = await makeKey('Team With Subkey', true);
    const subkey = team.privateKey.subkeys[0];
    const signingKeyID = subkey.getKeyID();
    const asc = await signatureFile('subkey.asc', await sign(team, readFileSync(tarball), signingKeyID));
    const file = join(dir, 'team.asc');
    writeFileSync(file, team.publicArmored);
    const keyring = await loadReleaseKeyring('openssl', { bundled: { path: file, origin: 'team' }, pinned: [pin(team)] });
    const signer = await verifyReleaseSignature(tarball, asc, keyring);
    expect(signer.fingerprint).toBe(team.fingerprint);
    expect(signer.signingKey).toBe(subkey.getFingerprint().toUpperCase());
    expect(signer.signingKey).not.toBe(team.fingerprint);
  });
});

describe('the release keys fipskit carries', () => {
  it.each([
    ['openssl', 'BA5473A2B0587B07FB27CF2D216094DFD0CB81EF'],
    ['cpython', '7169605F62C751356D054A26A821E680E5FA6305'],
  ] as const)('%s: the bundled key file holds pinned key %s', async (product, fingerprint) => {
    const keyring = await loadReleaseKeyring(product);
    expect(keyring.keys.map((k) => k.fingerprint)).toContain(fingerprint);
    expect(PINNED_RELEASE_KEYS[product].map((p) => p.fingerprint)).toContain(fingerprint);
    expect(BUNDLED_RELEASE_KEYS[product].origin).toMatch(/Debian source package/);
  });

  it('a bundled key whose fingerprint is not pinned is not used', async () => {
    const keyring = await loadReleaseKeyring('openssl', { pinned: [pin(release)] });
    expect(keyring.keys).toEqual([]);
  });

  it('an unreadable key file is named with the fix', async () => {
    const bad = join(dir, 'not-keys.asc');
    writeFileSync(bad, 'hello');
    await expect(loadReleaseKeyring('openssl', { extraKeys: { path: bad, shown: 'keys/not-keys.asc' } })).rejects.toThrow(
      /keys\/not-keys\.asc.*signature\.keys/,
    );
  });
});
