import { spawnSync } from 'node:child_process';
import { compareDebianVersions, parseDebianVersion } from './debian-version';

const ordered: Array<[string, string]> = [
  ['3.0.17-1~deb12u2', '3.0.20-1~deb12u2'],
  ['3.0.20-1~deb12u1', '3.0.20-1~deb12u2'],
  ['3.0.22-1~deb12u2', '3.0.22-1'],
  ['3.0.9', '3.0.22'],
  ['3.11.2-6+deb12u8', '3.11.2-6+deb12u9'],
  ['1.0~rc1', '1.0'],
  ['1.0', '1.0+dfsg'],
  ['1.0a', '1.0+'],
  ['1:2.0', '9:1.0'],
  ['9.0', '1:1.0'],
  ['1.1.1w-0+deb11u1', '3.0.2-0ubuntu1'],
  ['1.0-1', '1.0-1.1'],
  ['0010', '11'],
];

describe('compareDebianVersions', () => {
  it.each(ordered)('%s < %s', (older, newer) => {
    expect(compareDebianVersions(older, newer)).toBeLessThan(0);
    expect(compareDebianVersions(newer, older)).toBeGreaterThan(0);
  });

  it.each(['3.0.22-1~deb12u2', '1:3.0-1', '3.00.22'])('%s equals itself', (v) => {
    expect(compareDebianVersions(v, v)).toBe(0);
  });

  it('treats leading zeros as dpkg does', () => {
    expect(compareDebianVersions('3.00.22', '3.0.22')).toBe(0);
  });

  it('splits epoch, upstream and revision', () => {
    expect(parseDebianVersion('1:3.0.2-0ubuntu1.10')).toEqual({ epoch: 1, upstream: '3.0.2', revision: '0ubuntu1.10' });
    expect(parseDebianVersion('3.0.22')).toEqual({ epoch: 0, upstream: '3.0.22', revision: '' });
    expect(parseDebianVersion('2.0-rc1-3')).toEqual({ epoch: 0, upstream: '2.0-rc1', revision: '3' });
  });

  const haveDpkg = spawnSync('dpkg', ['--version']).status === 0 ? it : it.skip;
  haveDpkg('agrees with dpkg --compare-versions on this machine', () => {
    for (const [older, newer] of ordered.filter(([a]) => !a.startsWith('9:'))) {
      expect(spawnSync('dpkg', ['--compare-versions', older, 'lt', newer]).status).toBe(0);
    }
  });
});
