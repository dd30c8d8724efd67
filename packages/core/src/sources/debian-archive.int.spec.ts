import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ToolRunner } from '../process/tool-runner';
import { fetchSource, resolveSource } from './resolve-source';
import { extractArchive } from './safe-extract';
import { readSourceVersion } from './source-version';

/** Real apt against the network: run with FIPSKIT_NETWORK_TESTS=1 on a Debian machine. */
const network = process.env.FIPSKIT_NETWORK_TESTS === '1' ? describe : describe.skip;

/** Names and modification times under a system directory, to prove fipskit's apt runs leave it alone. */
function snapshot(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .sort()
      .map((name) => `${name} ${statSync(join(dir, name)).mtimeMs}`);
  } catch {
    return [];
  }
}

network('debian source through real apt (network)', () => {
  it('resolves openssl 3.0 from the signed index, fetches the orig tarball and its signature, and unpacks it', async () => {
    const ctx = { workspaceRoot: process.cwd(), cacheDir: mkdtempSync(join(tmpdir(), 'fipskit-net-')), runner: new ToolRunner() };
    const systemBefore = ['/etc/apt', '/var/lib/apt/lists'].map(snapshot);

    let started = Date.now();
    const lock = await resolveSource('openssl', { kind: 'debian', version: '3.0' }, ctx);
    const resolveMs = Date.now() - started;
    expect(lock.version).toMatch(/^3\.0\.\d+$/);
    expect(lock.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(lock.fileName).toBe(`openssl_${lock.version}.orig.tar.gz`);

    started = Date.now();
    const fetched = await fetchSource(lock, ctx);
    const fetchMs = Date.now() - started;
    expect(existsSync(join(ctx.cacheDir, 'sha256', lock.sha256, lock.fileName!))).toBe(true);
    // The build reads a private copy of the cached tarball, the bytes that were hashed.
    expect(basename(fetched.archive!)).toBe(lock.fileName);

    started = Date.now();
    const again = await fetchSource(lock, ctx);
    const cachedMs = Date.now() - started;
    expect({ ...again, archive: basename(again.archive!) }).toEqual({ ...fetched, archive: basename(fetched.archive!) });

    const dest = join(ctx.cacheDir, 'unpacked');
    started = Date.now();
    await extractArchive(fetched.archive!, dest);
    const extractMs = Date.now() - started;
    expect(readSourceVersion('openssl', dest)).toBe(lock.version);
    expect(['/etc/apt', '/var/lib/apt/lists'].map(snapshot)).toEqual(systemBefore);

    console.log(
      [
        `lock: ${JSON.stringify(lock, null, 2)}`,
        `signature: ${fetched.signature ?? 'none'}`,
        `resolve (apt-get update + apt-cache showsrc): ${resolveMs} ms`,
        `fetch on a cache miss (apt-get update + showsrc + apt-get source + verify): ${fetchMs} ms`,
        `fetch on a cache hit (private copy, hashed while copied): ${cachedMs} ms`,
        `safe extract: ${extractMs} ms`,
      ].join('\n'),
    );
  }, 300_000);
});
