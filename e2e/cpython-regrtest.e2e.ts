import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE } from './support/workspace';
import {
  Comparison,
  GateRun,
  RegrtestResults,
  compareWithUpstream,
  describeComparison,
  parseRegrtestCaseList,
  parseRegrtestJunit,
  parseRegrtestModules,
  readDifferenceList,
  suitePassed,
} from '../tools/cpython-tests/regrtest-results';
import { PODMAN_LIMITS, debianImage, podman } from '../tools/workflow-harness/container';

/**
 * CPython's own regression tests as the compatibility gate, for every CPython version fipskit supports and both
 * POSIX modes. fips-python.e2e.ts built the Pythons (OpenSSL 3.0.22, FIPS mode): the overlay on Debian's python3.11,
 * and full-mode CPython 3.11.2 and 3.13.5 with their own test packages (`testSuite`). Each runs the suites programs
 * lean on hardest for hashing, TLS, start-up and child processes, and so does Debian's interpreter of the same
 * version: python3.11 here (its tests from libpython3.11-testsuite), python3.13 in a Debian 13 container made from
 * Debian's archive (python3.13 and libpython3.13-testsuite), where the full-mode 3.13 runs too. A test that passes on
 * Debian's and not on ours fails here, unless packages/verify/src/compatibility/cpython-differences.json names it with
 * the FIPS rule behind it.
 */
jest.setTimeout(60 * 60 * 1000);

const SUITES = [
  'test_hashlib',
  'test_hmac',
  'test_ssl',
  'test_venv',
  'test_subprocess',
  'test_multiprocessing_spawn',
  'test_uuid',
  'test_site',
  'test_importlib',
  'test_zipfile',
];
const LIST_FILE = join(WORKSPACE, 'packages', 'verify', 'src', 'compatibility', 'cpython-differences.json');
const dist = join(WORKSPACE, 'dist', 'fips-python');
// Each interpreter's scratch directory, its regrtest.log and results.xml (kept for reading after a failure).
const work = join(WORKSPACE, 'tmp', 'cpython-regrtest');
const list = readDifferenceList(LIST_FILE);
const TRIXIE_IMAGE = 'localhost/fipskit-regrtest:trixie';

/** Where an interpreter runs: on this machine, or in the Debian 13 container (the same machine: its kernel, host name and machine id). */
type Place = 'host' | 'trixie';

interface Interpreter {
  label: string;
  executable: string;
  place: Place;
}

interface GatedPython extends Interpreter, GateRun {
  upstream: Interpreter;
}

const UPSTREAM_311: Interpreter = { label: 'upstream-3.11', executable: '/usr/bin/python3.11', place: 'host' };
const UPSTREAM_313: Interpreter = { label: 'upstream-3.13', executable: '/usr/bin/python3.13', place: 'trixie' };
const GATED: GatedPython[] = [
  { label: 'overlay-3.11', executable: join(dist, 'python', 'bin', 'python3'), place: 'host', python: '3.11', mode: 'overlay', upstream: UPSTREAM_311 },
  { label: 'full-3.11', executable: join(dist, 'python-full', 'bin', 'python3'), place: 'host', python: '3.11', mode: 'full', upstream: UPSTREAM_311 },
  { label: 'full-3.13', executable: join(dist, 'python-full-3.13', 'bin', 'python3'), place: 'trixie', python: '3.13', mode: 'full', upstream: UPSTREAM_313 },
];

/** The machine-id files fipskit's binding reads, those this machine has: the container sees the same ones. */
const MACHINE_IDS = ['/etc/machine-id', '/var/lib/dbus/machine-id', '/var/lib/fipskit/machine-id'].filter((file) => existsSync(file));

