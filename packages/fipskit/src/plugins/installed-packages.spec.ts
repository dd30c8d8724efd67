import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { lockfilePackages } from './installed-packages';

const PACKAGES = ['@fipskit/openssl-fips', '@fipskit/python-pcbuild'];

describe('lockfilePackages', () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const install = (name: string) => write(`node_modules/${name}/package.json`, JSON.stringify({ name, version: '0.1.0' }));
  const npmLock = (names: string[]) =>
    write(
      'package-lock.json',
      JSON.stringify({ lockfileVersion: 3, packages: Object.fromEntries(names.map((n) => [`node_modules/${n}`, { version: '0.1.0' }])) }),
    );

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fipskit-lockfile-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names the packages installed under node_modules that the lockfile lists', () => {
    for (const name of PACKAGES) install(name);
    npmLock(['@fipskit/openssl-fips']);
    expect([...lockfilePackages(root, {}, PACKAGES)]).toEqual(['@fipskit/openssl-fips']);
    npmLock(PACKAGES);
    expect([...lockfilePackages(root, {}, PACKAGES)]).toEqual(PACKAGES);
  });

  it('leaves out a workspace package linked into node_modules (its source is not an npm package to Nx)', () => {
    write('packages/openssl-fips/package.json', JSON.stringify({ name: '@fipskit/openssl-fips', version: '0.1.0' }));
    mkdirSync(join(root, 'node_modules', '@fipskit'), { recursive: true });
    symlinkSync(join(root, 'packages', 'openssl-fips'), join(root, 'node_modules', '@fipskit', 'openssl-fips'), 'junction');
    npmLock(['@fipskit/openssl-fips']);
    expect(lockfilePackages(root, {}, PACKAGES).size).toBe(0);
  });

  it('knows none without exactly one lockfile, when nx.json turns the lockfile analysis off, or for a package not installed', () => {
    for (const name of PACKAGES) install(name);
    expect(lockfilePackages(root, {}, PACKAGES).size).toBe(0);
    npmLock(PACKAGES);
    write('yarn.lock', '"@fipskit/openssl-fips@file:x":\n  version "0.1.0"\n');
    expect(lockfilePackages(root, {}, PACKAGES).size).toBe(0);
    rmSync(join(root, 'yarn.lock'));
    write('bun.lockb', 'binary @fipskit/openssl-fips @fipskit/python-pcbuild');
    expect(lockfilePackages(root, {}, PACKAGES).size).toBe(0);
    rmSync(join(root, 'package-lock.json'));
    expect(lockfilePackages(root, {}, PACKAGES).size).toBe(0);
    rmSync(join(root, 'bun.lockb'));
    npmLock(PACKAGES);
    expect(lockfilePackages(root, { pluginsConfig: { '@nx/js': { analyzeLockfile: false } } }, PACKAGES).size).toBe(0);
    expect(lockfilePackages(root, { pluginsConfig: { '@nx/js': { analyzeLockfile: true } } }, PACKAGES).size).toBe(2);
    rmSync(join(root, 'node_modules', '@fipskit', 'python-pcbuild'), { recursive: true });
    expect([...lockfilePackages(root, {}, PACKAGES)]).toEqual(['@fipskit/openssl-fips']);
  });
});
