import { SourceSpec, debianVersionProblem } from '@fipskit/core';
import { DEFAULT_DEBIAN_OPENSSL, DEFAULT_OFFICIAL_OPENSSL, OFFICIAL_OPENSSL_RELEASES } from '../../../constants';
import { ProjectGeneratorOptions } from '../schema';

/** The generator's options with the versions as the user typed them (see versionText). */
export type TextVersionOptions = Omit<ProjectGeneratorOptions, 'opensslVersion' | 'fipsProviderVersion'> & {
  opensslVersion?: string;
  fipsProviderVersion?: string;
};

/** Turns the generator's source choice into the sources stage's `openssl` option, refusing what cannot work. */
export function opensslSourceSpec(options: TextVersionOptions): SourceSpec {
  const kind = options.opensslSource ?? 'official';
  if (kind === 'debian') {
    const version = options.opensslVersion ?? DEFAULT_DEBIAN_OPENSSL;
    const bad = debianVersionProblem(version, 'openssl');
    if (bad) throw new Error(`--opensslVersion ${bad}`);
    return { kind: 'debian', package: 'openssl', version, ...debianWhere(options.opensslRelease, options.opensslSuites, 'openssl') };
  }
  if (kind === 'local') {
    if (!options.opensslPath) throw new Error('opensslSource "local" needs opensslPath: the path of an OpenSSL tarball or source directory.');
    return { kind: 'local', path: options.opensslPath };
  }
  const version = options.opensslVersion ?? DEFAULT_OFFICIAL_OPENSSL;
  const pinned = OFFICIAL_OPENSSL_RELEASES[version];
  if (pinned && (!options.opensslSha256 || options.opensslSha256 === pinned.sha256)) return { kind: 'url', ...pinned };
  if (pinned && options.opensslSha256) {
    throw new Error(
      `opensslSha256 ${options.opensslSha256} differs from the published SHA-256 of OpenSSL ${version} (${pinned.sha256}). Remove the option or check where the value came from.`,
    );
  }
  if (!/^3\.\d+\.\d+$/.test(version))
    throw new Error(`opensslVersion "${version}" is not an OpenSSL 3 release number such as 3.0.9: the FIPS provider exists from 3.0.0 on.`);
  if (!options.opensslSha256) {
    throw new Error(
      `fipskit has no pinned SHA-256 for OpenSSL ${version} (it pins ${Object.keys(OFFICIAL_OPENSSL_RELEASES).join(', ')}). ` +
        'Pass --opensslSha256 with the value published beside the release tarball.',
    );
  }
  return {
    kind: 'url',
    url: `https://github.com/openssl/openssl/releases/download/openssl-${version}/openssl-${version}.tar.gz`,
    sha256: options.opensslSha256,
  };
}

/**
 * The second OpenSSL source the FIPS provider alone is built from. A validated release fipskit pins comes from its
 * official tarball (pinned SHA-256) whatever the libraries' source is: Debian carries no validated provider release.
 */
export function fipsProviderSourceSpec(options: TextVersionOptions): SourceSpec | undefined {
  const version = options.fipsProviderVersion;
  if (!version) {
    if (options.fipsProviderSource || options.fipsProviderPath)
      throw new Error('--fipsProviderSource and --fipsProviderPath choose the source of --fipsProviderVersion: give the version too.');
    return undefined;
  }
  const pinned = OFFICIAL_OPENSSL_RELEASES[version];
  const kind = options.fipsProviderSource ?? (pinned ? 'official' : (options.opensslSource ?? 'official'));
  if (kind === 'debian')
    return { kind: 'debian', package: 'openssl', version, ...debianWhere(options.fipsProviderRelease, options.fipsProviderSuites, 'fipsProvider') };
  if (kind === 'local') {
    if (!options.fipsProviderPath) {
      throw new Error(
        `--fipsProviderSource=local needs --fipsProviderPath: the path of the OpenSSL ${version} tarball (openssl-${version}.tar.gz) or source tree.`,
      );
    }
    return { kind: 'local', path: options.fipsProviderPath, ...(pinned ? { sha256: pinned.sha256 } : {}) };
  }
  if (!pinned) {
    throw new Error(
      `fipsProviderVersion ${version} is not a release fipskit pins (${Object.keys(OFFICIAL_OPENSSL_RELEASES).join(', ')}, the validated providers). ` +
        'Choose one of them, or take it from Debian (--fipsProviderSource=debian) or a local tarball (--fipsProviderSource=local --fipsProviderPath=...).',
    );
  }
  return { kind: 'url', ...pinned };
}

/** Where a debian source looks: a whole release, or exactly the suites named; both at once is a contradiction. */
function debianWhere(release: string | undefined, suites: string[] | undefined, prefix: 'openssl' | 'fipsProvider'): { release?: string; suites?: string[] } {
  if (release && suites) {
    throw new Error(
      `--${prefix}Release=${release} and --${prefix}Suites name the Debian suites twice. Keep --${prefix}Release (its main, updates and security suites) or --${prefix}Suites (exactly those).`,
    );
  }
  return release ? { release } : suites ? { suites } : {};
}
