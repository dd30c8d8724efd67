import { Stats, mkdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Parser, ReadEntry, UnpackSync } from 'tar';
import { archiveCompression, openTarStream } from './archive-stream';
import { extractWithSystemTar, systemGnuTar } from './system-tar';

/** What the scan refuses before anything is written; each far above what a release tarball holds. */
export interface ArchiveLimits {
  /** Refuse an archive whose entries declare more bytes than this in total (default 4 GiB). */
  maxTotalBytes?: number;
  /** Refuse an archive with more entries than this (default 100000; OpenSSL 3.5 has about 6000, CPython about 5200). */
  maxEntries?: number;
}

export interface ExtractOptions extends ArchiveLimits {
  /** Drop the single top-level directory (`openssl-3.0.22/`) when every entry is under it (default true). */
  stripTopLevel?: boolean;
  /**
   * Extract only entries under these paths (after stripping, e.g. `Modules/`). The safety scan
   * still covers the whole archive.
   */
  only?: string[];
  /**
   * What writes the files once the scan has passed: for a whole archive, the system's GNU tar where there is one
   * (POSIX); for a subtree (`only`), or without GNU tar, node-tar's synchronous writer. `node-tar` forces the latter.
   */
  writer?: 'auto' | 'node-tar';
  /**
   * How many inflated bytes the scan keeps for node-tar's writer, so that it writes the very bytes that were proved
   * safe without inflating the archive again (default 256 MiB; CPython's and OpenSSL's tarballs inflate to about 100
   * and 70 MB). Past it, the writer reads the archive a second time.
   */
  keepBytes?: number;
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
export const DEFAULT_MAX_ENTRIES = 100_000;
/**
 * The scan keeps every entry's path and link target; with at most 100000 entries, this bounds the memory
 * they take (node-tar already refuses a single name above 1 MiB). Release tarballs hold about 0.3 MB of names.
 */
export const MAX_NAME_BYTES = 64 * 1024 ** 2;

const NOT_A_RELEASE = 'A release tarball never contains such an entry: the file is damaged or hostile; fetch it again from the official source.';
const ABOVE_A_LIMIT =
  'No OpenSSL or CPython release tarball comes near this limit: the file is damaged, hostile or not the release; fetch it again from the official source ' +
  'and compare its SHA-256 with the one published beside the release.';

/** An archive refused before anything was written; names the entry and why. */
export class UnsafeArchiveError extends Error {
  constructor(
    readonly archive: string,
    readonly entryPath: string,
    readonly reason: string,
    advice: string = NOT_A_RELEASE,
  ) {
    super(`Refusing to unpack ${archive}: entry "${shortened(entryPath)}" ${reason}. Nothing was extracted. ${advice}`);
    this.name = 'UnsafeArchiveError';
  }
}

/** A name of up to 1 MiB is legal in a tar file; a message shows its two ends. */
function shortened(name: string): string {
  return name.length <= 300 ? name : `${name.slice(0, 200)}…${name.slice(-80)}`;
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
 * entry stays inside destDir and the whole stays under the size limit. A whole archive's files are then written
 * by the system's GNU tar where there is one, else (and for a subtree) by node-tar; either leaves the same tree
 * (safe-extract.spec.ts).
 */
export async function extractArchive(archive: string, destDir: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const only = options.only;
  // GNU tar writes a whole tarball faster; for a subtree (Modules/), where the work is reading the archive, node-tar's
  // in-process inflating is faster (tools/benchmark/unpack.ts).
  const tar = options.writer === 'node-tar' || only ? undefined : systemGnuTar();
  // For node-tar, the scan keeps the bytes it inflated (up to a bound): the writer then gets exactly the bytes that
  // were proved safe, without reading and inflating the archive a second time.
  const kept: KeptBytes | undefined = tar ? undefined : { chunks: [], bytes: 0, max: options.keepBytes ?? KEEP_MAX_BYTES, overflowed: false };
  const entries = await scanEntries(archive, options, kept);
  const topLevel = options.stripTopLevel === false ? undefined : sharedTopLevel(entries);
  assertLinksStayInside(archive, entries, topLevel !== undefined);
  mkdirSync(destDir, { recursive: true });
  if (tar) {
    await extractWithSystemTar(tar, { archive, destDir, compression: archiveCompression(archive), stripTopLevel: topLevel !== undefined });
    return { entries: entries.length, strippedTopLevel: topLevel };
  }
  const wanted = (path: string) => {
    if (!only) return true;
    const relative = topLevel ? path.slice(topLevel.length + 1) : path;
    return only.some((prefix) => relative === prefix.replace(/\/$/, '') || relative.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
  };
  // Set-user-ID, set-group-ID and sticky bits are never written (GNU tar's --no-same-permissions drops them too).
  const withoutSpecialBits = (path: string, entry: ReadEntry | Stats) => {
    if ('mode' in entry && typeof entry.mode === 'number') entry.mode &= 0o777;
    return wanted(path);
  };
  // node-tar's synchronous writer, still fed one decompressed chunk at a time (memory stays bounded):
  // each entry's mkdir/open/write/utimes then cost no thread-pool round trips, which made the
  // asynchronous writer 2.3-3.8x slower on the OpenSSL and CPython tarballs, measured on tmpfs
  // where the disk plays no part (tools/benchmark/unpack.ts).
  const unpack = new UnpackSync({ cwd: destDir, strip: topLevel ? 1 : 0, strict: true, preserveOwner: false, filter: withoutSpecialBits });
  if (kept && !kept.overflowed) await writeKept(kept, unpack);
  else await pumpThroughTar(archive, unpack, parserSettled(unpack));
  return { entries: entries.length, strippedTopLevel: topLevel };
}

/** The inflated tar bytes a scan kept for the writer; past `max` it stops keeping, and the writer reads the archive again. */
interface KeptBytes {
  chunks: Buffer[];
  bytes: number;
  max: number;
  overflowed: boolean;
}

const KEEP_MAX_BYTES = 256 * 1024 ** 2;

async function writeKept(kept: KeptBytes, unpack: UnpackSync): Promise<void> {
  const settled = parserSettled(unpack);
  try {
    for (const chunk of kept.chunks) unpack.write(chunk);
    unpack.end();
  } catch (error) {
    // The writer threw (a full disk): that error is the one to report, not its echo on the parser.
    settled.catch(() => undefined);
    throw error;
  } finally {
    kept.chunks.length = 0;
  }
  await settled;
}

/**
 * The list pass: reads headers only, refusing at the first unsafe entry so a 10 GB entry is never read,
 * and at the first entry past a limit, so the entries it keeps in memory stay bounded.
 */
export function scanArchive(archive: string, limits: ArchiveLimits = {}): Promise<ArchiveEntry[]> {
  return scanEntries(archive, limits, undefined);
}

async function scanEntries(archive: string, limits: ArchiveLimits, kept: KeptBytes | undefined): Promise<ArchiveEntry[]> {
  const maxTotalBytes = limits.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
  const maxEntries = limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const entries: ArchiveEntry[] = [];
  let totalBytes = 0;
  let nameBytes = 0;
  let refuse: (error: Error) => void = () => undefined;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      entry.resume();
      totalBytes += entry.size;
      nameBytes += entry.path.length + (entry.linkpath?.length ?? 0);
      const reason = entryProblem(entry);
      if (reason) return refuse(new UnsafeArchiveError(archive, entry.path, reason));
      const overLimit = limitProblem(entries.length + 1, maxEntries, nameBytes, totalBytes, maxTotalBytes);
      if (overLimit) return refuse(new UnsafeArchiveError(archive, entry.path, overLimit, ABOVE_A_LIMIT));
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
  const keep = kept
    ? (chunk: Buffer) => {
        if (kept.overflowed) return;
        kept.bytes += chunk.length;
        if (kept.bytes > kept.max) {
          kept.overflowed = true;
          kept.chunks.length = 0;
        } else kept.chunks.push(chunk);
      }
    : undefined;
  await pumpThroughTar(archive, parser, settled, keep);
  return entries;
}

function truncatedError(archive: string): Error {
  return new Error(
    `Refusing to unpack ${archive}: it ends without the end-of-archive marker, so it is truncated. Nothing was extracted. Fetch the tarball again.`,
  );
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

function limitProblem(count: number, maxEntries: number, nameBytes: number, totalBytes: number, maxTotalBytes: number): string | undefined {
  if (count > maxEntries) return `is entry number ${count}, above the limit of ${maxEntries} entries per archive`;
  if (nameBytes > MAX_NAME_BYTES)
    return `brings the length of the archive's paths and link targets to ${nameBytes} characters, above the limit of ${MAX_NAME_BYTES}`;
  if (totalBytes > maxTotalBytes) return `brings the declared size of the archive's contents to ${totalBytes} bytes, above the limit of ${maxTotalBytes} bytes`;
  return undefined;
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

/**
 * Judges the links on the tree the archive leaves behind, not in archive order: a symlink is followed on
 * disk through links that may come later in the archive (`d/e/steal → h/../h/../../../x`, then `d/e/h → .`,
 * then `d/h → .` reaches two levels above the destination). So, over all entries at once: nothing is
 * written through a symlink, a symlink's path is taken by no other entry, and every symlink's target,
 * resolved through every symlink of the archive, stays inside. Paths are compared as a case-insensitive,
 * normalisation-insensitive file system (macOS, Windows) would see them. Hard links must name a file
 * earlier in the archive: tar links to what is on disk at that point.
 */
function assertLinksStayInside(archive: string, entries: ArchiveEntry[], stripped: boolean): void {
  const inTree = (path: string) => splitPath(stripped ? path.split('/').slice(1).join('/') : path);
  const symlinks = new Map<string, { entry: ArchiveEntry; parts: string[] }>();
  const taken = new Map<string, ArchiveEntry>();
  for (const entry of entries) {
    const parts = inTree(entry.path);
    const key = sameOnDisk(parts);
    const other = taken.get(key);
    const isLink = entry.type === 'SymbolicLink';
    if (isLink && parts.length === 0) throw new UnsafeArchiveError(archive, entry.path, 'is a symlink in place of the destination directory itself');
    if (other && (isLink || other.type === 'SymbolicLink')) {
      throw new UnsafeArchiveError(archive, entry.path, `takes the path of the earlier entry "${other.path}", and one of them is a symlink`);
    }
    if (!other) taken.set(key, entry);
    if (isLink) symlinks.set(key, { entry, parts });
  }
  for (const entry of entries) {
    const parts = inTree(entry.path);
    const through = parts.findIndex((_, i) => i < parts.length - 1 && symlinks.has(sameOnDisk(parts.slice(0, i + 1))));
    if (through >= 0) throw new UnsafeArchiveError(archive, entry.path, `would be written through the symlink "${parts.slice(0, through + 1).join('/')}"`);
  }
  const resolveLink = symlinkResolver(symlinks);
  for (const [key, { entry }] of symlinks) {
    if (!resolveLink(key)) {
      throw new UnsafeArchiveError(
        archive,
        entry.path,
        `is a symlink to "${entry.linkpath}", which points outside the destination directory (or loops) when followed through every symlink in the archive`,
      );
    }
  }
  const files = new Set<string>();
  for (const entry of entries) {
    if (entry.type === 'Link' && !files.has(inTree(String(entry.linkpath)).join('/'))) {
      throw new UnsafeArchiveError(
        archive,
        entry.path,
        `is a hard link to "${entry.linkpath}", which is not a file earlier in the archive (missing or outside the destination)`,
      );
    }
    if (FILE_TYPES.has(entry.type) || entry.type === 'Link') files.add(inTree(entry.path).join('/'));
  }
}

/**
 * One key for every spelling a file system may take as the same path (`H` and `h`, composed and
 * decomposed accents). Folding more than a file system does only refuses more: a name folded onto a
 * symlink's that the disk keeps apart is refused as a collision, or does not exist on disk.
 */
function sameOnDisk(parts: string[]): string {
  return parts.join('/').normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/** Linux follows at most 40 symlinks in one lookup; an archive needing more is refused, not resolved. */
const MAX_SYMLINK_DEPTH = 40;

/**
 * Where each symlink leads, as path components from the destination, or undefined when it leaves it or
 * loops. Each link is resolved once (a chain of links costs its length, not its length squared).
 */
function symlinkResolver(symlinks: Map<string, { entry: ArchiveEntry; parts: string[] }>): (key: string) => string[] | undefined {
  const resolved = new Map<string, string[] | undefined>();
  const resolving = new Set<string>();
  const resolveLink = (key: string, depth: number): string[] | undefined => {
    if (resolved.has(key)) return resolved.get(key);
    if (resolving.has(key) || depth > MAX_SYMLINK_DEPTH) return undefined;
    resolving.add(key);
    const { entry, parts } = symlinks.get(key)!;
    const target = walk(parts.slice(0, -1), String(entry.linkpath ?? ''), depth);
    resolving.delete(key);
    resolved.set(key, target);
    return target;
  };
  // Every symlink sits at a path with no symlink above it (checked before), so `fromDir` is a real
  // directory and each link's resolution depends on the link alone.
  const walk = (fromDir: string[], target: string, depth: number): string[] | undefined => {
    if (isAbsoluteAnywhere(target)) return undefined;
    const parts = [...fromDir];
    for (const part of splitPath(target)) {
      if (part === '..') {
        if (parts.length === 0) return undefined;
        parts.pop();
        continue;
      }
      parts.push(part);
      const key = sameOnDisk(parts);
      if (!symlinks.has(key)) continue;
      const through = resolveLink(key, depth + 1);
      if (!through) return undefined;
      parts.splice(0, parts.length, ...through);
    }
    return parts;
  };
  return (key) => resolveLink(key, 0);
}

function parserSettled(parser: Parser): Promise<void> {
  return new Promise((resolve, reject) => {
    parser.on('close', resolve);
    parser.on('error', reject);
  });
}

/** Feeds the uncompressed tar bytes to a parser; a decompressor failure is reported before the parser's confusion about it. */
async function pumpThroughTar(archive: string, parser: Parser, settled: Promise<void>, onChunk?: (chunk: Buffer) => void): Promise<void> {
  const tar = openTarStream(archive);
  if (onChunk) tar.stream.on('data', onChunk);
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
