import type { ScriptCheck, ScriptReport, VerifyReport } from '../stage/report';
import { CERTIFICATES, evidencePy } from '../testing/python-harness';
import { contexts, planned } from './__fixtures__/evidence-scenarios';
import { ReportContext, allRequiredPassing, scriptFixture } from './__fixtures__/evidence-on-disk';

// report.json's verdicts and summary.txt, as fipskit_evidence.py writes them. The script fixtures are real output of
// fipskit_verify.py (with TLS): Debian's python3.11 as is, and pointed at the FIPS prefix by environment variables.
const buildReport = (script: ScriptReport, context: ReportContext): VerifyReport =>
  evidencePy([{ fn: 'build_report', args: [script, context, CERTIFICATES] }])[0] as VerifyReport;
const renderSummary = (report: VerifyReport): string => evidencePy([{ fn: 'render_summary', args: [report] }])[0] as string;
const { CONTEXT, WITHOUT_TLS, split } = contexts();
const allPassing = () => allRequiredPassing();
const withProvider = (script: ScriptReport, version: string): ScriptReport => ({ ...script, fips_provider: { ...script.fips_provider!, version } });

describe('build_report', () => {
  it('passes when every required check passed, whatever the informational ones say', () => {
    const report = buildReport(allPassing(), CONTEXT);
    expect(report.passed).toBe(true);
    expect(report.failedRequired).toEqual([]);
    expect(report.checks.find((c) => c.id === 'os-fips-switch')).toMatchObject({ required: false, passed: false });
  });

  it('lists the failed required checks of the gh-116800 false green', () => {
    const report = buildReport(scriptFixture('checks-fips-by-environment.json'), CONTEXT);
    expect(report.passed).toBe(false);
    // MD5 through the built-in fallback, and FIPS only in this process: a clean child, -I or a venv is not.
    expect(report.failedRequired).toEqual([
      'md5-refused',
      'start-isolated',
      'start-through-symlink',
      'start-moved-copy',
      'venv-interpreter',
      'child-clean-environment',
      'start-environment',
    ]);
  });

  it("adds what this stage knows: when, where, which prefix, and the provider's CMVP status", () => {
    const report = buildReport(scriptFixture('checks-fips-by-environment.json'), CONTEXT);
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
    const none = buildReport({ ...script, fips_provider: null }, { ...CONTEXT, fipsProviderVersion: '3.1.2', judgedOn: '2026-12-01' });
    expect(none.fipsProviderValidation).toMatchObject({ version: '3.1.2', validated: true, source: 'build-info.json' });
  });

  it('fails checks the interpreter did not report, and never passes an empty report', () => {
    const script = allPassing();
    const report = buildReport({ ...script, checks: script.checks.filter((c) => c.id !== 'md5-refused' && c.id !== 'tls13-handshake') }, CONTEXT);
    expect(report.failedRequired).toEqual(['md5-refused', 'tls13-handshake']);
    expect(report.checks.find((c) => c.id === 'md5-refused')!.detail).toMatch(/not reported by the interpreter/);
    const empty = buildReport({ ...script, checks: [] }, WITHOUT_TLS);
    expect(empty.passed).toBe(false);
    expect(empty.failedRequired).toContain('fips-provider-active');
    expect(empty.failedRequired).not.toContain('tls12-handshake');
  });

  it('does not fail the provider set under the recipe-compatible profile when it is missing', () => {
    const script = allPassing();
    const report = buildReport(
      { ...script, checks: script.checks.filter((c) => c.id !== 'only-fips-and-base') },
      { ...CONTEXT, profile: 'recipe-compatible', plannedChecks: planned('recipe-compatible', true) },
    );
    expect(report.passed).toBe(true);
  });

  it('says TLS was not checked when the context names no server', () => {
    expect(buildReport(allPassing(), WITHOUT_TLS).tls).toEqual({ checked: false, server: null });
  });
});

/** A day on which both OpenSSL certificates were active (#4282 until the FIPS 140-2 move to Historical, #4985 from its issue). */
const BOTH_ACTIVE = '2025-06-02';
/** Today, as fipskit's CMVP data sees it: #4282 historical, #4985 active until 2030-03-10. */
const TODAY = '2026-12-01';
const on = <T extends ReportContext>(context: T, day: string): T => ({ ...context, judgedOn: day });
const asOf = (day: string) => ` (as of ${day}, by CMVP data of 2026-12-01)`;

