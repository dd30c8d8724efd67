import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE, isolatedNxEnvironment, runNx } from './support/workspace';

/**
 * The committed fips-python-split project, built for real: libcrypto/libssl and the openssl program from
 * OpenSSL 3.5 (Debian trixie), the FIPS provider alone from OpenSSL 3.0 (Debian bookworm), fipsinstall
 * with the 3.5 program over the 3.0 provider, the overlay for python3.11 and the full verification.
 */
jest.setTimeout(60 * 60 * 1000);

const dist = join(WORKSPACE, 'dist', 'fips-python-split');
const build = join(WORKSPACE, 'tmp', 'fipskit', 'fips-python-split', 'openssl');
let run: { status: number; output: string };

beforeAll(() => {
  rmSync(dist, { recursive: true, force: true });
  run = runNx(['run', 'fips-python-split:build'], isolatedNxEnvironment());
  if (run.status !== 0) console.log(run.output);
});

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

it('verifies with libraries of one version and the FIPS provider of another, and says which is which', () => {
  expect(run.status).toBe(0);
  const report = JSON.parse(readFileSync(join(dist, 'verify', 'report.json'), 'utf8'));
  expect(report.failedRequired).toEqual([]);
  expect(report.passed).toBe(true);
  expect(report.opensslPrefix.version).toMatch(/^3\.5\.\d+$/);
  expect(report.openssl.version).toContain(`OpenSSL ${report.opensslPrefix.version}`);
  expect(report.opensslPrefix.fipsProviderVersion).toMatch(/^3\.0\.\d+$/);
  // The provider that really ran, asked through the libcrypto the interpreter loaded.
  expect(report.fips_provider.version).toBe(report.opensslPrefix.fipsProviderVersion);
  expect(report.fipsProviderValidation).toMatchObject({ source: 'running provider', validated: false, status: 'FIPS-capable, not validated' });
  const summary = readFileSync(join(dist, 'verify', 'summary.txt'), 'utf8');
  expect(summary).toContain(`expected:         OpenSSL ${report.opensslPrefix.version}`);
  expect(summary).toContain(`FIPS provider:    ${report.fips_provider.version}, status 1; FIPS-capable, not validated`);
});

it('records both sources, and installs the provider built from the second one', () => {
  const info = JSON.parse(readFileSync(join(dist, 'openssl', 'build-info.json'), 'utf8'));
  expect(info.version).toMatch(/^3\.5\./);
  expect(info.source.fileName).toMatch(/^openssl_3\.5\.\d+\.orig\.tar\.gz$/);
  expect(info.fipsProvider.version).toMatch(/^3\.0\./);
  expect(info.fipsProvider.source.fileName).toMatch(/^openssl_3\.0\.\d+\.orig\.tar\.gz$/);
  const installed = join(dist, 'openssl', 'lib', 'ossl-modules', 'fips.so');
  expect(sha256(installed)).toBe(sha256(join(build, 'obj-fips-provider', 'providers', 'fips.so')));
  expect(info.artifacts['lib/ossl-modules/fips.so']).toBe(sha256(installed));
  // The 3.5 tree never built a provider of its own.
  expect(existsSync(join(build, 'obj', 'providers', 'fips.so'))).toBe(false);
});
