import { existsSync, rmSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ContentCache } from './content-cache';
import { HttpStatusError, assertDownloadUrl, downloadToFile } from './download';
import { normalizeFingerprint, spacedFingerprint } from './release-keys';
import { SignatureSigner, loadReleaseKeyring, verifyReleaseSignature } from './release-signature';
import { sha256File } from './sha256';
import { LockedSignaturePolicy, SignaturePolicy, SourceLock, SourceProduct, SourceSpec } from './source-spec';
import { productName } from './source-version';
import { workspacePath } from './workspace-path';

/** What the build knows about a source's upstream signature; build-info and the evidence carry it. */
export interface SourceAuthenticity {
  status: 'verified' | 'unsigned' | 'skipped';
  signature?: { fileName: string; sha256: string };
  signer?: SignatureSigner;
  /** In words an auditor understands. */
  statement: string;
}

/** One line for the terminal; the evidence carries the whole statement. */
export function authenticitySummary(lock: SourceLock, authenticity: SourceAuthenticity): string {
  const what = lock.fileName ?? `${productName(lock.product)} ${lock.version}`;
  switch (authenticity.status) {
    case 'verified':
      return `${what}: upstream signature verified, key ${spacedFingerprint(authenticity.signer!.fingerprint)} (${authenticity.signer!.userIds[0] ?? authenticity.signer!.owner})`;
    case 'unsigned':
      return `${what}: no upstream signature published; SHA-256 checked`;
    case 'skipped':
      return `${what}: upstream signature not checked (skipped by the project; the reason is in the evidence)`;
  }
}

const DEFAULT_CHECK: Record<SourceProduct, LockedSignaturePolicy['check']> = { openssl: 'required', cpython: 'if-present' };

/** The signature policy a lock records: checked and normalised here, before anything is fetched. */
export async function lockSignaturePolicy(product: SourceProduct, spec: SourceSpec, workspaceRoot: string): Promise<LockedSignaturePolicy> {
  const policy: SignaturePolicy = spec.signature ?? {};
  const check = policy.check ?? DEFAULT_CHECK[product];
  if (!['required', 'if-present', 'skip'].includes(check)) {
    throw new Error(`signature.check of the ${productName(product)} source is "${check}". Set it to "required", "if-present" or "skip".`);
  }
  const reason = policy.reason?.trim();
  if (check === 'skip' && !reason) {
    throw new Error(
      `signature.check of the ${productName(product)} source is "skip" without a reason. Set signature.reason to why the release signature is not checked; the auditor report prints it.`,
    );
  }
  const locked: LockedSignaturePolicy = { check, ...(reason ? { reason } : {}) };
  if (policy.location !== undefined) locked.location = signatureLocation(product, spec, policy.location, workspaceRoot);
  if (policy.keys !== undefined) {
    const path = resolve(workspaceRoot, policy.keys);
    if (!existsSync(path)) {
      throw new Error(
        `signature.keys of the ${productName(product)} source is "${policy.keys}", which does not exist (paths are relative to the workspace root). Save the release's public keys there, e.g. OpenSSL's pubkeys.asc.`,
      );
    }
    locked.keys = { path: workspacePath(workspaceRoot, path), sha256: await sha256File(path) };
  }
  if (policy.trust !== undefined) locked.trust = policy.trust.map((f) => normalizeFingerprint(f, 'signature.trust entry'));
  return locked;
}

function signatureLocation(product: SourceProduct, spec: SourceSpec, location: string, workspaceRoot: string): string {
  switch (spec.kind) {
    case 'url':
      return assertDownloadUrl(location).toString();
    case 'local':
      if (!existsSync(resolve(workspaceRoot, location))) {
        throw new Error(
          `signature.location of the ${productName(product)} source is "${location}", which does not exist. Set it to the release's .asc file (relative to the workspace root).`,
        );
      }
      return workspacePath(workspaceRoot, resolve(workspaceRoot, location));
    default:
      throw new Error(
        `signature.location is for url and local sources: a Debian source's signature is the .asc its package carries. Remove signature.location.`,
      );
  }
}

export interface AuthenticityContext {
  workspaceRoot: string;
  cacheDir: string;
}

/**
 * Checks the upstream signature of a fetched tarball against the pinned release keys, as its lock's
 * policy says. Throws (so nothing is unpacked) when the signature does not match, no trusted key made it,
 * or a required signature is missing.
 */
