import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coerce, lt } from 'semver';
import { VALIDATED_PROVIDERS } from '../fips/validated-providers';
import { SourceProduct } from './source-spec';

const PRODUCT_NAMES: Record<SourceProduct, string> = { openssl: 'OpenSSL', cpython: 'CPython' };

/** Files, relative to a source tree's root, that tell its version; the first one present wins. */
export const VERSION_FILES: Record<SourceProduct, string[]> = {
  openssl: ['VERSION.dat', 'include/openssl/opensslv.h'],
  cpython: ['Include/patchlevel.h'],
};

export function productName(product: SourceProduct): string {
  return PRODUCT_NAMES[product];
}

/** Reads the upstream version of an unpacked source tree, e.g. `3.0.22`, `1.1.1w`, `3.11.2`. */
export function readSourceVersion(product: SourceProduct, dir: string): string {
  for (const relative of VERSION_FILES[product]) {
    const file = join(dir, relative);
    if (!existsSync(file)) continue;
    const version = parseVersionFile(relative, readFileSync(file, 'utf8'));
    if (version) return version;
    throw new Error(
      `Cannot read the ${productName(product)} version from ${file}: the file does not hold the expected version lines. Point the source at an unmodified ${productName(product)} release tree.`,
    );
  }
  throw new Error(
    `${dir} is not a ${productName(product)} source tree: none of ${VERSION_FILES[product].join(', ')} exists in it. ` +
      `Point the source at the top directory of an unpacked ${productName(product)} release (the one holding ${VERSION_FILES[product][0]}).`,
  );
}

function parseVersionFile(relative: string, text: string): string | undefined {
  if (relative === 'VERSION.dat') return parseVersionDat(text);
  if (relative.endsWith('opensslv.h')) return parseOpenSslHeader(text);
  return /^\s*#\s*define\s+PY_VERSION\s+"([^"]+)"/m.exec(text)?.[1];
}

/** OpenSSL 3's `VERSION.dat`: MAJOR=3, MINOR=0, PATCH=22, PRE_RELEASE_TAG=alpha1. */
function parseVersionDat(text: string): string | undefined {
  const fields = new Map<string, string>();
  for (const match of text.matchAll(/^[ \t]*([A-Z_]+)[ \t]*=[ \t]*"?([^"\r\n]*?)"?[ \t]*$/gm)) fields.set(match[1], match[2].trim());
  const [major, minor, patch] = ['MAJOR', 'MINOR', 'PATCH'].map((k) => fields.get(k));
  if (!major || !minor || !patch) return undefined;
  const preRelease = fields.get('PRE_RELEASE_TAG');
  return `${major}.${minor}.${patch}${preRelease ? `-${preRelease}` : ''}`;
}

/** `opensslv.h` of 1.x (`OPENSSL_VERSION_TEXT "OpenSSL 1.1.1w  11 Sep 2023"`) or a configured 3.x tree. */
function parseOpenSslHeader(text: string): string | undefined {
  const versionStr = /^\s*#\s*define\s+OPENSSL_VERSION_STR\s+"(\d[^"]*)"/m.exec(text)?.[1];
  if (versionStr) return versionStr;
  return /^\s*#\s*define\s+OPENSSL_VERSION_TEXT\s+"OpenSSL\s+(\d+\.\d+\.\d+[a-z]*(?:-[A-Za-z0-9]+)?)/m.exec(text)?.[1];
}

const ARCHIVE_SUFFIX = String.raw`(?:\.orig)?\.(?:tar\.gz|tgz|tar\.xz)$`;
const FILE_NAME_PATTERNS: Record<SourceProduct, RegExp> = {
  // openssl-3.0.22.tar.gz, openssl-1.1.1w.tar.gz, openssl-3.2.0-alpha1.tar.gz, openssl_3.0.22.orig.tar.gz
  openssl: new RegExp(String.raw`^openssl[-_](\d+\.\d+\.\d+[a-z]?(?:-[A-Za-z0-9]+)?)` + ARCHIVE_SUFFIX),
  // Python-3.11.2.tgz, Python-3.13.0rc1.tar.xz, python3.11_3.11.2.orig.tar.xz
  cpython: new RegExp(String.raw`^(?:Python|python\d*(?:\.\d+)?)[-_](\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?)` + ARCHIVE_SUFFIX),
};

/** The upstream version in a release tarball's file name, or undefined when the name does not tell it. */
export function versionFromFileName(product: SourceProduct, fileName: string): string | undefined {
  return FILE_NAME_PATTERNS[product].exec(fileName)?.[1];
}

/** Refuses, before any build work, a source that cannot give what fipskit promises. */
export function assertSupportedVersion(product: SourceProduct, version: string): void {
  const parsed = coerce(version);
  if (!parsed) {
    throw new Error(`"${version}" is not a ${productName(product)} version fipskit understands. Use a release source whose version looks like 3.0.22.`);
  }
  if (product === 'openssl' && lt(parsed, '3.0.0')) {
    const validated = VALIDATED_PROVIDERS.map((v) => v.version);
    throw new Error(
      `OpenSSL ${version} has no FIPS provider: the FIPS provider exists from OpenSSL 3.0.0 on. ` +
        `Pick a 3.x source: ${validated.slice(0, -1).join(', ')} or ${validated.at(-1)} for a CMVP-validated module, ` +
        `or any other 3.x release for a FIPS-capable (not validated) one.`,
    );
  }
}
