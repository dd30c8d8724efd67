import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIPSKIT_VERSION, evidencePy } from '../testing/python-harness';
import { evidenceOnDisk } from '../python/__fixtures__/evidence-on-disk';
import { validateSbom } from './sbom';

describe("SBOM validation with CycloneDX's library", () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'fipskit-sbom-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** The SBOM fipskit_evidence.py writes, with one file's digest damaged. */
  const damagedSbom = () => {
    const [json] = evidencePy([{ fn: 'sbom_json', args: [evidenceOnDisk(root, { providerVersion: '3.0.22' }), '2026-11-27T19:00:00Z', FIPSKIT_VERSION] }]);
    const sbom = JSON.parse(json as string);
    sbom.components.find((c: { type: string }) => c.type === 'file').hashes[0].content = 'not-a-sha256';
    return JSON.stringify(sbom);
  };

  it('catches a damaged SBOM', async () => {
    expect(await validateSbom(damagedSbom())).toMatch(/hash-content|pattern/);
  });

  it('prepared ahead, and asked for while it compiles, still catches a damaged SBOM', async () => {
    const json = damagedSbom();
    // A fresh copy of the module, whose schema nothing has compiled yet.
    let fresh!: typeof import('./sbom');
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a load of its own inside isolateModules
      fresh = require('./sbom');
    });
    const [, problem] = await Promise.all([fresh.prepareSbomValidation(), fresh.validateSbom(json)]);
    expect(problem).toMatch(/hash-content|pattern/);
  });
});
