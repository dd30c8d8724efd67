import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, ProcessRunner, RunOptions } from '../process/command';
import { ProcessError } from '../process/process-error';
import { planDebSrcLines, readSystemAptSources, renderDebSrcLine, systemCodename } from './apt-sources';
import { withCacheLock } from '../locks/cache-lock';
import { ContentCache } from './content-cache';
import {
  Availability,
  AvailabilityMemo,
  UrlProbe,
  availabilityOf,
  describeAvailability,
  headRequest,
  origUrlFromPrintUris,
  suitesByVersion,
} from './debian-served';
import { DebianRelease, SourcePackageStanza, chooseDebianRelease, debianReleases, matchesVersionPrefix, parseShowSrc } from './debian-showsrc';
import { isDebianVersion } from './debian-version';
import { DebianSource, SourceLock, SourceProduct } from './source-spec';
import { productName } from './source-version';

export interface DebianArchiveContext {
  cacheDir: string;
  runner: ProcessRunner;
  /** Root of the file system whose /etc/apt and /etc/os-release are read (tests point it elsewhere). */
  systemRoot?: string;
  /** When Debian's source index is fetched again (default: when older than a day). */
  index?: IndexPolicy;
  /** Where what apt is about to do, and which index was used, is said. */
  print?: (line: string) => void;
  /** The clock, for the index's age (tests). */
  now?: () => number;
  /** Asks the archive whether it serves a file (default: a HEAD request); tests answer from a table. */
  probe?: UrlProbe;
}

/** When fipskit asks Debian's archive for its source index again instead of using the one it fetched before. */
export interface IndexPolicy {
  /** Ask the archive now, whatever the index's age. */
  refresh?: boolean;
  /** Hours after which the index is fetched again. */
  maxAgeHours?: number;
}

/** A day: a Debian point or security release reaches the lock within a day, and a day offline still builds. */
export const DEFAULT_INDEX_MAX_AGE_HOURS = 24;

/** fipskit's own apt state under the cache: the system's apt configuration is only ever read. */
export interface PrivateApt {
  dir: string;
  sourcesList: string;
  /** Kept empty, so the system's sources.list.d is not mixed in. */
  sourceParts: string;
  lists: string;
  cache: string;
  lock: string;
  /** When the index was last fetched, and for which sources.list. */
  stamp: string;
  /** Whether the archive serves the tarballs the index names, as answered for that fetch of the index. */
  served: string;
}

/**
 * The private apt state for one set of deb-src lines: a directory of its own per sources.list, so that projects on
 * different suites (bookworm, trixie-security) keep their indexes side by side instead of fetching over each other.
 */
export function privateApt(cacheDir: string, aptSources: string[]): PrivateApt {
  const dir = join(cacheDir, 'apt', createHash('sha256').update(renderSourcesList(aptSources)).digest('hex').slice(0, 16));
  return {
    dir,
    sourcesList: join(dir, 'sources.list'),
    sourceParts: join(dir, 'sources.list.d'),
    lists: join(dir, 'lists'),
    cache: join(dir, 'cache'),
    lock: join(dir, 'fipskit.lock'),
    stamp: join(dir, 'fipskit-index.json'),
    served: join(dir, 'fipskit-served.json'),
  };
}

/** Points apt at the private state; no lock on system directories is needed or taken. */
export function aptOptions(apt: PrivateApt): string[] {
  return [
    ['Dir::Etc::SourceList', apt.sourcesList],
    ['Dir::Etc::SourceParts', apt.sourceParts],
    ['Dir::State::Lists', apt.lists],
    ['Dir::Cache', apt.cache],
    ['Debug::NoLocking', '1'],
  ].flatMap(([key, value]) => ['-o', `${key}=${value}`]);
}

/** The source package to ask for: `openssl` by default; CPython's depends on the minor series, so it must be named. */
export function debianPackageFor(product: SourceProduct, spec: DebianSource): string {
  const pkg = spec.package ?? (product === 'openssl' ? 'openssl' : undefined);
  if (!pkg) {
    throw new Error(`A debian source for CPython needs package: Debian ships one source package per minor series. Set package, e.g. "python3.11".`);
  }
  if (!DEBIAN_PACKAGE_NAME.test(pkg)) throw new Error(`"${pkg}" is not a Debian source package name. Set package to a name such as openssl or python3.11.`);
  return pkg;
}

