import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_DOWNLOAD_BYTES, DownloadTooLargeError, assertDownloadUrl, downloadToFile } from './download';

describe('downloadToFile', () => {
  let server: Server;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-download-'));
  /** Bytes the endless route managed to send before the client hung up. */
  let endlessSent = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/openssl-3.0.22.tar.gz') return res.end('tarball bytes');
      if (req.url === '/announced-huge') {
        // Announces more than the default limit and would then send it.
        res.writeHead(200, { 'content-length': String(DEFAULT_MAX_DOWNLOAD_BYTES + 1) });
        return res.write(Buffer.alloc(64 * 1024));
      }
      if (req.url === '/endless') {
        // No length announced, 64 KiB at a time for as long as anyone reads (a server that never stops).
        endlessSent = 0;
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const more = () => {
          while (!res.destroyed && res.write(chunk)) endlessSent += chunk.length;
          if (!res.destroyed) res.once('drain', more);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        return more();
      }
      if (req.url === '/moved') return res.writeHead(302, { location: '/openssl-3.0.22.tar.gz' }).end();
      if (req.url === '/to-plain-http') return res.writeHead(302, { location: 'http://example.org/x.tar.gz' }).end();
      if (req.url === '/cut') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('partial');
        return setTimeout(() => res.destroy(), 20);
      }
      res.writeHead(404).end('not here');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );

  it('writes the body to the file, following a redirect', async () => {
    const dest = join(dir, 'a');
    await downloadToFile(`${base}/moved`, dest);
    expect(readFileSync(dest, 'utf8')).toBe('tarball bytes');
  });

  it('names the URL and the HTTP status', async () => {
    const dest = join(dir, 'b');
    await expect(downloadToFile(`${base}/openssl-9.9.9.tar.gz`, dest)).rejects.toThrow(`Download of ${base}/openssl-9.9.9.tar.gz failed: HTTP 404 Not Found.`);
    expect(existsSync(dest)).toBe(false);
  });

  it('leaves no partial file when the connection drops', async () => {
    const dest = join(dir, 'c');
    await expect(downloadToFile(`${base}/cut`, dest)).rejects.toThrow(`Download of ${base}/cut failed`);
    expect(existsSync(dest)).toBe(false);
  });

  it('refuses a body its Content-Length says is larger than the limit before writing anything', async () => {
    const dest = join(dir, 'huge');
    const error = await downloadToFile(`${base}/announced-huge`, dest).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadTooLargeError);
    expect(error.message).toBe(
      `Download of ${base}/announced-huge stopped: the server announces ${DEFAULT_MAX_DOWNLOAD_BYTES + 1} bytes, above fipskit's limit of 268435456 bytes (256 MiB) ` +
        `for a source tarball; nothing of it was kept. OpenSSL and CPython release tarballs are under 60 MB: check that the URL names the release tarball. ` +
        `To use a larger file, download it yourself, check it, and point a "local" source at it.`,
    );
    expect(existsSync(dest)).toBe(false);
  });

  it('stops a body without a length as soon as it passes the limit, keeping nothing', async () => {
    const dest = join(dir, 'endless');
    const error = await downloadToFile(`${base}/endless`, dest, { maxBytes: 1024 * 1024, what: 'a test file', advice: 'Fix the test.' }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadTooLargeError);
    expect(error.message).toBe(
      `Download of ${base}/endless stopped: the server sent more than 1048576 bytes, above fipskit's limit of 1048576 bytes (1 MiB) for a test file; nothing of it was kept. Fix the test.`,
    );
    expect(existsSync(dest)).toBe(false);
    // Stopped near the limit, not at the end of the body (there is none): what sockets buffer, at most a few MiB.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(endlessSent).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a redirect to plain http on another host', async () => {
    await expect(downloadToFile(`${base}/to-plain-http`, join(dir, 'd'))).rejects.toThrow(/http:\/\/example\.org\/x\.tar\.gz is not an https URL/);
  });

  it('names an unreachable server', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/x.tar.gz`;
    await new Promise((resolve) => closed.close(resolve));
    await expect(downloadToFile(url, join(dir, 'e'))).rejects.toThrow(`Download of ${url} failed: connect ECONNREFUSED`);
    // And the routes that need no connection to that host: a local tarball, or Debian's source package.
    await expect(downloadToFile(url, join(dir, 'e'))).rejects.toThrow(
      /cannot reach 127\.0\.0\.1:\d+ at all, .*"kind": "local", "path": "<the tarball>", "sha256": .*\{ "kind": "debian"/,
    );
  });
});

describe('assertDownloadUrl', () => {
  it.each(['https://www.openssl.org/source/openssl-3.0.9.tar.gz', 'http://localhost:8080/x', 'http://127.0.0.1/x', 'http://[::1]/x'])('accepts %s', (url) => {
    expect(() => assertDownloadUrl(url)).not.toThrow();
  });

  it.each([
    ['http://www.openssl.org/source/openssl-3.0.9.tar.gz', /is not an https URL/],
    ['ftp://ftp.openssl.org/x.tar.gz', /is not an https URL/],
    ['file:///etc/passwd', /is not an https URL/],
    ['openssl-3.0.9.tar.gz', /is not a URL/],
  ])('refuses %s', (url, message) => {
    expect(() => assertDownloadUrl(url)).toThrow(message);
  });
});
