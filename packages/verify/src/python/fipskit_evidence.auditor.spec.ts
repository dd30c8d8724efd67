import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SBOM_SPEC_VERSION, loadCycloneDx, validateSbom } from '../evidence/sbom';
import type { FipsModuleEvidence } from '../stage/report';
import { FIPSKIT_VERSION, digestsUnder, evidencePy } from '../testing/python-harness';
import { Evidence, allRequiredPassing, auditorDocuments, evidenceOnDisk, scriptFixture } from './__fixtures__/evidence-on-disk';

// What fipskit_evidence.py says about the module that ran, in evidence.md and evidence.html, and in the SBOM.
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const sbomJson = (evidence: Evidence, now: string): string => evidencePy([{ fn: 'sbom_json', args: [evidence, now, FIPSKIT_VERSION] }])[0] as string;

describe('the FIPS module that ran, and its audit', () => {
  let root: string;
  let module: string;
  let digest: string;
  let info: unknown;
  let auditFile: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fipskit-module-'));
    mkdirSync(join(root, 'openssl', 'lib', 'ossl-modules'), { recursive: true });
    module = join(root, 'openssl', 'lib', 'ossl-modules', 'fips.so');
    writeFileSync(module, 'the module');
    digest = createHash('sha256').update('the module').digest('hex');
    info = { fipsProvider: { module: 'lib/ossl-modules/fips.so' }, artifacts: { 'lib/ossl-modules/fips.so': digest } };
    auditFile = join(root, 'audit', 'audit.json');
    mkdirSync(join(root, 'audit'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const audit = (fipsModule: object, stages: object[] = []) =>
    writeFileSync(auditFile, JSON.stringify({ schema: 1, auditedAt: '2026-12-01T12:00:00.000Z', stages, fipsModule }));
  const describeFipsModule = (mapped: string | null): FipsModuleEvidence =>
    evidencePy([{ fn: 'describe_fips_module', args: [mapped, info, auditFile, 'fp', '$sha256_of'] }], digestsUnder(root))[0] as FipsModuleEvidence;

  it('cites an audit of the same bytes that reproduced them', () => {
    audit({ path: 'lib/ossl-modules/fips.so', sha256: digest, reproduced: true });
    const evidence = describeFipsModule(module);
    expect(evidence).toMatchObject({ path: module, sha256: digest, audit: { auditedAt: '2026-12-01T12:00:00.000Z', reproduced: true } });
    expect(evidence.statement).toBe(
      `The FIPS module that ran is ${module} (SHA-256 ${digest}). A rebuild from its locked source with no cache gave the same bytes, the module and the whole OpenSSL output (audit of 2026-12-01T12:00:00.000Z, ${auditFile}).`,
    );
  });

  it('never says "the same bytes" when the module was reproduced but the rest of the OpenSSL output was not (the audit failed)', () => {
    const differences = ['lib/libcrypto.so.3', 'lib/libssl.so.3', 'bin/openssl', 'lib/ossl-modules/legacy.so'].map((path) => ({
      path,
      expected: 'a',
      actual: 'b',
    }));
    audit({ path: 'lib/ossl-modules/fips.so', sha256: digest, reproduced: true }, [{ stage: 'openssl', reproduced: false, differences }]);
    const evidence = describeFipsModule(module);
    expect(evidence.audit).toMatchObject({ reproduced: true, opensslOutputReproduced: false });
    expect(evidence.statement).toBe(
      `The FIPS module that ran is ${module} (SHA-256 ${digest}). A rebuild from its locked source with no cache gave the same module, but other bytes for 4 other entries of the OpenSSL output ` +
        `(lib/libcrypto.so.3, lib/libssl.so.3, bin/openssl, …): the audit of 2026-12-01T12:00:00.000Z failed (${auditFile}); do not ship this build until the difference is explained.`,
    );
    expect(evidence.statement).not.toContain('gave the same bytes');
  });

  it('says so when the audit found other bytes', () => {
    audit({ path: 'lib/ossl-modules/fips.so', sha256: digest, reproduced: false });
    const evidence = describeFipsModule(module);
    expect(evidence.audit).toMatchObject({ reproduced: false });
    expect(evidence.statement).toMatch(/gave other bytes .*: do not rely on this module\.$/);
  });

  it('does not count an audit of another module, nor a missing audit', () => {
    audit({ path: 'lib/ossl-modules/fips.so', sha256: 'f'.repeat(64), reproduced: true });
    const other = describeFipsModule(module);
    expect(other.audit).toBeNull();
    expect(other.statement).toMatch(
      /It was not audited: .*run nx run fp:audit .* The last audit \(2026-12-01T12:00:00\.000Z\) was of another module \(SHA-256 f{64}\)\.$/,
    );
    rmSync(auditFile);
    expect(describeFipsModule(module).statement).toMatch(/It was not audited: no rebuild from source has been compared with it; run nx run fp:audit/);
  });

  it('names a module that is not the one built, none at all, and several', () => {
    writeFileSync(module, 'another module');
    expect(describeFipsModule(module).statement).toMatch(/which is not the module the openssl stage built \(build-info\.json records [0-9a-f]{64}\)\.$/);
    expect(describeFipsModule(null).statement).toBe(
      `No FIPS module was loaded into the interpreter; the prefix's lib/ossl-modules/fips.so has SHA-256 ${digest}.`,
    );
    expect(describeFipsModule(`${module}; /elsewhere/fips.so`).statement).toMatch(/^More than one FIPS module was loaded/);
  });
});

describe('auditor report and CycloneDX SBOM', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'fipskit-evidence-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  // Every detail carries markup, so the HTML's escaping is tested with real checks.
  const evidenceFor = (providerVersion: string, libraryVersion = providerVersion) => {
    const script = allRequiredPassing();
    return evidenceOnDisk(root, {
      providerVersion,
      libraryVersion,
      script: { ...script, checks: script.checks.map((c) => ({ ...c, detail: `${c.detail} <b>` })) },
    });
  };

  it('the SBOM is schema-valid CycloneDX and every file hash in it is the file on disk', async () => {
    const json = sbomJson(evidenceFor('3.0.22'), '2026-11-27T19:00:00Z');
    expect(await validateSbom(json)).toBeUndefined();
    const sbom = JSON.parse(json);
    expect(sbom.specVersion).toBe(SBOM_SPEC_VERSION);
    expect((await loadCycloneDx()).Spec.Spec1dot6.version).toBe(SBOM_SPEC_VERSION);
    expect(sbom.metadata.tools.components).toEqual([{ type: 'application', name: 'fipskit', version: FIPSKIT_VERSION }]);
    const byRef = Object.fromEntries(sbom.components.map((c: { 'bom-ref': string }) => [c['bom-ref'], c]));
    expect(byRef.openssl).toMatchObject({ type: 'library', name: 'openssl', version: '3.0.22', purl: 'pkg:generic/openssl@3.0.22' });
    expect(byRef['openssl-fips-provider'].properties).toContainEqual({ name: 'fipskit:fips:validated', value: 'false' });
    expect(byRef.cpython).toMatchObject({ version: '3.11.2' });
    const files = sbom.components.filter((c: { type: string }) => c.type === 'file');
    expect(files.map((f: { name: string }) => f.name).sort()).toEqual([
      'fips-config/fipsmodule.cnf',
      'fips-config/openssl.cnf',
      'openssl/bin/openssl',
      'openssl/lib/libcrypto.so.3',
      'openssl/lib/libssl.so.3',
      'openssl/lib/ossl-modules/fips.so',
      'python/lib/fipskit/_fipskit_ext/_hashlib.cpython-311-x86_64-linux-gnu.so',
      'python/lib/fipskit/_ssl.cpython-311-x86_64-linux-gnu.so',
    ]);
    for (const file of files) expect(file.hashes).toEqual([{ alg: 'SHA-256', content: sha256(join(root, file.name)) }]);
    // The provider component owns the provider module.
    const providerDeps = sbom.dependencies.find((d: { ref: string }) => d.ref === 'openssl-fips-provider');
    expect(providerDeps.dependsOn).toEqual(['file:openssl/lib/ossl-modules/fips.so']);
  });

  it('the Markdown and HTML reports carry the same sections, checks and hashes; the HTML is escaped and self-contained', () => {
    const evidence = evidenceFor('3.0.22');
    const { sections, markdown, html: page } = auditorDocuments(evidence);
    for (const section of sections) {
      expect(markdown).toContain(`## ${section.title}`);
      expect(page).toContain(`<h2>${section.title}</h2>`);
    }
    for (const check of evidence.report.checks) {
      expect(markdown).toContain(`| ${check.id} |`);
      expect(page).toContain(`<td class="key"><code>${check.id}</code></td>`);
    }
    for (const file of evidence.files) {
      expect(markdown).toContain(file.sha256);
      expect(page).toContain(file.sha256);
    }
    expect(markdown).toContain('No CMVP certificate covers provider version 3.0.22');
    expect(markdown).toContain('openssl fipsinstall ran on host vm');
    expect(markdown).toContain('VERIFY PASSED');
    expect(page).toContain('&lt;b&gt;');
    expect(page).not.toMatch(/<script|https?:\/\/(?!github\.com\/openssl)/);
  });

  it('both lead with the two verdict lines; the checks table puts failures first and marks them', () => {
    const evidence = evidenceOnDisk(root, { providerVersion: '3.0.22', script: scriptFixture('checks-fips-by-environment.json') });
    const { fipsMode, compliance } = evidence.report.verdict;
    const { markdown, html: page } = auditorDocuments(evidence);
    expect(markdown.split('\n').slice(0, 9)).toEqual([
      '# FIPS evidence report',
      '',
      '## Verdict',
      '',
      fipsMode.summary,
      '',
      compliance.summary,
      '',
      `Next step: ${compliance.nextStep}`,
    ]);
    expect(markdown).toMatch(/\| result \| check \| evidence \|\n\|---\|---\|---\|\n\| \*\*FAIL\*\* \| md5-refused \| /);
    const banner = page.slice(page.indexOf('<section class="verdict">'), page.indexOf('</section>'));
    expect(banner).toContain(
      '<div class="verdict-line fails">\n<p class="verdict-summary"><strong>FIPS mode: NOT IN FORCE.</strong> 7 of 21 required checks failed',
    );
    expect(banner).toContain(
      '<div class="verdict-line fails">\n<p class="verdict-summary"><strong>FIPS 140 compliance: NOT CLAIMABLE.</strong> FIPS mode is not in force',
    );
    expect(banner).toContain('<p class="next-step">Next step: Make FIPS mode hold first');
    const rows = page
      .slice(page.indexOf('<h2>Checks run inside the interpreter</h2>'))
      .match(/<tr( class="failed")?><td class="result"><span class="mark mark-(\w+)">/g)!;
    const failed = evidence.report.failedRequired.length;
    expect(failed).toBe(7);
    expect(rows.slice(0, failed)).toEqual(Array(failed).fill('<tr class="failed"><td class="result"><span class="mark mark-fail">'));
    expect(rows.slice(failed).every((row) => !row.includes('failed'))).toBe(true);
    // Styles inline, for screen and for print; nothing is fetched.
    expect(page).toMatch(/<style>[^]*@media print[^]*<\/style>/);
    expect(page).not.toMatch(/<link|<img|url\(/);
  });

  it('names the CMVP certificate of a validated provider and its sunset, both versions of a split build, and a system security plan row', () => {
    const { markdown } = auditorDocuments(evidenceFor('3.1.2', '3.5.7'));
    expect(markdown.split('\n')[4]).toBe('FIPS mode: IN FORCE. All 21 required checks passed inside the interpreter.');
    expect(markdown.split('\n')[6]).toMatch(
      /^FIPS 140 compliance: CLAIMABLE\. The FIPS provider that ran, OpenSSL 3\.1\.2 \(beside libraries from OpenSSL 3\.5\.7\), is CMVP-validated \(FIPS 140-3, certificate #4985, active until its sunset on 2030-03-10\)/,
    );
    expect(markdown).toContain(
      "OpenSSL 3.1.2 is a CMVP-validated FIPS provider version (FIPS 140-3, certificate #4985, active until its sunset on 2030-03-10) (judged on 2026-11-27 by fipskit's CMVP data of 2026-12-01).",
    );
    expect(markdown).toContain('built from its own source (OpenSSL 3.1.2) and installed beside libraries from OpenSSL 3.5.7');
    expect(markdown).toContain('| FIPS provider source SHA-256 |');
    expect(markdown).toContain('## For a system security plan');
    expect(markdown).toMatch(/\| OpenSSL FIPS Provider \| 3\.1\.2 \| #4985 \(FIPS 140-3\) \| active \| 2030-03-10 \| [^|]+ \(linux x64\) \|/);
  });

  it('a historical certificate: the evidence says since when, that it serves existing systems only, and the SBOM carries the standing', () => {
    const evidence = evidenceFor('3.0.9', '3.5.7');
    const { markdown } = auditorDocuments(evidence);
    expect(markdown).toContain(
      "OpenSSL 3.0.9 is covered by CMVP certificate #4282 (FIPS 140-2), on the Historical list since 2026-09-21 (judged on 2026-11-27 by fipskit's CMVP data of 2026-12-01): a historical module may stay in an existing system",
    );
    expect(markdown).toMatch(/\| OpenSSL FIPS Provider \| 3\.0\.9 \| #4282 \(FIPS 140-2\) \| historical since 2026-09-21 \| - \|/);
    const sbom = JSON.parse(sbomJson(evidence, '2026-11-27T19:00:00Z'));
    const provider = sbom.components.find((c: { 'bom-ref': string }) => c['bom-ref'] === 'openssl-fips-provider');
    const props = Object.fromEntries(provider.properties.map((p: { name: string; value: string }) => [p.name, p.value]));
    expect(props).toMatchObject({
      'fipskit:fips:certificate-status': 'historical',
      'fipskit:fips:historical-since': '2026-09-21',
      'fipskit:fips:judged-on': '2026-11-27',
      'fipskit:fips:cmvp-data-as-of': '2026-12-01',
    });
  });

  it('says which key signed each source, why a check was skipped, and where no signature exists', () => {
    const evidence = evidenceFor('3.0.22', '3.5.7');
    const { markdown } = auditorDocuments(evidence);
    expect(markdown).toContain(
      '| OpenSSL: upstream release signature | Upstream signature openssl-3.5.7.tar.gz.asc verified: made 2026-06-09T11:57:19.000Z by key BA54 73A2 B058 7B07 FB27 CF2D 2160 94DF D0CB 81EF (OpenSSL <openssl@openssl.org>). |',
    );
    expect(markdown).toContain(
      '| FIPS provider source: upstream release signature | The upstream release signature was not checked: the project skips it (key not held). |',
    );
    expect(markdown).toContain('| CPython: upstream release signature | No upstream release signature was available');
    const sbom = JSON.parse(sbomJson(evidence, '2026-11-27T19:00:00Z'));
    const props = (ref: string) =>
      Object.fromEntries(
        sbom.components.find((c: { 'bom-ref': string }) => c['bom-ref'] === ref).properties.map((p: { name: string; value: string }) => [p.name, p.value]),
      );
    expect(props('openssl')).toMatchObject({ 'fipskit:source:signature': 'verified', 'fipskit:source:signed-by': 'BA5473A2B0587B07FB27CF2D216094DFD0CB81EF' });
    expect(props('openssl-fips-provider')['fipskit:source:signature']).toBe('skipped');
    expect(props('cpython')['fipskit:source:signature']).toBe('unsigned');
  });
});

describe('how the FIPS configuration is bound (fips-config.json `binding`)', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'fipskit-binding-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const fipsinstallSection = (evidence: Evidence) => auditorDocuments(evidence).sections.find((s) => s.title === 'fipsinstall on this machine')!;
  const recorded = (evidence: Evidence) => evidencePy([{ fn: 'record_binding', args: [{ passed: true }, evidence] }])[0];

  it('self-test-onload: says plainly that the configuration may travel, the self-tests run at every load, and what the strict reading is', () => {
    const evidence = evidenceOnDisk(root, { providerVersion: '3.0.22', binding: 'self-test-onload' });
    expect(evidence.fipsinstall).toMatchObject({ binding: 'self-test-onload', hostname: 'vm' });
    const [ran] = fipsinstallSection(evidence).paragraphs;
    expect(ran).toBe(
      `openssl fipsinstall ran on host vm (machine digest ${'d'.repeat(64)}) at 2026-11-27T18:16:45.454Z, with profile strict and run-time security checks on. ` +
        "The configuration was written with openssl fipsinstall -self_test_onload: it depends on the module's bytes alone and may travel with them, " +
        "and the module's self-tests run at every load instead of once at installation. OpenSSL documents this for shipping a module; " +
        'running fipsinstall on each machine remains the strict reading of the security policy.',
    );
    expect(ran).not.toContain('belongs to this machine only');
    const { markdown, html } = auditorDocuments(evidence);
    expect(markdown).toContain('-self_test_onload: it depends on the module');
    expect(html).toContain("-self_test_onload: it depends on the module's bytes alone");
    expect(recorded(evidence)).toEqual({ passed: true, fipsinstall: { binding: 'self-test-onload' } });
  });

  it('machine: the configuration belongs to this machine only, and report.json says it is bound to it', () => {
    const evidence = evidenceOnDisk(root, { providerVersion: '3.0.22', binding: 'machine' });
    expect(fipsinstallSection(evidence).paragraphs[0]).toMatch(
      /checks on\. The FIPS module configuration it wrote belongs to this machine only and is never taken from a cache of another machine\.$/,
    );
    expect(recorded(evidence)).toEqual({ passed: true, fipsinstall: { binding: 'machine' } });
  });

  it('no binding recorded (the build stage writes none): the evidence and report.json are what they were', () => {
    const evidence = evidenceOnDisk(root, { providerVersion: '3.0.22' });
    expect(evidence.fipsinstall).not.toHaveProperty('binding');
    expect(fipsinstallSection(evidence).paragraphs[0]).toMatch(/belongs to this machine only/);
    expect(recorded(evidence)).toEqual({ passed: true });
  });
});
