import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One repository entry of the machine's apt configuration, from either file format. */
export interface AptSourceEntry {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  /** Keyring path from `signed-by`, carried to our deb-src lines so apt checks the same key. */
  signedBy?: string;
  /** File the entry came from, for messages. */
  file: string;
}

/** One line of fipskit's private sources.list. */
export interface DebSrcLine {
  uri: string;
  suite: string;
  components: string[];
  signedBy?: string;
}

export interface DebSrcRequest {
  /** Suites asked for; default: the suites the machine uses for its own release. */
  suites?: string[];
  /** Archive base URL replacing the machine's URIs. */
  mirror?: string;
  /** The machine's release codename (`bookworm`); entries for other products are ignored. */
  codename?: string;
}

/** Reads, never writes, `<root>/etc/apt/sources.list`, `sources.list.d/*.list` and `*.sources`. */
export function readSystemAptSources(root = '/'): AptSourceEntry[] {
  const etcApt = join(root, 'etc', 'apt');
  const files = [join(etcApt, 'sources.list')];
  const partsDir = join(etcApt, 'sources.list.d');
  if (existsSync(partsDir))
    files.push(
      ...readdirSync(partsDir)
        .sort()
        .map((name) => join(partsDir, name)),
    );
  return files.flatMap((file) => {
    if (!existsSync(file)) return [];
    if (file.endsWith('.list')) return parseOneLineSources(readFileSync(file, 'utf8'), file);
    if (file.endsWith('.sources')) return parseDeb822Sources(readFileSync(file, 'utf8'), file);
    return [];
  });
}

/** `deb [signed-by=/k.gpg arch=amd64] http://host/debian bookworm main contrib` */
export function parseOneLineSources(text: string, file: string): AptSourceEntry[] {
  const entries: AptSourceEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)(?:\s+(.+))?$/.exec(line);
    if (!match) continue;
    const options = new Map(
      (match[2] ?? '')
        .trim()
        .split(/\s+/)
        .map((o) => o.split('=', 2) as [string, string]),
    );
    entries.push({ types: [match[1]], uris: [match[3]], suites: [match[4]], components: words(match[5]), signedBy: options.get('signed-by'), file });
  }
  return entries;
}

/** deb822 stanzas (`Types:`, `URIs:`, `Suites:`, `Components:`, `Signed-By:`, `Enabled:`). */
export function parseDeb822Sources(text: string, file: string): AptSourceEntry[] {
  return deb822Stanzas(text)
    .filter((fields) => (fields.get('enabled') ?? 'yes').toLowerCase() !== 'no')
    .map((fields) => ({
      types: words(fields.get('types')),
      uris: words(fields.get('uris')),
      suites: words(fields.get('suites')),
      components: words(fields.get('components')),
      signedBy: fields.get('signed-by')?.trim(),
      file,
    }));
}

function deb822Stanzas(text: string): Array<Map<string, string>> {
  const stanzas: Array<Map<string, string>> = [];
  let fields = new Map<string, string>();
  let key: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#')) continue;
    if (line.trim() === '') {
      if (fields.size) stanzas.push(fields);
      fields = new Map();
      key = undefined;
    } else if (/^[ \t]/.test(line) && key) {
      fields.set(key, `${fields.get(key)}\n${line.trim()}`);
    } else {
      const match = /^([^:\s]+):\s*(.*)$/.exec(line);
      if (!match) continue;
      key = match[1].toLowerCase();
      fields.set(key, match[2]);
    }
  }
  if (fields.size) stanzas.push(fields);
  return stanzas;
}

function words(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter(Boolean);
}

/** The machine's release codename from os-release, or the first plain suite its apt sources name. */
export function systemCodename(root: string, entries: AptSourceEntry[]): string | undefined {
  const osRelease = join(root, 'etc', 'os-release');
  if (existsSync(osRelease)) {
    const codename = /^VERSION_CODENAME=["']?([^"'\s]+)/m.exec(readFileSync(osRelease, 'utf8'))?.[1];
    if (codename) return codename;
  }
  return entries.flatMap((e) => e.suites).find((s) => /^[a-z]+$/.test(s));
}

/** Entries that serve the machine's own release (drops third-party repositories such as `nodistro`). */
function releaseEntries(entries: AptSourceEntry[], codename: string | undefined): AptSourceEntry[] {
  const ofRelease = (suite: string) => !codename || suite === codename || suite.startsWith(`${codename}-`) || suite.startsWith(`${codename}/`);
  return entries
    .filter((e) => e.types.some((t) => t === 'deb' || t === 'deb-src') && e.uris.some((u) => /^https?:|^file:|^mirror\+/.test(u)))
    .map((e) => ({ ...e, suites: e.suites.filter(ofRelease) }))
    .filter((e) => e.suites.length > 0 && e.components.length > 0);
}

/**
 * The deb-src lines for the requested suites, on the machine's own archive URIs: a suite the
 * machine does not use (`trixie`) is read from the URI that serves the machine's release
 * (`bookworm`), `trixie-security` from the one serving `bookworm-security`.
 */
export function planDebSrcLines(system: AptSourceEntry[], request: DebSrcRequest): DebSrcLine[] {
  const relevant = releaseEntries(system, request.codename);
  const suites = request.suites?.length ? request.suites : unique(relevant.flatMap((e) => e.suites));
  if (suites.length === 0) throw noArchiveError(request.codename);
  if (request.mirror) return suites.map((suite) => ({ uri: request.mirror!, suite, components: componentsFor(relevant, suite) }));
  const lines = suites.flatMap((suite) => {
    const entry = servingEntry(relevant, suite, request.codename);
    return entry.uris.map((uri) => ({ uri, suite, components: entry.components, signedBy: entry.signedBy }));
  });
  return lines.filter((line, i) => lines.findIndex((l) => renderDebSrcLine(l) === renderDebSrcLine(line)) === i);
}

function servingEntry(relevant: AptSourceEntry[], suite: string, codename: string | undefined): AptSourceEntry {
  const serving = (s: string) => relevant.find((e) => e.suites.includes(s));
  const suffix = /^[^-/]+([-/].+)?$/.exec(suite)?.[1] ?? '';
  const entry = serving(suite) ?? (codename ? (serving(codename + suffix) ?? serving(codename)) : undefined);
  if (entry) return entry;
  throw new Error(
    `No apt source on this machine serves the Debian suite "${suite}"${codename ? ` or this machine's release "${codename}"` : ''}. ` +
      `Set mirror to the base URL of a Debian archive that carries it.`,
  );
}

function componentsFor(relevant: AptSourceEntry[], suite: string): string[] {
  return relevant.find((e) => e.suites.includes(suite))?.components ?? ['main'];
}

function noArchiveError(codename: string | undefined): Error {
  return new Error(
    `This machine's apt configuration (/etc/apt/sources.list, /etc/apt/sources.list.d/) lists no Debian archive` +
      `${codename ? ` for its release "${codename}"` : ''}. Set suites and mirror in the debian source to name the archive to use.`,
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** A keyring given inline (an armored key block) cannot go on a one-line entry; apt then uses its trusted keyrings. */
export function renderDebSrcLine(line: DebSrcLine): string {
  const keyring = line.signedBy && !/\s/.test(line.signedBy) ? `[signed-by=${line.signedBy}] ` : '';
  return `deb-src ${keyring}${line.uri} ${line.suite} ${line.components.join(' ')}`;
}
