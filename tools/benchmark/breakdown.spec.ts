import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meanPhases, parseTook, stageRuns, taskOutcome, withoutTerminalCodes } from './breakdown';

describe('taskOutcome: what Nx did with a task, however it painted it', () => {
  // Nx 23's own output of `nx run fips-python:openssl` under CI=true: every "> nx run" line is coloured.
  const coloured = readFileSync(join(__dirname, '__fixtures__', 'nx-ci-coloured.txt'), 'utf8');

  it('reads the coloured CI output: sources ran, openssl came from the local cache, verify is absent', () => {
    expect(coloured).toContain('\x1b[2mnx run\x1b[22m fips-python:openssl');
    // What the benchmark's grep for "nx run fips-python:openssl" missed under CI=true.
    expect(coloured.includes('nx run fips-python:openssl')).toBe(false);
    expect(taskOutcome(coloured, 'fips-python:openssl')).toBe('local cache');
    expect(taskOutcome(coloured, 'fips-python:sources')).toBe('ran');
    expect(taskOutcome(coloured, 'fips-python:verify')).toBe('absent');
  });

  it('reads the plain output the same way, and never takes one task for another with a longer name', () => {
    const plain = withoutTerminalCodes(coloured);
    expect(plain).not.toContain('\x1b');
    expect(taskOutcome(plain, 'fips-python:openssl')).toBe('local cache');
    const log = [
      '> nx run fips-python:openssl-audit  [remote cache]',
      '> nx run fips-python:openssl',
      '> nx run fips-python:python  [existing outputs match the cache, left as is]',
    ].join('\n');
    expect(taskOutcome(log, 'fips-python:openssl')).toBe('ran');
    expect(taskOutcome(log, 'fips-python:openssl-audit')).toBe('remote cache');
    expect(taskOutcome(log, 'fips-python:python')).toBe('existing outputs match the cache');
  });
});

describe('parseTook', () => {
  it('splits a stage timing line into its steps, titles with commas and parentheses included', () => {
    expect(
      parseTook(
        '[openssl] took 83.6 s: Unpack openssl_3.0.22.orig.tar.gz (OpenSSL 3.0.22) 1.2 s, Compile libraries, FIPS provider and openssl 76.2 s, Publish output 0.0 s',
      ),
    ).toEqual([
      { title: 'Unpack openssl_3.0.22.orig.tar.gz (OpenSSL 3.0.22)', seconds: 1.2 },
      { title: 'Compile libraries, FIPS provider and openssl', seconds: 76.2 },
      { title: 'Publish output', seconds: 0 },
    ]);
  });
});

describe('stageRuns', () => {
  const at = (seconds: number, text: string) => ({ at: seconds, text });

  it('gives each stage the time up to the next one, and its own timings only when it ran', () => {
    const { runs, firstStage, finished } = stageRuns([
      at(2.0, '> nx run fips-python:sources'),
      at(2.8, '> nx run fips-python:openssl'),
      at(90.0, '[openssl] took 86.0 s: Configure 5.0 s, Compile libraries, FIPS provider and openssl 81.0 s'),
      at(90.5, '> nx run fips-python:python  [local cache]'),
      at(90.6, '[python] took 2.6 s: Compile _ssl 1.3 s'),
      at(90.7, '> nx run fips-python:verify'),
      at(92.9, ' NX   Successfully ran target build for project fips-python and 5 tasks it depends on'),
    ]);
    expect(firstStage).toBe(2.0);
    expect(finished).toBe(92.9);
    expect(runs.map((r) => [r.name, Number((r.end - r.start).toFixed(1)), r.cached, r.steps.length])).toEqual([
      ['sources', 0.8, false, 0],
      ['openssl', 87.7, false, 2],
      // replayed from the cache: the stored run's 2.6 s are not this run's
      ['python', 0.2, true, 0],
      ['verify', 2.2, false, 0],
    ]);
  });
});

describe('meanPhases', () => {
  it('averages each phase over the runs given', () => {
    const mean = meanPhases(['openssl make\t100.0\nfipsinstall\t0.1\n', 'openssl make\t120.0\nfipsinstall\t0.3\n']);
    expect(mean.get('openssl make')).toBe(110);
    expect(mean.get('fipsinstall')).toBeCloseTo(0.2);
    expect(meanPhases([]).size).toBe(0);
  });
});
