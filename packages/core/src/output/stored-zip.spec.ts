import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storedZip } from './stored-zip';

const python = ['/usr/bin/python3', '/usr/bin/python3.11'].find((p) => existsSync(p));
const withPython = python ? it : it.skip;

describe('storedZip', () => {
  it('is the same bytes for the same entries', () => {
    const entries = [
      { name: 'a.py', content: 'x = 1\n' },
      { name: 'pkg/b.py', content: Buffer.from([0, 1, 2]) },
    ];
    expect(storedZip(entries).equals(storedZip(entries))).toBe(true);
  });

  it.each([['/abs.py'], ['../up.py'], ['a\\b.py'], ['']])('refuses the entry name %j', (name) => {
    expect(() => storedZip([{ name, content: '' }])).toThrow(/not a relative archive path/);
  });

  it('refuses a name given twice', () => {
    expect(() =>
      storedZip([
        { name: 'a.py', content: '' },
        { name: 'a.py', content: '' },
      ]),
    ).toThrow(/twice/);
  });

  // The reader that matters: Python importing modules from the archive on sys.path.
  withPython("is read by Python's zipfile and zipimport, names and bytes intact", () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-zip-'));
    const zip = join(dir, 'python311.zip');
    writeFileSync(
      zip,
      storedZip([
        { name: 'fipskit_zip_probe.py', content: 'WORD = "Zoë"\n' },
        { name: 'data/ü.bin', content: Buffer.from([255, 0, 7]) },
      ]),
    );
    const out = execFileSync(
      python!,
      [
        '-I',
        '-c',
        [
          'import sys, zipfile',
          `sys.path.insert(0, ${JSON.stringify(zip)})`,
          'import fipskit_zip_probe',
          'z = zipfile.ZipFile(sys.path[0])',
          'assert z.testzip() is None',
          'print(fipskit_zip_probe.WORD, sorted(z.namelist()), list(z.read("data/ü.bin")), z.getinfo("data/ü.bin").date_time)',
        ].join('\n'),
      ],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe("Zoë ['data/ü.bin', 'fipskit_zip_probe.py'] [255, 0, 7] (1980, 1, 1, 0, 0, 0)");
  });
});