/** Runs `python args` where the interpreter lives, in `dir`, with a clean environment; stdout and stderr together. */
function runPython(who: Interpreter, args: string[], dir: string): { status: number; output: string } {
  const env = { PATH: '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' };
  if (who.place === 'host') {
    const run = spawnSync(who.executable, args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return { status: run.status ?? 1, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
  }
  // The Python's own directory writable, as on this machine: test_importlib writes modules beside the standard library.
  const mounts = [`${dist}:${dist}`, `${work}:${work}`, ...MACHINE_IDS.map((file) => `${file}:${file}:ro`)];
  const run = podman([
    'run',
    '--rm',
    '--network',
    'host',
    '--uts',
    'host',
    ...PODMAN_LIMITS,
    ...mounts.flatMap((mount) => ['-v', mount]),
    '-w',
    dir,
    TRIXIE_IMAGE,
    'env',
    '-i',
    ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
    who.executable,
    ...args,
  ]);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/**
 * Runs the suites on one interpreter in a directory of its own (regrtest writes its scratch files there), the output
 * kept in a log file, and returns each test case's outcome.
 */
function regrtest(who: Interpreter): RegrtestResults {
  const dir = join(work, who.label);
  mkdirSync(dir, { recursive: true });
  const junit = join(dir, 'results.xml');
  // --timeout: a test that hangs (a stdlib without a fix its test expects loops forever) is killed with its worker, never
  // left running after the gate.
  const run = runPython(who, ['-m', 'test', '-j2', '--timeout', '900', '--junit-xml', junit, ...SUITES], dir);
  writeFileSync(join(dir, 'regrtest.log'), run.output);
  if (!existsSync(junit))
    throw new Error(`${who.label}: regrtest wrote no results (exit ${run.status}); its output ends:\n${run.output.split('\n').slice(-30).join('\n')}`);
  return { cases: parseRegrtestJunit(readFileSync(junit, 'utf8')), modules: parseRegrtestModules(run.output) };
}

/** The test cases a fipskit Python's own test package holds: only ours are asked (upstream's is the baseline). */
function testCases(who: Interpreter): Set<string> {
  return parseRegrtestCaseList(runPython(who, ['-m', 'test', '--list-cases', ...SUITES], join(work, who.label)).output);
}

const upstream: Record<string, RegrtestResults> = {};
const compared: Record<string, { results: RegrtestResults; comparison: Comparison }> = {};

beforeAll(async () => {
  if (!existsSync('/usr/lib/python3.11/test/test_hashlib.py')) {
    throw new Error(
      `CPython's test suite is not in /usr/lib/python3.11/test: install Debian's libpython3.11-testsuite (bash tools/install-build-deps.sh does).`,
    );
  }
  for (const gated of GATED) {
    if (!existsSync(gated.executable)) throw new Error(`${gated.executable} is missing: fips-python.e2e.ts builds it and runs first.`);
  }
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // python3.13-venv: Debian keeps ensurepip (which test_venv imports) out of python3.13.
  await debianImage('trixie', ['python3.13', 'python3.13-venv', 'libpython3.13-testsuite'], TRIXIE_IMAGE, join(work, 'image.log'));
  for (const gated of GATED) {
    upstream[gated.upstream.label] ??= regrtest(gated.upstream);
    const results = { ...regrtest(gated), suite: testCases(gated) };
    compared[gated.label] = { results, comparison: compareWithUpstream(upstream[gated.upstream.label], results, list, gated) };
    console.log(describeComparison(compared[gated.label].comparison, `${gated.label} (${gated.executable})`));
  }
});

describe("CPython's regression tests: each fipskit Python against upstream CPython of the same version", () => {
  it.each([UPSTREAM_311, UPSTREAM_313].map((who) => [who.label, who] as const))(
    '%s ran every suite, and most of its tests passed (the baseline is real)',
    (_, who) => {
      const results = upstream[who.label];
      expect(SUITES.filter((suite) => !suitePassed(results, suite))).toEqual([]);
      const modules = new Set([...results.cases.keys()].map((test) => test.split('.')[1]));
      expect([...modules]).toEqual(expect.arrayContaining(SUITES));
      expect([...results.cases.values()].filter((outcome) => outcome === 'passed').length).toBeGreaterThan(2000);
    },
  );

  it.each(GATED.map((gated) => [gated.label, gated] as const))(
    '%s: every test that passes upstream passes, or the list says why FIPS requires otherwise',
    (label) => {
      const { comparison, results } = compared[label];
      expect(comparison.unexpected).toEqual([]);
      expect(comparison.stale).toEqual([]);
      // Its own test package ran: the tests it shares with upstream's are nearly all of them.
      expect(results.suite!.size).toBeGreaterThan(2000);
      expect(comparison.notInSuite.length).toBeLessThan(200);
    },
  );

  it.each(GATED.map((gated) => [gated.label, gated] as const))(
    '%s: the gate sees the differences it allows: without the list, BLAKE2 refused by the FIPS provider fails it',
    (label, gated) => {
      const { results } = compared[label];
      const bare = compareWithUpstream(upstream[gated.upstream.label], results, { python: list.python, differences: [] }, gated);
      expect(bare.unexpected.map((entry) => entry.test)).toEqual(expect.arrayContaining(['test.test_hashlib.HashLibTestCase.test_blake2b']));
      expect(bare.unexpected.length).toBe(compared[label].comparison.expected.length);
    },
  );

  it.each(GATED.map((gated) => [gated.label, gated] as const))(
    '%s: the interpreter the tests ran on is in FIPS mode, started as regrtest started it, with its own test package',
    (label, gated) => {
      const probe = 'import _hashlib, os, sys, test\nprint(_hashlib.get_fips_mode(), "%d.%d" % sys.version_info[:2], os.path.realpath(test.__file__))';
      const run = runPython(gated, ['-c', probe], join(work, label));
      const testPackage =
        gated.mode === 'overlay'
          ? '/usr/lib/python3.11/test/__init__.py'
          : join(gated.executable, '..', '..', 'lib', `python${gated.python}`, 'test', '__init__.py');
      expect(run.output.trim()).toBe(`1 ${gated.python} ${testPackage}`);
    },
  );
});
