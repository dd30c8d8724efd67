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
   * `strict` activates only the fips and base providers; `recipe-compatible` also activates default and legacy,
   * as the Windows recipe does, which leaves non-approved algorithms one property query away.
   * @default "strict"
   */
  profile?: 'strict' | 'recipe-compatible';
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
