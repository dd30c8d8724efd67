import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateData, readCertificatePage, readModulesInProcess, refresh } from './refresh-certificates';

// Pages laid out as NIST's CMVP pages are (label, then value; the in-process list as a table). The parser reads their
// text, not their markup, so a changed layout around the same labels still reads.
const certificatePage = (status: string, extra = '') => `<html><body><h2>Certificate #4282</h2>
<div class="row"><div class="col-md-3"><span>Status</span></div><div class="col-md-9"><span id="module-status">${status}</span></div></div>
<div class="row"><div class="col-md-3">Validation Dates</div><div class="col-md-9">10/25/2022;&nbsp;01/12/2023</div></div>
${extra}</body></html>`;
const inProcessPage = `<table><tr><th>Vendor</th><th>Module</th><th>Standard</th><th>Status</th></tr>
<tr><td>OpenSSL Software Foundation</td><td>OpenSSL FIPS Provider</td><td>FIPS 140-3</td><td>Comment Resolution</td><td>3.5.4</td></tr>
<tr><td>Other Corp</td><td>Other Module</td><td>FIPS 140-3</td><td>Review Pending</td></tr></table>`;

const data = (): CertificateData => ({
  source: 'NIST',
  asOf: '2026-08-01',
  certificates: [
    {
      number: '4282',
      standard: 'FIPS 140-2',
      module: 'OpenSSL FIPS Provider',
      versions: ['3.0.8', '3.0.9'],
      status: 'active',
      validated: null,
      sunset: null,
      historical: null,
    },
  ],
  inProcess: [],
});

describe('cmvp:refresh', () => {
  it('reads status, validation, sunset and historical dates from a certificate page', () => {
    expect(readCertificatePage(certificatePage('Active', '<div>Sunset Date</div><div>9/21/2026</div>'))).toEqual({
      status: 'active',
      validated: '2022-10-25',
      sunset: '2026-09-21',
      historical: null,
    });
    expect(readCertificatePage(certificatePage('Historical', '<p>Historical Date: 09/21/2026</p>'))).toMatchObject({
      status: 'historical',
      historical: '2026-09-21',
    });
    expect(() => readCertificatePage('<html>maintenance</html>')).toThrow(/names no Status .*update the data file/);
  });

  it("reads OpenSSL's entries of the Modules In Process list, and no one else's", () => {
    expect(readModulesInProcess(inProcessPage)).toEqual([
      { module: 'OpenSSL FIPS Provider', versions: ['3.5.4'], state: 'Comment Resolution', standard: 'FIPS 140-3' },
    ]);
  });

  it('records the new state with the day it was read, and says what changed', async () => {
    const pages = (url: string) =>
      Promise.resolve(url.includes('/certificate/4282') ? certificatePage('Historical', '<p>Historical Date 9/21/2026</p>') : inProcessPage);
    const { data: next, changes } = await refresh(data(), 'https://example.test', '2026-12-01', pages);
    expect(next.asOf).toBe('2026-12-01');
    expect(next.certificates[0]).toMatchObject({ status: 'historical', validated: '2022-10-25', historical: '2026-09-21' });
    expect(changes).toEqual([
      '#4282 status: active → historical',
      '#4282 validated: - → 2022-10-25',
      '#4282 historical: - → 2026-09-21',
      'modules in process: 3.5.4 (Comment Resolution)',
    ]);
  });

  it('changes nothing, and says so, when NIST does not answer', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fipskit-cmvp-')), 'data.json');
    writeFileSync(file, JSON.stringify(data()));
    const run = spawnSync(
      process.execPath,
      [join(__dirname, '..', 'run-ts.js'), join(__dirname, 'refresh-certificates.ts'), '--data', file, '--base', 'http://127.0.0.1:9'],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /NIST's CMVP pages could not be read \(.+\)\. Nothing changed: .*data\.json stays as of 2026-08-01\. Run it where 127\.0\.0\.1:9 answers/,
    );
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(data());
  });
});
