import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as openpgp from 'openpgp';
import { Header } from 'tar';
import { RecordingRunner } from '../process/recording-runner';
import { fetchSource, resolveSource } from './resolve-source';
import { extractArchive } from './safe-extract';
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
    [
      'a plain-http signature URL',
      { kind: 'url', url: 'https://e.example/openssl-3.0.9.tar.gz', sha256: 'a'.repeat(64), signature: { location: 'http://e.example/x.asc' } },
      /is not an https URL/,
    ],
  ])('refuses %s before anything is fetched', async (_name, spec, message) => {
    await expect(lockSignaturePolicy('openssl', spec, root())).rejects.toThrow(message);
  });

  it("records the key file's hash (a changed key file is a new lock) and normalised fingerprints", async () => {
    const ws = root();
    const locked = await lockSignaturePolicy(
      'openssl',
      { kind: 'debian', signature: { keys: 'keys/vendor.asc', trust: ['b146 647e 45a7 b339 47ab 226b 2a2c 87d1 6169 2d40'] } },
      ws,
    );
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

  it('verifies with a key the project supplies and trusts, and names it', async () => {
    const ws = workspace({ 'keys/vendor.asc': key.armored, 'cache/t.tar.gz': TARBALL, 'cache/t.tar.gz.asc': goodSignature });
    const signature = await lockSignaturePolicy('openssl', { kind: 'debian', signature: { keys: 'keys/vendor.asc', trust: [key.fingerprint] } }, ws);
    const result = await checkAuthenticity(lockFor(signature), join(ws, 'cache/t.tar.gz'), join(ws, 'cache/t.tar.gz.asc'), {
      workspaceRoot: ws,
      cacheDir: join(ws, 'c'),
    });
    expect(result.status).toBe('verified');
    expect(result.signer?.fingerprint).toBe(key.fingerprint);
    expect(result.signature).toEqual({ fileName: 't.tar.gz.asc', sha256: sha(goodSignature) });
    expect(result.statement).toMatch(
      /^Upstream signature t\.tar\.gz\.asc verified: made .* by key .* \(Vendor Release <release@vendor\.example>\)\. The key is trusted because the project lists its fingerprint in signature\.trust; its public key is the project's key file keys\/vendor\.asc\.$/,
    );
  });

  it('refuses a key file that changed after the sources stage locked it', async () => {
    const ws = workspace({ 'keys/vendor.asc': key.armored, 'cache/t.tar.gz': TARBALL, 'cache/t.tar.gz.asc': goodSignature });
    const signature = await lockSignaturePolicy('openssl', { kind: 'debian', signature: { keys: 'keys/vendor.asc', trust: [key.fingerprint] } }, ws);
    writeFileSync(join(ws, 'keys/vendor.asc'), `${key.armored}\n`);
    const attempt = checkAuthenticity(lockFor(signature), join(ws, 'cache/t.tar.gz'), join(ws, 'cache/t.tar.gz.asc'), {
      workspaceRoot: ws,
      cacheDir: join(ws, 'c'),
    });
    await expect(attempt).rejects.toThrow(/The key file keys\/vendor\.asc changed since the sources stage locked it .*Run the sources stage again/);
  });

  it('refuses a signature made by a key fipskit does not trust, by default', async () => {
    const ws = workspace({ 'cache/t.tar.gz': TARBALL, 'cache/t.tar.gz.asc': goodSignature });
    const attempt = checkAuthenticity(lockFor(undefined), join(ws, 'cache/t.tar.gz'), join(ws, 'cache/t.tar.gz.asc'), {
      workspaceRoot: ws,
      cacheDir: join(ws, 'c'),
    });
    await expect(attempt).rejects.toThrow(/is not a key fipskit holds and trusts for OpenSSL/);
  });

  it('a Debian package without an .asc: required stops, if-present records it, skip says why', async () => {
    const ws = workspace({ 'cache/t.tar.gz': TARBALL });
    const ctx = { workspaceRoot: ws, cacheDir: join(ws, 'c') };
    const archive = join(ws, 'cache/t.tar.gz');
    await expect(checkAuthenticity(lockFor({ check: 'required' }), archive, undefined, ctx)).rejects.toThrow(
      /has no upstream signature to check \(none is published with this source\), and the project requires one/,
    );
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
  /** Runs before a path is answered: another user at work in the cache meanwhile. */
  const beforeAnswer: Record<string, () => void> = {};
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      beforeAnswer[req.url ?? '']?.();
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
    const spec: SourceSpec = {
      kind: 'url',
      url: `${base}/${name}/openssl-3.0.99.tar.gz`,
      sha256: sha(TARBALL),
      signature: { keys: 'keys/vendor.asc', trust: [key.fingerprint], ...extra },
    };
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

  it('stops a "signature" larger than 1 MiB while it downloads, keeping nothing', async () => {
    const ws = workspace({ 'keys/vendor.asc': key.armored });
    served['/huge-asc/openssl-3.0.99.tar.gz.asc'] = Buffer.alloc(2 * 1024 * 1024, 'A');
    const { lock, ctx } = await urlLock('huge-asc', ws);
    await expect(fetchSource(lock, ctx)).rejects.toThrow(
      /openssl-3\.0\.99\.tar\.gz\.asc stopped: the server announces 2097152 bytes, above fipskit's limit of 1048576 bytes \(1 MiB\) for a release signature; nothing of it was kept\. An upstream \.asc signature is a few kilobytes: check that signature\.location/,
    );
    expect(readdirSync(join(ctx.cacheDir, 'tmp'))).toEqual([]);
  });

  it('no .asc published: required (the OpenSSL default) stops with the fix', async () => {
    const ws = workspace({ 'keys/vendor.asc': key.armored });
    const { lock, ctx } = await urlLock('unsigned', ws);
    await expect(fetchSource(lock, ctx)).rejects.toThrow(/no upstream signature to check .*Set signature\.location to the \.asc URL/);
  });

  it('checks the signature of the bytes it hashed while another user replaces the cached tarball, and those bytes are unpacked', async () => {
    const ws = workspace({ 'keys/vendor.asc': key.armored });
    const honest = tarGz({ 'openssl-3.0.99/VERSION.dat': 'honest' });
    const swapped = tarGz({ 'openssl-3.0.99/VERSION.dat': 'swapped', 'openssl-3.0.99/planted.c': 'x' });
    served['/swap/openssl-3.0.99.tar.gz'] = honest;
    served['/swap/openssl-3.0.99.tar.gz.asc'] = await detachedSignature(honest);
    const spec: SourceSpec = {
      kind: 'url',
      url: `${base}/swap/openssl-3.0.99.tar.gz`,
      sha256: sha(honest),
      signature: { keys: 'keys/vendor.asc', trust: [key.fingerprint] },
    };
    const ctx = { workspaceRoot: ws, cacheDir: join(ws, '.cache'), runner: new RecordingRunner() };
    const lock = await resolveSource('openssl', spec, ctx);
    // Already in the shared cache from an earlier build; replaced after the hash, while the .asc downloads.
    const cached = join(ctx.cacheDir, 'sha256', sha(honest), 'openssl-3.0.99.tar.gz');
    mkdirSync(dirname(cached), { recursive: true });
    writeFileSync(cached, honest);
    beforeAnswer['/swap/openssl-3.0.99.tar.gz.asc'] = () => replaceFile(cached, swapped);

    const fetched = await fetchSource(lock, ctx);
    expect(fetched.authenticity.status).toBe('verified');
    expect(readFileSync(cached)).toEqual(swapped);
    const dest = join(ws, 'src');
    await extractArchive(fetched.archive!, dest, { stripTopLevel: true });
    expect(readdirSync(dest)).toEqual(['VERSION.dat']);
    expect(readFileSync(join(dest, 'VERSION.dat'), 'utf8')).toBe('honest');
  });

  it('signature.location names a signature published elsewhere', async () => {
    const ws = workspace({ 'keys/vendor.asc': key.armored });
    served['/sigs/release.asc'] = goodSignature;
    const { lock, ctx } = await urlLock('elsewhere', ws, { location: `${base}/sigs/release.asc` });
    expect((await fetchSource(lock, ctx)).authenticity).toMatchObject({ status: 'verified', signature: { fileName: 'release.asc' } });
  });
});

/** A real tar.gz of small files, made with node-tar's header encoder. */
function tarGz(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [path, text] of Object.entries(files)) {
    const body = Buffer.from(text);
    const header = new Header({ path, type: 'File', size: body.length, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 });
    header.encode();
    blocks.push(header.block!, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  return gzipSync(Buffer.concat([...blocks, Buffer.alloc(1024)]));
}

/** What another user who can write to the directory does: a new file renamed over the old one. */
function replaceFile(path: string, bytes: Buffer): void {
  writeFileSync(`${path}.new`, bytes);
  renameSync(`${path}.new`, path);
}

describe('fetchSource: the bytes it hashed are the bytes the build unpacks', () => {
  const honest = tarGz({ 'openssl-3.0.99/VERSION.dat': 'honest' });
  const swapped = tarGz({ 'openssl-3.0.99/VERSION.dat': 'swapped', 'openssl-3.0.99/planted.c': 'x' });
  const skip = { check: 'skip' as const, reason: 'the test is about the bytes' };
  const base = (origin: SourceLock['origin'], fileName: string, location: string): SourceLock => ({
    product: 'openssl',
    version: '3.0.99',
    origin,
    sha256: sha(honest),
    fileName,
    location,
    verification: 'test',
    signature: skip,
  });

  it.each<[string, SourceLock, (ws: string, cacheDir: string) => string]>([
    [
      'a url tarball in the shared cache',
      base('url', 'openssl-3.0.99.tar.gz', 'https://e.example/openssl-3.0.99.tar.gz'),
      (_ws, cacheDir) => join(cacheDir, 'sha256', sha(honest), 'openssl-3.0.99.tar.gz'),
    ],
    [
      'a Debian tarball in the shared cache',
      { ...base('debian', 'openssl_3.0.99.orig.tar.gz', 'openssl=3.0.99-1'), debianVersion: '3.0.99-1', debian: {} },
      (_ws, cacheDir) => join(cacheDir, 'sha256', sha(honest), 'openssl_3.0.99.orig.tar.gz'),
    ],
    [
      'a local tarball in the workspace',
      base('local', 'openssl-3.0.99.tar.gz', 'vendor/openssl-3.0.99.tar.gz'),
      (ws) => join(ws, 'vendor/openssl-3.0.99.tar.gz'),
    ],
  ])('%s replaced after the check', async (_name, lock, where) => {
    const ws = workspace();
    const ctx = { workspaceRoot: ws, cacheDir: join(ws, '.cache'), runner: new RecordingRunner() };
    const file = where(ws, ctx.cacheDir);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, honest);

    const fetched = await fetchSource(lock, ctx);
    replaceFile(file, swapped);
    const dest = join(ws, 'src');
    await extractArchive(fetched.archive!, dest, { stripTopLevel: true });
    expect(readdirSync(dest)).toEqual(['VERSION.dat']);
    expect(readFileSync(join(dest, 'VERSION.dat'), 'utf8')).toBe('honest');
    expect(ctx.runner.commands).toEqual([]);
  });

  it("finds a local tarball's .asc beside the workspace tarball, not beside its private copy", async () => {
    const ws = workspace({
      'keys/vendor.asc': key.armored,
      'vendor/openssl-3.0.99.tar.gz': honest,
      'vendor/openssl-3.0.99.tar.gz.asc': await detachedSignature(honest),
    });
    const ctx = { workspaceRoot: ws, cacheDir: join(ws, '.cache'), runner: new RecordingRunner() };
    const lock = await resolveSource(
      'openssl',
      { kind: 'local', path: 'vendor/openssl-3.0.99.tar.gz', signature: { keys: 'keys/vendor.asc', trust: [key.fingerprint] } },
      ctx,
    );
    expect((await fetchSource(lock, ctx)).authenticity).toMatchObject({ status: 'verified', signature: { fileName: 'openssl-3.0.99.tar.gz.asc' } });
  });

  it('removes its copies when the process exits', () => {
    const ws = workspace({ 'vendor/openssl-3.0.99.tar.gz': honest });
    const lock = base('local', 'openssl-3.0.99.tar.gz', 'vendor/openssl-3.0.99.tar.gz');
    const script = join(ws, 'fetch.ts');
    writeFileSync(
      script,
      `import { fetchSource } from ${JSON.stringify(join(__dirname, 'resolve-source'))};\n` +
        `fetchSource(${JSON.stringify(lock)}, { workspaceRoot: ${JSON.stringify(ws)}, cacheDir: ${JSON.stringify(join(ws, '.cache'))}, runner: undefined as never })` +
        `.then((f) => console.log(f.archive));\n`,
    );
    const run = spawnSync(process.execPath, [join(__dirname, '../../../../tools/run-ts.js'), script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const archive = run.stdout.trim();
    expect(archive).toMatch(/openssl-3\.0\.99\.tar\.gz$/);
    expect(existsSync(archive)).toBe(false);
    expect(existsSync(dirname(dirname(archive)))).toBe(false);
  }, 30_000);

  const posixOnly = process.platform === 'win32' ? it.skip : it;
  posixOnly('keeps its copy where only this user can read or write it', async () => {
    const ws = workspace();
    const ctx = { workspaceRoot: ws, cacheDir: join(ws, '.cache'), runner: new RecordingRunner(), privateDir: join(ws, 'build') };
    const lock = base('url', 'openssl-3.0.99.tar.gz', 'https://e.example/openssl-3.0.99.tar.gz');
    const cached = join(ctx.cacheDir, 'sha256', sha(honest), 'openssl-3.0.99.tar.gz');
    mkdirSync(dirname(cached), { recursive: true });
    writeFileSync(cached, honest, { mode: 0o666 });
    const { archive } = await fetchSource(lock, ctx);
    expect(dirname(dirname(dirname(archive!)))).toBe(join(ws, 'build'));
    expect(statSync(archive!).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(archive!)).mode & 0o777).toBe(0o700);
  });
});
