// Refreshes fipskit's CMVP certificate data (packages/core/src/fips/cmvp-certificates.json) from NIST's CMVP pages:
// each certificate's page (status, validation and sunset dates) and the Modules In Process list (OpenSSL's entries).
// Run through `npm run cmvp:refresh`; --base <url> points it at another copy of the pages, --data <file> at another
// data file, --today YYYY-MM-DD fixes the date it records. When NIST's site does not answer, it says so and changes
// nothing: the verdicts keep judging by the data's own date, which every report names.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const DATA_FILE = path.join(__dirname, '..', '..', 'packages', 'core', 'src', 'fips', 'cmvp-certificates.json');
const NIST = 'https://csrc.nist.gov';
const TIMEOUT_MS = 20_000;

export interface Certificate {
  number: string;
  standard: string;
  vendor?: string;
  module: string;
  versions: string[];
  status: string;
  validated: string | null;
  sunset: string | null;
  historical: string | null;
  revoked?: string | null;
  note?: string;
}

export interface CertificateData {
  source: string;
  asOf: string;
  certificates: Certificate[];
  inProcess: Array<{ standard?: string; vendor?: string; module: string; versions: string[]; state: string; stateSince?: string; note?: string }>;
}

/** The page's text: tags gone, entities of the kind NIST's pages use decoded, runs of white space as one. */
export function pageText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

/** MM/DD/YYYY (NIST's notation) as YYYY-MM-DD. */
function isoDay(us: string): string {
  const [month, day, year] = us.split('/');
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

/** What a certificate page says: status, the first validation date, the sunset date, a historical or revocation date. */
export function readCertificatePage(html: string): { status: string; validated: string | null; sunset: string | null; historical: string | null } {
  const text = pageText(html);
  const status = /\bStatus\s*:?\s*(Active|Historical|Revoked)\b/i.exec(text)?.[1];
  if (!status) throw new Error('the page names no Status (Active, Historical or Revoked): its layout changed; read it by hand and update the data file');
  const date = String.raw`(\d{1,2}/\d{1,2}/\d{4})`;
  const validated = new RegExp(String.raw`Validation Dates?\s*:?\s*` + date, 'i').exec(text)?.[1];
  const sunset = new RegExp(String.raw`Sunset Date\s*:?\s*` + date, 'i').exec(text)?.[1];
  const moved = new RegExp(String.raw`(?:Historical|Revocation|Revoked)\s*(?:Date|on)\s*:?\s*` + date, 'i').exec(text)?.[1];
  return {
    status: status.toLowerCase(),
    validated: validated ? isoDay(validated) : null,
    sunset: sunset ? isoDay(sunset) : null,
    historical: status.toLowerCase() === 'historical' && moved ? isoDay(moved) : null,
  };
}

/** The Modules In Process rows that name OpenSSL's FIPS provider: module, version(s) and state. */
export function readModulesInProcess(html: string): Array<{ module: string; versions: string[]; state: string; standard?: string }> {
  const rows = html.split(/<tr\b[^>]*>/i).slice(1);
  const found: Array<{ module: string; versions: string[]; state: string; standard?: string }> = [];
  for (const row of rows) {
    const cells = row
      .split(/<td\b[^>]*>/i)
      .slice(1)
      .map(pageText);
    const text = cells.join(' | ');
    if (!/OpenSSL/i.test(text) || !/FIPS Provider/i.test(text)) continue;
    const module = cells.find((c) => /FIPS Provider/i.test(c)) ?? 'OpenSSL FIPS Provider';
    const versions = [...new Set(text.match(/\b3\.\d+(?:\.\d+)?\b/g) ?? [])];
    const state = cells.find((c) => /Review Pending|In Review|Coordination|Comment Resolution|Finalization/i.test(c)) ?? cells.at(-1) ?? '';
    const standard = /FIPS 140-[23]/.exec(text)?.[0];
    found.push({ module, versions, state, ...(standard ? { standard } : {}) });
  }
  return found;
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return response.text();
}

/** The data with every certificate and the in-process list read again; what changed, in words. */
export async function refresh(
  data: CertificateData,
  base: string,
  today: string,
  fetch: (url: string) => Promise<string> = fetchText,
): Promise<{ data: CertificateData; changes: string[] }> {
  const changes: string[] = [];
  const certificates: Certificate[] = [];
  for (const certificate of data.certificates) {
    const read = readCertificatePage(await fetch(`${base}/projects/cryptographic-module-validation-program/certificate/${certificate.number}`));
    const next = {
      ...certificate,
      ...read,
      validated: read.validated ?? certificate.validated,
      historical: read.historical ?? (read.status === 'historical' ? certificate.historical : null),
    };
    for (const key of ['status', 'validated', 'sunset', 'historical'] as const) {
      if (next[key] !== certificate[key]) changes.push(`#${certificate.number} ${key}: ${certificate[key] ?? '-'} → ${next[key] ?? '-'}`);
    }
    certificates.push(next);
  }
  const listed = readModulesInProcess(await fetch(`${base}/projects/cryptographic-module-validation-program/modules-in-process/modules-in-process-list`));
  const inProcess = listed.map((entry) => ({ vendor: 'OpenSSL', ...entry, stateSince: today.slice(0, 7) }));
  const before = JSON.stringify(data.inProcess.map((e) => [e.versions, e.state]));
  if (JSON.stringify(inProcess.map((e) => [e.versions, e.state])) !== before)
    changes.push(`modules in process: ${inProcess.map((e) => `${e.versions.join('/')} (${e.state})`).join(', ') || 'none'}`);
  return { data: { ...data, asOf: today, certificates, inProcess }, changes };
}

async function main(argv: string[]): Promise<number> {
  const option = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const file = option('--data') ?? DATA_FILE;
  const base = option('--base') ?? NIST;
  const today = option('--today') ?? new Date().toISOString().slice(0, 10);
  const data = JSON.parse(readFileSync(file, 'utf8')) as CertificateData;
  let result: Awaited<ReturnType<typeof refresh>>;
  try {
    result = await refresh(data, base, today);
  } catch (error) {
    console.error(
      `cmvp:refresh: NIST's CMVP pages could not be read (${(error as Error).message}). Nothing changed: ${path.relative(process.cwd(), file)} stays as of ${data.asOf}. ` +
        `Run it where ${new URL(base).host} answers, or update the file by hand from the certificate pages.`,
    );
    return 1;
  }
  writeFileSync(file, JSON.stringify(result.data, null, 2) + '\n');
  console.log(
    `cmvp:refresh: ${path.relative(process.cwd(), file)} is now as of ${today}. ${result.changes.length ? `Changed: ${result.changes.join('; ')}.` : 'Nothing changed but the date.'}`,
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
