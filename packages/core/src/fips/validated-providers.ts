import { coerce, lte } from 'semver';

/**
 * OpenSSL FIPS provider versions with a CMVP certificate. Any other 3.x version builds a
 * FIPS-capable provider that is not validated; reports say so, never pretend otherwise.
 */
export interface ProviderValidation {
  version: string;
  standard: 'FIPS 140-2' | 'FIPS 140-3';
  certificate: string;
}

export const VALIDATED_PROVIDERS: readonly ProviderValidation[] = [
  { version: '3.0.8', standard: 'FIPS 140-2', certificate: '4282' },
  { version: '3.0.9', standard: 'FIPS 140-2', certificate: '4282' },
  { version: '3.1.2', standard: 'FIPS 140-3', certificate: '4985' },
];

export interface ProviderStatus {
  version: string;
  validated: boolean;
  /** "validated (FIPS 140-2, certificate 4282)" or "FIPS-capable, not validated". */
  status: string;
  standard?: string;
  certificate?: string;
}

export function providerStatus(version: string): ProviderStatus {
  const entry = VALIDATED_PROVIDERS.find((v) => v.version === version);
  if (!entry) return { version, validated: false, status: 'FIPS-capable, not validated' };
  return {
    version,
    validated: true,
    status: `validated (${entry.standard}, CMVP certificate ${entry.certificate})`,
    standard: entry.standard,
    certificate: entry.certificate,
  };
}

/**
 * The validated provider versions OpenSSL supports beside libraries of `librariesVersion`: its FIPS guidance allows a
 * provider with libraries of its own or a later 3.x release, never an earlier one (the build refuses that pairing too).
 */
export function validatedProvidersFor(librariesVersion: string): ProviderValidation[] {
  const libraries = coerce(librariesVersion);
  return libraries ? VALIDATED_PROVIDERS.filter((provider) => lte(provider.version, libraries)) : [];
}
