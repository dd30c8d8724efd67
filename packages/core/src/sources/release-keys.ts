import { join } from 'node:path';
import { SourceProduct } from './source-spec';

/** A release signing key trusted by its primary fingerprint, and where that fingerprint is published. */
export interface PinnedReleaseKey {
  /** Primary key fingerprint, 40 upper-case hex digits. */
  fingerprint: string;
  owner: string;
  publishedIn: string;
}

const OPENSSL_FINGERPRINTS = "OpenSSL's doc/fingerprints.txt (shipped in every release tarball; the list of 3.0.22)";
const CPYTHON_FINGERPRINTS = "python.org/downloads (the release managers' OpenPGP keys)";

/**
 * The keys fipskit trusts to sign upstream releases. Only these fingerprints (and those a project adds
 * with `signature.trust`) are accepted: a key file that brings any other key has no effect.
 */
export const PINNED_RELEASE_KEYS: Record<SourceProduct, PinnedReleaseKey[]> = {
  openssl: [
    {
      fingerprint: 'B146647E45A7B33947AB226B2A2C87D161692D40',
      owner: 'OpenSSL <openssl@openssl.org> (release key from 2026)',
      publishedIn: OPENSSL_FINGERPRINTS,
    },
    {
      fingerprint: 'BA5473A2B0587B07FB27CF2D216094DFD0CB81EF',
      owner: 'OpenSSL <openssl@openssl.org> (release key 2024-2026)',
      publishedIn: OPENSSL_FINGERPRINTS,
    },
    { fingerprint: '7953AC1FBC3DC8B3B292393ED5E9E43F7DF9EE8C', owner: 'Richard Levitte', publishedIn: OPENSSL_FINGERPRINTS },
    { fingerprint: '8657ABB260F056B1E5190839D9C4D26D0E604491', owner: 'Matt Caswell', publishedIn: OPENSSL_FINGERPRINTS },
    { fingerprint: 'B7C1C14360F353A36862E4D5231C84CDDCC69C45', owner: 'Paul Dale', publishedIn: OPENSSL_FINGERPRINTS },
    { fingerprint: 'A21FAB74B0088AA361152586B8EF1A6BA9DA2D5C', owner: 'Tomáš Mráz', publishedIn: OPENSSL_FINGERPRINTS },
  ],
  cpython: [
    { fingerprint: '7169605F62C751356D054A26A821E680E5FA6305', owner: 'Thomas Wouters (CPython 3.12 and 3.13)', publishedIn: CPYTHON_FINGERPRINTS },
    { fingerprint: 'A035C8C19219BA821ECEA86B64E628F8D684696D', owner: 'Pablo Galindo Salgado (CPython 3.10 and 3.11)', publishedIn: CPYTHON_FINGERPRINTS },
    { fingerprint: 'E3FF2839C048B25C084DEBE9B26995E310250568', owner: 'Łukasz Langa (CPython 3.8 and 3.9)', publishedIn: CPYTHON_FINGERPRINTS },
  ],
};

/** Public keys fipskit carries, with where each copy was taken from (a channel that authenticates it). */
export interface BundledKeyFile {
  path: string;
  origin: string;
}

export const BUNDLED_RELEASE_KEYS: Record<SourceProduct, BundledKeyFile> = {
  openssl: {
    path: join(__dirname, 'release-keys', 'openssl.asc'),
    origin:
      "fipskit's copy of debian/upstream/signing-key.asc from Debian source package openssl 3.5.7-1~deb13u2 " +
      "(openssl_3.5.7-1~deb13u2.debian.tar.xz, SHA-256 593a47654ead460a3b609503733f80bef552ff0802799d3b47784faacc50809f in Debian's signed Sources index)",
  },
  cpython: {
    path: join(__dirname, 'release-keys', 'cpython.asc'),
    origin:
      "fipskit's copy of debian/upstream/signing-key.asc from Debian source package python3.13 3.13.5-2+deb13u5 " +
      "(python3.13_3.13.5-2+deb13u5.debian.tar.xz, SHA-256 a51f456e654ce2c9b40cc1db8005e5041cdb0b2c3aa96ab0871c49fe95280366 in Debian's signed Sources index)",
  },
};

/** `B146 647E …` as fingerprints are printed for people. */
export function spacedFingerprint(fingerprint: string): string {
  return fingerprint.toUpperCase().replace(/(.{4})(?!$)/g, '$1 ');
}

export function normalizeFingerprint(value: string, what: string): string {
  const fingerprint = value.replace(/\s+/g, '').toUpperCase();
  if (/^[0-9A-F]{40}$/.test(fingerprint)) return fingerprint;
  throw new Error(`${what} "${value}" is not an OpenPGP fingerprint. Write the primary key's 40 hex digits (spaces allowed), as the project publishes them.`);
}
