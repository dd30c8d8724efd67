import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as openpgp from 'openpgp';
import { RecordingRunner } from '../process/recording-runner';
import { fetchSource, resolveSource } from './resolve-source';
import { checkAuthenticity, lockSignaturePolicy } from './source-authenticity';
import { SourceLock, SourceSpec } from './source-spec';

const sha = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');

function workspace(files: Record<string, string | Buffer> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-auth-ws-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const TARBALL = Buffer.from('openssl release '.repeat(2000));
let key: { privateKey: openpgp.PrivateKey; armored: string; fingerprint: string };
let goodSignature: string;

async function detachedSignature(data: Buffer): Promise<string> {
  return (await openpgp.sign({ message: await openpgp.createMessage({ binary: data }), signingKeys: key.privateKey, detached: true })) as string;
}

beforeAll(async () => {
  const { privateKey, publicKey } = await openpgp.generateKey({ userIDs: [{ name: 'Vendor Release', email: 'release@vendor.example' }], format: 'object' });
  key = { privateKey, armored: publicKey.armor(), fingerprint: publicKey.getFingerprint().toUpperCase() };
  goodSignature = await detachedSignature(TARBALL);
});

describe('lockSignaturePolicy', () => {
  const root = () => workspace({ 'keys/vendor.asc': 'k' });
  it.each<[string, SourceSpec, RegExp]>([
    ['skip without a reason', { kind: 'debian', signature: { check: 'skip' } }, /"skip" without a reason\. Set signature\.reason/],
    ['an unknown check', { kind: 'debian', signature: { check: 'maybe' as 'skip' } }, /is "maybe"\. Set it to "required", "if-present" or "skip"/],
    ['a missing key file', { kind: 'debian', signature: { keys: 'keys/nope.asc' } }, /signature\.keys .* "keys\/nope\.asc", which does not exist/],
    ['a fingerprint that is not one', { kind: 'debian', signature: { trust: ['ABCD'] } }, /signature\.trust entry "ABCD" is not an OpenPGP fingerprint/],
    ['a location for a Debian source', { kind: 'debian', signature: { location: 'x.asc' } }, /signature\.location is for url and local sources/],
    ['a plain-http signature URL', { kind: 'url', url: 'https://e.example/openssl-3.0.9.tar.gz', sha256: 'a'.repeat(64), signature: { location: 'http://e.example/x.asc' } }, /is not an https URL/],
  ])('refuses %s before anything is fetched', async (_name, spec, message) => {
    await expect(lockSignaturePolicy('openssl', spec, root())).rejects.toThrow(message);
  });

  it("records the key file's hash (a changed key file is a new lock) and normalised fingerprints", async () => {
    const ws = root();
    const locked = await lockSignaturePolicy('openssl', { kind: 'debian', signature: { keys: 'keys/vendor.asc', trust: ['b146 647e 45a7 b339 47ab 226b 2a2c 87d1 6169 2d40'] } }, ws);
    expect(locked).toEqual({ check: 'required', keys: { path: 'keys/vendor.asc', sha256: sha('k') }, trust: ['B146647E45A7B33947AB226B2A2C87D161692D40'] });
  });

  it('defaults: OpenSSL requires a signature, CPython checks one when the release has it', async () => {
    expect(await lockSignaturePolicy('openssl', { kind: 'debian' }, root())).toEqual({ check: 'required' });
    expect(await lockSignaturePolicy('cpython', { kind: 'debian', package: 'python3.11' }, root())).toEqual({ check: 'if-present' });
  });
});

describe('checkAuthenticity: a Debian source with the .asc its package carries', () => {
  const lockFor = (signature: SourceLock['signature']): SourceLock => ({
    product: 'openssl',
    version: '3.0.99',
    origin: 'debian',
    sha256: sha(TARBALL),
    fileName: 'openssl_3.0.99.orig.tar.gz',
    location: 'openssl=3.0.99-1',
    verification: "Debian's index",
    ...(signature ? { signature } : {}),
  });

  it("verifies with a key the project supplies and trusts, and names it", async () => {
    const ws = workspace({ 'keys/vendor.asc': key.armored, 'cache/t.tar.gz': TARBALL, 'cache/t.tar.gz.asc': goodSignature });
    const signature = await lockSignaturePolicy('openssl', { kind: 'debian', signature: { keys: 'keys/vendor.asc', trust: [key.fingerprint] } }, ws);
    const result = await checkAuthenticity(lockFor(signature), join(ws, 'cache/t.tar.gz'), join(ws, 'cache/t.tar.gz.asc'), { workspaceRoot: ws, cacheDir: join(ws, 'c') });
    expect(result.status).toBe('verified');
    expect(result.signer?.fingerprint).toBe(key.fingerprint);
    expect(result.signature).toEqual({ fileName: 't.tar.gz.asc', sha256: sha(goodSignature) });
    expect(result.statement).toMatch(/^Upstream signature t\.tar\.gz\.asc verified: made .* by key .* \(Vendor Release <release@vendor\.example>\)\. The key is trusted because the project lists its fingerprint in signature\.trust; its public key is the project's key file keys\/vendor\.asc\.$/);
  });

  it('refuses a key file that changed after the sources stage locked it', async () => {
    const ws = workspace({ 'keys/vendor.asc': key.armored, 'cache/t.tar.gz': TARBALL, 'cache/t.tar.gz.asc': goodSignature });
    const signature = await lockSignaturePolicy('openssl', { kind: 'debian', signature: { keys: 'keys/vendor.asc', trust: [key.fingerprint] } }, ws);
    writeFileSync(join(ws, 'keys/vendor.asc'), `${key.armored}\n`);
    const attempt = checkAuthenticity(lockFor(signature), join(ws, 'cache/t.tar.gz'), join(ws, 'cache/t.tar.gz.asc'), { workspaceRoot: ws, cacheDir: join(ws, 'c') });
    await expect(attempt).rejects.toThrow(/The key file keys\/vendor\.asc changed since the sources stage locked it .*Run the sources stage again/);
  });

  it("refuses a signature made by a key fipskit does not trust, by default", async () => {
    const ws = workspace({ 'cache/t.tar.gz': TARBALL, 'cache/t.tar.gz.asc': goodSignature });
    const attempt = checkAuthenticity(lockFor(undefined), join(ws, 'cache/t.tar.gz'), join(ws, 'cache/t.tar.gz.asc'), { workspaceRoot: ws, cacheDir: join(ws, 'c') });
    await expect(attempt).rejects.toThrow(/is not a key fipskit holds and trusts for OpenSSL/);
  });

  it('a Debian package without an .asc: required stops, if-present records it, skip says why', async () => {
    const ws = workspace({ 'cache/t.tar.gz': TARBALL });
    const ctx = { workspaceRoot: ws, cacheDir: join(ws, 'c') };
    const archive = join(ws, 'cache/t.tar.gz');
    await expect(checkAuthenticity(lockFor({ check: 'required' }), archive, undefined, ctx)).rejects.toThrow(/has no upstream signature to check \(none is published with this source\), and the project requires one/);
    expect((await checkAuthenticity(lockFor({ check: 'if-present' }), archive, undefined, ctx)).status).toBe('unsigned');
    expect(await checkAuthenticity(lockFor({ check: 'skip', reason: 'vendor mirror' }), archive, undefined, ctx)).toEqual({
      status: 'skipped',
      statement: 'The upstream release signature was not checked: the project skips it (vendor mirror).',
    });
  });
});

describe('fetchSource: a url source and the .asc published beside it', () => {
  let server: Server;
  let base: string;
  const served: Record<string, string | Buffer> = {};
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const body = served[req.url ?? ''];
      if (body === undefined) res.writeHead(404).end();
      else res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  async function urlLock(name: string, ws: string, extra: SourceSpec['signature'] = {}) {
    served[`/${name}/openssl-3.0.99.tar.gz`] = TARBALL;
    const spec: SourceSpec = { kind: 'url', url: `${base}/${name}/openssl-3.0.99.tar.gz`, sha256: sha(TARBALL), signature: { keys: 'keys/vendor.asc', trust: [key.fingerprint], ...extra } };
    const ctx = { workspaceRoot: ws, cacheDir: join(ws, '.cache'), runner: new RecordingRunner() };
    return { lock: await resolveSource('openssl', spec, ctx), ctx };
  }

  it('downloads <url>.asc, verifies it, and keeps it beside the cached tarball', async () => {
    const ws = workspace({ 'keys/vendor.asc': key.armored });
    served['/good/openssl-3.0.99.tar.gz.asc'] = goodSignature;
    const { lock, ctx } = await urlLock('good', ws);
    const fetched = await fetchSource(lock, ctx);
    expect(fetched.authenticity).toMatchObject({ status: 'verified', signer: { fingerprint: key.fingerprint } });
    const kept = join(ctx.cacheDir, 'sha256', sha(TARBALL), 'openssl-3.0.99.tar.gz.asc');
    expect(readFileSync(kept, 'utf8')).toBe(goodSignature);
    const asked = requests.filter((r) => r.startsWith('/good/')).length;
    expect((await fetchSource(lock, ctx)).authenticity.status).toBe('verified');
    expect(requests.filter((r) => r.startsWith('/good/')).length).toBe(asked);
  });

  it('a signature over other bytes stops the fetch, and the bad .asc is not kept', async () => {
    const ws = workspace({ 'keys/vendor.asc': key.armored });
    served['/bad/openssl-3.0.99.tar.gz.asc'] = await detachedSignature(Buffer.from('other bytes'));
    const { lock, ctx } = await urlLock('bad', ws);
    await expect(fetchSource(lock, ctx)).rejects.toThrow(/openssl-3\.0\.99\.tar\.gz\.asc .* does not verify: .* nothing was unpacked/);
    expect(existsSync(join(ctx.cacheDir, 'sha256', sha(TARBALL), 'openssl-3.0.99.tar.gz.asc'))).toBe(false);
  });

  it('no .asc published: required (the OpenSSL default) stops with the fix', async () => {
    const ws = workspace({ 'keys/vendor.asc': key.armored });
    const { lock, ctx } = await urlLock('unsigned', ws);
    await expect(fetchSource(lock, ctx)).rejects.toThrow(/no upstream signature to check .*Set signature\.location to the \.asc URL/);
  });

  it('signature.location names a signature published elsewhere', async () => {
    const ws = workspace({ 'keys/vendor.asc': key.armored });
    served['/sigs/release.asc'] = goodSignature;
    const { lock, ctx } = await urlLock('elsewhere', ws, { location: `${base}/sigs/release.asc` });
    expect((await fetchSource(lock, ctx)).authenticity).toMatchObject({ status: 'verified', signature: { fileName: 'release.asc' } });
  });
});
