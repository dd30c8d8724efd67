/**
 * Runs `openssl fipsinstall` on this machine (self-tests and module MAC), verifies the result, and writes
 * `openssl.cnf` and activation scripts (`fips-env.sh`, `fips-env.ps1`, `fips-env.cmd`) for an OpenSSL prefix.
 * @title FIPS configuration
 */
export interface FipsConfigOptions {
  /**
   * The OpenSSL prefix built by the openssl stage (holds build-info.json).
   * @format path
   */
  opensslPath: string;
  /**
   * Where fipsmodule.cnf, openssl.cnf and the activation scripts go.
   * @format path
   */
  outputPath: string;
  /**
   * Which providers are active besides fips and base; in every profile an algorithm fetched without an explicit
   * property query comes from the FIPS provider (`default_properties = fips=yes`). `rhel-compatible` also activates
   * the default provider, so non-approved algorithms are reachable only where code asks for them (Python:
   * `usedforsecurity=False`), as on RHEL in FIPS mode; `strict` activates nothing else, so nothing outside the
   * FIPS module is reachable at all; `recipe-compatible` also activates default and legacy, as the Windows recipe does.
   * @default "rhel-compatible"
   */
  profile?: 'strict' | 'rhel-compatible' | 'recipe-compatible';
  /**
   * Keep the FIPS provider's run-time security checks on (`security-checks = 1`: minimum key sizes, approved
   * parameters). `false` passes `-no_security_checks` to fipsinstall; only for interoperability testing.
   * @default true
   */
  securityChecks?: boolean;
  /**
   * Print every line of the tools' output as well as writing it to the log.
   * @default false
   */
  verbose?: boolean;
}
