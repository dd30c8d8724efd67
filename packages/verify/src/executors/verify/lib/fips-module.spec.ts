import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFipsModule } from './fips-module';
import { PrefixBuildInfo } from './normalize-options';

describe('the FIPS module that ran, and its audit', () => {
  let root: string;
  let module: string;
  let sha256: string;
  let info: PrefixBuildInfo;
  let auditFile: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fipskit-module-'));
    mkdirSync(join(root, 'openssl', 'lib', 'ossl-modules'), { recursive: true });
    module = join(root, 'openssl', 'lib', 'ossl-modules', 'fips.so');
    writeFileSync(module, 'the module');
    sha256 = createHash('sha256').update('the module').digest('hex');
    info = { fipsProvider: { module: 'lib/ossl-modules/fips.so' }, artifacts: { 'lib/ossl-modules/fips.so': sha256 } } as unknown as PrefixBuildInfo;
    auditFile = join(root, 'audit', 'audit.json');
    mkdirSync(join(root, 'audit'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const audit = (fipsModule: object) => writeFileSync(auditFile, JSON.stringify({ schema: 1, auditedAt: '2026-12-01T12:00:00.000Z', stages: [], fipsModule }));

  it('cites an audit of the same bytes that reproduced them', async () => {
    audit({ path: 'lib/ossl-modules/fips.so', sha256, reproduced: true });
    const evidence = await describeFipsModule(module, info, auditFile, 'fp');
    expect(evidence).toMatchObject({ path: module, sha256, audit: { auditedAt: '2026-12-01T12:00:00.000Z', reproduced: true } });
    expect(evidence.statement).toBe(
      `The FIPS module that ran is ${module} (SHA-256 ${sha256}). A rebuild from its locked source with no cache gave the same bytes (audit of 2026-12-01T12:00:00.000Z, ${auditFile}).`,
    );
  });

  it('says so when the audit found other bytes', async () => {
    audit({ path: 'lib/ossl-modules/fips.so', sha256, reproduced: false });
    const evidence = await describeFipsModule(module, info, auditFile, 'fp');
    expect(evidence.audit).toMatchObject({ reproduced: false });
    expect(evidence.statement).toMatch(/gave other bytes .*: do not rely on this module\.$/);
  });

  it('does not count an audit of another module, nor a missing audit', async () => {
    audit({ path: 'lib/ossl-modules/fips.so', sha256: 'f'.repeat(64), reproduced: true });
    const other = await describeFipsModule(module, info, auditFile, 'fp');
    expect(other.audit).toBeNull();
    expect(other.statement).toMatch(/It was not audited: .*run nx run fp:audit .* The last audit \(2026-12-01T12:00:00\.000Z\) was of another module \(SHA-256 f{64}\)\.$/);
    rmSync(auditFile);
    expect((await describeFipsModule(module, info, auditFile, 'fp')).statement).toMatch(/It was not audited: no rebuild from source has been compared with it; run nx run fp:audit/);
  });

  it('names a module that is not the one built, none at all, and several', async () => {
    writeFileSync(module, 'another module');
    expect((await describeFipsModule(module, info, auditFile, 'fp')).statement).toMatch(/which is not the module the openssl stage built \(build-info\.json records [0-9a-f]{64}\)\.$/);
    expect((await describeFipsModule(null, info, auditFile, 'fp')).statement).toBe(`No FIPS module was loaded into the interpreter; the prefix's lib/ossl-modules/fips.so has SHA-256 ${sha256}.`);
    expect((await describeFipsModule(`${module}; /elsewhere/fips.so`, info, auditFile, 'fp')).statement).toMatch(/^More than one FIPS module was loaded/);
  });
});
