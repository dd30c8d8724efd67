/**
 * Rebuilds stages from source with no cache and compares every file of each rebuilt output with the output this
 * workspace holds (built here or restored from a local or remote cache): a cache entry that is not what its source
 * builds to is reported file by file and fails the audit. Run it on a schedule in CI. Writes `audit.json`, which
 * the verify stage's evidence cites for the FIPS module it loaded.
 * @title Reproducibility audit
 */
export interface AuditOptions {
  /**
   * The stages to rebuild and compare. `python` is compared on Linux and macOS only (MSVC links time stamps into
   * every DLL).
   * @default ["openssl","python"]
   */
  stages?: ('openssl' | 'python')[];
  /**
   * Where `audit.json` goes. Default: `dist/<project>/audit`.
   * @format path
   */
  outputPath?: string;
  /**
   * Scratch directory for the rebuilds. Default: `tmp/fipskit/<project>/audit`.
   * @format path
   */
  buildDir?: string;
}
