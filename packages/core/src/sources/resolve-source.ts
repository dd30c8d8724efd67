import { existsSync, rmSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ProcessRunner } from '../process/command';
import { archiveCompression } from './archive-stream';
import { ContentCache, privateCopy } from './content-cache';
import { IndexPolicy, debianLock, fetchDebianTarball, findDebianRelease } from './debian-archive';
import { SourceAuthenticity, checkAuthenticity, lockSignaturePolicy } from './source-authenticity';
import { assertDownloadUrl, downloadToFile } from './download';
import { isSha256, sha256File, sha256Tree } from './sha256';
import { DebianSource, LocalSource, SourceLock, SourceProduct, SourceSpec, UrlSource } from './source-spec';
import { assertSupportedVersion, productName, readSourceVersion, versionFromFileName } from './source-version';
import { newPrivateDir } from './private-dir';
import { workspacePath } from './workspace-path';

export interface ResolveContext {
  /** Local paths in specs and locks are relative to it. */
  workspaceRoot: string;
  /** Verified tarballs and fipskit's private apt state (see `defaultSourceCacheDir`). */
  cacheDir: string;
  runner: ProcessRunner;
  /** Root whose /etc/apt configuration the debian kind reads (default `/`); tests point it at a fixture. */
  systemRoot?: string;
  /**
   * Where `fetchSource` keeps its private copies of tarballs (a directory of the user's own, such as the
   * stage's build directory); default the system's temporary directory. They are removed when the process exits.
   */
  privateDir?: string;
  /** When Debian's source index is fetched again (debian sources). */
  index?: IndexPolicy;
  /** Where progress and warnings of the resolution are said. */
  print?: (line: string) => void;
}

/** What a build unpacks: a verified tarball, or a local tree. */
export interface FetchedSource {
  /**
   * A private copy of the tarball that only this process writes: its bytes were hashed as they were
   * copied, and they are the ones the signature check read and the unpack reads.
   */
  archive?: string;
  directory?: string;
  /** Upstream `.asc` signature kept beside a Debian-carried tarball. */
  signature?: string;
  /** The upstream signature check, done before anything is unpacked. */
  authenticity: SourceAuthenticity;
}

const EXAMPLE_TARBALL: Record<SourceProduct, string> = { openssl: 'openssl-3.0.9.tar.gz', cpython: 'Python-3.11.2.tgz' };

/**
 * Turns a source spec into a lock: the exact version and SHA-256 a build will use. Bad input
 * is refused here with the fix, before any download or build. Only the debian kind uses the
 * network (apt reads Debian's signed index); url sources are fetched by `fetchSource`.
 */
export async function resolveSource(product: SourceProduct, spec: SourceSpec, ctx: ResolveContext): Promise<SourceLock> {
  // The signature policy is checked first: it needs no network, and a typo in it should not wait for apt.
  const signature = spec && typeof spec === 'object' ? await lockSignaturePolicy(product, spec, ctx.workspaceRoot) : undefined;
  const lock = await resolveByKind(product, spec, ctx);
  assertSupportedVersion(product, lock.version);
  return signature ? { ...lock, signature } : lock;
}

function resolveByKind(product: SourceProduct, spec: SourceSpec, ctx: ResolveContext): Promise<SourceLock> {
  switch (spec?.kind) {
    case 'local':
      return resolveLocal(product, spec, ctx);
    case 'url':
      return Promise.resolve(resolveUrl(product, spec));
    case 'debian':
      return resolveDebian(product, spec, ctx);
    default:
      throw new Error(`The ${productName(product)} source has kind "${(spec as { kind?: string })?.kind}". Set kind to "url", "debian" or "local".`);
  }
}

