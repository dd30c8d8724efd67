/** The npm scope and packages the generated targets use. */
export const PLUGIN_PACKAGES = [
  'fipskit',
  '@fipskit/core',
  '@fipskit/openssl-fips',
  '@fipskit/fips-config',
  '@fipskit/python-pcbuild',
  '@fipskit/verify',
] as const;
/** The version init installs: this package's own, which nx release sets for all six at once. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- read at run time; an import would have tsc compile package.json into the build output
export const PLUGIN_VERSION: string = (require('../package.json') as { version: string }).version;

export const EXECUTORS = {
  sources: '@fipskit/core:sources',
  openssl: '@fipskit/openssl-fips:build',
  fipsConfig: '@fipskit/fips-config:configure',
  python: '@fipskit/python-pcbuild:build',
  install: '@fipskit/python-pcbuild:install',
  restore: '@fipskit/python-pcbuild:restore',
  verify: '@fipskit/verify:verify',
  plan: 'fipskit:plan',
  audit: 'fipskit:audit',
  doctor: 'fipskit:doctor',
  package: 'fipskit:package',
  image: 'fipskit:image',
  compliance: 'fipskit:compliance',
} as const;

/** The npm package an executor comes from: `@fipskit/openssl-fips:build` → `@fipskit/openssl-fips`. */
export function executorPackage(executor: string): string {
  return executor.slice(0, executor.lastIndexOf(':'));
}

/**
 * A runtime input that runs a script of a fipskit package. Node loads it by package name (`-r`), resolved from the
 * workspace root where Nx runs runtime inputs, the way Nx finds the executors: no node_modules path, so hoisted or
 * nested installs, pnpm and Yarn PnP (whose NODE_OPTIONS Node reads) all find it, with no package manager started
 * (npx would add about half a second to every Nx command). `-e 0` is the empty program that follows the script; the
 * line holds no quote of its own, which cmd.exe could mangle.
 */
const runScript = (script: string) => `node -r ${script} -e 0`;

/** Runtime input naming the build tools (compiler, perl, make; MSVC and NASM on Windows) by their versions. */
export function toolchainInput(stage: 'openssl' | 'fips-config' | 'python' | 'package' | 'sources' | 'verify', interpreter?: string, cc?: string): string {
  // Nx runs it through the platform's shell (sh or cmd.exe): a double-quoted value holds spaces in both, and nothing in it
  // may end the quotes early — a quote, $ or ` (sh), % (cmd.exe), a line break, or a trailing backslash, which turns the
  // closing quote into a literal one for sh and for the C runtime's argument parser.
  const unsafe = (value: string) => /["$`%\r\n]/.test(value) || /\\$/.test(value);
  const quote = (what: string, value: string) => {
    if (unsafe(value)) throw new Error(`The ${what} ${value} contains a quote, $, \`, %, a line break or a trailing backslash: use a plain path.`);
    return ` "${value}"`;
  };
  if (interpreter && unsafe(interpreter)) {
    throw new Error(`The interpreter path ${interpreter} contains a quote, $, \`, %, a line break or a trailing backslash: install Python in a plain path.`);
  }
  return `${runScript('@fipskit/core/bin/toolchain-identity.js')} ${stage}${interpreter ? quote('interpreter path', interpreter) : ''}${cc ? ` --cc${quote('CC', cc)}` : ''}`;
}

/** Runtime input that makes the fips-config cache entry belong to one machine and one checkout path. */
export const MACHINE_IDENTITY_INPUT = runScript('@fipskit/fips-config/bin/machine-identity.js');

/**
 * Official OpenSSL release tarballs (the OpenSSL project's GitHub releases) with their published SHA-256. The validated FIPS provider versions
 * come first; the default is the newest FIPS 140-2 validated 3.0 release.
 */
export const OFFICIAL_OPENSSL_RELEASES: Record<string, { url: string; sha256: string }> = {
  '3.0.9': {
    url: 'https://github.com/openssl/openssl/releases/download/openssl-3.0.9/openssl-3.0.9.tar.gz',
    sha256: 'eb1ab04781474360f77c318ab89d8c5a03abc38e63d65a603cabbf1b00a1dc90',
  },
  '3.0.8': {
    url: 'https://github.com/openssl/openssl/releases/download/openssl-3.0.8/openssl-3.0.8.tar.gz',
    sha256: '6c13d2bf38fdf31eac3ce2a347073673f5d63263398f1f69d0df4a41253e4b3e',
  },
  '3.1.2': {
    url: 'https://github.com/openssl/openssl/releases/download/openssl-3.1.2/openssl-3.1.2.tar.gz',
    sha256: 'a0ce69b8b97ea6a35b96875235aa453b966ba3cba8af2de23657d8b6767d6539',
  },
};

export const DEFAULT_OFFICIAL_OPENSSL = '3.0.9';
/** For Debian sources: newest 3.0.x the archive offers (discovered at build time, never hard-coded). */
export const DEFAULT_DEBIAN_OPENSSL = '3.0';

/**
 * Official CPython source tarballs with their SHA-256. 3.11.2 is the version of Debian 12's python3.11;
 * Debian carries this exact tarball, so its hash is also checked against Debian's signed index.
 */
export const OFFICIAL_CPYTHON_RELEASES: Record<string, { url: string; sha256: string }> = {
  '3.11.2': {
    url: 'https://www.python.org/ftp/python/3.11.2/Python-3.11.2.tgz',
    sha256: '2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849',
  },
};

/**
 * Where a generated project expects the release keys fipskit does not carry, and where the projects
 * publish them. Keys in these files are used only when their fingerprint is one fipskit pins.
 */
export const RELEASE_KEY_FILES = {
  openssl: { path: 'keys/openssl-release-keys.asc', what: "OpenSSL's release keys", publishedAt: 'https://openssl-library.org/source/pubkeys.asc' },
  cpython: { path: 'keys/cpython-release-keys.asc', what: "the CPython release managers' keys", publishedAt: 'https://www.python.org/downloads/metadata/pgp/' },
} as const;
