import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ExpectedDifference,
  Outcome,
  RegrtestResults,
  compareWithUpstream,
  differencesFor,
  moduleVerdict,
  parseRegrtestCaseList,
  suitePassed,
  describeComparison,
  parseRegrtestJunit,
  parseRegrtestModules,
  readDifferenceList,
} from './regrtest-results';

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
const list = (differences: ExpectedDifference[]) => ({ python: ['3.11', '3.13'], differences });
const OVERLAY_311 = { python: '3.11', mode: 'overlay' } as const;
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
    writeFileSync(file, JSON.stringify({ python: ['3.11'], differences: [{ tests: ['t.a'], why: WHY, python: ['3.12'], modes: ['pcbuild'] }] }));
    expect(() => readDifferenceList(file)).toThrow(
      'differences[0] is for CPython 3.12, which "python" does not name as measured; differences[0] names unknown mode(s) pcbuild (overlay, full).',
    );
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("CPython's regression tests: ours against upstream", () => {
  const upstream = results(
    { 'test.test_a.T.one': 'passed', 'test.test_a.T.two': 'passed', 'test.test_a.T.flaky': 'failed', 'test.test_b.M.three': 'passed' },
    { test_a: 'passed', test_b: 'passed' },
  );

  it('passes when every test that passes upstream passes here', () => {
    const ours = results({ 'test.test_a.T.one': 'passed', 'test.test_a.T.two': 'passed', 'test.test_a.T.flaky': 'error', 'test.test_b.M.three': 'passed' }, {});
    expect(compareWithUpstream(upstream, ours, list([]), OVERLAY_311)).toEqual({ unexpected: [], expected: [], stale: [], skippedHere: [], notInSuite: [] });
  });

  it('fails on a test that passes upstream and fails, errors or did not run here, unless the list names it', () => {
    const ours = results({ 'test.test_a.T.one': 'failed', 'test.test_a.T.two': 'error' }, { test_a: 'failed (2 errors)', test_b: 'crashed' });
    const bare = compareWithUpstream(upstream, ours, list([]), OVERLAY_311);
    expect(bare.unexpected).toEqual([
      { test: 'test.test_a.T.one', outcome: 'failed' },
      { test: 'test.test_a.T.two', outcome: 'error' },
      { test: 'test.test_b.M.three', outcome: 'not run' },
    ]);
    const listed = compareWithUpstream(upstream, ours, list([{ tests: ['test.test_a.T.two'], why: WHY }]), OVERLAY_311);
    expect(listed.unexpected.map((entry) => entry.test)).toEqual(['test.test_a.T.one', 'test.test_b.M.three']);
    expect(listed.expected).toEqual([{ test: 'test.test_a.T.two', outcome: 'error', why: WHY }]);
    expect(describeComparison(listed, 'overlay')).toContain('unexpected: test.test_a.T.one (failed; passes upstream)');
  });

  it('a listed test that no longer differs, or never passed upstream, makes the list stale', () => {
    const ours = results({ 'test.test_a.T.one': 'passed', 'test.test_a.T.two': 'passed', 'test.test_b.M.three': 'passed' }, {});
    const stale = compareWithUpstream(upstream, ours, list([{ tests: ['test.test_a.T.two', 'test.test_a.T.flaky'], why: WHY }]), OVERLAY_311);
    expect(stale.stale).toEqual(['test.test_a.T.flaky', 'test.test_a.T.two']);
    expect(describeComparison(stale, 'full')).toContain('stale: test.test_a.T.flaky is on the list but did not differ');
  });

  it('a test absent from JUnit in a module that passed was skipped with its class (setUpClass); in a failed module it did not run', () => {
    const skipped = compareWithUpstream(
      upstream,
      results({ 'test.test_a.T.one': 'passed', 'test.test_a.T.two': 'skipped' }, { test_a: 'passed', test_b: 'passed (3 sec)' }),
      list([]),
      OVERLAY_311,
    );
    expect(skipped.unexpected).toEqual([]);
    expect(skipped.skippedHere).toEqual(['test.test_a.T.two', 'test.test_b.M.three']);
    const notRun = compareWithUpstream(
      upstream,
      results({ 'test.test_a.T.one': 'passed', 'test.test_a.T.two': 'passed' }, { test_a: 'passed', test_b: 'failed (1 error)' }),
      list([]),
      OVERLAY_311,
    );
    expect(notRun.unexpected).toEqual([{ test: 'test.test_b.M.three', outcome: 'not run' }]);
  });
});