/** Debian Policy 5.6.7: lowercase letters, digits, `+ - .`; at least two characters, starting with a letter or digit. */
const DEBIAN_PACKAGE_NAME = /^[a-z0-9][a-z0-9.+-]+$/;

/**
 * The source package and version a Debian lock names, checked before anything from the lock reaches apt's
 * arguments. A lock is a file in the workspace that anyone who can write there can change, and an argument
 * array does not stop apt from reading a "package" such as `-oAPT::Get::AllowUnauthenticated=1` as an option.
 * `lockFile` names the lock in the refusal.
 */
export function checkDebianLock(lock: SourceLock, lockFile: string): { package: string; debianVersion: string } {
  const fileName = requireField(lock.fileName, 'fileName', lockFile);
  const debianVersion = requireField(lock.debianVersion, 'debianVersion', lockFile);
  const refuse = (what: string) =>
    new Error(
      `The source lock ${lockFile} is not one the sources stage writes: ${what}. Nothing was run. ` +
        `Run the sources stage again to rewrite it (nx run <project>:sources --skip-nx-cache), and find out what changed it.`,
    );
  const underscore = typeof fileName === 'string' ? fileName.indexOf('_') : -1;
  const pkg = underscore > 0 ? fileName.slice(0, underscore) : '';
  if (!DEBIAN_PACKAGE_NAME.test(pkg)) {
    throw refuse(
      `its fileName ${JSON.stringify(fileName)} does not start with a Debian source package name and "_" ` +
        `(a package name is at least 2 characters of lowercase letters, digits, "+", "-" and ".", starting with a letter or digit)`,
    );
  }
  if (typeof debianVersion !== 'string' || !isDebianVersion(debianVersion)) {
    throw refuse(
      `its debianVersion ${JSON.stringify(debianVersion)} is not a Debian version ` +
        `([epoch:]upstream[-revision], starting with a digit, of letters, digits and ".", "+", "~", "-")`,
    );
  }
  return { package: pkg, debianVersion };
}

/** Checks a debian spec without touching the network; returns the deb-src lines it will use. */
export function planDebianSources(spec: DebianSource, systemRoot = '/'): string[] {
  if (spec.version !== undefined && !/^\d+(\.\d+)*[a-z]?$/.test(spec.version)) {
    throw new Error(
      `"${spec.version}" is not an upstream version or prefix. Set version like "3.0" (newest 3.0.x) or "3.0.22" (exactly), or leave it out for the newest.`,
    );
  }
  for (const suite of spec.suites ?? []) {
    if (!/^[a-z0-9][a-z0-9./-]*$/.test(suite))
      throw new Error(`"${suite}" is not a Debian suite name. Set suites to names such as bookworm or bookworm-security.`);
  }
  if (spec.release !== undefined && !/^[a-z][a-z0-9]*$/.test(spec.release)) {
    throw new Error(
      `release "${spec.release}" is not a Debian release codename. Set release to a codename such as bookworm or trixie (its main, updates and security suites are searched).`,
    );
  }
  if (spec.release !== undefined && spec.suites !== undefined) {
    throw new Error(
      `The debian source names both release "${spec.release}" and suites ${JSON.stringify(spec.suites)}. Keep one: release for a whole release (main, updates and security), suites for exactly the suites listed.`,
    );
  }
  if (spec.mirror !== undefined && !/^https?:\/\/[^\s[\]]+$/.test(spec.mirror)) {
    throw new Error(`mirror "${spec.mirror}" is not an http(s) URL. Set mirror to a Debian archive base URL (apt checks the archive's signature either way).`);
  }
  const system = readSystemAptSources(systemRoot);
  const codename = systemCodename(systemRoot, system);
  return planDebSrcLines(system, { suites: debianSuites(spec), mirror: spec.mirror, codename }).map(renderDebSrcLine);
}

/** Releases that have no updates or security suite of their own. */
const ROLLING = new Set(['sid', 'unstable', 'experimental', 'rc-buggy']);

/** The suites a debian source names: a release stands for its main, updates and security suites; undefined for the machine's own. */
export function debianSuites(spec: Pick<DebianSource, 'release' | 'suites'>): string[] | undefined {
  if (spec.release === undefined) return spec.suites;
  return ROLLING.has(spec.release) ? [spec.release] : [spec.release, `${spec.release}-updates`, `${spec.release}-security`];
}

