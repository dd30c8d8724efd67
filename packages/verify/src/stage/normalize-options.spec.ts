import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostPlatform } from '@fipskit/core';
import { VerifyOptions } from '../executors/verify/schema';
import { normalizeOptions } from './normalize-options';

const BUILD_INFO = {
  version: '3.0.22',
  platform: hostPlatform(),
  fipsProvider: { version: '3.0.9', module: 'lib/ossl-modules/fips.so' },
  layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include', openssldir: 'ssl' },
  artifacts: {},
};

function workspace(buildInfo: unknown = BUILD_INFO) {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-verify-opts-'));
  mkdirSync(join(root, 'dist', 'p', 'openssl'), { recursive: true });
  writeFileSync(join(root, 'dist', 'p', 'openssl', 'build-info.json'), typeof buildInfo === 'string' ? buildInfo : JSON.stringify(buildInfo));
  mkdirSync(join(root, 'dist', 'p', 'fips-config'), { recursive: true });
  writeFileSync(join(root, 'dist', 'p', 'fips-config', 'openssl.cnf'), '# fips\n');
  mkdirSync(join(root, 'dist', 'p', 'python', 'bin'), { recursive: true });
  writeFileSync(join(root, 'dist', 'p', 'python', 'bin', 'python3'), '#!/bin/sh\n', { mode: 0o755 });
  return root;
}

const OPTIONS: VerifyOptions = {
  python: 'dist/p/python/bin/python3',
  opensslPath: 'dist/p/openssl',
  fipsConfigPath: 'dist/p/fips-config',
  outputPath: 'dist/p/verify',
};

const posixOnly = process.platform === 'win32' ? it.skip : it;

describe('verify normalizeOptions', () => {
  let root: string;
  beforeEach(() => (root = workspace()));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  posixOnly('resolves every path against the workspace and fills in the defaults', () => {
    const options = normalizeOptions(OPTIONS, { root, projectName: 'p' });
    const prefix = join(root, 'dist', 'p', 'openssl');
    expect(options).toMatchObject({
      platform: hostPlatform(),
      python: join(root, 'dist', 'p', 'python', 'bin', 'python3'),
      prefix,
      libcryptoDir: join(prefix, 'lib'),
      fipsConfigDir: join(root, 'dist', 'p', 'fips-config'),
      outputDir: join(root, 'dist', 'p', 'verify'),
      logFile: join(root, 'tmp', 'fipskit', 'p', 'verify.log'),
      profile: 'rhel-compatible',
      tls: true,
      verbose: false,
      paths: {
        openssl: join(prefix, 'bin', 'openssl'),
        opensslConf: join(root, 'dist', 'p', 'fips-config', 'openssl.cnf'),
        libDir: join(prefix, 'lib'),
        binDir: join(prefix, 'bin'),
        modulesDir: join(prefix, 'lib', 'ossl-modules'),
      },
    });
    expect(options.prefixInfo.fipsProvider.version).toBe('3.0.9');
  });

  it('keeps absolute paths and explicit choices', () => {
    const python = join(root, 'dist', 'p', 'python', 'bin', 'python3');
    const options = normalizeOptions({ ...OPTIONS, python, profile: 'recipe-compatible', tls: false, verbose: true }, { root });
    expect(options).toMatchObject({ python, profile: 'recipe-compatible', tls: false, verbose: true, projectName: 'fips' });
  });

  it.each<[string, (root: string) => Partial<VerifyOptions>, RegExp]>([
    ['an unset python', () => ({ python: '' }), /The python option is not set: point it at the interpreter to verify/],
    [
      'a python that does not exist',
      () => ({ python: 'dist/p/python/bin/python9' }),
      /python9, does not exist: build the python stage first, or fix the python option/,
    ],
    ['a python that is a directory', () => ({ python: 'dist/p/python/bin' }), /bin, is not a file: .*it must name the program/],
    ['a missing openssl stage', () => ({ opensslPath: 'dist/nowhere' }), /build-info\.json does not exist: .*Run the openssl target first, or fix opensslPath/],
  ])('refuses %s with what to do', (_, change, message) => {
    expect(() => normalizeOptions({ ...OPTIONS, ...change(root) }, { root })).toThrow(message);
  });

  posixOnly('refuses a python that is not executable', () => {
    chmodSync(join(root, 'dist', 'p', 'python', 'bin', 'python3'), 0o644);
    expect(() => normalizeOptions(OPTIONS, { root })).toThrow(/python3, is not executable: chmod \+x it/);
  });

  it('needs the fips-config openssl.cnf for the TLS server only', () => {
    rmSync(join(root, 'dist', 'p', 'fips-config'), { recursive: true });
    expect(() => normalizeOptions(OPTIONS, { root })).toThrow(
      /openssl\.cnf does not exist: fipsConfigPath must be the output of the fips-config stage.*or set tls: false/s,
    );
    expect(normalizeOptions({ ...OPTIONS, tls: false }, { root }).tls).toBe(false);
  });

  it('refuses a build-info.json it cannot use', () => {
    const broken = workspace('{not json');
    expect(() => normalizeOptions(OPTIONS, { root: broken })).toThrow(/is not valid JSON .*rebuild the openssl stage/);
    const old = workspace({ version: '3.0.22', platform: 'linux' });
    expect(() => normalizeOptions(OPTIONS, { root: old })).toThrow(/lacks version, fipsProvider or layout.*rebuild it/);
    const foreign = workspace({ ...BUILD_INFO, platform: 'win32' });
    if (process.platform !== 'win32')
      expect(() => normalizeOptions(OPTIONS, { root: foreign })).toThrow(/built for win32; it cannot serve the TLS checks on this/);
    for (const dir of [broken, old, foreign]) rmSync(dir, { recursive: true, force: true });
  });
});