async function resolveLocal(product: SourceProduct, spec: LocalSource, ctx: ResolveContext): Promise<SourceLock> {
  const path = resolve(ctx.workspaceRoot, spec.path ?? '');
  const shown = workspacePath(ctx.workspaceRoot, path);
  if (!spec.path || !existsSync(path)) {
    throw new Error(
      `The ${productName(product)} source path "${spec.path ?? ''}" does not exist (looked for ${path}; paths are relative to the workspace root). ` +
        `Set path to a ${productName(product)} release tarball such as ${EXAMPLE_TARBALL[product]}, or to an unpacked source tree.`,
    );
  }
  const pinned = spec.sha256 === undefined ? undefined : normalizeSha256(spec.sha256, `sha256 of ${shown}`);
  if (statSync(path).isDirectory()) return resolveLocalTree(product, path, shown);
  return resolveLocalTarball(product, path, shown, pinned);
}

async function resolveLocalTree(product: SourceProduct, path: string, shown: string): Promise<SourceLock> {
  const version = readSourceVersion(product, path);
  assertSupportedVersion(product, version);
  return {
    product,
    version,
    origin: 'local',
    sha256: await sha256Tree(path),
    location: shown,
    verification: 'Local source tree: the SHA-256 of its content is recorded and checked again before the build; it is not compared with a published checksum.',
  };
}

async function resolveLocalTarball(product: SourceProduct, path: string, shown: string, pinned: string | undefined): Promise<SourceLock> {
  archiveCompression(path);
  const fileName = basename(path);
  const version = versionFromTarballName(product, fileName, shown);
  assertSupportedVersion(product, version);
  const sha256 = await sha256File(path);
  if (pinned && pinned !== sha256) {
    throw new Error(
      `Checksum mismatch for ${shown}: expected ${pinned}, got ${sha256}. The file is not the release the project pins: replace it with the right tarball, or correct sha256.`,
    );
  }
  const verification = pinned
    ? 'SHA-256 pinned in the project matched.'
    : 'Local tarball: its SHA-256 is recorded and checked again before the build; it is not compared with a published checksum (set sha256 in the source to pin one).';
  return { product, version, origin: 'local', sha256, fileName, location: shown, verification };
}

function resolveUrl(product: SourceProduct, spec: UrlSource): SourceLock {
  const url = assertDownloadUrl(spec.url);
  const sha256 = normalizeSha256(spec.sha256, `sha256 of ${spec.url}`);
  const fileName = decodeURIComponent(basename(url.pathname));
  archiveCompression(fileName);
  const version = versionFromTarballName(product, fileName, spec.url);
  return {
    product,
    version,
    origin: 'url',
    sha256,
    fileName,
    location: spec.url,
    verification: 'SHA-256 pinned in the project matched (checked on download and again from the cache before each build).',
  };
}

async function resolveDebian(product: SourceProduct, spec: DebianSource, ctx: ResolveContext): Promise<SourceLock> {
  const { release, debian } = await findDebianRelease(product, spec, ctx);
  return debianLock(product, release, debian);
}

function versionFromTarballName(product: SourceProduct, fileName: string, shown: string): string {
  const version = versionFromFileName(product, fileName);
  if (version) return version;
  throw new Error(
    `Cannot tell the ${productName(product)} version of ${shown} from its file name "${fileName}". ` +
      `Use the release's own file name (e.g. ${EXAMPLE_TARBALL[product]}), or point the source at an unpacked tree.`,
  );
}

function normalizeSha256(value: string | undefined, what: string): string {
  const normalized = (value ?? '').trim().toLowerCase();
  if (isSha256(normalized)) return normalized;
  throw new Error(`${what} is "${value ?? ''}", not a SHA-256. Set it to the 64 hex digits published beside the release (the .sha256 file).`);
}

/**
 * Makes a lock's bytes available: a private copy of the cached verified tarball (downloaded or
 * fetched with apt on a miss) or of the workspace tarball, hashed while it was copied, or the local
 * tree after proving it has not changed; then checks the upstream signature of that copy, so a
 * tarball that fails it is never unpacked.
 */
