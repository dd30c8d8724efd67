/**
 * Where the product's time goes next to the bare commands, from one benchmark run.
 *
 *   … | node tools/run-ts.js tools/benchmark/breakdown.ts stamp <start epoch seconds>   > stamped.log
 *       prefixes every line of standard input with the seconds since the start (`12.34\t<line>`)
 *   node tools/run-ts.js tools/benchmark/breakdown.ts table <stamped nx log> [<phases.tsv> …]
 *       prints a markdown table: each stage's wall time (from its `> nx run` line to the next), split into the
 *       steps the stage timed itself (`[openssl] took … s: Unpack … 1.2 s, …`) and the rest (executor start, its
 *       checks, storing the outputs in the caches), next to the bare commands' phases (`<phase>\t<seconds>` lines),
 *       the mean of the runs given; with no phases file, the Nx run alone (a warm run has no bare counterpart)
 *   node tools/run-ts.js tools/benchmark/breakdown.ts outcome <nx log> <project:target>
 *       prints what Nx did with that task: `local cache`, `remote cache`, `existing outputs match the cache`, `ran`
 *       or `absent`. Nx paints its output under CI=true (and on a terminal): the terminal codes are taken out first,
 *       so the answer is the same however Nx coloured it
 */
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';

interface Stamped {
  at: number;
  text: string;
}

interface StageRun {
  name: string;
  start: number;
  end: number;
  cached: boolean;
  steps: { title: string; seconds: number }[];
}

function stamp(startEpochSeconds: number): void {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => process.stdout.write(`${(Date.now() / 1000 - startEpochSeconds).toFixed(2)}\t${line}\n`));
}

/** Nx's output without its terminal codes (colours, bold, dim, erase-line, hyperlinks): what it says, not how it paints it. */
export function withoutTerminalCodes(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g, '');
}

export type TaskOutcome = 'local cache' | 'remote cache' | 'existing outputs match the cache' | 'ran' | 'absent';

/** What Nx did with one task, from its `> nx run <project:target>` line. */
export function taskOutcome(log: string, task: string): TaskOutcome {
  const line = withoutTerminalCodes(log)
    .split('\n')
    .find((l) => new RegExp(`^\\s*> nx run ${task.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`).test(l));
  if (!line) return 'absent';
  if (line.includes('existing outputs match the cache')) return 'existing outputs match the cache';
  if (line.includes('[local cache]')) return 'local cache';
  if (line.includes('[remote cache]')) return 'remote cache';
  return 'ran';
}

function readStamped(file: string): Stamped[] {
  return withoutTerminalCodes(readFileSync(file, 'utf8'))
    .split('\n')
    .filter((line) => /^\d+(\.\d+)?\t/.test(line))
    .map((line) => {
      const tab = line.indexOf('\t');
      return { at: Number(line.slice(0, tab)), text: line.slice(tab + 1) };
    });
}

/** `took 83.6 s: Unpack x (y) 1.2 s, Configure 5.1 s` → its steps; a title may hold commas, a step ends in ` N.N s`. */
export function parseTook(text: string): { title: string; seconds: number }[] {
  const body = text.replace(/^.*?took [\d.]+ s: /, '');
  return [...body.matchAll(/(.+?) (\d+(?:\.\d+)?) s(?:, |$)/g)].map((m) => ({ title: m[1], seconds: Number(m[2]) }));
}

export function stageRuns(log: Stamped[]): { runs: StageRun[]; firstStage: number; finished: number } {
  const runs: StageRun[] = [];
  let finished = log.length ? log[log.length - 1].at : 0;
  for (const { at, text } of log) {
    const started = /^> nx run [^:]+:(\S+)(.*)$/.exec(text);
    if (started) {
      if (runs.length) runs[runs.length - 1].end = at;
      runs.push({ name: started[1], start: at, end: at, cached: /cache|left as is/.test(started[2]), steps: [] });
      continue;
    }
    const took = /^\[([\w-]+)\] took [\d.]+ s: /.exec(text);
    // A stage restored from a cache replays the timings of the run that stored it: those are not this run's.
    if (took && runs.length && runs[runs.length - 1].name === took[1] && !runs[runs.length - 1].cached) runs[runs.length - 1].steps = parseTook(text);
    if (/Successfully ran target|Ran target .* failed/.test(text)) {
      finished = at;
      if (runs.length) runs[runs.length - 1].end = at;
    }
  }
  return { runs, firstStage: runs.length ? runs[0].start : finished, finished };
}