/** Updates the private index and picks the release the spec asks for: the newest match the archive actually serves. */
export async function findDebianRelease(
  product: SourceProduct,
  spec: DebianSource,
  ctx: DebianArchiveContext,
): Promise<{ release: DebianRelease; aptSources: string[]; debian: { release?: string; suites?: string[]; mirror?: string } }> {
  const pkg = debianPackageFor(product, spec);
  const aptSources = planDebianSources(spec, ctx.systemRoot);
  const apt = privateApt(ctx.cacheDir, aptSources);
  const release = await withCacheLock(apt.lock, async () => {
    const stanzas = await readSourceIndex(pkg, aptSources, ctx);
    // The same checks and messages as before when nothing matches at all.
    chooseDebianRelease(stanzas, pkg, spec.version);
    const matching = debianReleases(stanzas, pkg).filter((r) => matchesVersionPrefix(r.upstreamVersion, spec.version));
    return chooseServedRelease(matching, debianReleases(stanzas, pkg), pkg, spec, apt, ctx);
  });
  const debian = {
    ...(spec.release ? { release: spec.release } : {}),
    ...(spec.suites ? { suites: spec.suites } : {}),
    ...(spec.mirror ? { mirror: spec.mirror } : {}),
  };
  return { release, aptSources, debian };
}

/**
 * The newest of `matching` (newest first) whose tarball the archive serves. A newer one the archive does not serve
 * (404/410) is skipped and said; one the archive could not be asked about is taken, with a warning. An exact
 * version never falls back to another upstream version: `matching` then holds only its Debian revisions.
 */
async function chooseServedRelease(
  matching: DebianRelease[],
  listed: DebianRelease[],
  pkg: string,
  spec: DebianSource,
  apt: PrivateApt,
  ctx: DebianArchiveContext,
): Promise<DebianRelease> {
  const print = ctx.print ?? (() => undefined);
  const memo = new AvailabilityMemo(apt.served, readStamp(apt)?.fetchedAt);
  const cache = new ContentCache(ctx.cacheDir);
  const skipped: Array<[DebianRelease, Availability]> = [];
  let suites: Map<string, string[]> | undefined;
  const suitesOf = async (release: DebianRelease) => {
    suites ??= await madison(pkg, apt, ctx);
    return suites.get(release.debianVersion)?.join(', ') ?? 'a suite apt did not name';
  };
  for (const release of matching) {
    const availability = existsSync(cache.pathFor(release.orig.sha256, release.orig.name))
      ? ({ served: true, from: 'content cache' } satisfies Availability)
      : (memo.get(release) ?? (await askArchive(release, apt, ctx)));
    memo.remember(release, availability);
    if (availability.served === false) {
      skipped.push([release, availability]);
      continue;
    }
    if (availability.served === undefined) {
      print(
        `[sources] warning: could not ask Debian's archive whether it serves ${release.orig.name} (${describeAvailability(availability)}); ` +
          `locking ${release.upstreamVersion} (${release.debianVersion}) as the newest the index lists.`,
      );
    }
    if (skipped.length) {
      const notServed = await Promise.all(
        skipped.map(async ([r, a]) => `${r.upstreamVersion} (${r.debianVersion}) listed by ${await suitesOf(r)} is not served (${describeAvailability(a)})`),
      );
      print(`[sources] ${notServed.join('; ')}; using ${release.upstreamVersion} (${release.debianVersion}) from ${await suitesOf(release)}`);
    }
    return release;
  }
  const lines = await Promise.all(
    listed.map(async (r) => {
      const wasSkipped = skipped.find(([s]) => s.debianVersion === r.debianVersion);
      const state = wasSkipped ? `not served: ${describeAvailability(wasSkipped[1])}` : 'not asked';
      return `  ${r.upstreamVersion} (${r.debianVersion}) in ${await suitesOf(r)}: ${state}`;
    }),
  );
  const asked = `the suites asked (${describeSuites(spec, ctx)})`;
  const exact = matching.every((r) => r.upstreamVersion === spec.version);
  throw new Error(
    (exact
      ? `Debian's archive lists ${pkg} ${spec.version}, but serves none of its files: version "${spec.version}" asks for exactly this release, so fipskit does not fall back to another one.`
      : `Debian's archive lists ${pkg} releases matching "${spec.version ?? '(any)'}", but serves none of their upstream tarballs.`) +
      ` What ${asked} list:\n${lines.join('\n')}\n` +
      `An index ahead of its files is usually a mirror still catching up or a superseded upload that was purged: run again later with --refresh, ` +
      `or set version to a release that is served${exact ? ' or to a prefix (e.g. "' + spec.version!.split('.').slice(0, 2).join('.') + '") to take the newest one served' : ''}` +
      (spec.release ? '.' : `, or name the whole release (release: "<codename>") so that its main, updates and security suites are all searched.`),
  );
}

