import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertDownloadUrl, downloadToFile } from './download';

describe('downloadToFile', () => {
  let server: Server;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-download-'));

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/openssl-3.0.22.tar.gz') return res.end('tarball bytes');
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
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('writes the body to the file, following a redirect', async () => {
    const dest = join(dir, 'a');
    await downloadToFile(`${base}/moved`, dest);
    expect(readFileSync(dest, 'utf8')).toBe('tarball bytes');
  });

  it('names the URL and the HTTP status', async () => {
    const dest = join(dir, 'b');
    await expect(downloadToFile(`${base}/openssl-9.9.9.tar.gz`, dest)).rejects.toThrow(
      `Download of ${base}/openssl-9.9.9.tar.gz failed: HTTP 404 Not Found.`,
    );
    expect(existsSync(dest)).toBe(false);
  });

  it('leaves no partial file when the connection drops', async () => {
    const dest = join(dir, 'c');
    await expect(downloadToFile(`${base}/cut`, dest)).rejects.toThrow(`Download of ${base}/cut failed`);
    expect(existsSync(dest)).toBe(false);
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
