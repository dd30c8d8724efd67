/**
 * Judges the last verification report again, without building or running anything in the Python: its compliance
 * verdict against fipskit's CMVP certificate data (or another data file) on a day (today by default). A certificate
 * moves to the Historical list, or past its sunset date, without any rebuild: this says so, prints what changed, writes
 * compliance.json, and fails when the claim changed. Cheap enough for a daily CI schedule.
 * @title Compliance
 */
export interface ComplianceOptions {
  /** The verify stage's report.json. */
  reportPath: string;
  /** The interpreter that runs the re-check (any Python 3.8 or later): the project's own by default. */
  python: string;
  /** Where compliance.json is written. */
  outputPath: string;
  /** CMVP certificate data in fipskit's format (cmvp-certificates.json), relative to the workspace root. Default: fipskit's own. */
  data?: string;
  /**
   * The day the verdict is judged on (YYYY-MM-DD). Default: today.
   * @pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$
   */
  asOf?: string;
  /**
   * Warn when the certificate data is older than this many days on that day.
   * @default 90
   */
  maxDataAgeDays?: number;
}
