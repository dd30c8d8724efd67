import { SourceAuthenticity } from '@fipskit/core';
import { Evidence } from './collect-evidence';

/** One section of the auditor report: the Markdown and the HTML page are both rendered from these. */
export interface ReportSection {
  title: string;
  paragraphs: string[];
  table?: { head: string[]; rows: string[][] };
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
  const verdict = report.passed
    ? `PASSED: all ${report.checks.filter((c) => c.required).length} required checks passed inside the interpreter.`
    : `FAILED: ${report.failedRequired.length} required checks failed (${report.failedRequired.join(', ')}). This Python must not be relied on for FIPS mode.`;
  const osSwitch = report.checks.find((c) => c.id === 'os-fips-switch');
  const sections: ReportSection[] = [
    {
      title: 'Verdict',
      paragraphs: [
        verdict,
        `Interpreter: ${report.python} (${report.interpreter.implementation} ${report.interpreter.version}, running ${report.interpreter.executable}). ` +
          `Checked on host ${report.host} at ${report.generatedAt}. OpenSSL in use: ${report.openssl.version ?? 'unknown'}, loaded from ${report.openssl.libcrypto_path ?? 'unknown'}.`,
      ],
    },
    {
      title: 'FIPS provider',
      paragraphs: [
        `The FIPS provider that ran is version ${report.fips_provider?.version ?? 'none'} (${provider.status}). ` +
          (provider.validated
            ? `OpenSSL ${provider.version} is a CMVP-validated FIPS provider version (${provider.standard}, certificate #${provider.certificate}).`
            : `No CMVP certificate covers provider version ${provider.version}: it implements the FIPS provider but is not a validated module. ` +
              'Use a validated provider version (3.0.8, 3.0.9: certificate #4282; 3.1.2: certificate #4985) for compliance claims.'),
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
        head: ['item', 'value'],
        rows: [
          ...sourceRows('OpenSSL', openssl.source, openssl.authenticity?.source),
          ...(openssl.fipsProvider.source ? sourceRows('FIPS provider source', openssl.fipsProvider.source, openssl.authenticity?.fipsProvider) : []),
          ...(python ? sourceRows('CPython', python.source, python.sourceAuthenticity) : []),
          ['OpenSSL Configure', openssl.configure.arguments.join(' ')],
          ...(python ? [['Python stage', `${python.mode} for ${python.interpreter.path} (Python ${python.interpreter.version})`]] : []),
        ],
      },
    },
    {
      title: 'Toolchain',
      paragraphs: [`Target platform ${openssl.platform} (${openssl.arch}).`],
      table: { head: ['tool', 'version'], rows: Object.entries(openssl.toolchain).map(([tool, version]) => [tool, String(version)]) },
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
      paragraphs: ['Required checks decide the verdict; informational checks are reported only.'],
      table: {
        head: ['check', 'required', 'result', 'evidence'],
        rows: report.checks.map((c) => [c.id, c.required ? 'yes' : 'no', c.required ? (c.passed ? 'PASS' : 'FAIL') : 'INFO', c.detail]),
      },
    },
    {
      title: 'Operating system FIPS switch',
      paragraphs: [osSwitch ? osSwitch.detail : 'Not reported.'],
    },
    {
      title: 'Files and their SHA-256',
      paragraphs: ['As on disk when this report was written; sbom.cdx.json lists the same files.'],
      table: { head: ['file', 'role', 'SHA-256'], rows: evidence.files.map((f) => [f.path, f.role, f.sha256]) },
    },
  ];
  return sections;
}

const mdCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');

export function renderAuditorMarkdown(sections: ReportSection[]): string {
  const lines = ['# FIPS evidence report', ''];
  for (const section of sections) {
    lines.push(`## ${section.title}`, '');
    for (const paragraph of section.paragraphs) lines.push(paragraph, '');
    if (section.table) {
      lines.push(`| ${section.table.head.join(' | ')} |`, `|${section.table.head.map(() => '---').join('|')}|`);
      for (const row of section.table.rows) lines.push(`| ${row.map(mdCell).join(' | ')} |`);
      lines.push('');
    }
  }
  return lines.join('\n');
}

const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A self-contained page (no scripts, no external resources) with the same sections. */
export function renderAuditorHtml(sections: ReportSection[]): string {
  const body = sections
    .map((section) => {
      const paragraphs = section.paragraphs.map((p) => `<p>${html(p)}</p>`).join('\n');
      const table = section.table
        ? `<table>\n<thead><tr>${section.table.head.map((h) => `<th>${html(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${section.table.rows
            .map((row) => `<tr>${row.map((cell) => `<td>${html(cell)}</td>`).join('')}</tr>`)
            .join('\n')}\n</tbody>\n</table>`
        : '';
      return `<section>\n<h2>${html(section.title)}</h2>\n${paragraphs}\n${table}\n</section>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>FIPS evidence report</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #111; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #bbb; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; word-break: break-word; }
th { background: #eee; }
</style>
</head>
<body>
<h1>FIPS evidence report</h1>
${body}
</body>
</html>
`;
}
