import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type * as OpenPGP from 'openpgp';
import { BUNDLED_RELEASE_KEYS, BundledKeyFile, PINNED_RELEASE_KEYS, spacedFingerprint } from './release-keys';
import { SourceProduct } from './source-spec';
import { productName } from './source-version';

/** openpgp.js takes about 50 ms to load: it is loaded when a signature is checked, not by every stage that imports the core. */
const loadOpenpgp = (): Promise<typeof OpenPGP> => import('openpgp');

/** A key a signature may be made by: its primary fingerprint is pinned, its material came from `origin`. */
interface HeldKey {
  key: OpenPGP.PublicKey;
  fingerprint: string;
  owner: string;
  trustedBecause: string;
  origin: string;
}

export interface ReleaseKeyring {
  product: SourceProduct;
  keys: HeldKey[];
  /** Fingerprint → who, for every trusted fingerprint (held or not), to name them in errors. */
  anchors: Map<string, { owner: string; trustedBecause: string }>;
}

export interface KeyringOptions {
  /** Extra armored key file and how it is named to the user. */
  extraKeys?: { path: string; shown: string };
  /** Extra trusted primary fingerprints (upper case). */
  trust?: string[];
  /** Replaces fipskit's bundled key file (tests). */
  bundled?: BundledKeyFile;
  /** Replaces fipskit's pinned fingerprints (tests). */
  pinned?: Array<{ fingerprint: string; owner: string; publishedIn: string }>;
}

/** Who signed a release, as the evidence reports it. */
export interface SignatureSigner {
  /** Primary key fingerprint (upper case). */
  fingerprint: string;
  /** The (sub)key that made the signature, when not the primary. */
  signingKey?: string;
  owner: string;
  userIds: string[];
  trustedBecause: string;
  keyOrigin: string;
  /** When the signature says it was made (ISO 8601). */
  signedAt: string;
}

/** The signature matched the bytes but no trusted key made it: the fix is to supply or trust a key. */
export class UntrustedSignatureError extends Error {}
/** The signature does not match the bytes, or cannot be read: the tarball or the signature is not the release. */
export class BadSignatureError extends Error {}

export async function loadReleaseKeyring(product: SourceProduct, options: KeyringOptions = {}): Promise<ReleaseKeyring> {
  const anchors = new Map<string, { owner: string; trustedBecause: string }>();
  for (const pin of options.pinned ?? PINNED_RELEASE_KEYS[product]) {
    anchors.set(pin.fingerprint, { owner: pin.owner, trustedBecause: `its fingerprint is pinned in fipskit, as published in ${pin.publishedIn}` });
  }
  for (const fingerprint of options.trust ?? []) {
    if (!anchors.has(fingerprint))
      anchors.set(fingerprint, { owner: 'a key the project trusts', trustedBecause: 'the project lists its fingerprint in signature.trust' });
  }
  const keys: HeldKey[] = [];
  const bundled = options.bundled ?? BUNDLED_RELEASE_KEYS[product];
  keys.push(...(await readHeldKeys(bundled.path, bundled.origin, anchors)));
  if (options.extraKeys) {
    const extra = await readHeldKeys(options.extraKeys.path, `the project's key file ${options.extraKeys.shown}`, anchors, options.extraKeys.shown);
    keys.push(...extra.filter((k) => !keys.some((held) => held.fingerprint === k.fingerprint)));
  }
  return { product, keys, anchors };
}

async function readHeldKeys(path: string, origin: string, anchors: ReleaseKeyring['anchors'], shown?: string): Promise<HeldKey[]> {
  const openpgp = await loadOpenpgp();
  let parsed: OpenPGP.Key[];
  try {
    const bytes = readSmallFile(path, MAX_KEYS_BYTES, 'a key file');
    const text = bytes.toString('utf8');
    parsed = text.includes('-----BEGIN PGP') ? await openpgp.readKeys({ armoredKeys: text }) : await openpgp.readKeys({ binaryKeys: bytes });
  } catch (error) {
    const name = shown ?? path;
    throw new Error(
      `Cannot read OpenPGP public keys from ${name}: ${(error as Error).message}. Point signature.keys at an armored key file such as the release's pubkeys.asc.`,
      { cause: error },
    );
  }
  const held: HeldKey[] = [];
  for (const key of parsed) {
    const fingerprint = key.getFingerprint().toUpperCase();
    const anchor = anchors.get(fingerprint);
    if (anchor) held.push({ key: key.toPublic(), fingerprint, owner: anchor.owner, trustedBecause: anchor.trustedBecause, origin });
  }
  return held;
}

/**
 * Checks a detached signature (armored `.asc` or binary `.sig`) over a file with the keyring's keys.
 * Throws BadSignatureError when it does not match, UntrustedSignatureError when no held trusted key made it.
 */
