import { mkdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Parser, ReadEntry, UnpackSync } from 'tar';
import { openTarStream } from './archive-stream';

export interface ExtractOptions {
  /** Refuse an archive whose entries declare more bytes than this in total (default 4 GiB). */
  maxTotalBytes?: number;
  /** Drop the single top-level directory (`openssl-3.0.22/`) when every entry is under it (default true). */
  stripTopLevel?: boolean;
  /**
   * Extract only entries under these paths (after stripping, e.g. `Modules/`). The safety scan
   * still covers the whole archive.
   */
  only?: string[];
}

export interface ExtractResult {
  entries: number;
  /** The top-level directory that was stripped, if any. */
  strippedTopLevel?: string;
}

/** What the scan keeps of an entry: enough to judge links, nothing of the contents. */
export interface ArchiveEntry {
  path: string;
  type: string;
  size: number;
  linkpath?: string;
}

export const DEFAULT_MAX_TOTAL_BYTES = 4 * 1024 ** 3;

/** An archive refused before anything was written; names the entry and why. */
export class UnsafeArchiveError extends Error {
  constructor(
    readonly archive: string,
    readonly entryPath: string,
    readonly reason: string,
  ) {
    super(
      `Refusing to unpack ${archive}: entry "${entryPath}" ${reason}. Nothing was extracted. ` +
        `A release tarball never contains such an entry: the file is damaged or hostile; fetch it again from the official source.`,
    );
    this.name = 'UnsafeArchiveError';
  }
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const ALLOWED_TYPES = new Set([...FILE_TYPES, 'Directory', 'GNUDumpDir', 'SymbolicLink', 'Link']);
const REFUSED_TYPES: Record<string, string> = {
  CharacterDevice: 'is a character device',
  BlockDevice: 'is a block device',
  FIFO: 'is a FIFO (named pipe)',
};

/**
 * Unpacks a release tarball after proving, in a first pass that writes nothing, that every
 * entry stays inside destDir and the whole stays under the size limit.
 */
export async function extractArchive(archive: string, destDir: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const entries = await scanArchive(archive, options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES);
  const topLevel = options.stripTopLevel === false ? undefined : sharedTopLevel(entries);
  assertLinksStayInside(archive, entries, topLevel !== undefined);
  mkdirSync(destDir, { recursive: true });
  const only = options.only;
  const wanted = only
    ? (path: string) => {
        const relative = topLevel ? path.slice(topLevel.length + 1) : path;
        return only.some((prefix) => relative === prefix.replace(/\/$/, '') || relative.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
      }
    : undefined;
  // node-tar's synchronous writer, still fed one decompressed chunk at a time (memory stays bounded):
  // each entry's mkdir/open/write/utimes then cost no thread-pool round trips, which made the
  // asynchronous writer 2.3-3.8x slower on the OpenSSL and CPython tarballs, measured on tmpfs
  // where the disk plays no part (tools/benchmark/unpack.ts).
  const unpack = new UnpackSync({ cwd: destDir, strip: topLevel ? 1 : 0, strict: true, preserveOwner: false, ...(wanted ? { filter: wanted } : {}) });
  await pumpThroughTar(archive, unpack, parserSettled(unpack));
  return { entries: entries.length, strippedTopLevel: topLevel };
}

/** The list pass: reads headers only, refusing at the first unsafe entry so a 10 GB entry is never read. */
export async function scanArchive(archive: string, maxTotalBytes: number = DEFAULT_MAX_TOTAL_BYTES): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  let totalBytes = 0;
  let refuse: (error: Error) => void = () => undefined;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      totalBytes += entry.size;
      const reason = entryProblem(entry) ?? sizeProblem(totalBytes, maxTotalBytes);
      entry.resume();
      if (reason) return refuse(new UnsafeArchiveError(archive, entry.path, reason));
      entries.push({ path: entry.path, type: entry.type, size: entry.size, linkpath: entry.linkpath });
    },
  });
  parser.on('ignoredEntry', (entry: ReadEntry) => refuse(new UnsafeArchiveError(archive, entry.path, `has the unsupported entry type ${entry.type}`)));
  let sawEndMarker = false;
  parser.on('eof', () => (sawEndMarker = true));
  const settled = new Promise<void>((resolve, reject) => {
    refuse = (error) => (reject(error), parser.abort(error));
    parser.on('close', () => (sawEndMarker ? resolve() : reject(truncatedError(archive))));
    parser.on('error', reject);
  });
  await pumpThroughTar(archive, parser, settled);
  return entries;
}

function truncatedError(archive: string): Error {
  return new Error(`Refusing to unpack ${archive}: it ends without the end-of-archive marker, so it is truncated. Nothing was extracted. Fetch the tarball again.`);
}

function entryProblem(entry: ReadEntry): string | undefined {
  if (REFUSED_TYPES[entry.type]) return REFUSED_TYPES[entry.type];
  if (!ALLOWED_TYPES.has(entry.type)) return `has the unsupported entry type ${entry.type}`;
  return pathProblem(entry.path) ?? linkTargetProblem(entry);
}

