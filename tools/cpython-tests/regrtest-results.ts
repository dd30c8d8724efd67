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
  /**
   * Every test case the interpreter's test package holds (`-m test --list-cases`), when known: a test upstream's
   * package has and this one lacks (a distribution's backported fix, tested in its copy of the tests) is not
   * compared.
   */
  suite?: Set<string>;
}

/** How the fipskit Python under test was made. */
export type PythonMode = 'overlay' | 'full';

/** One entry of the committed list: tests that differ from upstream CPython, and the FIPS rule that makes them. */
export interface ExpectedDifference {
  tests: string[];
  why: string;
  /** The CPython versions (major.minor) it holds for; every version of the list when absent. */
  python?: string[];
  /** The modes it holds for; both when absent. */
  modes?: PythonMode[];
}

/** The fipskit Python a comparison is for: its CPython version (major.minor) and mode. */
export interface GateRun {
  python: string;
  mode: PythonMode;
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
  /** Passed upstream, and this interpreter's test package has no such test: shown, not compared. */
  notInSuite: string[];
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

/** The test case ids `python -m test --list-cases` prints (one per line; other lines are ignored). */
export function parseRegrtestCaseList(output: string): Set<string> {
  return new Set(
    output
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^test\.[\w.]+$/.test(line)),
  );
}

/**
 * Each test module's verdict from regrtest's progress lines ("0:00:13 load avg: 0.67 [2/2/1] test_venv failed (1
 * error)"). A package that regrtest -j splits is reported per submodule (3.13: test_multiprocessing_spawn.test_misc).
 */
export function parseRegrtestModules(output: string): Map<string, string> {
  const modules = new Map<string, string>();
  for (const match of output.matchAll(/\[\s*\d+\/\d+(?:\/\d+)?\] (test_\w+(?:\.\w+)*) (.+)$/gm)) modules.set(match[1], match[2].trim());
  return modules;
}

/** The verdict of the module a test case ran in: the most specific reported module its id starts with. */
export function moduleVerdict(results: RegrtestResults, test: string): string | undefined {
  const parts = test.split('.').slice(1);
  for (let length = parts.length - 1; length >= 1; length--) {
    const verdict = results.modules.get(parts.slice(0, length).join('.'));
    if (verdict !== undefined) return verdict;
  }
  return undefined;
}

/** Whether every module of `suite` (the suite itself, or each of its split submodules) was reported passed. */
export function suitePassed(results: RegrtestResults, suite: string): boolean {
  const verdicts = [...results.modules].filter(([name]) => name === suite || name.startsWith(`${suite}.`)).map(([, verdict]) => verdict);
  return verdicts.length > 0 && verdicts.every((verdict) => verdict.startsWith('passed'));
}

export function readDifferenceList(file: string): DifferenceList {
  const list = JSON.parse(readFileSync(file, 'utf8')) as DifferenceList;
  const problems: string[] = [];
  if (!Array.isArray(list.python) || list.python.length === 0) problems.push('"python" must name the CPython versions it was measured on');
  for (const [index, entry] of (list.differences ?? []).entries()) {
    if (!Array.isArray(entry.tests) || entry.tests.length === 0) problems.push(`differences[${index}] names no tests`);
    if (typeof entry.why !== 'string' || entry.why.trim().length < 20) problems.push(`differences[${index}] does not say why FIPS requires it`);
    const unmeasured = (entry.python ?? []).filter((version) => !list.python?.includes(version));
    if (unmeasured.length) problems.push(`differences[${index}] is for CPython ${unmeasured.join(', ')}, which "python" does not name as measured`);
    const modes = (entry.modes ?? []).filter((mode) => mode !== 'overlay' && mode !== 'full');
    if (modes.length) problems.push(`differences[${index}] names unknown mode(s) ${modes.join(', ')} (overlay, full)`);
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
  return moduleVerdict(results, test)?.startsWith('passed') ? 'skipped' : 'not run';
}

/** The entries that hold for a run: its version and mode (an entry naming neither holds for every run). */
export function differencesFor(list: DifferenceList, run: GateRun): ExpectedDifference[] {
  if (!list.python.includes(run.python)) {
    throw new Error(`the list of differences was not measured on CPython ${run.python} (it names ${list.python.join(', ')}): run the gate there and add it`);
  }
  return list.differences.filter((entry) => (!entry.python || entry.python.includes(run.python)) && (!entry.modes || entry.modes.includes(run.mode)));
}

/** Our results against upstream's, with the list of differences FIPS requires, for one run (version and mode). */
export function compareWithUpstream(upstream: RegrtestResults, ours: RegrtestResults, list: DifferenceList, run: GateRun): Comparison {
  const why = new Map(differencesFor(list, run).flatMap((entry) => entry.tests.map((test) => [test, entry.why] as const)));
  const comparison: Comparison = { unexpected: [], expected: [], stale: [], skippedHere: [], notInSuite: [] };
  for (const [test, upstreamOutcome] of [...upstream.cases].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (upstreamOutcome !== 'passed') continue;
    if (ours.suite && !ours.suite.has(test) && !ours.cases.has(test)) {
      comparison.notInSuite.push(test);
      continue;
    }
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
      `${comparison.stale.length} stale list entr(ies), ${comparison.skippedHere.length} skipped here that ran upstream, ` +
      `${comparison.notInSuite.length} upstream's test package has and this one does not`,
  ];
  for (const { test, outcome } of comparison.unexpected) lines.push(`  unexpected: ${test} (${outcome}; passes upstream)`);
  for (const test of comparison.stale) lines.push(`  stale: ${test} is on the list but did not differ: remove it, or find out why it passed`);
  for (const { test, outcome } of comparison.expected) lines.push(`  listed: ${test} (${outcome})`);
  return lines.join('\n');
}