export async function verifyReleaseSignature(
  file: string,
  signatureFile: string,
  keyring: ReleaseKeyring,
  names: { signature?: string; file?: string } = {},
): Promise<SignatureSigner> {
  const openpgp = await loadOpenpgp();
  const what = `${names.signature ?? basename(signatureFile)} (the upstream signature of ${names.file ?? basename(file)})`;
  const signature = await readSignature(signatureFile, what);
  const packets = signature.packets.filter((p): p is OpenPGP.SignaturePacket => p instanceof openpgp.SignaturePacket);
  if (packets.length === 0) throw new BadSignatureError(`${what} holds no signature. ${REFETCH}`);
  const byKeyId = (id: OpenPGP.KeyID) => keyring.keys.find((k) => k.key.getKeys(id).length > 0);
  const known = packets.map((p) => ({ packet: p, held: byKeyId(p.issuerKeyID) }));
  const usable = known.filter((k) => k.held);
  if (usable.length === 0) throw new UntrustedSignatureError(untrustedMessage(what, packets, keyring));

  const message = await openpgp.createMessage({ binary: readFileSync(file) });
  const result = await openpgp.verify({ message, signature, verificationKeys: usable.map((k) => k.held!.key), format: 'binary' });
  const failures: string[] = [];
  for (const outcome of result.signatures) {
    const held = byKeyId(outcome.keyID);
    if (!held) continue;
    try {
      await outcome.verified;
    } catch (error) {
      failures.push(`key ${outcome.keyID.toHex().toUpperCase()}: ${(error as Error).message}`);
      continue;
    }
    const packet = (await outcome.signature).packets[0] as OpenPGP.SignaturePacket;
    const signing = held.key.getKeys(outcome.keyID)[0].getFingerprint().toUpperCase();
    return {
      fingerprint: held.fingerprint,
      ...(signing !== held.fingerprint ? { signingKey: signing } : {}),
      owner: held.owner,
      userIds: held.key.getUserIDs(),
      trustedBecause: held.trustedBecause,
      keyOrigin: held.origin,
      signedAt: (packet.created ?? new Date(0)).toISOString(),
    };
  }
  throw new BadSignatureError(`${what} does not verify: ${failures.join('; ')}. ${REFETCH}`);
}

const REFETCH =
  'The tarball or its signature is not what the release team signed, so nothing was unpacked. Fetch both again from the official release page and compare the SHA-256 with the one published beside the release.';

/** A release signature is a few hundred bytes; a key file a few kilobytes a key. */
const MAX_SIGNATURE_BYTES = 64 * 1024;
const MAX_KEYS_BYTES = 4 * 1024 * 1024;

/** The bytes of a small file, refused before reading when it is not a regular file or is larger than its kind ever is. */
export function readSmallFile(path: string, maxBytes: number, kind: string): Buffer {
  const stat = statSync(path);
  if (!stat.isFile()) throw new Error(`${path} is not a regular file (a directory, FIFO, socket or device), so it is not ${kind}.`);
  if (stat.size > maxBytes) throw new Error(`${path} is ${stat.size} bytes, more than ${kind} ever is (${maxBytes} at most).`);
  return readFileSync(path);
}

async function readSignature(signatureFile: string, what: string): Promise<OpenPGP.Signature> {
  const openpgp = await loadOpenpgp();
  let bytes: Buffer;
  try {
    bytes = readSmallFile(signatureFile, MAX_SIGNATURE_BYTES, 'an OpenPGP signature');
  } catch (error) {
    throw new BadSignatureError(`${what}: ${(error as Error).message} ${REFETCH}`, { cause: error });
  }
  try {
    const text = bytes.toString('latin1');
    if (text.includes('-----BEGIN PGP SIGNATURE-----')) return await openpgp.readSignature({ armoredSignature: text });
    return await openpgp.readSignature({ binarySignature: bytes });
  } catch (error) {
    throw new BadSignatureError(`${what} cannot be read as an OpenPGP signature (${(error as Error).message}). ${REFETCH}`, { cause: error });
  }
}

function untrustedMessage(what: string, packets: OpenPGP.SignaturePacket[], keyring: ReleaseKeyring): string {
  const issuers = packets
    .map((p) => {
      const fpr = p.issuerFingerprint ? ` (fingerprint ${spacedFingerprint(Buffer.from(p.issuerFingerprint).toString('hex'))})` : '';
      return `key ${p.issuerKeyID.toHex().toUpperCase()}${fpr}`;
    })
    .join(', ');
  const held = keyring.keys.map((k) => `${spacedFingerprint(k.fingerprint)} (${k.owner})`).join('; ') || 'none';
  const anchors = [...keyring.anchors].map(([fpr, a]) => `${spacedFingerprint(fpr)} ${a.owner}`).join('; ');
  const product = productName(keyring.product);
  return (
    `${what} was made by ${issuers}, which is not a key fipskit holds and trusts for ${product}. ` +
    `Keys held: ${held}. A signing key may also be a subkey of one of the trusted primary keys: ${anchors}. ` +
    `If the release was signed by one of them, save the ${product} project's published public keys (for OpenSSL: https://openssl-library.org/source/pubkeys.asc) ` +
    `in the workspace and set signature.keys to that file; only keys with a trusted primary fingerprint are used from it. ` +
    `To rely on the SHA-256 alone, set signature.check to "skip" with a reason, which the evidence reports.`
  );
}
