/**
 * Proves FIPS mode from inside a Python interpreter: runs fipskit's checks in it (OpenSSL version and library,
 * fips provider active, MD5 refused through every hashlib/hmac path, approved digests and ciphers, TLS 1.2/1.3
 * against a FIPS `openssl s_server`) and writes `report.json` and `summary.txt`.
 * @title FIPS verification
 */
export interface VerifyOptions {
  /**
   * The interpreter to verify, usually the python stage's `bin/python3` launcher. It runs with OPENSSL_CONF,
   * OPENSSL_MODULES, LD_LIBRARY_PATH, PYTHONPATH and PYTHONHOME removed from its environment: it must bring its
   * own FIPS setup.
   * @format path
   */
  python: string;
  /**
   * How the interpreter gets its FIPS setup. `self`: it brings its own, however it is started (a fipskit Python, or a
   * Windows Python after the install target), and is also started the other ways users do. `fips-env`: the checks
   * run with OPENSSL_CONF and OPENSSL_MODULES set as `fips-env.*` sets them, in this one process only.
   * @default "self"
   */
  activation?: 'self' | 'fips-env';
  /**
   * The OpenSSL prefix built by the openssl stage (holds build-info.json): the expected versions, the library
   * directory and the `openssl` program that serves TLS for the handshake checks.
   * @format path
   */
  opensslPath: string;
  /**
   * The fips-config stage's output; its `openssl.cnf` puts the TLS test server in FIPS mode.
   * @format path
   */
  fipsConfigPath: string;
  /**
   * Where report.json and summary.txt go.
   * @format path
   */
  outputPath: string;
  /**
   * The audit stage's output (its `audit.json`): the evidence says whether the FIPS module that ran is one a rebuild
   * from source with no cache gave byte for byte. Default: `audit` beside the openssl stage's output.
   * @format path
   */
  auditPath?: string;
  /**
   * The FIPS configuration profile to hold the interpreter to (the fips-config stage's). `strict` requires that
   * only the fips and base providers are active; `rhel-compatible` requires that MD5 works where code says
   * `usedforsecurity=False` and nowhere else; `recipe-compatible` reports active default/legacy providers.
   * @default "rhel-compatible"
   */
  profile?: 'strict' | 'rhel-compatible' | 'recipe-compatible';
  /**
   * Check TLS 1.2 and 1.3 handshakes (and the refusal of a non-approved cipher) against a FIPS-mode
   * `openssl s_server` on 127.0.0.1.
   * @default true
   */
  tls?: boolean;
  /**
   * Print every line of the tools' output as well as writing it to the log.
   * @default false
   */
  verbose?: boolean;
}
