import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { probeRemoteCache } from './remote-cache-probe';

describe('probeRemoteCache', () => {
  let server: Server;
  let url: string;
  let behaviour: 'miss' | 'unauthorized' | 'broken' | 'silent' = 'miss';
  const seen: Array<string | undefined> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (behaviour === 'silent') return; // accepts the connection, never answers
      if (behaviour === 'unauthorized') return res.writeHead(401).end('invalid token');
      if (behaviour === 'broken') return res.writeHead(500).end('disk full');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });

  const env = (extra: Record<string, string> = {}) => ({ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'tok', ...extra });

  it('says nothing when no remote cache is configured or it is switched off', async () => {
    expect(await probeRemoteCache({})).toBeUndefined();
    expect(await probeRemoteCache(env({ NX_SKIP_REMOTE_CACHE: 'true' }))).toBeUndefined();
  });

  it('a server that answers: ok, asked with the token', async () => {
    behaviour = 'miss';
    expect(await probeRemoteCache(env())).toMatchObject({ ok: true, message: expect.stringMatching(/answers \(HTTP 404 in \d+ ms\)/) });
    expect(seen.at(-1)).toBe('Bearer tok');
  });

  it.each([
    ['unauthorized', /refuses the token \(HTTP 401: invalid token\): Nx stops with "Unauthorized"\. Set NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN/],
    ['broken', /answers HTTP 500 \(disk full\): Nx stops with "Misconfigured remote cache endpoint"/],
    [
      'silent',
      /did not answer within 0\.3 s\. Nx waits for its remote cache without a time limit, so this build may stop without a word .*--skip-remote-cache/,
    ],
  ] as const)('%s server: not ok, with what Nx will do and how to build anyway', async (kind, message) => {
    behaviour = kind;
    // Only the silent server needs the short limit; the others answer, however loaded the machine.
    const probe = await probeRemoteCache(env(), kind === 'silent' ? 300 : undefined);
    expect(probe?.ok).toBe(false);
    expect(probe?.message).toMatch(message);
  });

  it('a server that is down: not ok, naming the connection error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const probe = await probeRemoteCache({ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: `http://127.0.0.1:${port}` });
    expect(probe).toMatchObject({
      ok: false,
      message: expect.stringMatching(/cannot be reached \(.*ECONNREFUSED.*\): Nx stops with "Failed to send request"/),
    });
  });

  it('never prints the user name and password a URL carries; it asks with them as Basic authentication', async () => {
    behaviour = 'unauthorized';
    const withCredentials = url.replace('http://', 'http://team:s3cr%40t@');
    const probe = await probeRemoteCache({ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: withCredentials });
    expect(probe?.message).toContain(`the remote cache ${url.replace('http://', 'http://***@')}/ refuses`);
    expect(JSON.stringify(probe)).not.toMatch(/s3cr|team/);
    expect(seen.at(-1)).toBe(`Basic ${Buffer.from('team:s3cr@t').toString('base64')}`);
    const down = await probeRemoteCache({ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'http://team:s3cret@127.0.0.1:1' });
    expect(down?.ok).toBe(false);
    expect(JSON.stringify(down)).not.toMatch(/s3cret|team/);
  });
});
