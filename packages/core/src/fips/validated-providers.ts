/**
 * OpenSSL FIPS provider versions with a CMVP certificate. Any other 3.x version builds a
 * FIPS-capable provider that is not validated; reports say so, never pretend otherwise.
 */
export interface ProviderValidation {
  version: string;
  standard: 'FIPS 140-2' | 'FIPS 140-3';
  certificate: string;
}

/** CMVP certificate data: cmvp-certificates.json, which the verdicts (python/fipskit_evidence.py) read too. */
interface CertificateData {
  asOf: string;
  certificates: Array<{
    number: string;
    standard: ProviderValidation['standard'];
    versions: string[];
    status: string;
    validated: string | null;
    sunset: string | null;
    historical: string | null;
  }>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const DATA = require('./cmvp-certificates.json') as CertificateData;

/** Every provider version a CMVP certificate covers (active or not), in the data's order. */
export const VALIDATED_PROVIDERS: readonly ProviderValidation[] = DATA.certificates.flatMap((certificate) =>
  certificate.versions.map((version) => ({ version, standard: certificate.standard, certificate: certificate.number })),
);

/** The date the certificate data was taken from NIST's CMVP. */
export const CERTIFICATE_DATA_AS_OF = DATA.asOf;

/**
 * The provider versions whose certificate supports a claim for a new system on the day `on` (YYYY-MM-DD): issued by
 * then, neither historical nor past its sunset date.
 */
export function activeProviders(on: string): ProviderValidation[] {
  const active = new Set(
    DATA.certificates
      .filter((c) => !(c.validated && on < c.validated) && !(c.historical && on >= c.historical) && !(c.sunset && on > c.sunset))
      .map((c) => c.number),
  );
  return VALIDATED_PROVIDERS.filter((p) => active.has(p.certificate));
}

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
