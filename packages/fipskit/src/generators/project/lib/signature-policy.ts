import { Tree, logger } from '@nx/devkit';
import { PINNED_RELEASE_KEYS, SourceProduct, SourceSpec, loadReleaseKeyring, spacedFingerprint, versionFromFileName } from '@fipskit/core';
import { OFFICIAL_CPYTHON_RELEASES, OFFICIAL_OPENSSL_RELEASES, RELEASE_KEY_FILES } from '../../../constants';

/** OpenSSL's release key since August 2026 (3.0.22, 3.5.9, …): the releases Debian's archive carries now. */
const OPENSSL_2026_KEY = 'B146647E45A7B33947AB226B2A2C87D161692D40';
/** The release-team members' keys that signed OpenSSL's 2023 releases, the validated providers fipskit pins among them. */
const OPENSSL_TEAM_KEYS = [
  '7953AC1FBC3DC8B3B292393ED5E9E43F7DF9EE8C',
  '8657ABB260F056B1E5190839D9C4D26D0E604491',
  'B7C1C14360F353A36862E4D5231C84CDDCC69C45',
  'A21FAB74B0088AA361152586B8EF1A6BA9DA2D5C',
];
/** Who signs each CPython minor release line (python.org's release managers). */
const CPYTHON_RELEASE_MANAGERS: Record<string, string> = {
  '3.8': 'E3FF2839C048B25C084DEBE9B26995E310250568',
  '3.9': 'E3FF2839C048B25C084DEBE9B26995E310250568',
  '3.10': 'A035C8C19219BA821ECEA86B64E628F8D684696D',
  '3.11': 'A035C8C19219BA821ECEA86B64E628F8D684696D',
  '3.12': '7169605F62C751356D054A26A821E680E5FA6305',
  '3.13': '7169605F62C751356D054A26A821E680E5FA6305',
};

/** Who signs the release a source resolves to, as far as the generator can tell before anything is fetched. */
interface ExpectedSigner {
  /** One of these keys made the signature; empty when fipskit cannot tell which key did. */
  fingerprints: string[];
  /** The first clause of the skip reason, saying why this workspace cannot check it. */
  statement: string;
  /** What vouches for the tarball instead. */
  instead: string;
  /** The key is not one fipskit pins, so a key file alone does not make it trusted. */
  needsTrust?: boolean;
}

const line = (version: string) => /^\d+\.\d+/.exec(version)?.[0] ?? version;
const ownerOf = (product: SourceProduct, fingerprint: string) =>
  PINNED_RELEASE_KEYS[product].find((key) => key.fingerprint === fingerprint)?.owner.replace(/\s*\(.*\)$/, '') ?? 'an unnamed key';

function expectedSigner(product: SourceProduct, spec: SourceSpec): ExpectedSigner {
  if (product === 'openssl' && spec.kind === 'debian') {
    // Debian's archive holds only its current security releases: a prefix resolves to a release of 2026 or later.
    return {
      fingerprints: [OPENSSL_2026_KEY],
      statement: `OpenSSL ${line(spec.version ?? '3')} releases since August 2026 are signed with OpenSSL's release key ${spacedFingerprint(OPENSSL_2026_KEY)}, whose public key this workspace does not hold`,
      instead: "the tarball's SHA-256 comes from Debian's signed index",
    };
  }
  if (spec.kind !== 'url') throw new Error(`expectedSigner: a ${spec.kind} ${product} source has no known signer`);
  const version = versionFromFileName(product, new URL(spec.url).pathname.split('/').pop() ?? '') ?? 'this release';
  if (product === 'openssl') {
    const pinned = OFFICIAL_OPENSSL_RELEASES[version]?.sha256 === spec.sha256;
    return pinned
      ? {
          fingerprints: OPENSSL_TEAM_KEYS,
          statement: `OpenSSL ${version} (2023) is signed with the key of a member of OpenSSL's release team, whose public keys this workspace does not hold`,
          instead: "the tarball's SHA-256 is pinned in fipskit as OpenSSL publishes it",
        }
      : {
          fingerprints: [],
          statement: `fipskit cannot tell which of OpenSSL's release keys signed OpenSSL ${version}, and this workspace does not hold their public keys`,
          instead: "the tarball's SHA-256 is the one given with --opensslSha256",
        };
  }
  const manager = CPYTHON_RELEASE_MANAGERS[line(version)];
  const instead =
    OFFICIAL_CPYTHON_RELEASES[version]?.sha256 === spec.sha256
      ? "the tarball's SHA-256 is pinned in fipskit as python.org publishes it"
      : "the tarball's SHA-256 is the one given with --pythonSha256";
  return manager
    ? {
        fingerprints: [manager],
        statement: `CPython ${line(version)} releases are signed with ${ownerOf('cpython', manager)}'s key ${spacedFingerprint(manager)}, whose public key this workspace does not hold`,
        instead,
      }
    : {
        fingerprints: [],
        statement: `CPython ${line(version)} releases are signed with a release manager's key fipskit does not pin`,
        instead,
        needsTrust: true,
      };
}

/** Where a user gets the keys that turn the check on. */
const KEY_SOURCE: Record<SourceProduct, string> = {
  openssl: RELEASE_KEY_FILES.openssl.publishedAt,
  cpython: `the release manager's key (${RELEASE_KEY_FILES.cpython.publishedAt})`,
};

/**
 * The signature policy a generated source gets, so that the project builds as generated:
 * - the workspace holds the product's key file (keys/<product>-release-keys.asc, saved by the user): checked with it;
 * - fipskit's own keys can check the release (CPython 3.12 and 3.13 from python.org): checked with them;
 * - otherwise the check is skipped with a reason that says why and how to turn it on, and the generator says so.
 * Debian's CPython sources keep CPython's default (`if-present`: Debian's python3.11 carries no signature, its
 * python3.13 one is made by a key fipskit carries); local sources keep OpenSSL's (`required`).
 */
export async function withSignaturePolicy(tree: Tree, product: SourceProduct, spec: SourceSpec | undefined): Promise<SourceSpec | undefined> {
  if (!spec || spec.kind === 'local' || (product === 'cpython' && spec.kind === 'debian')) return spec;
  const keys = RELEASE_KEY_FILES[product];
  if (tree.exists(keys.path)) return { ...spec, signature: { keys: keys.path } };
  const signer = expectedSigner(product, spec);
  const held = new Set((await loadReleaseKeyring(product)).keys.map((key) => key.fingerprint));
  if (signer.fingerprints.length > 0 && signer.fingerprints.every((fingerprint) => held.has(fingerprint))) return spec;
  const reason =
    `${signer.statement}; ${signer.instead}. To check the signature, save ${KEY_SOURCE[product]} in the workspace and replace this with signature.keys` +
    (signer.needsTrust ? ' and its fingerprint in signature.trust.' : '.');
  logger.warn(
    `fipskit cannot check the ${product === 'openssl' ? 'OpenSSL' : 'CPython'} release signature with the keys it holds: ${signer.statement}. ` +
      `The project skips the check and records why (signature.reason, printed in the evidence). To check it, save ${keys.what} (${keys.publishedAt}) ` +
      `as ${keys.path} and set the source's signature to { "keys": "${keys.path}" }.`,
  );
  return { ...spec, signature: { check: 'skip', reason } };
}
