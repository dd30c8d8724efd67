import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fileURLToPath } from 'node:url';
import { DebianRelease } from './debian-showsrc';

/**
 * Whether Debian's archive actually serves a release's upstream tarball. An index can name a version whose files
 * the archive no longer (or not yet) serves: a mirror behind its index, a proxy, a superseded security upload that
 * was purged. Only a definite answer counts: `false` for 404/410, `true` for a 2xx, `undefined` when the archive
 * could not be asked (then the release is taken, and the download says what went wrong).
 */
export interface Availability {
  served: boolean | undefined;
  /** The tarball's URL, as apt would fetch it. */
  url?: string;
  /** The HTTP status, or what stopped the question. */
  status?: number;
  why?: string;
  /** Answered from the content cache (already fetched) or this index's earlier answers, without asking the archive. */
  from: 'content cache' | 'earlier answer' | 'archive';
}

/** Asks a URL for its HTTP status without fetching the body; `undefined` when there is no answer. */
export type UrlProbe = (url: string) => Promise<{ status?: number; why?: string }>;

/** A HEAD request with a bounded wait; `file:` URLs are answered by the file system. */
export const headRequest: UrlProbe = (url) => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.resolve({ why: `"${url}" is not a URL` });
  }
  if (parsed.protocol === 'file:') return Promise.resolve(existsSync(fileURLToPath(parsed)) ? { status: 200 } : { status: 404 });
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return Promise.resolve({ why: `apt's ${parsed.protocol} method cannot be asked directly` });
  const request = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(parsed, { method: 'HEAD', timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve({ status: res.statusCode });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${PROBE_TIMEOUT_MS / 1000} s`)));
    req.on('error', (error) => resolve({ why: error.message }));
    req.end();
  });
};

const PROBE_TIMEOUT_MS = 15_000;

/** The archive's answers for one fetch of the index: a new index (or --refresh) asks again. */
interface AnswerFile {
  indexFetchedAt: string;
  answers: Record<string, { served: boolean; url: string; status: number }>;
}

/** Remembers definite answers beside the private index they were asked for, so a warm run asks nothing. */
export class AvailabilityMemo {
  private readonly answers: AnswerFile['answers'];

  constructor(
    private readonly file: string,
    private readonly indexFetchedAt: string | undefined,
  ) {
    const saved = readAnswers(file);
    this.answers = indexFetchedAt && saved?.indexFetchedAt === indexFetchedAt ? saved.answers : {};
  }

  get(release: DebianRelease): Availability | undefined {
    const answer = this.answers[key(release)];
    return answer && { ...answer, from: 'earlier answer' };
  }

  remember(release: DebianRelease, availability: Availability): void {
    if (!this.indexFetchedAt || availability.served === undefined || !availability.url || availability.status === undefined) return;
    this.answers[key(release)] = { served: availability.served, url: availability.url, status: availability.status };
    writeFileSync(this.file, JSON.stringify({ indexFetchedAt: this.indexFetchedAt, answers: this.answers } satisfies AnswerFile, null, 2) + '\n');
  }
}

function key(release: DebianRelease): string {
  return `${release.package}=${release.debianVersion} ${release.orig.sha256}`;
}

function readAnswers(file: string): AnswerFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as AnswerFile;
    return typeof parsed.indexFetchedAt === 'string' && parsed.answers && typeof parsed.answers === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The verdict for one HTTP status: 404 and 410 say "not served", a 2xx "served", anything else tells nothing. */
export function availabilityOf(url: string, answer: { status?: number; why?: string }): Availability {
  const { status } = answer;
  if (status === 404 || status === 410) return { served: false, url, status, from: 'archive' };
  if (status !== undefined && status >= 200 && status < 300) return { served: true, url, status, from: 'archive' };
  return { served: undefined, url, status, why: answer.why ?? `HTTP ${status}`, from: 'archive' };
}

/** The orig tarball's URL in `apt-get source --print-uris` output (`'<url>' <name> <size> SHA256:<hex>`). */
export function origUrlFromPrintUris(lines: string[], release: DebianRelease): string | undefined {
  for (const line of lines) {
    const match = /^'([^']+)'\s+(\S+)\s+\d+\s+/.exec(line.trim());
    if (match && match[2] === release.orig.name) return match[1];
  }
  return undefined;
}

/** `apt-cache madison` lines (`openssl | 3.5.7-1~deb13u2 | http://deb.debian.org/debian trixie/main Sources`): version → suites. */
export function suitesByVersion(lines: string[]): Map<string, string[]> {
  const suites = new Map<string, string[]>();
  for (const line of lines) {
    const match = /^\s*\S+\s*\|\s*(\S+)\s*\|\s*\S+\s+([^/\s]+)(?:\/\S+)?\s+Sources\s*$/.exec(line);
    if (!match) continue;
    const list = suites.get(match[1]) ?? [];
    if (!list.includes(match[2])) list.push(match[2]);
    suites.set(match[1], list);
  }
  return suites;
}

/** "404", "HTTP 503", or why the archive could not be asked. */
export function describeAvailability(availability: Availability): string {
  if (availability.status === 404) return '404 Not Found';
  if (availability.status === 410) return '410 Gone';
  if (availability.status !== undefined && availability.why === undefined) return `HTTP ${availability.status}`;
  return availability.why ?? 'no answer';
}
