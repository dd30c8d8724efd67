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
