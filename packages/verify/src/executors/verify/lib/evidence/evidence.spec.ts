import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allRequiredPassing, evidenceOnDisk, scriptFixture } from '../__fixtures__/evidence-on-disk';
import { auditorSections, renderAuditorHtml, renderAuditorMarkdown } from './auditor-report';
import { SBOM_SPEC_VERSION, loadCycloneDx, sbomJson, validateSbom } from './sbom';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('auditor report and CycloneDX SBOM', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'fipskit-evidence-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  // Every detail carries markup, so the HTML's escaping is tested with real checks.
  const evidenceFor = (providerVersion: string, libraryVersion = providerVersion) => {
    const script = allRequiredPassing();
    return evidenceOnDisk(root, { providerVersion, libraryVersion, script: { ...script, checks: script.checks.map((c) => ({ ...c, detail: `${c.detail} <b>` })) } });
  };

  it('the SBOM is schema-valid CycloneDX and every file hash in it is the file on disk', async () => {
    const evidence = await evidenceFor('3.0.22');
    const json = await sbomJson(evidence, new Date('2026-11-27T19:00:00Z'));
    expect(await validateSbom(json)).toBeUndefined();
    const sbom = JSON.parse(json);
    expect(sbom.specVersion).toBe(SBOM_SPEC_VERSION);
    expect((await loadCycloneDx()).Spec.Spec1dot6.version).toBe(SBOM_SPEC_VERSION);
    const byRef = Object.fromEntries(sbom.components.map((c: { 'bom-ref': string }) => [c['bom-ref'], c]));
    expect(byRef.openssl).toMatchObject({ type: 'library', name: 'openssl', version: '3.0.22', purl: 'pkg:generic/openssl@3.0.22' });
    expect(byRef['openssl-fips-provider'].properties).toContainEqual({ name: 'fipskit:fips:validated', value: 'false' });
    expect(byRef.cpython).toMatchObject({ version: '3.11.2' });
    const files = sbom.components.filter((c: { type: string }) => c.type === 'file');
    expect(files.map((f: { name: string }) => f.name).sort()).toEqual([
      'fips-config/fipsmodule.cnf', 'fips-config/openssl.cnf', 'openssl/bin/openssl', 'openssl/lib/libcrypto.so.3', 'openssl/lib/libssl.so.3',
      'openssl/lib/ossl-modules/fips.so', 'python/lib/fipskit/_fipskit_ext/_hashlib.cpython-311-x86_64-linux-gnu.so', 'python/lib/fipskit/_ssl.cpython-311-x86_64-linux-gnu.so',
    ]);
    for (const file of files) expect(file.hashes).toEqual([{ alg: 'SHA-256', content: sha256(join(root, file.name)) }]);
    // The provider component owns the provider module.
    const providerDeps = sbom.dependencies.find((d: { ref: string }) => d.ref === 'openssl-fips-provider');
    expect(providerDeps.dependsOn).toEqual(['file:openssl/lib/ossl-modules/fips.so']);
  });

  it('schema validation catches a damaged SBOM', async () => {
    const json = JSON.parse(await sbomJson(await evidenceFor('3.0.22'), new Date()));
    json.components.find((c: { type: string }) => c.type === 'file').hashes[0].content = 'not-a-sha256';
    expect(await validateSbom(JSON.stringify(json))).toMatch(/hash-content|pattern/);
  });

  it('validation prepared ahead, and asked for while it compiles, still catches a damaged SBOM', async () => {
    const json = JSON.parse(await sbomJson(await evidenceFor('3.0.22'), new Date()));
    json.components.find((c: { type: string }) => c.type === 'file').hashes[0].content = 'not-a-sha256';
    // A fresh copy of the module, whose schema nothing has compiled yet.
    let fresh!: typeof import('./sbom');
    jest.isolateModules(() => {
      fresh = require('./sbom');
    });
    const [, problem] = await Promise.all([fresh.prepareSbomValidation(), fresh.validateSbom(JSON.stringify(json))]);
    expect(problem).toMatch(/hash-content|pattern/);
  });

  it('the Markdown and HTML reports carry the same sections, checks and hashes; the HTML is escaped and self-contained', async () => {
    const evidence = await evidenceFor('3.0.22');
    const sections = auditorSections(evidence);
    const markdown = renderAuditorMarkdown(sections);
    const page = renderAuditorHtml(sections);
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

  it('both lead with the two verdict lines; the checks table puts failures first and marks them', async () => {
    const evidence = await evidenceOnDisk(root, { providerVersion: '3.0.22', script: scriptFixture('checks-fips-by-environment.json') });
    const { fipsMode, compliance } = evidence.report.verdict;
    const sections = auditorSections(evidence);
    const markdown = renderAuditorMarkdown(sections);
    expect(markdown.split('\n').slice(0, 9)).toEqual(['# FIPS evidence report', '', '## Verdict', '', fipsMode.summary, '', compliance.summary, '', `Next step: ${compliance.nextStep}`]);
    expect(markdown).toMatch(/\| result \| check \| evidence \|\n\|---\|---\|---\|\n\| \*\*FAIL\*\* \| md5-refused \| /);
    const page = renderAuditorHtml(sections);
    const banner = page.slice(page.indexOf('<section class="verdict">'), page.indexOf('</section>'));
    expect(banner).toContain('<div class="verdict-line fails">\n<p class="verdict-summary"><strong>FIPS mode: NOT IN FORCE.</strong> 6 of 20 required checks failed');
    expect(banner).toContain('<div class="verdict-line fails">\n<p class="verdict-summary"><strong>FIPS 140 compliance: NOT CLAIMABLE.</strong> FIPS mode is not in force');
    expect(banner).toContain('<p class="next-step">Next step: Make FIPS mode hold first');
    const rows = page.slice(page.indexOf('<h2>Checks run inside the interpreter</h2>')).match(/<tr( class="failed")?><td class="result"><span class="mark mark-(\w+)">/g)!;
    const failed = evidence.report.failedRequired.length;
    expect(failed).toBe(6);
    expect(rows.slice(0, failed)).toEqual(Array(failed).fill('<tr class="failed"><td class="result"><span class="mark mark-fail">'));
    expect(rows.slice(failed).every((row) => !row.includes('failed'))).toBe(true);
    // Styles inline, for screen and for print; nothing is fetched.
    expect(page).toMatch(/<style>[^]*@media print[^]*<\/style>/);
    expect(page).not.toMatch(/<link|<img|url\(/);
  });

  it('names the CMVP certificate of a validated provider, and both versions of a split build', async () => {
    const markdown = renderAuditorMarkdown(auditorSections(await evidenceFor('3.0.9', '3.5.7')));
    expect(markdown.split('\n')[4]).toBe('FIPS mode: IN FORCE. All 20 required checks passed inside the interpreter.');
    expect(markdown.split('\n')[6]).toMatch(/^FIPS 140 compliance: CLAIMABLE\. The FIPS provider that ran, OpenSSL 3\.0\.9 \(beside libraries from OpenSSL 3\.5\.7\), is CMVP-validated \(FIPS 140-2, certificate #4282\)/);
    expect(markdown).toContain('OpenSSL 3.0.9 is a CMVP-validated FIPS provider version (FIPS 140-2, certificate #4282)');
    expect(markdown).toContain('built from its own source (OpenSSL 3.0.9) and installed beside libraries from OpenSSL 3.5.7');
    expect(markdown).toContain('| FIPS provider source SHA-256 |');
  });

  it('says which key signed each source, why a check was skipped, and where no signature exists', async () => {
    const evidence = await evidenceFor('3.0.22', '3.5.7');
    const markdown = renderAuditorMarkdown(auditorSections(evidence));
    expect(markdown).toContain('| OpenSSL: upstream release signature | Upstream signature openssl-3.5.7.tar.gz.asc verified: made 2026-06-09T11:57:19.000Z by key BA54 73A2 B058 7B07 FB27 CF2D 2160 94DF D0CB 81EF (OpenSSL <openssl@openssl.org>). |');
    expect(markdown).toContain('| FIPS provider source: upstream release signature | The upstream release signature was not checked: the project skips it (key not held). |');
    expect(markdown).toContain('| CPython: upstream release signature | No upstream release signature was available');
    const sbom = JSON.parse(await sbomJson(evidence, new Date('2026-11-27T19:00:00Z')));
    const props = (ref: string) => Object.fromEntries(sbom.components.find((c: { 'bom-ref': string }) => c['bom-ref'] === ref).properties.map((p: { name: string; value: string }) => [p.name, p.value]));
    expect(props('openssl')).toMatchObject({ 'fipskit:source:signature': 'verified', 'fipskit:source:signed-by': 'BA5473A2B0587B07FB27CF2D216094DFD0CB81EF' });
    expect(props('openssl-fips-provider')['fipskit:source:signature']).toBe('skipped');
    expect(props('cpython')['fipskit:source:signature']).toBe('unsigned');
  });
});
