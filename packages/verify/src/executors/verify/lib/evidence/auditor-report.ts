import { SourceAuthenticity } from '@fipskit/core';
import { checkVerdict, checksFailuresFirst } from '../report';
import { Evidence } from './collect-evidence';

/**
 * How a column's text may break, so that long evidence wraps instead of crushing short columns:
 * `result` PASS/FAIL/INFO and `key` (a check id) never wrap; `label` wraps between words; `text` and `digest`
 * (a SHA-256, in monospace) wrap anywhere, paths included.
 */
export type ColumnKind = 'result' | 'key' | 'label' | 'text' | 'digest';

export interface ReportTable {
  columns: Array<{ title: string; kind: ColumnKind }>;
  rows: string[][];
}

/** One line of the verdict banner: the report's sentence, and whether what it states holds. */
export interface VerdictLine {
  holds: boolean;
  summary: string;
  nextStep?: string;
}

/** One section of the auditor report: the Markdown and the HTML page are both rendered from these. */
export interface ReportSection {
  title: string;
  /** The verdict section alone has it: the two verdict lines, shown before anything else. */
  verdict?: VerdictLine[];
  paragraphs: string[];
  table?: ReportTable;
}

function sourceRows(
  label: string,
  lock: { version: string; fileName?: string; location: string; sha256: string; verification: string },
  authenticity: SourceAuthenticity | undefined,
): string[][] {
  return [
    [`${label} version`, lock.version],
    [`${label} tarball`, lock.fileName ?? '(unpacked tree)'],
    [`${label} from`, lock.location],
    [`${label} SHA-256`, lock.sha256],
    [`${label}: how the bytes were checked`, lock.verification],
    [`${label}: upstream release signature`, authenticity?.statement ?? 'Not recorded: this build predates signature checking; rebuild to check it.'],
  ];
}

