import { join } from 'node:path';

/** CMVP certificate data for OpenSSL's FIPS providers: one JSON file the verdicts read (TypeScript and Python alike). */
export const CMVP_CERTIFICATES_FILE = join(__dirname, 'cmvp-certificates.json');