describe("CPython's regression tests: an entry holds for the versions and modes it names", () => {
  const upstream = results({ 'test.test_a.T.one': 'passed', 'test.test_a.T.two': 'passed' }, { test_a: 'passed' });
  const ours = results({ 'test.test_a.T.one': 'error', 'test.test_a.T.two': 'passed' }, { test_a: 'failed (1 error)' });
  const fullOnly = list([{ tests: ['test.test_a.T.one'], why: WHY, modes: ['full'] }]);

  it('an entry for the full mode allows the difference there, not in the overlay', () => {
    expect(compareWithUpstream(upstream, ours, fullOnly, { python: '3.11', mode: 'full' }).unexpected).toEqual([]);
    expect(compareWithUpstream(upstream, ours, fullOnly, OVERLAY_311).unexpected).toEqual([{ test: 'test.test_a.T.one', outcome: 'error' }]);
  });

  it('an entry for 3.11 is neither allowed nor stale on 3.13', () => {
    const only311 = list([{ tests: ['test.test_a.T.one'], why: WHY, python: ['3.11'] }]);
    expect(compareWithUpstream(upstream, ours, only311, { python: '3.13', mode: 'full' }).unexpected).toHaveLength(1);
    const passing = results({ 'test.test_a.T.one': 'passed', 'test.test_a.T.two': 'passed' }, { test_a: 'passed' });
    expect(compareWithUpstream(upstream, passing, only311, { python: '3.13', mode: 'full' }).stale).toEqual([]);
    expect(compareWithUpstream(upstream, passing, only311, OVERLAY_311).stale).toEqual(['test.test_a.T.one']);
  });

  it('refuses a run on a CPython version the list was not measured on', () => {
    expect(() => differencesFor(fullOnly, { python: '3.14', mode: 'full' })).toThrow('not measured on CPython 3.14 (it names 3.11, 3.13)');
  });
});

describe("CPython's regression tests: upstream's test package against this interpreter's", () => {
  const upstream = results({ 'test.test_a.T.one': 'passed', 'test.test_a.T.backport': 'passed' }, { test_a: 'passed' });

  it("a test this interpreter's package does not have is not compared; one it has and did not run fails", () => {
    const suite = parseRegrtestCaseList('0:00:00 load avg: 0.5\ntest.test_a.T.one\ntest.test_a.T.other\n\nTotal duration: 1 sec\n');
    expect([...suite]).toEqual(['test.test_a.T.one', 'test.test_a.T.other']);
    const ours = { ...results({ 'test.test_a.T.one': 'error' }, { test_a: 'failed (1 error)' }), suite };
    const comparison = compareWithUpstream(upstream, ours, list([{ tests: ['test.test_a.T.one'], why: WHY }]), OVERLAY_311);
    expect(comparison.notInSuite).toEqual(['test.test_a.T.backport']);
    expect(comparison.unexpected).toEqual([]);
    const withBackport = { ...ours, suite: new Set([...suite, 'test.test_a.T.backport']) };
    expect(compareWithUpstream(upstream, withBackport, list([{ tests: ['test.test_a.T.one'], why: WHY }]), OVERLAY_311).unexpected).toEqual([
      { test: 'test.test_a.T.backport', outcome: 'not run' },
    ]);
  });
});

describe("CPython's regression tests: a package regrtest splits into submodules (3.13)", () => {
  const output = [
    '0:00:05 load avg: 1.1 [ 4/12] test_multiprocessing_spawn.test_misc passed (40.1 sec)',
    '0:00:09 load avg: 1.1 [ 5/12/1] test_multiprocessing_spawn.test_processes failed (1 failure)',
    '0:00:10 load avg: 1.1 [ 6/12/1] test_venv passed',
  ].join('\n');
  const split = results({}, Object.fromEntries(parseRegrtestModules(output)));

  it('reads each submodule, and a suite passes only when every part of it passed', () => {
    expect([...split.modules.keys()]).toEqual(['test_multiprocessing_spawn.test_misc', 'test_multiprocessing_spawn.test_processes', 'test_venv']);
    expect(suitePassed(split, 'test_venv')).toBe(true);
    expect(suitePassed(split, 'test_multiprocessing_spawn')).toBe(false);
    expect(suitePassed(split, 'test_ssl')).toBe(false);
  });

  it('a test case takes the verdict of the submodule it ran in', () => {
    expect(moduleVerdict(split, 'test.test_multiprocessing_spawn.test_misc.ChallengeResponseTest.test_challengeresponse')).toBe('passed (40.1 sec)');
    expect(moduleVerdict(split, 'test.test_multiprocessing_spawn.test_processes.WithProcessesTestPool.test_map')).toBe('failed (1 failure)');
    expect(moduleVerdict(split, 'test.test_venv.BasicTest.test_defaults')).toBe('passed');
  });
});
