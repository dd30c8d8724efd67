import { createWriteStream, rmSync } from 'node:fs';
import { request } from 'node:https';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** The server answered with an error status (a 404 tells "not published" apart from a broken connection). */
export class HttpStatusError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_REDIRECTS = 10;

/** Only https, except plain http to this machine (test servers); names the URL and the fix otherwise. */
export function assertDownloadUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`"${url}" is not a URL. Set url to the https address of the release tarball, e.g. https://www.openssl.org/source/openssl-3.0.9.tar.gz`);
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) return parsed;
  throw new Error(`${url} is not an https URL. fipskit downloads sources over https only: use the https address of the release tarball.`);
}

/** The largest source tarball fipskit downloads: OpenSSL's and CPython's release tarballs are under 60 MB. */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 256 * 1024 ** 2;

export interface DownloadOptions {
  /** Stop, and keep nothing, once the body passes this many bytes (default DEFAULT_MAX_DOWNLOAD_BYTES). */
  maxBytes?: number;
  /** What is downloaded and what to do when it is too large, for the message. */
  what?: string;
  advice?: string;
}

const TARBALL = {
  what: 'a source tarball',
  advice:
    'OpenSSL and CPython release tarballs are under 60 MB: check that the URL names the release tarball. ' +
    'To use a larger file, download it yourself, check it, and point a "local" source at it.',
};

/** A download stopped at its size limit; nothing of it was kept. */
export class DownloadTooLargeError extends Error {
  constructor(
    readonly url: string,
    readonly maxBytes: number,
    seen: string,
    what: string,
    advice: string,
  ) {
    super(
      `Download of ${url} stopped: ${seen}, above fipskit's limit of ${maxBytes} bytes (${mebibytes(maxBytes)}) for ${what}; nothing of it was kept. ${advice}`,
    );
    this.name = 'DownloadTooLargeError';
  }
}

/**
 * Downloads url to dest, following redirects only to allowed URLs; a failed download leaves no dest behind.
 * A body larger than the limit is refused from its Content-Length before anything is written, or, without
 * one, as soon as the bytes received pass the limit.
 */
export async function downloadToFile(url: string, dest: string, options: DownloadOptions = {}): Promise<void> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
  const { what, advice } = { ...TARBALL, ...options };
  const response = await fetchFollowingRedirects(url);
  if (!response.body) throw new Error(`Download of ${url} failed: the server sent no body (HTTP ${response.status}).`);
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body.cancel();
    throw new DownloadTooLargeError(url, maxBytes, `the server announces ${declared} bytes`, what, advice);
  }
  let received = 0;
  const capped = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > maxBytes) return done(new DownloadTooLargeError(url, maxBytes, `the server sent more than ${maxBytes} bytes`, what, advice));
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream), capped, createWriteStream(dest));
  } catch (error) {
    rmSync(dest, { force: true });
    if (error instanceof DownloadTooLargeError) throw error;
    throw new Error(`Download of ${url} failed while receiving data: ${(error as Error).message}`, { cause: error });
  }
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(bytes < 1024 ** 2 ? 3 : 0)} MiB`;
}

async function fetchFollowingRedirects(url: string): Promise<Response> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    assertDownloadUrl(current);
    const response = await fetchOnce(current, url);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      current = new URL(location, current).toString();
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      const via = current === url ? '' : ` (redirected to ${current})`;
      throw new HttpStatusError(
        `Download of ${url}${via} failed: HTTP ${response.status} ${response.statusText}. Check that the URL names an existing release tarball.`,
        response.status,
      );
    }
    return response;
  }
  throw new Error(`Download of ${url} failed: more than ${MAX_REDIRECTS} redirects.`);
}

async function fetchOnce(current: string, original: string): Promise<Response> {
  try {
    return await fetch(current, { redirect: 'manual' });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new Error(
      `Download of ${original} failed: ${cause}. Check the network connection and proxy settings (HTTPS_PROXY); where this machine cannot reach ` +
        `${new URL(original).host} at all, take the source another way in fipskit.json: download the tarball where it can be reached and name it as ` +
        `{ "kind": "local", "path": "<the tarball>", "sha256": "<its SHA-256>" }, or use Debian's source package ({ "kind": "debian", ... }).`,
      { cause: error },
    );
  }
}

/** How long a reachability probe waits: the generator and doctor only say what they see, and never hold a project back. */
const TIMEOUT_MS = 4000;

/** Whether this machine gets an answer (any HTTP status) from a URL's server within a few seconds. */
export function reaches(url: string, timeoutMs = TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (value: boolean) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    try {
      const req = request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
        res.resume();
        done(true);
      });
      req.on('timeout', () => {
        req.destroy();
        done(false);
      });
      req.on('error', () => done(false));
      req.end();
    } catch {
      done(false);
    }
  });
}
