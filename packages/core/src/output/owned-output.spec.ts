import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUTPUT_MARKER, assertOutputIsOurs, createStaging, publishOutput, removeStaleStaging } from './owned-output';

describe('owned output directories', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'fipskit-out-'))));

  it('refuses a directory holding files fipskit did not create, and leaves them alone', () => {
    const out = join(root, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'thesis.docx'), 'precious');
    expect(() => assertOutputIsOurs(out, 'openssl')).toThrow(/thesis\.docx.*never deletes/);
    const staging = createStaging(out);
    expect(() => publishOutput(staging, out, 'openssl')).toThrow(/did not create/);
    expect(readFileSync(join(out, 'thesis.docx'), 'utf8')).toBe('precious');
  });

  it('accepts a missing or empty directory and replaces its own earlier output', () => {
    const out = join(root, 'out');
    assertOutputIsOurs(out, 'openssl');
    let staging = createStaging(out);
    writeFileSync(join(staging, 'first'), '1');
    publishOutput(staging, out, 'openssl');
    expect(existsSync(join(out, OUTPUT_MARKER))).toBe(true);
    staging = createStaging(out);
    writeFileSync(join(staging, 'second'), '2');
    publishOutput(staging, out, 'openssl');
    expect(readdirSync(out).sort()).toEqual([OUTPUT_MARKER, 'second']);
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('removes only its own leftovers of killed runs', () => {
    const out = join(root, 'out');
    mkdirSync(join(root, 'out.4242.fipskit-partial'));
    mkdirSync(join(root, 'out.user-backup'));
    expect(removeStaleStaging(out)).toEqual(['out.4242.fipskit-partial']);
    expect(readdirSync(root)).toEqual(['out.user-backup']);
  });
});
