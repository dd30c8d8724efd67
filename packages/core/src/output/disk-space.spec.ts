import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessError } from '../process/process-error';
import { SmallDisk, mountSmallDisk } from '../testing/small-disk';
import { MB, assertFreeSpace, explainDiskFull, isDiskFull } from './disk-space';

const disk = mountSmallDisk(8);
const onSmallDisk = typeof disk === 'string' ? it.skip : it;
if (typeof disk === 'string') it.todo(`small-disk tests: ${disk}`);
afterAll(() => typeof disk !== 'string' && disk.unmount());

describe('assertFreeSpace', () => {
  onSmallDisk('refuses before any work, naming the directory, the need and the option that moves it', () => {
    const build = join((disk as SmallDisk).dir, 'tmp', 'fipskit', 'p', 'openssl');
    expect(() => assertFreeSpace('openssl', [{ dir: build, bytes: 300 * MB, what: 'the source tree and objects', option: 'buildDir' }])).toThrow(
      /^Not enough free disk space for the openssl stage: [78] MB free where it needs about 300 MB for the source tree and objects in .*tmp\/fipskit\/p\/openssl \(about 300 MB; buildDir moves it\)\. .*Nothing was started\.$/,
    );
  });

  onSmallDisk('adds up the needs on one file system', () => {
    const { dir } = disk as SmallDisk;
    const each = { bytes: 3 * MB, what: 'x', option: 'o' };
    expect(() => assertFreeSpace('python', [{ ...each, dir: join(dir, 'a') }])).not.toThrow();
    expect(() =>
      assertFreeSpace('python', [
        { ...each, dir: join(dir, 'a') },
        { ...each, dir: join(dir, 'b') },
        { ...each, dir: join(dir, 'c') },
      ]),
    ).toThrow(/needs about 9 MB/);
  });

  it('passes where there is room', () => {
    expect(() => assertFreeSpace('openssl', [{ dir: mkdtempSync(join(tmpdir(), 'fipskit-space-')), bytes: 1 * MB, what: 'x', option: 'o' }])).not.toThrow();
  });
});

describe('disk full part way', () => {
  const command = { program: 'make', args: ['-j2'], cwd: '/b', title: 'make' };
  it('is recognised from Node errors and from a tool output', () => {
    expect(isDiskFull(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))).toBe(true);
    expect(isDiskFull(new ProcessError(command, 2, ['crypto/x.c:1: fatal error: error writing to /tmp/cc.s: No space left on device'], '/b/log'))).toBe(true);
    expect(isDiskFull(new ProcessError(command, 2, ['crypto/x.c:1: error: expected ;'], '/b/log'))).toBe(false);
  });

  it('becomes a message that names where, says nothing was published, and what to do; other errors pass unchanged', () => {
    const explained = explainDiskFull(Object.assign(new Error('x'), { code: 'ENOSPC' }), 'openssl', [{ dir: tmpdir(), option: 'buildDir' }]) as Error;
    expect(explained.message).toMatch(
      /^The openssl stage ran out of disk space \(No space left on device\) while writing to .* \(.* free now; buildDir moves it\)\. Nothing was published/,
    );
    const other = new Error('compile error');
    expect(explainDiskFull(other, 'openssl', [])).toBe(other);
  });
});
