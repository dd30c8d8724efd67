import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, RunOptions } from '../process/command';
import { RecordingRunner } from '../process/recording-runner';
import { StageLog } from './stage-log';

describe('StageLog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-log-'));

  it('numbers steps and throttles progress to one line per 10 %', () => {
    const printed: string[] = [];
    const log = new StageLog(
      'openssl',
      join(dir, 'a.log'),
      2,
      (l) => printed.push(l),
      () => 0,
    );
    log.step('Configure');
    for (let i = 1; i <= 1000; i++) log.progress(i, 1000, 'objects');
    log.step('make');
    expect(printed[0]).toBe('[openssl] (1/2) Configure');
    const progressLines = printed.filter((l) => l.includes('objects'));
    expect(progressLines).toHaveLength(11);
    expect(progressLines.at(-1)).toContain('1000/1000 objects (100%)');
    expect(printed.at(-1)).toBe('[openssl] (2/2) make');
    expect(readFileSync(join(dir, 'a.log'), 'utf8')).toContain('# (2/2) make');
  });

  it('shows work beyond the planned total as a count, every 15 s at most', () => {
    const printed: string[] = [];
    let clock = 100_000;
    const log = new StageLog(
      'python',
      join(dir, 'd.log'),
      1,
      (l) => printed.push(l),
      () => clock,
    );
    log.progress(10, 10, 'objects');
    log.progress(11, 10, 'objects');
    clock += 5_000;
    log.progress(12, 10, 'objects');
    clock += 15_000;
    log.progress(13, 10, 'objects');
    expect(printed).toEqual(['[python]     10/10 objects (100%)', '[python]     13 objects']);
  });

  it('reports how long each step took', () => {
    const printed: string[] = [];
    let clock = 0;
    const log = new StageLog(
      'openssl',
      join(dir, 'c.log'),
      2,
      (l) => printed.push(l),
      () => clock,
    );
    log.step('Configure');
    clock = 11_500;
    log.step('make');
    clock = 131_500;
    expect(log.finish()).toEqual([
      { title: 'Configure', seconds: 11.5 },
      { title: 'make', seconds: 120 },
    ]);
    expect(printed.at(-1)).toBe('[openssl] took 131.5 s: Configure 11.5 s, make 120.0 s');
  });

  it('routes commands to its log file', async () => {
    const runner = new RecordingRunner();
    const seen: Array<string | undefined> = [];
    const wrapped = { run: (c: Command, o: RunOptions = {}) => (seen.push(o.logFile), runner.run(c, o)) };
    const log = new StageLog('x', join(dir, 'b.log'), 1, () => undefined);
    await log.run(wrapped, { program: 'make', args: [], cwd: dir });
    expect(seen).toEqual([join(dir, 'b.log')]);
  });
});