/** The report's content, in the order a FIPS reviewer reads it. */
export function auditorSections(evidence: Evidence): ReportSection[] {
  const { report, openssl, fipsinstall, python } = evidence;
  const provider = report.fipsProviderValidation;
  const { fipsMode, compliance } = report.verdict;
  const osSwitch = report.checks.find((c) => c.id === 'os-fips-switch');
  const sections: ReportSection[] = [
    {
      title: 'Verdict',
      verdict: [
        { holds: fipsMode.inForce, summary: fipsMode.summary },
        { holds: compliance.claimable, summary: compliance.summary, ...(compliance.nextStep ? { nextStep: compliance.nextStep } : {}) },
      ],
      paragraphs: [
        `Interpreter: ${report.python} (${report.interpreter.implementation} ${report.interpreter.version}, running ${report.interpreter.executable}). ` +
          `Checked on host ${report.host} at ${report.generatedAt}. OpenSSL in use: ${report.openssl.version ?? 'unknown'}, loaded from ${report.openssl.libcrypto_path ?? 'unknown'}.`,
      ],
    },
    {
      title: 'FIPS provider',
      paragraphs: [
        (report.fips_provider
          ? `The FIPS provider that ran is version ${provider.version} (${provider.status}). `
          : `No FIPS provider ran; the prefix holds version ${provider.version} (${provider.status}). `) +
          (provider.validated
            ? `OpenSSL ${provider.version} is a CMVP-validated FIPS provider version (${provider.standard}, certificate #${provider.certificate}).`
            : `No CMVP certificate covers provider version ${provider.version}: it implements the FIPS provider but is not a validated module, ` +
              'so no FIPS 140 compliance claim can rest on it (the verdict above says what to do).'),
        report.fipsModule?.statement ?? 'The module file that ran was not recorded (a report from an older fipskit).',
        openssl.fipsProvider.source
          ? `The provider was built from its own source (OpenSSL ${openssl.fipsProvider.source.version}) and installed beside libraries from OpenSSL ${openssl.version}, as OpenSSL's FIPS guidance allows.`
          : `The provider and the libraries were built from the same OpenSSL ${openssl.version} source.`,
      ],
    },
    {
      title: 'What was built, from which sources',
      paragraphs: [
        'Every source tarball is identified by SHA-256 and was checked as stated before it was unpacked. ' +
          "Where the release is signed, its detached OpenPGP signature was verified against the release keys fipskit pins by fingerprint; a signature that did not match or that no trusted key made would have stopped the build.",
      ],
      table: {
        columns: [{ title: 'item', kind: 'label' }, { title: 'value', kind: 'text' }],
        rows: [
          ...sourceRows('OpenSSL', openssl.source, openssl.authenticity?.source),
          ...(openssl.fipsProvider.source ? sourceRows('FIPS provider source', openssl.fipsProvider.source, openssl.authenticity?.fipsProvider) : []),
          ...(python ? sourceRows('CPython', python.source, python.sourceAuthenticity) : []),
          ['OpenSSL Configure', openssl.configure.arguments.join(' ')],
          ...(python ? [['Python stage', `${python.mode} for ${python.interpreter.path} (Python ${python.interpreter.version})`]] : []),
          ...(report.targetConfiguration
            ? [['Nx target configuration', `SHA-256 ${report.targetConfiguration.sha256} of the targets of ${report.targetConfiguration.projects.join(', ')} as Nx resolved them`]]
            : []),
        ],
      },
    },
    {
      title: 'Toolchain',
      paragraphs: [`Target platform ${openssl.platform} (${openssl.arch}).`],
      table: { columns: [{ title: 'tool', kind: 'label' }, { title: 'version', kind: 'text' }], rows: Object.entries(openssl.toolchain).map(([tool, version]) => [tool, String(version)]) },
    },
    {
      title: 'fipsinstall on this machine',
      paragraphs: fipsinstall
        ? [
            `openssl fipsinstall ran on host ${fipsinstall.hostname} (machine digest ${fipsinstall.machineDigest}) at ${fipsinstall.ranAt}, ` +
              `with profile ${fipsinstall.profile} and run-time security checks ${fipsinstall.securityChecks ? 'on' : 'off'}. ` +
              'The FIPS module configuration it wrote belongs to this machine only and is never taken from a cache of another machine.',
            `Self-tests: ${fipsinstall.selfTests.filter((l) => /Pass|Fail/.test(l)).length} results reported, ${fipsinstall.selfTests.filter((l) => /Fail/i.test(l)).length} failures. ` +
              `Verification of the written configuration: ${fipsinstall.verify.find((l) => /VERIFY/.test(l)) ?? fipsinstall.verify.join(' ')}.`,
          ]
        : ['No fips-config.json was found: the fipsinstall run is not documented here.'],
    },
    {
      title: 'Checks run inside the interpreter',
      paragraphs: [
        'Failures first. PASS and FAIL are required checks: they decide whether FIPS mode is in force. INFO checks are reported only. ' +
          'report.json holds each check with its title.',
      ],
      table: {
        columns: [{ title: 'result', kind: 'result' }, { title: 'check', kind: 'key' }, { title: 'evidence', kind: 'text' }],
        rows: checksFailuresFirst(report.checks).map((c) => [checkVerdict(c), c.id, c.detail]),
      },
    },
    {
      title: 'Operating system FIPS switch',
      paragraphs: [osSwitch ? osSwitch.detail : 'Not reported.'],
    },
    {
      title: 'Files and their SHA-256',
      paragraphs: ['As on disk when this report was written; sbom.cdx.json lists the same files.'],
      table: {
        columns: [{ title: 'file', kind: 'text' }, { title: 'role', kind: 'label' }, { title: 'SHA-256', kind: 'digest' }],
        rows: evidence.files.map((f) => [f.path, f.role, f.sha256]),
      },
    },
  ];
  return sections;
}

const mdCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');

/** A FAIL stands out in Markdown too: it is the one result in bold. */
const mdResult = (result: string) => (result === 'FAIL' ? '**FAIL**' : result);

export function renderAuditorMarkdown(sections: ReportSection[]): string {
  const lines = ['# FIPS evidence report', ''];
  for (const section of sections) {
    lines.push(`## ${section.title}`, '');
    for (const line of section.verdict ?? []) {
      lines.push(line.summary, '');
      if (line.nextStep) lines.push(`Next step: ${line.nextStep}`, '');
    }
    for (const paragraph of section.paragraphs) lines.push(paragraph, '');
    if (section.table) {
      const { columns, rows } = section.table;
      lines.push(`| ${columns.map((c) => c.title).join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`);
      for (const row of rows) lines.push(`| ${row.map((cell, i) => mdCell(columns[i].kind === 'result' ? mdResult(cell) : cell)).join(' | ')} |`);
      lines.push('');
    }
  }
  return lines.join('\n');
}

