import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceDateEpoch } from './source-date';

describe('SOURCE_DATE_EPOCH of an unpacked release', () => {
  it('is the newest file time, whatever time the unpack gave the directories', () => {
    const root = mkdtempSync(join(tmpdir(), 'fipskit-source-date-'));
    try {
      mkdirSync(join(root, 'crypto', 'sha'), { recursive: true });
      writeFileSync(join(root, 'Configure'), 'x');
      writeFileSync(join(root, 'crypto', 'sha', 'sha256.c'), 'x');
      utimesSync(join(root, 'Configure'), 1_700_000_000, 1_700_000_000);
      utimesSync(join(root, 'crypto', 'sha', 'sha256.c'), 1_756_124_061, 1_756_124_061.9);
      // The directories keep the time of the unpack (now): they do not count.
      expect(sourceDateEpoch(root)).toBe('1756124061');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
