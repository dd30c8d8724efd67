import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { providerStatus } from '@fipskit/core';
import type { ScriptReport, VerifyReport } from '../../stage/report';
import { CERTIFICATES, digestsUnder, evidencePy, write } from '../../testing/python-harness';

/** Real output of fipskit_verify.py (with TLS), kept beside this file. */
export const scriptFixture = (name: 'checks-fips-by-environment.json' | 'checks-system-python.json'): ScriptReport =>
  JSON.parse(readFileSync(join(__dirname, name), 'utf8'));

/** The FIPS-by-environment run with every required check passed: what a good build reports. */
export function allRequiredPassing(script = scriptFixture('checks-fips-by-environment.json')): ScriptReport {
  return { ...script, checks: script.checks.map((c) => ({ ...c, passed: c.required ? true : c.passed })) };
}

/** A file the FIPS Python is made of, as fipskit_evidence.collect_evidence lists it. */
export interface EvidenceFile {
  role: string;
  path: string;
  absolutePath: string;
  sha256: string;
}

/** What fipskit_evidence.collect_evidence returns: everything the auditor report and the SBOM say. */
export interface Evidence {
  report: VerifyReport;
  // build-info.json, fips-config.json and the python manifest as the stages wrote them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  openssl: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  fipsinstall?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  python?: any;
  files: EvidenceFile[];
}

/** The report context of fipskit_evidence.build_report, as JSON. */
export interface ReportContext {
  generatedAt: string;
  host: string;
  python: string;
  prefix: string;
  opensslVersion: string;
  fipsProviderVersion: string;
  profile: string;
  tlsServer?: string;
  plannedChecks: Array<{ id: string; required: boolean }>;
  fipsModule?: unknown;
  targetConfiguration?: unknown;
  /** The day the verdict is judged on (YYYY-MM-DD); default: the day of generatedAt. */
  judgedOn?: string;
}

/** The arguments of fipskit_evidence.collect_evidence, as the verify stage passes them. */
export interface EvidenceInput {
  report: VerifyReport;
  prefix: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  openssl: any;
  fipsConfigDir: string;
  python: string;
}

export interface StageOutputsOptions {
  providerVersion: string;
  /** Other than the provider's: a split build. */
  libraryVersion?: string;
  script?: ScriptReport;
  /** fips-config.json's `binding`, as a bundle's fipskit-setup writes it. */
  binding?: string;
}

/**
 * Writes the stage outputs the evidence is read from (build-info.json's artifacts, fips-config.json, the python
 * manifest) under `root`, and returns what the verify stage gives fipskit_evidence: the script's report with the
 * provider version set to `providerVersion`, the report context, and collect_evidence's arguments but the report.
 */