export async function checkAuthenticity(
  lock: SourceLock,
  archive: string | undefined,
  debianSignature: string | undefined,
  ctx: AuthenticityContext,
): Promise<SourceAuthenticity> {
  const policy = lock.signature ?? { check: DEFAULT_CHECK[lock.product] };
  const name = `${productName(lock.product)} ${lock.version}`;
  if (policy.check === 'skip') {
    return { status: 'skipped', statement: `The upstream release signature was not checked: the project skips it (${policy.reason}).` };
  }
  const found = archive ? await findSignature(lock, debianSignature, policy, ctx) : undefined;
  if (!found) {
    const where = archive ? 'none is published with this source' : 'an unpacked source tree has none';
    if (policy.check === 'required') {
      throw new Error(
        `The ${name} source has no upstream signature to check (${where}), and the project requires one. ` +
          (lock.origin === 'local'
            ? `Put the release's .asc beside the tarball or set signature.location; `
            : lock.origin === 'url'
              ? `Set signature.location to the .asc URL; `
              : '') +
          `or set signature.check to "if-present", or to "skip" with a reason.`,
      );
    }
    return { status: 'unsigned', statement: `No upstream release signature was available (${where}); authenticity rests on the SHA-256 check above.` };
  }
  try {
    const extraKeys = policy.keys && { path: resolve(ctx.workspaceRoot, policy.keys.path), shown: policy.keys.path, sha256: policy.keys.sha256 };
    if (extraKeys) {
      const now = existsSync(extraKeys.path) ? await sha256File(extraKeys.path) : 'missing';
      if (now !== extraKeys.sha256) {
        throw new Error(
          `The key file ${extraKeys.shown} changed since the sources stage locked it (SHA-256 ${extraKeys.sha256} then, ${now} now). Run the sources stage again to accept the change, or restore the file.`,
        );
      }
    }
    const keyring = await loadReleaseKeyring(lock.product, {
      ...(extraKeys ? { extraKeys } : {}),
      ...(policy.trust ? { trust: policy.trust } : {}),
    });
    const signer = await verifyReleaseSignature(archive!, found.path, keyring, { signature: found.name, file: lock.fileName });
    const signature = { fileName: found.name, sha256: await sha256File(found.path) };
    await found.keep?.();
    const subkey = signer.signingKey ? ` with its signing subkey ${spacedFingerprint(signer.signingKey)}` : '';
    return {
      status: 'verified',
      signature,
      signer,
      statement:
        `Upstream signature ${signature.fileName} verified: made ${signer.signedAt} by key ${spacedFingerprint(signer.fingerprint)} (${signer.userIds[0] ?? signer.owner})${subkey}. ` +
        `The key is trusted because ${signer.trustedBecause}; its public key is ${signer.keyOrigin}.`,
    };
  } finally {
    found.discard?.();
  }
}

interface FoundSignature {
  path: string;
  /** Its published name (a download waits under a temporary name until it verified). */
  name: string;
  /** Moves a downloaded signature beside the cached tarball once it verified. */
  keep?: () => Promise<void>;
  discard?: () => void;
}

async function findSignature(
  lock: SourceLock,
  debianSignature: string | undefined,
  policy: LockedSignaturePolicy,
  ctx: AuthenticityContext,
): Promise<FoundSignature | undefined> {
  switch (lock.origin) {
    case 'debian':
      return debianSignature ? { path: debianSignature, name: basename(debianSignature) } : undefined;
    case 'local': {
      // Beside the workspace tarball, not beside `archive`, which is fetchSource's private copy of it.
      const path = resolve(ctx.workspaceRoot, policy.location ?? `${lock.location}.asc`);
      return existsSync(path) ? { path, name: basename(path) } : undefined;
    }
    case 'url':
      return downloadSignature(lock, policy.location ?? `${lock.location}.asc`, ctx);
  }
}

/** An armored detached signature is under 2 KB; a key-ring-sized answer is not a signature. */
const SIGNATURE_DOWNLOAD = {
  maxBytes: 1024 * 1024,
  what: 'a release signature',
  advice:
    'An upstream .asc signature is a few kilobytes: check that signature.location (default: the tarball URL with .asc appended) names the release signature.',
};

async function downloadSignature(lock: SourceLock, url: string, ctx: AuthenticityContext): Promise<FoundSignature | undefined> {
  const cache = new ContentCache(ctx.cacheDir);
  const fileName = basename(new URL(url).pathname) || `${lock.fileName}.asc`;
  const cached = cache.pathFor(lock.sha256, fileName);
  if (existsSync(cached)) return { path: cached, name: fileName };
  const temp = cache.tempPath(fileName);
  try {
    await downloadToFile(url, temp, SIGNATURE_DOWNLOAD);
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof HttpStatusError && error.status === 404) return undefined;
    throw error;
  }
  return { path: temp, name: fileName, keep: async () => void cache.keepBeside(temp, lock.sha256, fileName), discard: () => rmSync(temp, { force: true }) };
}
