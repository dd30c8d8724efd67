import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE } from './support/workspace';
import {
  Comparison,
  RegrtestResults,
  compareWithUpstream,
  describeComparison,
  parseRegrtestJunit,
  parseRegrtestModules,
  readDifferenceList,
} from '../tools/cpython-tests/regrtest-results';

/**
 * CPython's own regression tests as the compatibility gate: the overlay Python that fips-python.e2e.ts built
 * (OpenSSL 3.0.22, FIPS mode) runs the suites programs lean on hardest for hashing, TLS,
 * start-up and child processes, and so does Debian's python3.11 (the same CPython 3.11.2, its test suite from
 * libpython3.11-testsuite). A test that passes on Debian's and not on ours fails here, unless
 * packages/verify/src/compatibility/cpython-differences.json names it with the FIPS rule behind it.
 */
jest.setTimeout(40 * 60 * 1000);

const UPSTREAM = '/usr/bin/python3.11';
const TEST_SUITE = '/usr/lib/python3.11/test';
const SUITES = [
  'test_hashlib', 'test_hmac', 'test_ssl', 'test_venv', 'test_subprocess', 'test_multiprocessing_spawn', 'test_uuid',
  'test_site', 'test_importlib', 'test_zipfile',
];
const LIST_FILE = join(WORKSPACE, 'packages', 'verify', 'src', 'compatibility', 'cpython-differences.json');
const dist = join(WORKSPACE, 'dist', 'fips-python');
const work = mkdtempSync(join(tmpdir(), 'fipskit-regrtest-'));
const list = readDifferenceList(LIST_FILE);

/**
 * Runs the suites on one interpreter in a directory of its own (regrtest writes its scratch files there), the output
 * kept in a log file, and returns each test case's outcome.
 */
function regrtest(label: string, python: string): RegrtestResults {
  const dir = join(work, label);
  mkdirSync(dir, { recursive: true });
  const junit = join(dir, 'results.xml');
  const env: Record<string, string> = { PATH: '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' };
  const run = spawnSync(python, ['-m', 'test', '-j2', '--junit-xml', junit, ...SUITES], { cwd: dir, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  writeFileSync(join(dir, 'regrtest.log'), output);
  if (!existsSync(junit)) throw new Error(`${label}: regrtest wrote no results (exit ${run.status}); its output ends:\n${output.split('\n').slice(-30).join('\n')}`);
  return { cases: parseRegrtestJunit(readFileSync(junit, 'utf8')), modules: parseRegrtestModules(output) };
}

let upstream: RegrtestResults;
const compared: Record<string, { results: RegrtestResults; comparison: Comparison }> = {};

beforeAll(() => {
  if (!existsSync(join(TEST_SUITE, 'test_hashlib.py'))) {
    throw new Error(`CPython's test suite is not in ${TEST_SUITE}: install Debian's libpython3.11-testsuite (bash tools/install-build-deps.sh does).`);
  }
  if (!existsSync(join(dist, 'python', 'bin', 'python3'))) throw new Error(`${join(dist, 'python')} is missing: fips-python.e2e.ts builds it and runs first.`);
  upstream = regrtest('upstream', UPSTREAM);
  for (const [label, python] of [['overlay', join(dist, 'python', 'bin', 'python3')]] as const) {
    const results = regrtest(label, python);
    compared[label] = { results, comparison: compareWithUpstream(upstream, results, list) };
    console.log(describeComparison(compared[label].comparison, `${label} (${python})`));
  }
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("CPython's regression tests: a fipskit Python against upstream CPython of the same version", () => {
  it('upstream ran every suite, and most of its tests passed (the baseline is real)', () => {
    expect(Object.fromEntries(upstream.modules)).toEqual(Object.fromEntries(SUITES.map((suite) => [suite, expect.stringMatching(/^passed/)])));
    const modules = new Set([...upstream.cases.keys()].map((test) => test.split('.')[1]));
    expect([...modules]).toEqual(expect.arrayContaining(SUITES));
    expect([...upstream.cases.values()].filter((outcome) => outcome === 'passed').length).toBeGreaterThan(2000);
  });

  it.each(['overlay'])('%s: every test that passes upstream passes, or the list says why FIPS requires otherwise', (label) => {
    const { comparison } = compared[label];
    expect(comparison.unexpected).toEqual([]);
    expect(comparison.stale).toEqual([]);
  });

  it.each(['overlay'])('%s: the gate sees the differences it allows: without the list, BLAKE2 refused by the FIPS provider fails it', (label) => {
    const { results } = compared[label];
    const bare = compareWithUpstream(upstream, results, { python: list.python, differences: [] });
    expect(bare.unexpected.map((entry) => entry.test)).toEqual(expect.arrayContaining(['test.test_hashlib.HashLibTestCase.test_blake2b']));
    expect(bare.unexpected.length).toBe(list.differences.flatMap((entry) => entry.tests).length);
  });

  it.each([['overlay', 'python']])('%s: the interpreter the tests ran on is in FIPS mode, started as regrtest started it', (label, output) => {
    const env: Record<string, string> = { PATH: '/usr/bin:/bin', HOME: join(work, label), LANG: 'C.UTF-8' };
    const probe = 'import _hashlib, os, test\nprint(_hashlib.get_fips_mode(), os.path.realpath(test.__file__))';
    const run = spawnSync(join(dist, output, 'bin', 'python3'), ['-c', probe], { env, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(`1 ${join(TEST_SUITE, '__init__.py')}`);
  });
});
