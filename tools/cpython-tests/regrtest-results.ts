import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

/**
 * CPython's own regression tests as the compatibility gate of a fipskit Python: the same tests run on the upstream
 * interpreter (Debian's, the same CPython version) and on ours; a test that passes there and does not pass here is a
 * failure of ours, unless the committed list of differences FIPS requires names it, with why.
 */

export type Outcome = 'passed' | 'failed' | 'error' | 'skipped';

/** What one regrtest run reported. */
export interface RegrtestResults {
  /** Each test case it ran, by its dotted id (test.test_hashlib.HashLibTestCase.test_md5), and how it ended. */
  cases: Map<string, Outcome>;
  /** Each test module and its verdict as regrtest printed it: "passed", "failed (8 errors)", "crashed" … */
  modules: Map<string, string>;
}

/** One entry of the committed list: tests that differ from upstream CPython, and the FIPS rule that makes them. */
export interface ExpectedDifference {
  tests: string[];
  why: string;
}

export interface DifferenceList {
  /** The CPython versions (major.minor) the list was measured on. */
  python: string[];
  differences: ExpectedDifference[];
}

export interface Comparison {
  /** Passed upstream, and failed, errored or did not run here: not on the list. Each fails the gate. */
  unexpected: Array<{ test: string; outcome: Outcome | 'not run' }>;
  /** Differences the list names and that were seen, with its reason. */
  expected: Array<{ test: string; outcome: Outcome | 'not run'; why: string }>;
  /** Listed tests that passed here (or never passed upstream): the list is out of date. Each fails the gate. */
  stale: string[];
  /** Passed upstream, skipped here (a module this build leaves out, an algorithm FIPS refuses): shown, not failed. */
  skippedHere: string[];
}

/** The test cases of a regrtest `--junit-xml` file. */
export function parseRegrtestJunit(xml: string): Map<string, Outcome> {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testsuite' || name === 'testcase' });
  const document = parser.parse(xml) as { testsuites?: { testsuite?: Array<{ testcase?: Array<Record<string, unknown>> }> } };
  if (!document.testsuites) throw new Error('not a regrtest JUnit file: it has no <testsuites> element');
  const cases = new Map<string, Outcome>();
  for (const suite of document.testsuites.testsuite ?? []) {
    for (const testcase of suite.testcase ?? []) {
      const name = String(testcase.name);
      const outcome: Outcome = 'error' in testcase ? 'error' : 'failure' in testcase ? 'failed' : 'skipped' in testcase ? 'skipped' : 'passed';
      // A test run twice (regrtest's re-run of a failed one) keeps its worst outcome.
      const before = cases.get(name);
      if (!before || before === 'passed' || before === 'skipped') cases.set(name, outcome);
    }
  }
  return cases;
}

/** Each module's verdict from regrtest's progress lines ("0:00:13 load avg: 0.67 [2/2/1] test_venv failed (1 error)"). */
export function parseRegrtestModules(output: string): Map<string, string> {
  const modules = new Map<string, string>();
  for (const match of output.matchAll(/\[\s*\d+\/\d+(?:\/\d+)?\] (test_\w+) (.+)$/gm)) modules.set(match[1], match[2].trim());
  return modules;
}

export function readDifferenceList(file: string): DifferenceList {
  const list = JSON.parse(readFileSync(file, 'utf8')) as DifferenceList;
  const problems: string[] = [];
  if (!Array.isArray(list.python) || list.python.length === 0) problems.push('"python" must name the CPython versions it was measured on');
  for (const [index, entry] of (list.differences ?? []).entries()) {
    if (!Array.isArray(entry.tests) || entry.tests.length === 0) problems.push(`differences[${index}] names no tests`);
    if (typeof entry.why !== 'string' || entry.why.trim().length < 20) problems.push(`differences[${index}] does not say why FIPS requires it`);
  }
  if (problems.length) throw new Error(`${file}: ${problems.join('; ')}.`);
  return list;
}

/**
 * A test's outcome here. A test JUnit does not name was skipped with its whole class (CPython's
 * @requires_hashdigest('md5') on a TestCase skips it in setUpClass, which JUnit leaves out) when its module passed;
 * in a module that failed or crashed it did not run.
 */
function outcomeOf(results: RegrtestResults, test: string): Outcome | 'not run' {
  const outcome = results.cases.get(test);
  if (outcome) return outcome;
  return results.modules.get(test.split('.')[1])?.startsWith('passed') ? 'skipped' : 'not run';
}

/** Our results against upstream's, with the list of differences FIPS requires. */
export function compareWithUpstream(upstream: RegrtestResults, ours: RegrtestResults, list: DifferenceList): Comparison {
  const why = new Map(list.differences.flatMap((entry) => entry.tests.map((test) => [test, entry.why] as const)));
  const comparison: Comparison = { unexpected: [], expected: [], stale: [], skippedHere: [] };
  for (const [test, upstreamOutcome] of [...upstream.cases].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (upstreamOutcome !== 'passed') continue;
    const outcome = outcomeOf(ours, test);
    if (outcome === 'passed') continue;
    if (outcome === 'skipped') comparison.skippedHere.push(test);
    else if (why.has(test)) comparison.expected.push({ test, outcome, why: why.get(test)! });
    else comparison.unexpected.push({ test, outcome });
  }
  const seen = new Set(comparison.expected.map((entry) => entry.test));
  comparison.stale = [...why.keys()].filter((test) => !seen.has(test)).sort();
  return comparison;
}

/** What the gate prints: every unexpected and stale test, the expected ones by reason, the count skipped here. */
export function describeComparison(comparison: Comparison, label: string): string {
  const lines = [
    `${label}: ${comparison.unexpected.length} unexpected difference(s) from upstream CPython, ${comparison.expected.length} listed, ` +
      `${comparison.stale.length} stale list entr(ies), ${comparison.skippedHere.length} skipped here that ran upstream`,
  ];
  for (const { test, outcome } of comparison.unexpected) lines.push(`  unexpected: ${test} (${outcome}; passes upstream)`);
  for (const test of comparison.stale) lines.push(`  stale: ${test} is on the list but did not differ: remove it, or find out why it passed`);
  for (const { test, outcome } of comparison.expected) lines.push(`  listed: ${test} (${outcome})`);
  return lines.join('\n');
}