/** Each phase's seconds, the mean over the runs (`<phase>\t<seconds>` lines, one file per run). */
export function meanPhases(runs: string[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const run of runs) {
    for (const line of run.split('\n').filter(Boolean)) {
      const [phase, seconds] = line.split('\t');
      sums.set(phase, (sums.get(phase) ?? 0) + Number(seconds));
    }
  }
  return new Map([...sums].map(([phase, sum]) => [phase, sum / runs.length]));
}

function table(logFile: string, phasesFiles: string[]): void {
  const { runs, firstStage, finished } = stageRuns(readStamped(logFile));
  const bare = meanPhases(phasesFiles.map((file) => readFileSync(file, 'utf8')));
  const rows: [string, number, number][] = [];
  const byHand = (phase: string) => bare.get(phase) ?? 0;
  const step = (run: StageRun, pattern: RegExp) => run.steps.filter((s) => pattern.test(s.title)).reduce((sum, s) => sum + s.seconds, 0);
  rows.push(['Nx: start, project graph, task hashing (before the first stage)', firstStage, 0]);
  for (const run of runs) {
    const wall = run.end - run.start;
    const timed = run.steps.reduce((sum, s) => sum + s.seconds, 0);
    if (run.name === 'openssl' && run.steps.length) {
      rows.push(['openssl: unpack the tarball', step(run, /^Unpack/), byHand('openssl unpack')]);
      rows.push(['openssl: Configure', step(run, /^Configure/), byHand('openssl Configure')]);
      rows.push(['openssl: make build_generated', step(run, /build_generated/), byHand('openssl build_generated')]);
      rows.push(['openssl: compile', step(run, /^Compile/), byHand('openssl make')]);
      rows.push(['openssl: install, build information, publish', step(run, /^(Install|Record|Publish)/), 0]);
    } else if (run.name === 'fips-config' && run.steps.length) {
      rows.push(['fips-config: fipsinstall, its -verify, openssl.cnf, a provider check', timed, byHand('fipsinstall')]);
    } else if (run.name === 'python' && run.steps.length) {
      rows.push(['python: unpack Modules/', step(run, /^Unpack/), byHand('python unpack')]);
      rows.push(['python: compile and link _ssl, _hashlib', step(run, /^(Compile|Link)/), byHand('python compile')]);
      rows.push(['python: lay out the FIPS Python, build information, publish', timed - step(run, /^(Unpack|Compile|Link)/), 0]);
    } else if (run.steps.length) {
      rows.push([`${run.name}: its steps`, timed, 0]);
    }
    rows.push([
      `${run.name}: executor start, checks, cache${run.cached ? ' restore' : ' store'} (wall ${wall.toFixed(1)} s less its steps)`,
      Math.max(0, wall - timed),
      0,
    ]);
  }
  const total = rows.reduce((sum, [, nx]) => sum + nx, 0);
  const bareTotal = rows.reduce((sum, [, , hand]) => sum + hand, 0);
  const f = (n: number) => n.toFixed(1);
  if (phasesFiles.length === 0) {
    console.log('| phase | nx |');
    console.log('|---|---|');
    for (const [phase, nx] of rows) console.log(`| ${phase} | ${f(nx)} |`);
    console.log(`| total (Nx's summary at ${f(finished)} s) | ${f(total)} |`);
    return;
  }
  const byHandHeader = phasesFiles.length === 1 ? 'by hand' : `by hand (mean of ${phasesFiles.length} runs)`;
  console.log(`| phase | nx | ${byHandHeader} | nx − by hand |`);
  console.log('|---|---|---|---|');
  for (const [phase, nx, hand] of rows) console.log(`| ${phase} | ${f(nx)} | ${f(hand)} | ${f(nx - hand)} |`);
  console.log(`| total (Nx's summary at ${f(finished)} s) | ${f(total)} | ${f(bareTotal)} | ${f(total - bareTotal)} |`);
}

if (require.main === module) {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'stamp' && args.length === 1) stamp(Number(args[0]));
  else if (mode === 'table' && args.length >= 1) table(args[0], args.slice(1));
  else if (mode === 'outcome' && args.length === 2) console.log(taskOutcome(readFileSync(args[0], 'utf8'), args[1]));
  else {
    console.error(
      'usage: breakdown.ts stamp <start epoch seconds> | breakdown.ts table <stamped nx log> [<phases.tsv> …] | breakdown.ts outcome <nx log> <project:target>',
    );
    process.exit(2);
  }
}
