import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { newPrivateDir } from './private-dir';

const host = hostname().replace(/[^A-Za-z0-9.]/g, '_');

describe('newPrivateDir', () => {
  it('makes a new empty directory per call inside one directory of this process', () => {
    const parent = join(mkdtempSync(join(tmpdir(), 'fipskit-private-')), 'build');
    const a = newPrivateDir(parent);
    const b = newPrivateDir(parent);
    expect(a).not.toBe(b);
    expect(dirname(a)).toBe(dirname(b));
    expect(basename(dirname(a))).toMatch(new RegExp(`^fipskit-sources-${host.replace(/\./g, '\\.')}-${process.pid}-`));
    expect(readdirSync(a)).toEqual([]);
    if (process.platform !== 'win32') expect(statSync(a).mode & 0o777).toBe(0o700);
  });

  it("removes the copies of a process that no longer runs (a killed build), and no one else's", () => {
    const parent = mkdtempSync(join(tmpdir(), 'fipskit-private-'));
    const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const killed = join(parent, `fipskit-sources-${host}-${ended}-AbCdEf`);
    const running = join(parent, `fipskit-sources-${host}-${process.ppid}-AbCdEf`);
    const otherHost = join(parent, `fipskit-sources-elsewhere.example-${ended}-AbCdEf`);
    const unrelated = join(parent, `build-${ended}`);
    for (const dir of [killed, running, otherHost, unrelated]) mkdirSync(join(dir, 'verified-x'), { recursive: true });
    newPrivateDir(parent);
    expect(existsSync(killed)).toBe(false);
    expect([running, otherHost, unrelated].filter((dir) => existsSync(dir))).toEqual([running, otherHost, unrelated]);
  });
});