function describeSuites(spec: DebianSource, ctx: DebianArchiveContext): string {
  const suites = debianSuites(spec);
  if (suites) return suites.join(', ');
  const system = readSystemAptSources(ctx.systemRoot ?? '/');
  return `this machine's: ${planDebSrcLines(system, { codename: systemCodename(ctx.systemRoot ?? '/', system) })
    .map((l) => l.suite)
    .filter((s, i, all) => all.indexOf(s) === i)
    .join(', ')}`;
}

/** Where apt would fetch the release's tarball, and what the archive answers for it there. */
async function askArchive(release: DebianRelease, apt: PrivateApt, ctx: DebianArchiveContext): Promise<Availability> {
  const spec = `${release.package}=${release.debianVersion}`;
  const lines: string[] = [];
  await runApt(ctx.runner, aptCommand(apt, 'apt-get', ['source', '--print-uris', '--only-source', spec], apt.dir, `apt-get source --print-uris ${spec}`), {
    onLine: (line) => lines.push(line),
    allowFailure: true,
  });
  const url = origUrlFromPrintUris(lines, release);
  if (!url) return { served: undefined, why: `apt-get source --print-uris named no URL for ${release.orig.name}`, from: 'archive' };
  return availabilityOf(url, await (ctx.probe ?? headRequest)(url));
}

async function madison(pkg: string, apt: PrivateApt, ctx: DebianArchiveContext): Promise<Map<string, string[]>> {
  const lines: string[] = [];
  await runApt(ctx.runner, aptCommand(apt, 'apt-cache', ['madison', pkg], apt.dir, `apt-cache madison ${pkg}`), {
    onLine: (line) => lines.push(line),
    allowFailure: true,
  });
  return suitesByVersion(lines);
}

async function readSourceIndex(pkg: string, aptSources: string[], ctx: DebianArchiveContext): Promise<SourcePackageStanza[]> {
  const apt = privateApt(ctx.cacheDir, aptSources);
  await ensureSourceIndex(apt, aptSources, ctx);
  const output: string[] = [];
  await runApt(ctx.runner, aptCommand(apt, 'apt-cache', ['showsrc', pkg], apt.dir, `apt-cache showsrc ${pkg}`), {
    onLine: (line) => output.push(line),
    allowFailure: true,
  });
  return parseShowSrc(output.join('\n'));
}

interface IndexStamp {
  sourcesList: string;
  fetchedAt: string;
}

/** The indexes settled in one run (one context), so that resolving several sources asks the archive once. */
const settledInRun = new WeakMap<DebianArchiveContext, Set<string>>();

/**
 * Makes the private index current enough: the one fetched before while it is younger than the policy's age and
 * for the same sources.list, else `apt-get update` (said before it starts, with a bounded wait). When the archive
 * does not answer and an index for these sources exists, that index is used and the run says how old it is;
 * offline with no index at all, it stops with what to do.
 */
