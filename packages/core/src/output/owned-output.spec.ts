import { spawn, spawnSync } from 'node:child_process';
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
    const dead = deadPid();
    mkdirSync(join(root, `out.${dead}.fipskit-partial`));
    mkdirSync(join(root, `out.${dead}.previous.fipskit-partial`));
    mkdirSync(join(root, 'out.user-backup'));
    expect(removeStaleStaging(out).sort()).toEqual([`out.${dead}.fipskit-partial`, `out.${dead}.previous.fipskit-partial`]);
    expect(readdirSync(root)).toEqual(['out.user-backup']);
  });

  it("leaves another output's staging whose name starts the same (the audit's out.audit), and a run still going", () => {
    const out = join(root, 'out');
    const running = spawn('sleep', ['30']);
    try {
      const audit = `out.audit.${deadPid()}.fipskit-partial`;
      mkdirSync(join(root, audit));
      mkdirSync(join(root, `out.${running.pid}.fipskit-partial`));
      expect(removeStaleStaging(out)).toEqual([]);
      expect(readdirSync(root).sort()).toEqual([`out.${running.pid}.fipskit-partial`, audit].sort());
    } finally {
      running.kill();
    }
  });
});

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync('true');
  return child.pid!;
}