/** Hard link targets are archive paths; symlink targets are judged later, against the whole tree. */
function linkTargetProblem(entry: ReadEntry): string | undefined {
  const linkpath = String(entry.linkpath ?? '');
  if (entry.type === 'Link') {
    const problem = pathProblem(linkpath);
    return problem && `is a hard link whose target "${linkpath}" ${problem}`;
  }
  if (entry.type === 'SymbolicLink' && linkpath.includes('\\')) return `is a symlink whose target "${linkpath}" has a backslash`;
  return undefined;
}

/**
 * Absolute POSIX paths, Windows drive letters and UNC paths, backslashes (a separator on
 * Windows, a name character elsewhere: a release tarball has none) and any `..` component.
 */
export function pathProblem(path: string): string | undefined {
  if (isAbsoluteAnywhere(path)) return /^[A-Za-z]:/.test(path) ? 'has a Windows drive-letter path' : 'has an absolute path';
  if (path.includes('\\')) return 'has a backslash in its path';
  if (splitPath(path).includes('..')) return "has a '..' path component";
  return undefined;
}

function isAbsoluteAnywhere(path: string): boolean {
  return /^[\\/]/.test(path) || /^[A-Za-z]:/.test(path);
}

function sizeProblem(totalBytes: number, maxTotalBytes: number): string | undefined {
  if (totalBytes <= maxTotalBytes) return undefined;
  return `brings the declared size of the archive's contents to ${totalBytes} bytes, above the limit of ${maxTotalBytes} bytes`;
}

/** Path components as node-tar sees them (entries with backslashes were refused before). */
function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/** The one directory every entry lives in (`openssl-3.0.22`), or undefined. */
export function sharedTopLevel(entries: ArchiveEntry[]): string | undefined {
  // node-tar's strip drops the first raw component, so `./top/x` must not count as `top`.
  const tops = new Set(entries.map((e) => e.path.split('/')[0]));
  const [top] = tops;
  if (tops.size !== 1 || top === '' || top === '.') return undefined;
  const onlyDirectory = entries.every((e) => splitPath(e.path).length > 1 || e.type === 'Directory');
  return onlyDirectory ? top : undefined;
}

/** Symlinks must resolve inside the destination (following the archive's own links); hard links must name an earlier file. */
function assertLinksStayInside(archive: string, entries: ArchiveEntry[], stripped: boolean): void {
  const inTree = (path: string) => splitPath(stripped ? path.split('/').slice(1).join('/') : path);
  const symlinks = new Map<string, string>();
  const files = new Set<string>();
  for (const entry of entries) {
    const parts = inTree(entry.path);
    const through = parts.findIndex((_, i) => i < parts.length - 1 && symlinks.has(parts.slice(0, i + 1).join('/')));
    if (through >= 0) throw new UnsafeArchiveError(archive, entry.path, `would be written through the symlink "${parts.slice(0, through + 1).join('/')}"`);
    if (entry.type === 'SymbolicLink') {
      symlinks.set(parts.join('/'), String(entry.linkpath));
      if (!resolveInside(parts.slice(0, -1), String(entry.linkpath), symlinks)) {
        throw new UnsafeArchiveError(archive, entry.path, `is a symlink to "${entry.linkpath}", which points outside the destination directory (or loops)`);
      }
    }
    if (entry.type === 'Link' && !files.has(inTree(String(entry.linkpath)).join('/'))) {
      throw new UnsafeArchiveError(archive, entry.path, `is a hard link to "${entry.linkpath}", which is not a file earlier in the archive (missing or outside the destination)`);
    }
    if (FILE_TYPES.has(entry.type) || entry.type === 'Link') files.add(parts.join('/'));
  }
}

/** Resolves a link target lexically from `fromDir`, substituting the archive's own symlinks; undefined when it leaves the root. */
function resolveInside(fromDir: string[], target: string, symlinks: Map<string, string>, depth = 0): string[] | undefined {
  if (isAbsoluteAnywhere(target) || depth > 40) return undefined;
  const parts = [...fromDir];
  for (const part of splitPath(target)) {
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
      continue;
    }
    parts.push(part);
    const link = symlinks.get(parts.join('/'));
    if (link === undefined) continue;
    const resolved = resolveInside(parts.slice(0, -1), link, symlinks, depth + 1);
    if (!resolved) return undefined;
    parts.splice(0, parts.length, ...resolved);
  }
  return parts;
}

function parserSettled(parser: Parser): Promise<void> {
  return new Promise((resolve, reject) => {
    parser.on('close', resolve);
    parser.on('error', reject);
  });
}

/** Feeds the uncompressed tar bytes to a parser; a decompressor failure is reported before the parser's confusion about it. */
async function pumpThroughTar(archive: string, parser: Parser, settled: Promise<void>): Promise<void> {
  const tar = openTarStream(archive);
  tar.stream.pipe(parser as unknown as Writable);
  try {
    await Promise.all([settled, tar.finished]);
  } catch (error) {
    tar.stop();
    throw await tar.finished.then(
      () => error,
      (decompressionError) => decompressionError,
    );
  }
}