async function ensureSourceIndex(apt: PrivateApt, aptSources: string[], ctx: DebianArchiveContext): Promise<void> {
  const print = ctx.print ?? (() => undefined);
  const now = (ctx.now ?? Date.now)();
  const sourcesList = renderSourcesList(aptSources);
  const stamp = readStamp(apt);
  const have = stamp?.sourcesList === sourcesList ? Date.parse(stamp.fetchedAt) : undefined;
  const maxAgeHours = ctx.index?.maxAgeHours ?? DEFAULT_INDEX_MAX_AGE_HOURS;
  const key = `${apt.dir}\0${sourcesList}`;
  const settled = settledInRun.get(ctx) ?? new Set<string>();
  settledInRun.set(ctx, settled);
  if (settled.has(key)) return;
  if (have !== undefined && isCurrent(have, ctx.index, now)) {
    print(`[sources] using Debian's source index fetched ${describeAge(now - have)} ago (fetched again after ${maxAgeHours} h, or now with --refresh)`);
    settled.add(key);
    return;
  }
  writePrivateSourcesList(apt, aptSources);
  print("[sources] asking Debian's archive for its current source index (apt-get update; no retries, 15 s per connection at most)");
  const lines: string[] = [];
  const result = await runApt(ctx.runner, aptCommand(apt, 'apt-get', [...UPDATE_LIMITS, 'update'], apt.dir, 'apt-get update (fipskit private deb-src index)'), {
    onLine: (line) => lines.push(line),
    allowFailure: true,
  });
  // apt-get update exits 0 when it could not fetch and kept the old index: its "W: Failed to fetch" lines say so.
  const problem = lines.find((line) => /^(E:|W: Failed to fetch|Err:)/.test(line.trim()));
  if (result.exitCode === 0 && !problem) {
    writeFileSync(apt.stamp, JSON.stringify({ sourcesList, fetchedAt: new Date(now).toISOString() } satisfies IndexStamp, null, 2) + '\n');
    settled.add(key);
    return;
  }
  const why = (problem ?? `apt-get update exited with ${result.exitCode}`).trim().replace(/^(W: |E: )/, '');
  if (have === undefined) {
    throw new Error(
      `Debian's archive did not answer (${why}), and fipskit has no source index for these sources from an earlier run. ` +
        'Connect to the network (or set mirror to a Debian mirror this machine reaches) and run again; ' +
        'once fetched, the index is used offline for ' +
        `${maxAgeHours} h and after that whenever the archive does not answer.`,
    );
  }
  print(
    `[sources] warning: Debian's archive did not answer (${why}): resolving from the index fetched ${describeAge(now - have)} ago. ` +
      'A release Debian published since then is not seen; run again with --refresh when online.',
  );
  settled.add(key);
}

/** Whether an index fetched at `fetchedAt` is used as it is under `policy`: no refresh asked, and no older than its age. */
function isCurrent(fetchedAt: number, policy: IndexPolicy | undefined, now: number): boolean {
  return !policy?.refresh && now - fetchedAt <= (policy?.maxAgeHours ?? DEFAULT_INDEX_MAX_AGE_HOURS) * HOUR;
}

/** What a resolution of a Debian source would start from: the index it would use as it is, or why it would ask the archive. */
export type DebianIndexUse = { reused: true; state: string } | { reused: false; why: string };

/**
 * Whether resolving `spec` now would use fipskit's private index as it is, asking the archive nothing (the same rule
 * as the resolution's). Then `state` names everything the resolution reads besides the spec: the index (its
 * sources.list and when it was fetched), what the archive answered about its tarballs since, and which tarballs the
 * content cache holds (one held is taken as served). Anything else, `why` says what the resolution would ask.
 */
export function debianIndexUse(spec: DebianSource, ctx: Pick<DebianArchiveContext, 'cacheDir' | 'systemRoot' | 'index' | 'now'>): DebianIndexUse {
  let aptSources: string[];
  try {
    aptSources = planDebianSources(spec, ctx.systemRoot);
  } catch (error) {
    return { reused: false, why: (error as Error).message };
  }
  const apt = privateApt(ctx.cacheDir, aptSources);
  const sourcesList = renderSourcesList(aptSources);
  const stamp = readStamp(apt);
  if (stamp?.sourcesList !== sourcesList) return { reused: false, why: `no index for these sources yet (${apt.dir})` };
  const fetchedAt = Date.parse(stamp.fetchedAt);
  if (!isCurrent(fetchedAt, ctx.index, (ctx.now ?? Date.now)())) {
    return {
      reused: false,
      why: ctx.index?.refresh ? 'a refresh is asked' : `the index is older than ${ctx.index?.maxAgeHours ?? DEFAULT_INDEX_MAX_AGE_HOURS} h`,
    };
  }
  const read = (file: string) => (existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'none');
  const held = existsSync(join(ctx.cacheDir, 'sha256')) ? readdirSync(join(ctx.cacheDir, 'sha256')).sort().join(',') : '';
  const state = [
    `index ${apt.dir} fetched ${stamp.fetchedAt}`,
    `lists ${readdirSync(apt.lists).sort().join(',')}`,
    `served ${read(apt.served)}`,
    `content cache ${createHash('sha256').update(held).digest('hex')}`,
  ].join('\n');
  return { reused: true, state };
}

