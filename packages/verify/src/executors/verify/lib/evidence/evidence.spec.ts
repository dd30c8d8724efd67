import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { providerStatus } from '@fipskit/core';
import type { OpenSslBuildInfo } from '@fipskit/openssl-fips';
import { buildReport } from '../report';
import { ScriptReport } from '../verify-script';
import { auditorSections, renderAuditorHtml, renderAuditorMarkdown } from './auditor-report';
import { collectEvidence } from './collect-evidence';
import { buildSbom, serializeSbom, validateSbom } from './sbom';

const fixture = (name: string): ScriptReport => JSON.parse(readFileSync(join(__dirname, '..', '__fixtures__', name), 'utf8'));
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function write(path: string, content: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

describe('auditor report and CycloneDX SBOM', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'fipskit-evidence-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function evidenceFor(providerVersion: string, libraryVersion = providerVersion) {
    const prefix = join(root, 'openssl');
    const lock = (version: string) => ({
      product: 'openssl' as const, version, origin: 'url' as const, sha256: 'a'.repeat(64), fileName: `openssl-${version}.tar.gz`,
      location: `https://github.com/openssl/openssl/releases/download/openssl-${version}/openssl-${version}.tar.gz`, verification: 'SHA-256 pinned in the project matched',
    });
    const artifacts = { 'bin/openssl': '', 'lib/libcrypto.so.3': '', 'lib/libssl.so.3': '', 'lib/ossl-modules/fips.so': '' };
    for (const path of Object.keys(artifacts)) write(join(prefix, path), `bytes of ${path}`);
    const openssl = {
      product: 'openssl', version: libraryVersion, platform: 'linux', arch: 'x64', source: lock(libraryVersion),
      fipsProvider: { ...providerStatus(providerVersion), module: 'lib/ossl-modules/fips.so', ...(providerVersion !== libraryVersion ? { source: lock(providerVersion) } : {}) },
      authenticity: {
        source: {
          status: 'verified',
          signature: { fileName: `openssl-${libraryVersion}.tar.gz.asc`, sha256: 'c'.repeat(64) },
          signer: { fingerprint: 'BA5473A2B0587B07FB27CF2D216094DFD0CB81EF', owner: 'OpenSSL', userIds: ['OpenSSL <openssl@openssl.org>'], trustedBecause: 'pinned', keyOrigin: 'bundled', signedAt: '2026-06-09T11:57:19.000Z' },
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
    } as unknown as OpenSslBuildInfo;
    const config = join(root, 'fips-config');
    write(join(config, 'openssl.cnf'), 'config_diagnostics = 1\n');
    write(join(config, 'fipsmodule.cnf'), '[fips_sect]\nmodule-mac = AB:CD\n');
    write(join(config, 'fips-config.json'), JSON.stringify({
      profile: 'strict', securityChecks: true,
      fipsinstall: { ranAt: '2026-11-27T18:16:45.454Z', hostname: 'vm', machineDigest: 'd'.repeat(64), output: ['HMAC : (Module_Integrity) : Pass', 'SHA1 : (KAT_Digest) : Pass', 'INSTALL PASSED'], verify: ['VERIFY PASSED'] },
    }));
    const pythonRoot = join(root, 'python');
    write(join(pythonRoot, 'lib', 'fipskit', '_ssl.cpython-311-x86_64-linux-gnu.so'), 'ssl module');
    write(join(pythonRoot, 'lib', 'fipskit', '_fipskit_ext', '_hashlib.cpython-311-x86_64-linux-gnu.so'), 'hashlib module');
    write(join(pythonRoot, 'fipskit-python.json'), JSON.stringify({
      mode: 'overlay', interpreter: { path: '/usr/bin/python3.11', version: '3.11.2' },
      source: { product: 'cpython', version: '3.11.2', origin: 'debian', sha256: 'b'.repeat(64), fileName: 'python3.11_3.11.2.orig.tar.gz', location: 'python3.11=3.11.2-6', verification: "Debian's signed index" },
      sourceAuthenticity: { status: 'unsigned', statement: 'No upstream release signature was available (none is published with this source); authenticity rests on the SHA-256 check above.' },
      modules: { 'lib/fipskit/_ssl.cpython-311-x86_64-linux-gnu.so': 'x', 'lib/fipskit/_fipskit_ext/_hashlib.cpython-311-x86_64-linux-gnu.so': 'y' },
    }));
    const script = fixture('checks-fips-by-environment.json');
    const passing = {
      ...script,
      fips_provider: script.fips_provider ? { ...script.fips_provider, version: providerVersion } : null,
      checks: script.checks.map((c) => ({ ...c, passed: c.required ? true : c.passed, detail: `${c.detail} <b>` })),
    };
    const report = buildReport(passing, {
      generatedAt: new Date('2026-11-27T19:00:00Z'), host: 'vm', python: join(pythonRoot, 'bin', 'python3'), prefix,
      opensslVersion: libraryVersion, fipsProviderVersion: providerVersion, profile: 'strict', tlsServer: '127.0.0.1:4433',
    });
    return collectEvidence({ report, prefix, openssl, fipsConfigDir: config, python: join(pythonRoot, 'bin', 'python3') });
  }

  it('the SBOM is schema-valid CycloneDX and every file hash in it is the file on disk', async () => {
    const evidence = await evidenceFor('3.0.22');
    const json = serializeSbom(buildSbom(evidence, new Date('2026-11-27T19:00:00Z')));
    expect(await validateSbom(json)).toBeUndefined();
    const sbom = JSON.parse(json);
    expect(sbom.specVersion).toBe('1.6');
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
    const json = JSON.parse(serializeSbom(buildSbom(await evidenceFor('3.0.22'), new Date())));
    json.components.find((c: { type: string }) => c.type === 'file').hashes[0].content = 'not-a-sha256';
    expect(await validateSbom(JSON.stringify(json))).toMatch(/hash-content|pattern/);
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
      expect(page).toContain(`<td>${check.id}</td>`);
    }
    for (const file of evidence.files) {
      expect(markdown).toContain(file.sha256);
      expect(page).toContain(file.sha256);
    }
    expect(markdown).toContain('PASSED: all');
    expect(markdown).toContain('No CMVP certificate covers provider version 3.0.22');
    expect(markdown).toContain('openssl fipsinstall ran on host vm');
    expect(markdown).toContain('VERIFY PASSED');
    expect(page).toContain('&lt;b&gt;');
    expect(page).not.toMatch(/<script|https?:\/\/(?!github\.com\/openssl)/);
  });

  it('names the CMVP certificate of a validated provider, and both versions of a split build', async () => {
    const markdown = renderAuditorMarkdown(auditorSections(await evidenceFor('3.0.9', '3.5.7')));
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
    const sbom = JSON.parse(serializeSbom(buildSbom(evidence, new Date('2026-11-27T19:00:00Z'))));
    const props = (ref: string) => Object.fromEntries(sbom.components.find((c: { 'bom-ref': string }) => c['bom-ref'] === ref).properties.map((p: { name: string; value: string }) => [p.name, p.value]));
    expect(props('openssl')).toMatchObject({ 'fipskit:source:signature': 'verified', 'fipskit:source:signed-by': 'BA5473A2B0587B07FB27CF2D216094DFD0CB81EF' });
    expect(props('openssl-fips-provider')['fipskit:source:signature']).toBe('skipped');
    expect(props('cpython')['fipskit:source:signature']).toBe('unsigned');
  });
});
