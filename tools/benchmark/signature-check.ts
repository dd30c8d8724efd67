/**
 * What checking a release signature costs next to what a build does with the tarball anyway, measured
 * in this one run on the tarballs in fipskit's source cache that carry an `.asc` made by a key fipskit
 * holds: SHA-256 of the tarball (done before every build), the OpenPGP verification (openpgp.js, in
 * process), gpgv on the same files when installed, and unpacking. Prints milliseconds and ratios.
 *
 *   node tools/run-ts.js tools/benchmark/signature-check.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { defaultSourceCacheDir } from '../../packages/core/src/sources/cache-dir';
import { BUNDLED_RELEASE_KEYS } from '../../packages/core/src/sources/release-keys';
import { loadReleaseKeyring, verifyReleaseSignature, UntrustedSignatureError } from '../../packages/core/src/sources/release-signature';
import { extractArchive } from '../../packages/core/src/sources/safe-extract';
import { sha256File } from '../../packages/core/src/sources/sha256';

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await work();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

async function main(): Promise<void> {
  const root = join(defaultSourceCacheDir(), 'sha256');
  const tarballs = existsSync(root)
    ? readdirSync(root).flatMap((hash) =>
        readdirSync(join(root, hash))
          .filter((n) => /\.tar\.(gz|xz)$/.test(n) && existsSync(join(root, hash, `${n}.asc`)))
          .map((n) => join(root, hash, n)),
      )
    : [];
  const work = mkdtempSync(join(tmpdir(), 'fipskit-sigbench-'));
  const gpgv = spawnSync('gpgv', ['--version']).status === 0;
  console.log('tarball                               MB   sha256 ms  openpgp ms  gpgv ms  unpack ms  openpgp/sha256  openpgp/unpack');
  for (const tarball of tarballs) {
    const product = /python/.test(tarball) ? 'cpython' : 'openssl';
    const keyring = await loadReleaseKeyring(product);
    const [, sha] = await timed(() => sha256File(tarball));
    const [signer, pgp] = await timed(() =>
      verifyReleaseSignature(tarball, `${tarball}.asc`, keyring).catch((e) => (e instanceof UntrustedSignatureError ? undefined : Promise.reject(e))),
    );
    if (!signer) {
      console.log(`${tarball.split('/').pop()}: signed by a key fipskit does not hold; skipped`);
      continue;
    }
    let gpgvMs = NaN;
    if (gpgv) {
      const keyring = join(work, `${product}.gpg`);
      const keys = await openpgp.readKeys({ armoredKeys: readFileSync(BUNDLED_RELEASE_KEYS[product].path, 'utf8') });
      writeFileSync(keyring, Buffer.concat(keys.map((k) => Buffer.from(k.write()))));
      [, gpgvMs] = await timed(async () => spawnSync('gpgv', ['--keyring', keyring, `${tarball}.asc`, tarball]));
    }
    const dest = join(work, 'unpacked');
    const [, unpack] = await timed(() => extractArchive(tarball, dest, { stripTopLevel: true }));
    rmSync(dest, { recursive: true, force: true });
    const mb = statSync(tarball).size / 1024 / 1024;
    const name = tarball.split('/').pop()!.padEnd(36);
    console.log(
      `${name}${mb.toFixed(1).padStart(5)}  ${sha.toFixed(0).padStart(9)}  ${pgp.toFixed(0).padStart(10)}  ${gpgvMs.toFixed(0).padStart(7)}  ${unpack.toFixed(0).padStart(9)}  ${(pgp / sha).toFixed(2).padStart(14)}  ${(pgp / unpack).toFixed(3).padStart(14)}`,
    );
  }
  rmSync(work, { recursive: true, force: true });
  if (tarballs.length === 0) console.log('No signed tarball in the source cache yet: run a build first.');
}

void main();