describe('the verdict: FIPS mode, then whether a compliance claim can rest on it, as of a day', () => {
  it('all checks passing with a FIPS-capable provider is FIPS mode in force, and no claim: with the validated versions that fit these libraries', () => {
    const report = buildReport(allPassing(), on(CONTEXT, BOTH_ACTIVE));
    expect(report.verdict.fipsMode).toEqual({ inForce: true, summary: 'FIPS mode: IN FORCE. All 21 required checks passed inside the interpreter.' });
    expect(report.verdict.compliance).toEqual({
      claimable: false,
      summary: `FIPS 140 compliance: NOT CLAIMABLE. The FIPS provider that ran, OpenSSL 3.0.22, is FIPS-capable but not CMVP-validated: no certificate covers it${asOf(BOTH_ACTIVE)}.`,
      fipsProviderVersion: '3.0.22',
      librariesVersion: '3.0.22',
      certificateStatus: 'none',
      judgedOn: BOTH_ACTIVE,
      dataAsOf: '2026-12-01',
      nextStep:
        'For a claim, build the FIPS provider from 3.0.8 or 3.0.9 (FIPS 140-2, certificate #4282) beside these OpenSSL 3.0.22 libraries: a split build ' +
        '(nx g fipskit:project <name> with your OpenSSL source options and --fipsProviderVersion=3.0.9, which takes the official 3.0.9 tarball by its pinned SHA-256; ' +
        'docs/stages.md, "Validated provider, newer libraries").',
    });
    // 3.1.2 is newer than these libraries: OpenSSL does not support it beside them.
    expect(report.verdict.compliance.nextStep).not.toContain('3.1.2');
  });

  it('a provider with an active certificate and FIPS mode in force is claimable, naming the certificate and its sunset', () => {
    const report = buildReport(withProvider(allPassing(), '3.1.2'), on(split('3.5.7', '3.1.2'), TODAY));
    expect(report.verdict.compliance).toEqual({
      claimable: true,
      summary:
        'FIPS 140 compliance: CLAIMABLE. The FIPS provider that ran, OpenSSL 3.1.2 (beside libraries from OpenSSL 3.5.7), is CMVP-validated ' +
        "(FIPS 140-3, certificate #4985, active until its sunset on 2030-03-10), a pairing OpenSSL's FIPS guidance allows; a claim rests on that certificate " +
        `and the module's security policy${asOf(TODAY)}.`,
      fipsProviderVersion: '3.1.2',
      librariesVersion: '3.5.7',
      certificate: { standard: 'FIPS 140-3', number: '4985' },
      certificateStatus: 'active',
      sunset: '2030-03-10',
      judgedOn: TODAY,
      dataAsOf: '2026-12-01',
    });
    expect(report.fipsProviderValidation).toMatchObject({ status: 'validated (FIPS 140-3, CMVP certificate 4985)', claimable: true, sunset: '2030-03-10' });
  });

  it('the same 3.0.9 report: claimable on 2026-09-01, historical on 2026-12-01 (every FIPS 140-2 certificate since 2026-09-21)', () => {
    const script = withProvider(allPassing(), '3.0.9');
    const before = buildReport(script, on(split('3.0.9', '3.0.9'), '2026-09-01')).verdict.compliance;
    expect(before).toMatchObject({ claimable: true, certificateStatus: 'active', certificate: { standard: 'FIPS 140-2', number: '4282' } });
    const after = buildReport(script, on(split('3.0.9', '3.0.9'), '2026-12-01'));
    expect(after.verdict.compliance).toMatchObject({ claimable: false, certificateStatus: 'historical', historicalSince: '2026-09-21' });
    expect(after.verdict.compliance.summary).toBe(
      'FIPS 140 compliance: NOT CLAIMABLE. The FIPS provider that ran, OpenSSL 3.0.9, is covered by CMVP certificate #4282 (FIPS 140-2), on the Historical list since ' +
        `2026-09-21: such a module may stay in an existing system, but no claim for a new system can rest on it${asOf('2026-12-01')}.`,
    );
    expect(after.fipsProviderValidation.status).toBe('validated (FIPS 140-2, CMVP certificate 4282), historical since 2026-09-21: existing systems only');
    // No active certificate fits 3.0.9 libraries: newer libraries and the 3.1.2 provider, by a command that works.
    expect(after.verdict.compliance.nextStep).toContain('3.1.2 (FIPS 140-3, certificate #4985, until 2030-03-10)');
    expect(after.verdict.compliance.nextStep).toContain('move the libraries from OpenSSL 3.0.9 to 3.1.2 or later');
    expect(after.verdict.compliance.nextStep).toContain('--fipsProviderVersion=3.1.2');
    expect(after.verdict.compliance.nextStep).not.toMatch(/--fipsProviderVersion=3\.0\.9/);
  });

  it('3.1.2 stays claimable until its sunset, is historical the day after, and was not yet validated before its certificate', () => {
    const script = withProvider(allPassing(), '3.1.2');
    const day = (d: string) => buildReport(script, on(split('3.5.7', '3.1.2'), d)).verdict.compliance;
    expect(day('2030-03-10')).toMatchObject({ claimable: true, certificateStatus: 'active' });
    expect(day('2030-03-11')).toMatchObject({ claimable: false, certificateStatus: 'historical', historicalSince: '2030-03-10' });
    expect(day('2025-03-10')).toMatchObject({ claimable: false, certificateStatus: 'not yet validated' });
    expect(day('2025-03-10').summary).toContain('was not yet CMVP-validated on 2025-03-10');
  });

  it('a provider in the Modules In Process list is not claimable, and says so', () => {
    const { compliance } = buildReport(withProvider(allPassing(), '3.5.4'), on(split('3.5.4', '3.5.4'), TODAY)).verdict;
    expect(compliance).toMatchObject({ claimable: false, certificateStatus: 'in process' });
    expect(compliance.summary).toContain("is not CMVP-validated: in the CMVP's Modules In Process list (Comment Resolution since 2026-08)");
    expect(compliance.nextStep).toContain(
      'build the FIPS provider from 3.1.2 (FIPS 140-3, certificate #4985, until 2030-03-10) beside these OpenSSL 3.5.4 libraries',
    );
  });

  it('a split build names both versions, validated or not', () => {
    const capable = buildReport(allPassing(), on(split('3.5.7', '3.0.22'), TODAY)).verdict.compliance;
    expect(capable).toMatchObject({ claimable: false, fipsProviderVersion: '3.0.22', librariesVersion: '3.5.7' });
    expect(capable.summary).toContain(
      'The FIPS provider that ran, OpenSSL 3.0.22 (beside libraries from OpenSSL 3.5.7), is FIPS-capable but not CMVP-validated',
    );
    expect(capable.nextStep).toContain('3.1.2 (FIPS 140-3, certificate #4985, until 2030-03-10) beside these OpenSSL 3.5.7 libraries');
    expect(capable.nextStep).not.toContain('4282');
    expect(capable.nextStep).toContain('--fipsProviderVersion=3.1.2');
  });

  it('a validated provider is no claim while FIPS mode is not in force: the next step is the failed checks', () => {
    const report = buildReport(withProvider(scriptFixture('checks-fips-by-environment.json'), '3.1.2'), on(split('3.5.7', '3.1.2'), TODAY));
    expect(report.verdict.fipsMode).toEqual({
      inForce: false,
      summary:
        'FIPS mode: NOT IN FORCE. 7 of 21 required checks failed (md5-refused, start-isolated, start-through-symlink, start-moved-copy, venv-interpreter, child-clean-environment, start-environment): this Python must not be relied on for FIPS mode.',
    });
    expect(report.verdict.compliance).toMatchObject({
      claimable: false,
      summary:
        'FIPS 140 compliance: NOT CLAIMABLE. FIPS mode is not in force, so no claim can rest on this Python whatever its provider. ' +
        `The FIPS provider that ran, OpenSSL 3.1.2 (beside libraries from OpenSSL 3.5.7), is CMVP-validated (FIPS 140-3, certificate #4985, active until its sunset on 2030-03-10)${asOf(TODAY)}.`,
      certificate: { standard: 'FIPS 140-3', number: '4985' },
      nextStep: 'Make FIPS mode hold first: fix the 7 failed required checks.',
    });
  });

  it('when no provider ran, it judges the one the prefix holds and says so', () => {
    const { compliance } = buildReport(scriptFixture('checks-system-python.json'), on(CONTEXT, TODAY)).verdict;
    expect(compliance.summary).toContain('No FIPS provider ran; the one the prefix holds, OpenSSL 3.0.22, is FIPS-capable but not CMVP-validated');
    expect(compliance.nextStep).toMatch(
      /^Make FIPS mode hold first: fix the 15 failed required checks\. For a claim, the FIPS provider must come from a release whose certificate is active/,
    );
  });

  it('libraries older than every provider with an active certificate: the next step is newer libraries', () => {
    const { compliance } = buildReport(withProvider(allPassing(), '3.0.7'), on(split('3.0.7', '3.0.7'), TODAY)).verdict;
    expect(compliance.nextStep).toContain(
      'OpenSSL allows it only beside libraries of that release or a later one: move the libraries from OpenSSL 3.0.7 to 3.1.2 or later',
    );
  });

  it('without a judgement day of its own, a report is judged on the day it was made', () => {
    const { compliance } = buildReport(withProvider(allPassing(), '3.0.9'), { ...split('3.0.9', '3.0.9'), generatedAt: '2026-12-07T10:00:00.000Z' }).verdict;
    expect(compliance).toMatchObject({ claimable: false, judgedOn: '2026-12-07', certificateStatus: 'historical' });
  });

  it('`passed` is FIPS mode being in force, whatever the provider', () => {
    for (const report of [buildReport(allPassing(), CONTEXT), buildReport(scriptFixture('checks-system-python.json'), CONTEXT)]) {
      expect(report.passed).toBe(report.verdict.fipsMode.inForce);
    }
  });
});