/** Bounded waits for apt-get update: no retries, a connection that does not answer in 15 s is a failure. */
const UPDATE_LIMITS = ['-o', 'Acquire::Retries=0', '-o', 'Acquire::http::Timeout=15', '-o', 'Acquire::https::Timeout=15'];

const HOUR = 3600 * 1000;

function describeAge(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

function readStamp(apt: PrivateApt): IndexStamp | undefined {
  try {
    const stamp = JSON.parse(readFileSync(apt.stamp, 'utf8')) as IndexStamp;
    return typeof stamp.sourcesList === 'string' && typeof stamp.fetchedAt === 'string' && existsSync(apt.lists) ? stamp : undefined;
  } catch {
    return undefined;
  }
}

function renderSourcesList(aptSources: string[]): string {
  return `# Written by fipskit; the system's apt configuration is not used or changed.\n${aptSources.join('\n')}\n`;
}

export function writePrivateSourcesList(apt: PrivateApt, aptSources: string[]): void {
  for (const dir of [apt.sourceParts, join(apt.lists, 'partial'), join(apt.cache, 'archives', 'partial')]) mkdirSync(dir, { recursive: true });
  for (const stray of readdirSync(apt.sourceParts)) rmSync(join(apt.sourceParts, stray), { recursive: true, force: true });
  writeFileSync(apt.sourcesList, renderSourcesList(aptSources));
}

function aptCommand(apt: PrivateApt, program: 'apt-get' | 'apt-cache', args: string[], cwd: string, title: string): Command {
  return { program, args: [...aptOptions(apt), ...args], cwd, env: { LC_ALL: 'C' }, title };
}

async function runApt(runner: ProcessRunner, command: Command, options: RunOptions = {}) {
  try {
    return await runner.run(command, options);
  } catch (error) {
    if (error instanceof ProcessError && error.exitCode === null) {
      throw new Error(
        `${command.program} could not be started: the debian source kind needs a Debian or Ubuntu machine with apt. ` +
          `Elsewhere use kind "url" with the release's https URL and sha256.`,
        { cause: error },
      );
    }
    throw error;
  }
}

export function debianLock(product: SourceProduct, release: DebianRelease, debian: { release?: string; suites?: string[]; mirror?: string } = {}): SourceLock {
  const signature = release.signature ? ` The upstream signature ${release.signature.name} is kept beside it.` : '';
  return {
    product,
    version: release.upstreamVersion,
    origin: 'debian',
    sha256: release.orig.sha256,
    fileName: release.orig.name,
    location: `${release.package}=${release.debianVersion}`,
    debianVersion: release.debianVersion,
    debian,
    verification:
      `SHA-256 from Debian's signed Sources index, obtained by apt (which checked the archive's signature): ` +
      `${release.orig.name} is the upstream ${productName(product)} release tarball carried unchanged in Debian source package ${release.package} ${release.debianVersion}.${signature}`,
  };
}

/** Fetches a Debian lock's orig tarball (and `.asc`) into the content cache, unless already there. */
export async function fetchDebianTarball(lock: SourceLock, ctx: DebianArchiveContext): Promise<{ archive: string; signature?: string }> {
  // A build stage that reads the lock checks it there, naming its path (readSourceLock); this check guards every other caller.
  const lockFile = `${lock.product}.source.json`;
  const { package: pkg } = checkDebianLock(lock, lockFile);
  const fileName = lock.fileName!;
  const cache = new ContentCache(ctx.cacheDir);
  const cached = await cache.lookup(lock.sha256, fileName);
  if (cached) return withSignature(cached, cache, lock.sha256, fileName);
  const spec = requireField(lock.debian, 'debian', lockFile);
  const aptSources = planDebianSources({ kind: 'debian', package: pkg, ...spec }, ctx.systemRoot);
  return withCacheLock(privateApt(ctx.cacheDir, aptSources).lock, async () => {
    const release = lockedRelease(await readSourceIndex(pkg, aptSources, ctx), pkg, lock);
    return downloadRelease(release, lock.sha256, cache, privateApt(ctx.cacheDir, aptSources), ctx);
  });
}

function withSignature(archive: string, cache: ContentCache, sha256: string, fileName: string) {
  const signature = cache.pathFor(sha256, `${fileName}.asc`);
  return existsSync(signature) ? { archive, signature } : { archive };
}

function requireField<T>(value: T | undefined, field: string, lockFile: string): T {
  if (value === undefined)
    throw new Error(`The Debian source lock ${lockFile} has no ${field}: it was written by another fipskit version. Run the sources stage again.`);
  return value;
}

function lockedRelease(stanzas: SourcePackageStanza[], pkg: string, lock: SourceLock): DebianRelease {
  const release = debianReleases(stanzas, pkg).find((r) => r.debianVersion === lock.debianVersion);
  if (!release) {
    throw new Error(
      `Debian's archive no longer lists ${lock.location} (Debian drops superseded versions), and its tarball is not in fipskit's source cache. ` +
        `${REFRESH_ADVICE}`,
    );
  }
  if (release.orig.sha256 !== lock.sha256) {
    throw new Error(
      `Debian's index now gives ${release.orig.name} the SHA-256 ${release.orig.sha256}, but the lock says ${lock.sha256}. Run the sources stage again and review the change.`,
    );
  }
  return release;
}

/**
 * `apt-get source --download-only` may exit non-zero because the .dsc or debian.tar.xz is
 * missing on the mirror while the orig tarball arrived: the tarball's hash decides.
 */
async function downloadRelease(release: DebianRelease, sha256: string, cache: ContentCache, apt: PrivateApt, ctx: DebianArchiveContext) {
  mkdirSync(join(ctx.cacheDir, 'tmp'), { recursive: true });
  const workDir = mkdtempSync(join(ctx.cacheDir, 'tmp', 'apt-source-'));
  try {
    const spec = `${release.package}=${release.debianVersion}`;
    const command = aptCommand(apt, 'apt-get', ['source', '--download-only', '--only-source', spec], workDir, `apt-get source ${spec}`);
    const output: string[] = [];
    const result = await runApt(ctx.runner, command, { allowFailure: true, onLine: (line) => output.push(line) });
    const orig = join(workDir, release.orig.name);
    if (!existsSync(orig)) throw notDelivered(release, result.exitCode, output);
    const archive = await cache.storeVerified(orig, sha256, release.orig.name);
    const asc = release.signature && join(workDir, release.signature.name);
    if (!release.signature || !asc || !existsSync(asc)) return { archive };
    return { archive, signature: await cache.storeBeside(asc, release.signature.sha256, sha256, release.signature.name) };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

const REFRESH_ADVICE =
  'Run the sources stage again with --refresh (nx run <project>:sources --refresh, or the whole build with FIPSKIT_REFRESH_SOURCES=1) ' +
  'to lock the newest release the archive serves now, then build again.';

/**
 * apt-get source did not deliver the tarball. A 404 for it means the archive stopped serving a locked upload (a
 * superseded security upload purged, a mirror rolled back): said as such, with what to run; anything else keeps
 * apt's own last lines.
 */
function notDelivered(release: DebianRelease, exitCode: number, output: string[]): Error {
  const spec = `${release.package} ${release.debianVersion}`;
  const urlIn = (line: string) => /(?:https?|file):\/\/\S+/.exec(line)?.[0];
  const missing = output.find((line) => {
    const url = urlIn(line);
    return url !== undefined && /\s(404|410)\s/.test(line) && decodeURIComponent(url.slice(url.lastIndexOf('/') + 1)) === release.orig.name;
  });
  if (missing) {
    return new Error(
      `Debian's archive no longer serves ${release.orig.name} of ${spec} (${/\s410\s/.test(missing) ? '410 Gone' : '404 Not Found'} at ${urlIn(missing)}), ` +
        `the release this project's source lock names, and the tarball is not in fipskit's source cache. ` +
        `An upload the archive replaced is removed from it even while an index still names it. ${REFRESH_ADVICE}`,
    );
  }
  const tail = output.slice(-15);
  return new Error(
    `apt-get source did not deliver ${release.orig.name} (exit code ${exitCode}) for ${spec}. Last lines of its output:\n` +
      tail.map((l) => `  ${l}`).join('\n'),
  );
}
