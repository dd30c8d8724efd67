import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportContext, buildReport, checkVerdict, renderSummary } from './report';
import { ScriptReport } from './verify-script';

// Real output of fipskit_verify.py (with TLS): Debian's python3.11 as is, and pointed at the FIPS prefix by environment variables.
const fixture = (name: string): ScriptReport => JSON.parse(readFileSync(join(__dirname, '__fixtures__', name), 'utf8'));
const CONTEXT: ReportContext = {
  generatedAt: new Date('2025-01-02T03:04:05Z'),
  host: 'builder',
  python: '/w/dist/p/python/bin/python3',
  prefix: '/w/dist/p/openssl',
  opensslVersion: '3.0.22',
  fipsProviderVersion: '3.0.22',
  profile: 'strict',
  tlsServer: '127.0.0.1:45123',
};

function allPassing(): ScriptReport {
  const script = fixture('checks-fips-by-environment.json');
  return { ...script, checks: script.checks.map((c) => ({ ...c, passed: c.required ? true : c.passed })) };
}

describe('buildReport', () => {
  it('passes when every required check passed, whatever the informational ones say', () => {
    const report = buildReport(allPassing(), CONTEXT);
    expect(report.passed).toBe(true);
    expect(report.failedRequired).toEqual([]);
    expect(report.checks.find((c) => c.id === 'os-fips-switch')).toMatchObject({ required: false, passed: false });
  });

  it('lists the failed required checks of the gh-116800 false green', () => {
    const report = buildReport(fixture('checks-fips-by-environment.json'), CONTEXT);
    expect(report.passed).toBe(false);
    expect(report.failedRequired).toEqual(['md5-refused']);
  });

  it('adds what this stage knows: when, where, which prefix, and the provider\'s CMVP status', () => {
    const report = buildReport(fixture('checks-fips-by-environment.json'), CONTEXT);
    expect(report).toMatchObject({
      generatedAt: '2025-01-02T03:04:05.000Z',
      host: 'builder',
      python: '/w/dist/p/python/bin/python3',
      opensslPrefix: { path: '/w/dist/p/openssl', version: '3.0.22', fipsProviderVersion: '3.0.22' },
      fipsProviderValidation: { version: '3.0.22', validated: false, status: 'FIPS-capable, not validated', source: 'running provider' },
      tls: { checked: true, server: '127.0.0.1:45123' },
      interpreter: { executable: '/usr/bin/python3.11', implementation: 'CPython' },
      fips_provider: { name: 'fips', status: 1, loaded: true },
    });
  });

  it('judges the validation of the provider that ran, not of the one the prefix was meant to hold', () => {
    const script = allPassing();
    const report = buildReport({ ...script, fips_provider: { ...script.fips_provider!, version: '3.0.9' } }, CONTEXT);
    expect(report.fipsProviderValidation).toMatchObject({ version: '3.0.9', validated: true, certificate: '4282', source: 'running provider' });
    const none = buildReport({ ...script, fips_provider: null }, { ...CONTEXT, fipsProviderVersion: '3.1.2' });
    expect(none.fipsProviderValidation).toMatchObject({ version: '3.1.2', validated: true, source: 'build-info.json' });
  });

  it('fails checks the interpreter did not report, and never passes an empty report', () => {
    const script = allPassing();
    const report = buildReport({ ...script, checks: script.checks.filter((c) => c.id !== 'md5-refused' && c.id !== 'tls13-handshake') }, CONTEXT);
    expect(report.failedRequired).toEqual(['md5-refused', 'tls13-handshake']);
    expect(report.checks.find((c) => c.id === 'md5-refused')!.detail).toMatch(/not reported by the interpreter/);
    const empty = buildReport({ ...script, checks: [] }, { ...CONTEXT, tlsServer: undefined });
    expect(empty.passed).toBe(false);
    expect(empty.failedRequired).toContain('fips-provider-active');
    expect(empty.failedRequired).not.toContain('tls12-handshake');
  });

  it('does not fail the provider set under the recipe-compatible profile when it is missing', () => {
    const script = allPassing();
    const report = buildReport({ ...script, checks: script.checks.filter((c) => c.id !== 'only-fips-and-base') }, { ...CONTEXT, profile: 'recipe-compatible' });
    expect(report.passed).toBe(true);
  });
});

describe('renderSummary', () => {
  it('renders one PASS/FAIL/INFO line per check under a header, and the verdict', () => {
    const summary = renderSummary(buildReport(fixture('checks-fips-by-environment.json'), CONTEXT));
    const lines = summary.split('\n');
    expect(lines[0]).toBe('FIPS verification of /w/dist/p/python/bin/python3 (CPython 3.11.2, /usr/bin/python3.11)');
    expect(summary).toContain('  FIPS provider:    3.0.22, status 1; FIPS-capable, not validated\n');
    expect(summary).toContain('  providers:        fips 3.0.22, base 3.0.22\n');
    expect(summary).toContain('  TLS:              handshakes with openssl s_server (FIPS mode) on 127.0.0.1:45123\n');
    expect(lines).toContain('PASS  fips-provider-active         OpenSSL FIPS Provider 3.0.22, status 1 (active: fips 3.0.22 status 1, base 3.0.22 status 1)');
    expect(lines.find((l) => l.startsWith('FAIL  md5-refused '))).toMatch(/still produced an MD5 digest: hashlib\.md5\(b'x'\)/);
    expect(lines.find((l) => l.startsWith('INFO  os-fips-switch '))).toBeDefined();
    expect(lines.find((l) => l.startsWith('PASS  tls13-handshake '))).toMatch(/TLSv1\.3 with TLS_AES_256_GCM_SHA384/);
    expect(lines.at(-2)).toBe('FAILED: 1 of 13 required checks failed: md5-refused.');
  });

  it('shortens very long details and points to report.json', () => {
    const summary = renderSummary(buildReport(fixture('checks-system-python.json'), CONTEXT));
    const ciphers = summary.split('\n').find((l) => l.startsWith('FAIL  default-context-ciphers'))!;
    expect(ciphers.length).toBeLessThan(500);
    expect(ciphers).toMatch(/… \(all of it in report\.json\)$/);
    expect(summary).toContain('  FIPS provider:    not active; FIPS-capable, not validated (the provider the prefix holds)\n');
  });

  it('says PASSED when all required checks passed, and marks TLS as not checked when it was not', () => {
    const script = allPassing();
    const summary = renderSummary(buildReport({ ...script, checks: script.checks.filter((c) => !/^tls|cipher-refused/.test(c.id)) }, { ...CONTEXT, tlsServer: undefined }));
    expect(summary).toContain('  TLS:              not checked (tls: false)\n');
    expect(summary.trimEnd().split('\n').at(-1)).toBe('PASSED: all 10 required checks passed.');
  });
});

describe('checkVerdict', () => {
  it.each([
    [true, true, 'PASS'],
    [true, false, 'FAIL'],
    [false, true, 'INFO'],
    [false, false, 'INFO'],
  ])('required=%s passed=%s is %s', (required, passed, verdict) => {
    expect(checkVerdict({ id: 'x', title: 'x', required, passed, detail: '' })).toBe(verdict);
  });
});