describe('render_summary', () => {
  it('leads with the two verdict lines and the next step, then a header, one PASS/FAIL/INFO line per check (failures first), and the verdict again', () => {
    const report = buildReport(scriptFixture('checks-fips-by-environment.json'), CONTEXT);
    const summary = renderSummary(report);
    const lines = summary.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      report.verdict.fipsMode.summary,
      report.verdict.compliance.summary,
      `  Next step: ${report.verdict.compliance.nextStep}`,
    ]);
    expect(lines[4]).toBe('FIPS verification of /w/dist/p/python/bin/python3 (CPython 3.11.2, /usr/bin/python3.11)');
    expect(summary).toContain('  FIPS provider:    3.0.22, status 1; FIPS-capable, not validated\n');
    expect(summary).toContain('  providers:        fips 3.0.22, base 3.0.22\n');
    expect(summary).toContain('  TLS:              handshakes with openssl s_server (FIPS mode) on 127.0.0.1:45123\n');
    expect(lines).toContain('PASS  fips-provider-active         OpenSSL FIPS Provider 3.0.22, status 1 (active: fips 3.0.22 status 1, base 3.0.22 status 1)');
    expect(lines.find((l) => l.startsWith('FAIL  md5-refused '))).toMatch(/still produced an MD5 digest: hashlib\.md5\(b'x'\)/);
    expect(lines.find((l) => l.startsWith('INFO  os-fips-switch '))).toBeDefined();
    expect(lines.find((l) => l.startsWith('PASS  tls13-handshake '))).toMatch(/TLSv1\.3 with TLS_AES_256_GCM_SHA384/);
    const checkLines = lines.filter((l) => /^(PASS|FAIL|INFO) {2}/.test(l));
    expect(checkLines[0]).toMatch(/^FAIL {2}md5-refused /);
    expect(checkLines.slice(-2).map((l) => l.slice(0, 4))).toEqual(['INFO', 'INFO']);
    expect(lines.slice(-3)).toEqual([report.verdict.fipsMode.summary, report.verdict.compliance.summary, '']);
  });

  it('shortens very long details and points to report.json', () => {
    const summary = renderSummary(buildReport(scriptFixture('checks-system-python.json'), CONTEXT));
    const ciphers = summary.split('\n').find((l) => l.startsWith('FAIL  default-context-ciphers'))!;
    expect(ciphers.length).toBeLessThan(500);
    expect(ciphers).toMatch(/… \(all of it in report\.json\)$/);
    expect(summary).toContain('  FIPS provider:    not active; FIPS-capable, not validated (the provider the prefix holds)\n');
  });

  it('says FIPS mode is in force when all required checks passed, never that the Python is compliant, and marks TLS as not checked when it was not', () => {
    const script = allPassing();
    const summary = renderSummary(buildReport({ ...script, checks: script.checks.filter((c) => !/^tls|cipher-refused/.test(c.id)) }, WITHOUT_TLS));
    expect(summary).toContain('  TLS:              not checked (tls: false)\n');
    expect(summary.split('\n').slice(0, 2)).toEqual([
      'FIPS mode: IN FORCE. All 18 required checks passed inside the interpreter.',
      'FIPS 140 compliance: NOT CLAIMABLE. The FIPS provider that ran, OpenSSL 3.0.22, is FIPS-capable but not CMVP-validated: no certificate covers it (as of 2025-01-02, by CMVP data of 2026-12-01).',
    ]);
    expect(summary.trimEnd().split('\n').at(-1)).toMatch(/^FIPS 140 compliance: NOT CLAIMABLE\./);
  });
});

