import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outcome, RegrtestResults, compareWithUpstream, describeComparison, parseRegrtestJunit, parseRegrtestModules, readDifferenceList } from './regrtest-results';

// The shape regrtest 3.11 writes with --junit-xml (one <testsuite> per module, outcomes as child elements).
const JUNIT = `<testsuites tests="5" errors="1" failures="1"><testsuite start="2026-12-07" tests="5" errors="1" failures="1">
<testcase name="test.test_hashlib.HashLibTestCase.test_sha256" status="run" result="completed" time="0.01" />
<testcase name="test.test_hashlib.HashLibTestCase.test_blake2b" status="run" result="completed" time="0.01"><error type="ValueError" message="ValueError: unsupported&#10;">tb</error></testcase>
<testcase name="test.test_hashlib.HashLibTestCase.test_md5" status="run" result="completed" time="0.01"><failure type="AssertionError" message="x">tb</failure></testcase>
<testcase name="test.test_hashlib.HashLibTestCase.test_scrypt" status="run" result="completed" time="0"><skipped>no scrypt</skipped></testcase>
</testsuite><testsuite start="2026-12-07" tests="1" errors="0" failures="0">
<testcase name="test.test_hmac.X.test_one" status="run" result="completed" time="0" /></testsuite></testsuites>`;

const OUTPUT = [
  '0:00:00 load avg: 0.62 [1/3] test_hmac passed',
  '0:00:13 load avg: 0.67 [2/3/1] test_hashlib failed (1 error, 1 failure)',
  '0:01:02 load avg: 1.21 [ 3/3/1] test_multiprocessing_spawn passed (1 min 1 sec)',
].join('\n');

const results = (cases: Record<string, Outcome>, modules: Record<string, string>): RegrtestResults => ({
  cases: new Map(Object.entries(cases)),
  modules: new Map(Object.entries(modules)),
});
const list = (differences: Array<{ tests: string[]; why: string }>) => ({ python: ['3.11'], differences });
const WHY = 'BLAKE2 is not FIPS-approved and the FIPS provider lacks it.';

describe("CPython's regression tests: reading regrtest's results", () => {
  it('reads each test case and its outcome from the JUnit file', () => {
    expect(parseRegrtestJunit(JUNIT)).toEqual(
      new Map<string, Outcome>([
        ['test.test_hashlib.HashLibTestCase.test_sha256', 'passed'],
        ['test.test_hashlib.HashLibTestCase.test_blake2b', 'error'],
        ['test.test_hashlib.HashLibTestCase.test_md5', 'failed'],
        ['test.test_hashlib.HashLibTestCase.test_scrypt', 'skipped'],
        ['test.test_hmac.X.test_one', 'passed'],
      ]),
    );
    expect(() => parseRegrtestJunit('<html/>')).toThrow('not a regrtest JUnit file');
  });

  it("reads each module's verdict from the progress lines, padded counters too", () => {
    expect(parseRegrtestModules(OUTPUT)).toEqual(
      new Map([
        ['test_hmac', 'passed'],
        ['test_hashlib', 'failed (1 error, 1 failure)'],
        ['test_multiprocessing_spawn', 'passed (1 min 1 sec)'],
      ]),
    );
  });

  it('refuses a list entry that names no test or gives no reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-regrtest-'));
    const file = join(dir, 'list.json');
    writeFileSync(file, JSON.stringify({ python: ['3.11'], differences: [{ tests: [], why: 'x' }] }));
    expect(() => readDifferenceList(file)).toThrow('differences[0] names no tests; differences[0] does not say why FIPS requires it.');
    writeFileSync(file, JSON.stringify(list([{ tests: ['t.a'], why: WHY }])));
    expect(readDifferenceList(file).differences).toHaveLength(1);
  });
});

describe("CPython's regression tests: ours against upstream", () => {
  const upstream = results({ 'test.test_a.T.one': 'passed', 'test.test_a.T.two': 'passed', 'test.test_a.T.flaky': 'failed', 'test.test_b.M.three': 'passed' }, { test_a: 'passed', test_b: 'passed' });

  it('passes when every test that passes upstream passes here', () => {
    const ours = results({ 'test.test_a.T.one': 'passed', 'test.test_a.T.two': 'passed', 'test.test_a.T.flaky': 'error', 'test.test_b.M.three': 'passed' }, {});
    expect(compareWithUpstream(upstream, ours, list([]))).toEqual({ unexpected: [], expected: [], stale: [], skippedHere: [] });
  });

  it('fails on a test that passes upstream and fails, errors or did not run here, unless the list names it', () => {
    const ours = results({ 'test.test_a.T.one': 'failed', 'test.test_a.T.two': 'error' }, { test_a: 'failed (2 errors)', test_b: 'crashed' });
    const bare = compareWithUpstream(upstream, ours, list([]));
    expect(bare.unexpected).toEqual([
      { test: 'test.test_a.T.one', outcome: 'failed' },
      { test: 'test.test_a.T.two', outcome: 'error' },
      { test: 'test.test_b.M.three', outcome: 'not run' },
    ]);
    const listed = compareWithUpstream(upstream, ours, list([{ tests: ['test.test_a.T.two'], why: WHY }]));
    expect(listed.unexpected.map((entry) => entry.test)).toEqual(['test.test_a.T.one', 'test.test_b.M.three']);
    expect(listed.expected).toEqual([{ test: 'test.test_a.T.two', outcome: 'error', why: WHY }]);
    expect(describeComparison(listed, 'overlay')).toContain('unexpected: test.test_a.T.one (failed; passes upstream)');
  });

  it('a listed test that no longer differs, or never passed upstream, makes the list stale', () => {
    const ours = results({ 'test.test_a.T.one': 'passed', 'test.test_a.T.two': 'passed', 'test.test_b.M.three': 'passed' }, {});
    const stale = compareWithUpstream(upstream, ours, list([{ tests: ['test.test_a.T.two', 'test.test_a.T.flaky'], why: WHY }]));
    expect(stale.stale).toEqual(['test.test_a.T.flaky', 'test.test_a.T.two']);
    expect(describeComparison(stale, 'full')).toContain('stale: test.test_a.T.flaky is on the list but did not differ');
  });

  it("a test absent from JUnit in a module that passed was skipped with its class (setUpClass); in a failed module it did not run", () => {
    const skipped = compareWithUpstream(upstream, results({ 'test.test_a.T.one': 'passed', 'test.test_a.T.two': 'skipped' }, { test_a: 'passed', test_b: 'passed (3 sec)' }), list([]));
    expect(skipped.unexpected).toEqual([]);
    expect(skipped.skippedHere).toEqual(['test.test_a.T.two', 'test.test_b.M.three']);
    const notRun = compareWithUpstream(upstream, results({ 'test.test_a.T.one': 'passed', 'test.test_a.T.two': 'passed' }, { test_a: 'passed', test_b: 'failed (1 error)' }), list([]));
    expect(notRun.unexpected).toEqual([{ test: 'test.test_b.M.three', outcome: 'not run' }]);
  });
});
