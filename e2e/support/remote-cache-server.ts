import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A self-hosted Nx remote cache on loopback, speaking the protocol Nx's HTTP remote cache client uses
 * (`GET`/`PUT /v1/cache/{hash}`, bearer token, opaque tar.gz bodies). What the tests need of a
 * production server, and a log of every request so a test can say exactly what came from it.
 */
export interface CacheRequest {
  method: string;
  hash: string;
  status: number;
}

export interface RemoteCacheServer {
  url: string;
  requests: CacheRequest[];
  entries: Map<string, Buffer>;
  /** Answer every request with this status (e.g. 500), or undefined for normal service. */
  failWith?: number;
  /** Answer each request this much later (a slow server). */
  delayMs: number;
  /** Accept connections and never answer (a hung server). */
  silent: boolean;
  close(): Promise<void>;
}

export async function startRemoteCacheServer(options: { token?: string; readOnlyToken?: string } = {}): Promise<RemoteCacheServer> {
  const entries = new Map<string, Buffer>();
  const requests: CacheRequest[] = [];
  // The handle is the server's state: tests switch its behaviour by setting failWith, delayMs, silent.
  const state: RemoteCacheServer = { url: '', requests, entries, delayMs: 0, silent: false, close: async () => undefined };

  const answer = (req: IncomingMessage, res: ServerResponse, hash: string, status: number, body?: Buffer | string, type = 'text/plain') => {
    requests.push({ method: req.method ?? '?', hash, status });
    res.writeHead(status, { 'Content-Type': type, ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}) });
    res.end(body);
  };

  const server: Server = createServer((req, res) => {
    const match = /^\/v1\/cache\/([A-Za-z0-9]+)$/.exec(req.url ?? '');
    const hash = match?.[1] ?? '';
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => (state.silent ? undefined : setTimeout(respond, state.delayMs)));
    const respond = () => {
      if (!match) return answer(req, res, hash, 404, 'not found');
      if (state.failWith) return answer(req, res, hash, state.failWith, 'remote cache failure');
      const auth = req.headers.authorization ?? '';
      const tokens = [options.token, options.readOnlyToken].filter(Boolean).map((t) => `Bearer ${t}`);
      if (tokens.length > 0 && !tokens.includes(auth)) return answer(req, res, hash, 401, 'invalid token');
      if (req.method === 'GET') {
        const entry = entries.get(hash);
        return entry ? answer(req, res, hash, 200, entry, 'application/octet-stream') : answer(req, res, hash, 404, 'miss');
      }
      if (req.method === 'PUT') {
        if (options.readOnlyToken && auth === `Bearer ${options.readOnlyToken}`) return answer(req, res, hash, 403, 'read-only token');
        if (entries.has(hash)) return answer(req, res, hash, 409, 'exists');
        entries.set(hash, Buffer.concat(chunks));
        return answer(req, res, hash, 200, '');
      }
      return answer(req, res, hash, 405, 'method not allowed');
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** `node tools/run-ts.js e2e/support/remote-cache-server.ts`: serves until killed, printing its URL (benchmarks). */
if (require.main === module) {
  void startRemoteCacheServer().then((server) => console.log(server.url));
}