export async function fetchSource(lock: SourceLock, ctx: ResolveContext): Promise<FetchedSource> {
  const fetched = await fetchBytes(lock, ctx);
  return { ...fetched, authenticity: await checkAuthenticity(lock, fetched.archive, fetched.signature, ctx) };
}

function fetchBytes(lock: SourceLock, ctx: ResolveContext): Promise<Omit<FetchedSource, 'authenticity'>> {
  switch (lock.origin) {
    case 'local':
      return fetchLocal(lock, ctx);
    case 'url':
      return fetchUrl(lock, ctx);
    case 'debian':
      return fetchDebian(lock, ctx);
  }
}

async function fetchLocal(lock: SourceLock, ctx: ResolveContext): Promise<Omit<FetchedSource, 'authenticity'>> {
  const path = resolve(ctx.workspaceRoot, lock.location);
  if (!existsSync(path)) throw localMissing(lock);
  if (lock.fileName === undefined) {
    const now = await sha256Tree(path);
    if (now !== lock.sha256) throw localChanged(lock, now);
    return { directory: path };
  }
  const copy = await privateCopy(path, newPrivateDir(ctx.privateDir));
  if (!copy) throw localMissing(lock);
  if (copy.sha256 !== lock.sha256) {
    rmSync(copy.path, { force: true });
    throw localChanged(lock, copy.sha256);
  }
  return { archive: copy.path };
}

function localMissing(lock: SourceLock): Error {
  return new Error(
    `The ${productName(lock.product)} source ${lock.location} no longer exists. Restore it, or change the source and run the sources stage again.`,
  );
}

function localChanged(lock: SourceLock, now: string): Error {
  return new Error(
    `The ${productName(lock.product)} source ${lock.location} changed since the sources stage resolved it (SHA-256 ${lock.sha256} then, ${now} now). ` +
      `Run the sources stage again to accept the change, or restore the original.`,
  );
}

async function fetchUrl(lock: SourceLock, ctx: ResolveContext): Promise<Omit<FetchedSource, 'authenticity'>> {
  const fileName = lock.fileName ?? basename(new URL(lock.location).pathname);
  const archive = await checkOutCached(lock, fileName, ctx, async (cache) => {
    const temp = cache.tempPath(fileName);
    await downloadToFile(lock.location, temp);
    await cache.storeVerified(temp, lock.sha256, fileName);
  });
  return { archive };
}

async function fetchDebian(lock: SourceLock, ctx: ResolveContext): Promise<Omit<FetchedSource, 'authenticity'>> {
  const fileName = lock.fileName;
  if (!fileName) throw new Error(`The Debian source lock has no fileName: it was written by another fipskit version. Run the sources stage again.`);
  const archive = await checkOutCached(lock, fileName, ctx, () => fetchDebianTarball(lock, ctx));
  // The signature is read from the cache: replacing it can only make the check fail, never pass other bytes.
  const signature = new ContentCache(ctx.cacheDir).pathFor(lock.sha256, `${fileName}.asc`);
  return existsSync(signature) ? { archive, signature } : { archive };
}

/** A private copy of the cached tarball, filling the cache first on a miss (or when the cached file no longer matches). */
async function checkOutCached(lock: SourceLock, fileName: string, ctx: ResolveContext, fill: (cache: ContentCache) => Promise<unknown>): Promise<string> {
  const cache = new ContentCache(ctx.cacheDir);
  const hit = await cache.checkOut(lock.sha256, fileName, newPrivateDir(ctx.privateDir));
  if (hit) return hit;
  await fill(cache);
  const filled = await cache.checkOut(lock.sha256, fileName, newPrivateDir(ctx.privateDir));
  if (filled) return filled;
  throw new Error(
    `${cache.pathFor(lock.sha256, fileName)} no longer has the SHA-256 ${lock.sha256} right after it was verified and stored: something else is writing to the source cache. ` +
      `Check who can write to ${ctx.cacheDir}, or set FIPSKIT_CACHE_DIR to a directory only you can write, and run again.`,
  );
}
