/**
 * Which OpenSSL providers a FIPS configuration activates besides fips and base. In every profile an
 * algorithm fetched without an explicit property query comes from the FIPS provider.
 * - `rhel-compatible`: the default provider too, reachable only by an explicit `-fips` query (Python's
 *   `usedforsecurity=False`), as RHEL does in FIPS mode.
 * - `strict`: nothing else; no algorithm outside the FIPS module is reachable in the process.
 * - `recipe-compatible`: default and legacy, as the Windows recipe does.
 */
export type FipsProfile = 'strict' | 'rhel-compatible' | 'recipe-compatible';

/**
 * What applications written for FIPS systems expect: CPython models FIPS mode with `usedforsecurity`, and
 * code that hashes for cache keys or UUIDs says so, exactly as it must on RHEL.
 */
export const DEFAULT_FIPS_PROFILE: FipsProfile = 'rhel-compatible';
