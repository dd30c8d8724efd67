import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { CMVP_CERTIFICATES_FILE } from '@fipskit/core';
import complianceExecutor, { COMPLIANCE_FILE, ComplianceResult } from './executor';

const PYTHON = ['/usr/bin/python3.11', '/usr/bin/python3'].find((p) => existsSync(p))!;

/** A verification report as the verify stage writes it, of a 3.0.9 provider made on 2026-09-01 (certificate #4282 active then). */
function report(root: string, provider = '3.0.9', inForce = true): string {
  const file = join(root, 'dist', 'p', 'verify', 'report.json');
  const summary = `FIPS 140 compliance: CLAIMABLE. The FIPS provider that ran, OpenSSL ${provider}, is CMVP-validated (FIPS 140-2, certificate #4282, active).`;
  const json = {
    verdict: {
      fipsMode: { inForce, summary: inForce ? 'FIPS mode: IN FORCE.' : 'FIPS mode: NOT IN FORCE.' },
      compliance: { claimable: inForce, summary, certificateStatus: 'active', judgedOn: '2026-09-01', dataAsOf: '2026-12-01' },
    },
    generatedAt: '2026-09-01T10:00:00.000Z',
    opensslPrefix: { path: '/w/dist/p/openssl', version: provider, fipsProviderVersion: provider },
    fipsProviderValidation: { version: provider, source: 'running provider' },
    failedRequired: inForce ? [] : ['md5-refused'],
  };
  mkdirSync(join(root, 'dist', 'p', 'verify'), { recursive: true });
  writeFileSync(file, JSON.stringify(json));
  return file;
}

describe('nx run <project>:compliance: the last report judged again, with no build', () => {
  let root: string;
  let printed: string[];
  const context = () => ({ root, projectName: 'p' }) as ExecutorContext;
  const run = (options: Record<string, unknown> = {}) =>
    complianceExecutor({ reportPath: 'dist/p/verify/report.json', python: PYTHON, outputPath: 'dist/p/compliance', ...options }, context(), {
      print: (l) => printed.push(l),
    });
  const result = (): ComplianceResult => JSON.parse(readFileSync(join(root, 'dist', 'p', 'compliance', COMPLIANCE_FILE), 'utf8'));
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fipskit-compliance-'));
    printed = [];
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('holds on a day the certificate is still active, and says unchanged', async () => {
    report(root);
    expect(await run({ asOf: '2026-09-10' })).toEqual({ success: true });
    expect(result()).toMatchObject({ judgedOn: '2026-09-10', claimChanged: false, after: { claimable: true, certificateStatus: 'active' } });
    expect(printed.join('\n')).toContain('Unchanged.');
  });

  it('fails once the certificate went historical: the claim of 2026-09-01 no longer holds on 2026-12-01, and says what to do', async () => {
    report(root);
    expect(await run({ asOf: '2026-12-01' })).toEqual({ success: false });
    expect(result()).toMatchObject({
      claimChanged: true,
      before: { claimable: true },
      after: { claimable: false, certificateStatus: 'historical', historicalSince: '2026-09-21' },
    });
    const text = printed.join('\n');
    expect(text).toContain(
      '  now:  FIPS 140 compliance: NOT CLAIMABLE. The FIPS provider that ran, OpenSSL 3.0.9, is covered by CMVP certificate #4282 (FIPS 140-2), on the Historical list since 2026-09-21',
    );
    expect(text).toMatch(
      /The compliance claim changed since the report was made: CLAIMABLE then, NOT CLAIMABLE now .*next step: .*--fipsProviderVersion=3\.1\.2/,
    );
  });

  it('a Python that was not in FIPS mode stays no claim, whatever the data says', async () => {
    report(root, '3.1.2', false);
    expect(await run({ asOf: '2026-12-01' })).toEqual({ success: true });
    expect(result()).toMatchObject({ claimChanged: false, fipsModeInForce: false, after: { claimable: false, certificateStatus: 'active' } });
  });

  it('warns when the certificate data is older than the limit on that day', async () => {
    report(root);
    expect(await run({ asOf: '2026-09-10', maxDataAgeDays: 90 })).toEqual({ success: true });
    expect(result().warning).toBeUndefined();
    const old = JSON.parse(readFileSync(CMVP_CERTIFICATES_FILE, 'utf8'));
    writeFileSync(join(root, 'old-data.json'), JSON.stringify({ ...old, asOf: '2026-01-15' }));
    await run({ asOf: '2026-09-10', data: 'old-data.json', maxDataAgeDays: 90 });
    expect(result().warning).toMatch(/fipskit's CMVP data is of 2026-01-15, 238 days before 2026-09-10 \(more than 90\)/);
    expect(printed.join('\n')).toContain('warning: fipskit');
  });

  it('names what to run when there is no report yet, and refuses a day that is not one', async () => {
    expect(await run()).toEqual({ success: false });
    expect(printed.join('\n')).toMatch(/dist\/p\/verify\/report\.json does not exist: there is no verification to judge again\. Run nx run p:build/);
    report(root);
    expect(await run({ asOf: '12/01/2026' })).toEqual({ success: false });
    expect(printed.join('\n')).toContain('asOf "12/01/2026" is not a day: write it as YYYY-MM-DD.');
  });
});