describe('checks_failures_first', () => {
  it('puts failed required checks first, informational ones last, keeping the run order within each', () => {
    const check = (id: string, required: boolean, passed: boolean): ScriptCheck => ({ id, title: id, required, passed, detail: '' });
    const [ordered] = evidencePy([
      {
        fn: 'checks_failures_first',
        args: [[check('a', true, true), check('b', false, false), check('c', true, false), check('d', true, true), check('e', true, false)]],
      },
    ]);
    expect((ordered as ScriptCheck[]).map((c) => c.id)).toEqual(['c', 'e', 'a', 'd', 'b']);
  });
});

describe('check_verdict', () => {
  it.each([
    [true, true, 'PASS'],
    [true, false, 'FAIL'],
    [false, true, 'INFO'],
    [false, false, 'INFO'],
  ])('required=%s passed=%s is %s', (required, passed, verdict) => {
    expect(evidencePy([{ fn: 'check_verdict', args: [{ id: 'x', title: 'x', required, passed, detail: '' }] }])).toEqual([verdict]);
  });
});

describe('expected_checks', () => {
  const expectedChecks = (
    profile: string,
    { tls = false, chacha = null as number | null, startModes = false, movedCopy = null as object | null } = {},
    platform = 'linux',
  ) => evidencePy([{ fn: 'expected_checks', args: [profile, tls, chacha, startModes, movedCopy, platform] }])[0] as Array<{ id: string; required: boolean }>;
  const ids = (checks: Array<{ id: string }>) => checks.map((c) => c.id);

  it('lists the TLS checks only with a server, and makes the provider set binding only for the strict profile', () => {
    expect(ids(expectedChecks('strict'))).not.toContain('tls12-handshake');
    expect(ids(expectedChecks('strict', { tls: true, chacha: 4434 }))).toEqual(
      expect.arrayContaining(['tls12-handshake', 'tls13-handshake', 'non-approved-cipher-refused']),
    );
    expect(expectedChecks('strict', { tls: true }).find((c) => c.id === 'only-fips-and-base')!.required).toBe(true);
    expect(expectedChecks('recipe-compatible', { tls: true }).find((c) => c.id === 'only-fips-and-base')!.required).toBe(false);
    expect(expectedChecks('rhel-compatible', { tls: true }).find((c) => c.id === 'usedforsecurity-exemption')!.required).toBe(true);
    expect(expectedChecks('strict', { tls: true }).find((c) => c.id === 'usedforsecurity-exemption')!.required).toBe(false);
  });

  it('requires every start mode for a Python that brings its own FIPS setup, the symlink one only where symlinks start programs', () => {
    const modes = ['start-isolated', 'start-through-symlink', 'start-moved-copy', 'venv-interpreter', 'child-clean-environment', 'multiprocessing-manager'];
    const linux = expectedChecks('strict', { startModes: true, movedCopy: { unavailable: 'x' } }, 'linux');
    expect(linux.filter((c) => modes.includes(c.id))).toEqual(modes.map((id) => ({ id, required: true })));
    expect(ids(expectedChecks('strict', { startModes: true }, 'win32')).filter((id) => modes.includes(id))).toEqual([
      'start-isolated',
      'venv-interpreter',
      'child-clean-environment',
      'multiprocessing-manager',
    ]);
    expect(ids(expectedChecks('strict')).filter((id) => modes.includes(id))).toEqual([]);
  });
});