export function stageOutputsOnDisk(
  root: string,
  { providerVersion, libraryVersion = providerVersion, script = allRequiredPassing(), binding }: StageOutputsOptions,
): { script: ScriptReport; context: ReportContext; input: Omit<EvidenceInput, 'report'> } {
  const prefix = join(root, 'openssl');
  const lock = (version: string) => ({
    product: 'openssl' as const,
    version,
    origin: 'url' as const,
    sha256: 'a'.repeat(64),
    fileName: `openssl-${version}.tar.gz`,
    location: `https://github.com/openssl/openssl/releases/download/openssl-${version}/openssl-${version}.tar.gz`,
    verification: 'SHA-256 pinned in the project matched',
  });
  const artifacts = { 'bin/openssl': '', 'lib/libcrypto.so.3': '', 'lib/libssl.so.3': '', 'lib/ossl-modules/fips.so': '' };
  for (const path of Object.keys(artifacts)) write(join(prefix, path), `bytes of ${path}`);
  const openssl = {
    product: 'openssl',
    version: libraryVersion,
    platform: 'linux',
    arch: 'x64',
    source: lock(libraryVersion),
    fipsProvider: {
      ...providerStatus(providerVersion),
      module: 'lib/ossl-modules/fips.so',
      ...(providerVersion !== libraryVersion ? { source: lock(providerVersion) } : {}),
    },
    authenticity: {
      source: {
        status: 'verified',
        signature: { fileName: `openssl-${libraryVersion}.tar.gz.asc`, sha256: 'c'.repeat(64) },
        signer: {
          fingerprint: 'BA5473A2B0587B07FB27CF2D216094DFD0CB81EF',
          owner: 'OpenSSL',
          userIds: ['OpenSSL <openssl@openssl.org>'],
          trustedBecause: 'pinned',
          keyOrigin: 'bundled',
          signedAt: '2026-06-09T11:57:19.000Z',
        },
        statement: `Upstream signature openssl-${libraryVersion}.tar.gz.asc verified: made 2026-06-09T11:57:19.000Z by key BA54 73A2 B058 7B07 FB27 CF2D 2160 94DF D0CB 81EF (OpenSSL <openssl@openssl.org>).`,
      },
      ...(providerVersion !== libraryVersion
        ? { fipsProvider: { status: 'skipped', statement: 'The upstream release signature was not checked: the project skips it (key not held).' } }
        : {}),
    },
    configure: { target: 'linux-x86_64', arguments: ['linux-x86_64', 'enable-fips', 'no-tests'], scope: 'targeted' },
    toolchain: { compiler: 'cc (Debian 12.2.0-14) 12.2.0', perl: 'perl v5.36.0', make: 'GNU Make 4.3' },
    layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include', openssldir: 'ssl' },
    artifacts,
  };
  const config = join(root, 'fips-config');
  write(join(config, 'openssl.cnf'), 'config_diagnostics = 1\n');
  write(join(config, 'fipsmodule.cnf'), '[fips_sect]\nmodule-mac = AB:CD\n');
  write(
    join(config, 'fips-config.json'),
    JSON.stringify({
      profile: 'strict',
      securityChecks: true,
      ...(binding ? { binding } : {}),
      fipsinstall: {
        ranAt: '2026-11-27T18:16:45.454Z',
        hostname: 'vm',
        machineDigest: 'd'.repeat(64),
        output: ['HMAC : (Module_Integrity) : Pass', 'SHA1 : (KAT_Digest) : Pass', 'INSTALL PASSED'],
        verify: ['VERIFY PASSED'],
      },
    }),
  );
  const pythonRoot = join(root, 'python');
  write(join(pythonRoot, 'lib', 'fipskit', '_ssl.cpython-311-x86_64-linux-gnu.so'), 'ssl module');
  write(join(pythonRoot, 'lib', 'fipskit', '_fipskit_ext', '_hashlib.cpython-311-x86_64-linux-gnu.so'), 'hashlib module');
  write(
    join(pythonRoot, 'fipskit-python.json'),
    JSON.stringify({
      mode: 'overlay',
      interpreter: { path: '/usr/bin/python3.11', version: '3.11.2' },
      source: {
        product: 'cpython',
        version: '3.11.2',
        origin: 'debian',
        sha256: 'b'.repeat(64),
        fileName: 'python3.11_3.11.2.orig.tar.gz',
        location: 'python3.11=3.11.2-6',
        verification: "Debian's signed index",
      },
      sourceAuthenticity: {
        status: 'unsigned',
        statement: 'No upstream release signature was available (none is published with this source); authenticity rests on the SHA-256 check above.',
      },
      modules: { 'lib/fipskit/_ssl.cpython-311-x86_64-linux-gnu.so': 'x', 'lib/fipskit/_fipskit_ext/_hashlib.cpython-311-x86_64-linux-gnu.so': 'y' },
    }),
  );
  const ran = { ...script, fips_provider: script.fips_provider ? { ...script.fips_provider, version: providerVersion } : null };
  const python = join(pythonRoot, 'bin', 'python3');
  const context: ReportContext = {
    generatedAt: '2026-11-27T19:00:00.000Z',
    host: 'vm',
    python,
    prefix,
    opensslVersion: libraryVersion,
    fipsProviderVersion: providerVersion,
    profile: 'strict',
    tlsServer: '127.0.0.1:4433',
    plannedChecks: script.checks.map(({ id, required }) => ({ id, required })),
  };
  return { script: ran, context, input: { prefix, openssl, fipsConfigDir: config, python } };
}

/** The report and the evidence fipskit_evidence makes of stage outputs written by stageOutputsOnDisk. */
export function evidenceOnDisk(root: string, options: StageOutputsOptions): Evidence {
  const { script, context, input } = stageOutputsOnDisk(root, options);
  const [evidence] = evidencePy(
    [{ fn: 'evidence_of_run', args: [script, context, CERTIFICATES, input.prefix, input.openssl, input.fipsConfigDir, input.python, '$sha256_of'] }],
    digestsUnder(root),
  );
  return evidence as Evidence;
}

/** The Python's sections of evidence.md and evidence.html, and both documents. */
export function auditorDocuments(evidence: Evidence): { sections: AuditorSection[]; markdown: string; html: string } {
  const [sections, markdown, html] = evidencePy([
    { fn: 'auditor_sections', args: [evidence] },
    { fn: ['auditor_sections', 'render_markdown'], args: [evidence] },
    { fn: ['auditor_sections', 'render_html'], args: [evidence] },
  ]);
  return { sections: sections as AuditorSection[], markdown: markdown as string, html: html as string };
}

export interface AuditorSection {
  title: string;
  verdict?: Array<{ holds: boolean; summary: string; nextStep?: string }>;
  paragraphs: string[];
  table?: { columns: Array<{ title: string; kind: string }>; rows: string[][] };
}
