import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defaultSourceCacheDir } from '../packages/core/src/sources/cache-dir';
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
  // Both versions named in the verdict; 3.5 libraries can take any validated provider, 3.1.2 included.
  expect(report.verdict.compliance).toMatchObject({
    claimable: false,
    fipsProviderVersion: report.fips_provider.version,
    librariesVersion: report.opensslPrefix.version,
  });
  expect(report.verdict.compliance.summary).toContain(
    `OpenSSL ${report.fips_provider.version} (beside libraries from OpenSSL ${report.opensslPrefix.version})`,
  );
  expect(report.verdict.compliance.nextStep).toContain('--fipsProviderVersion=3.1.2');
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

it("the 3.5 libraries' tarball carried OpenSSL's release signature, verified with a pinned key; the evidence says which", () => {
  const info = JSON.parse(readFileSync(join(dist, 'openssl', 'build-info.json'), 'utf8'));
  expect(info.authenticity.source).toMatchObject({
    status: 'verified',
    signature: { fileName: `${info.source.fileName}.asc` },
    signer: { fingerprint: 'BA5473A2B0587B07FB27CF2D216094DFD0CB81EF', userIds: ['OpenSSL <openssl@openssl.org>'] },
  });
  // The committed project skips the 3.0 provider's signature, and says why.
  expect(info.authenticity.fipsProvider).toMatchObject({
    status: 'skipped',
    statement: expect.stringContaining('B146 647E 45A7 B339 47AB 226B 2A2C 87D1 6169 2D40'),
  });
  const evidence = readFileSync(join(dist, 'verify', 'evidence.md'), 'utf8');
  expect(evidence).toMatch(
    /\| OpenSSL: upstream release signature \| Upstream signature openssl_3\.5\.\d+\.orig\.tar\.gz\.asc verified: made \S+ by key BA54 73A2 B058 7B07 FB27 CF2D 2160 94DF D0CB 81EF \(OpenSSL <openssl@openssl\.org>\)/,
  );
  const sbom = JSON.parse(readFileSync(join(dist, 'verify', 'sbom.cdx.json'), 'utf8'));
  const openssl = sbom.components.find((c: { 'bom-ref': string }) => c['bom-ref'] === 'openssl');
  expect(openssl.properties).toContainEqual({ name: 'fipskit:source:signed-by', value: 'BA5473A2B0587B07FB27CF2D216094DFD0CB81EF' });
});

describe('a tarball its signature does not vouch for is refused before anything is unpacked', () => {
  const cached = (lock: { sha256: string; fileName: string }) => join(defaultSourceCacheDir(), 'sha256', lock.sha256, lock.fileName);

  it.each([
    [
      'one byte changed after OpenSSL signed it',
      'tampered',
      /openssl_3\.5\.\d+\.orig\.tar\.gz\.asc \(the upstream signature of openssl_3\.5\.\d+\.orig\.tar\.gz\) does not verify: .*Signed digest did not match.* nothing was unpacked/,
    ],
    [
      'a genuine release, but the signature of another release made by a key fipskit does not hold',
      'foreign',
      /\.asc \(the upstream signature of openssl_3\.5\.\d+\.orig\.tar\.gz\) was made by key 64ED7B1DCCE71CB2 .*is not a key fipskit holds and trusts for OpenSSL/,
    ],
  ])('%s', (_name, kind, message) => {
    const info = JSON.parse(readFileSync(join(dist, 'openssl', 'build-info.json'), 'utf8'));
    const work = mkdtempSync(join(WORKSPACE, 'tmp', 'e2e-signature-'));
    const tarball = join(work, info.source.fileName);
    copyFileSync(cached(info.source), tarball);
    if (kind === 'tampered') {
      const bytes = readFileSync(tarball);
      bytes[Math.floor(bytes.length / 2)] ^= 0x01;
      writeFileSync(tarball, bytes);
      copyFileSync(`${cached(info.source)}.asc`, `${tarball}.asc`);
    } else {
      copyFileSync(`${cached(info.fipsProvider.source)}.asc`, `${tarball}.asc`);
    }
    const lock = {
      product: 'openssl',
      version: info.source.version,
      origin: 'local',
      fileName: info.source.fileName,
      sha256: createHash('sha256').update(readFileSync(tarball)).digest('hex'),
      location: relative(WORKSPACE, tarball),
      verification: 'local copy',
      signature: { check: 'required' },
    };
    writeFileSync(join(work, 'openssl.source.json'), JSON.stringify(lock));
    const build = join(work, 'build');
    const run = runNx(
      [
        'run',
        'fips-python-split:openssl',
        '--skip-nx-cache',
        `--sourceLock=${join(work, 'openssl.source.json')}`,
        `--buildDir=${build}`,
        `--outputPath=${relative(WORKSPACE, join(work, 'out'))}`,
      ],
      isolatedNxEnvironment(),
    );
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(message);
    // Refused before extraction: no source tree, no objects, no output.
    expect(existsSync(join(build, 'src'))).toBe(false);
    expect(existsSync(join(build, 'obj'))).toBe(false);
    expect(readdirSync(work).sort()).toEqual(['build', 'openssl.source.json', info.source.fileName, `${info.source.fileName}.asc`].sort());
    rmSync(work, { recursive: true, force: true });
  });
});