const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The verdict sentences open with their headline ("FIPS mode: IN FORCE."): the banner sets it in bold. */
function verdictHtml(line: VerdictLine): string {
  const cut = line.summary.indexOf('. ') + 1;
  const [headline, reason] = cut > 0 ? [line.summary.slice(0, cut), line.summary.slice(cut)] : [line.summary, ''];
  return (
    `<div class="verdict-line ${line.holds ? 'holds' : 'fails'}">\n` +
    `<p class="verdict-summary"><strong>${html(headline)}</strong>${html(reason)}</p>\n` +
    (line.nextStep ? `<p class="next-step">Next step: ${html(line.nextStep)}</p>\n` : '') +
    '</div>'
  );
}

function cellHtml(kind: ColumnKind, text: string): string {
  switch (kind) {
    case 'result':
      return `<td class="result"><span class="mark mark-${text.toLowerCase()}">${html(text)}</span></td>`;
    case 'key':
      return `<td class="key"><code>${html(text)}</code></td>`;
    default:
      return `<td class="${kind}">${html(text)}</td>`;
  }
}

function tableHtml({ columns, rows }: ReportTable): string {
  const result = columns.findIndex((c) => c.kind === 'result');
  const head = `<thead><tr>${columns.map((c) => `<th class="${c.kind}">${html(c.title)}</th>`).join('')}</tr></thead>`;
  const body = rows
    .map((row) => {
      const cells = row.map((cell, i) => cellHtml(columns[i].kind, cell)).join('');
      return result >= 0 && row[result] === 'FAIL' ? `<tr class="failed">${cells}</tr>` : `<tr>${cells}</tr>`;
    })
    .join('\n');
  return `<table>\n${head}\n<tbody>\n${body}\n</tbody>\n</table>`;
}

// Inline, because the page must stand alone (the CSP forbids anything else). The banner says its verdict in words,
// so it reads the same in black-and-white print; colour only helps the eye.
const PAGE_STYLE = `
:root { --holds: #1a7f37; --holds-bg: #e6f4ea; --fails: #b42318; --fails-bg: #fdecea; --info: #57606a; --rule: #c8ccd0; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 72rem; margin: 1.5rem auto; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 0.5rem; padding-bottom: 0.2rem; border-bottom: 1px solid var(--rule); }
p { margin: 0.4rem 0; overflow-wrap: anywhere; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
.verdict h2 { margin-top: 0; }
.verdict-line { margin: 0 0 0.6rem; padding: 0.6rem 0.9rem; border: 1px solid; border-left-width: 0.45rem; border-radius: 4px; font-size: 1.05rem; }
.verdict-line p { margin: 0; }
.verdict-line.holds { border-color: var(--holds); background: var(--holds-bg); }
.verdict-line.fails { border-color: var(--fails); background: var(--fails-bg); }
.verdict-line.holds strong { color: var(--holds); }
.verdict-line.fails strong { color: var(--fails); }
.verdict-line .next-step { margin-top: 0.4rem; font-size: 0.95rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; font-size: 0.88rem; }
th, td { border: 1px solid var(--rule); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f2f4; white-space: nowrap; }
td.result, td.key { white-space: nowrap; width: 1%; }
td.label { min-width: 9rem; width: 14rem; }
td.text { overflow-wrap: anywhere; }
td.digest { overflow-wrap: anywhere; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.82rem; }
@media screen and (min-width: 70rem) { td.digest { white-space: nowrap; } }
.mark { display: inline-block; min-width: 3.2em; padding: 0.05rem 0.35rem; border-radius: 3px; font-weight: 700; font-size: 0.8rem; text-align: center; color: #fff; }
.mark-pass { background: var(--holds); }
.mark-fail { background: var(--fails); }
.mark-info { background: var(--info); }
tr.failed td { background: var(--fails-bg); }
@media print {
  @page { margin: 12mm; }
  html { font-size: 13px; }
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; }
  .verdict-line, tr { break-inside: avoid; }
  thead { display: table-header-group; }
}
`;

/** A self-contained page (no scripts, no external resources) with the same sections, the verdict as a banner. */
export function renderAuditorHtml(sections: ReportSection[]): string {
  const body = sections
    .map((section) => {
      const verdict = section.verdict ? section.verdict.map(verdictHtml).join('\n') + '\n' : '';
      const paragraphs = section.paragraphs.map((p) => `<p>${html(p)}</p>`).join('\n');
      const table = section.table ? tableHtml(section.table) : '';
      return `<section${section.verdict ? ' class="verdict"' : ''}>\n<h2>${html(section.title)}</h2>\n${verdict}${paragraphs}\n${table}\n</section>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>FIPS evidence report</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<h1>FIPS evidence report</h1>
${body}
</body>
</html>
`;
}
