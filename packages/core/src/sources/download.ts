import { createWriteStream, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** The server answered with an error status (a 404 tells "not published" apart from a broken connection). */
export class HttpStatusError extends Error {
  constructor(message: string, readonly status: number) {
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

/** Downloads url to dest, following redirects only to allowed URLs; a failed download leaves no dest behind. */
export async function downloadToFile(url: string, dest: string): Promise<void> {
  const response = await fetchFollowingRedirects(url);
  if (!response.body) throw new Error(`Download of ${url} failed: the server sent no body (HTTP ${response.status}).`);
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream), createWriteStream(dest));
  } catch (error) {
    rmSync(dest, { force: true });
    throw new Error(`Download of ${url} failed while receiving data: ${(error as Error).message}`, { cause: error });
  }
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
      throw new HttpStatusError(`Download of ${url}${via} failed: HTTP ${response.status} ${response.statusText}. Check that the URL names an existing release tarball.`, response.status);
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
    throw new Error(`Download of ${original} failed: ${cause}. Check the network connection and proxy settings.`, { cause: error });
  }
}
