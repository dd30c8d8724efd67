import type { BuildPlan } from '../plan/build-plan';
import type { ProcessRunner } from '../process/command';
import type { TargetPlatform } from '../platform/target-platform';
import type { OpenSslBuildInfo } from './build-info';

/** The workspace a stage's options are resolved in: this machine's root and the project whose target it is. */
export interface StageContext {
  root: string;
  projectName?: string;
}

/** What a plan is made for: a platform (perhaps not this machine's), shown under `planRoot`, with nothing built. */
export interface PlanRequest extends StageContext {
  platform: TargetPlatform;
  /** This machine's platform. */
  host: TargetPlatform;
  /** The workspace root as the plan shows it: `root` on this platform, a stand-in root on another. */
  planRoot: string;
  /** Asks this machine's tools, where a plan for this platform does (never builds). */
  runner: ProcessRunner;
  /** What the openssl stage's build-info.json will say, for a stage that reads it before it exists. */
  openssl?: OpenSslBuildInfo;
}

/**
 * One stage of the pipeline as the other executors (plan, audit, doctor) use it: the options its target holds,
 * checked instead of cast, and the stage's own functions for normalising, planning and building them. Each stage
 * package exports one; none imports another's.
 */
export interface Stage<Options, Normalized> {
  /** The stage's name in messages (`openssl`, `fips-config`, `python`). */
  readonly name: string;
  /** The executor id its target runs, as the stage targets name it (`@fipskit/openssl-fips:build`). */
  readonly executor: string;
  /**
   * The options of a target in the project graph, checked: every required key is there and every key it knows has
   * its type. `where` names the target (`project:target`) in the error, which says what to fix.
   */
  options(raw: unknown, where: string): Options;
  /** The options resolved for a run on this machine, exactly as the stage's executor resolves them. */
  normalize(options: Options, context: StageContext): Normalized;
  /** The stage's plan for `request.platform`, as its dry run shows it: nothing is built or written. */
  plan(options: Options, request: PlanRequest): BuildPlan | Promise<BuildPlan>;
  /** The stage's build of normalized options, as its executor runs it inside the Nx task's lock (audit's rebuild). */
  run(options: Normalized, runner: ProcessRunner, print: (line: string) => void): Promise<void>;
}

/** The type one option of a stage must have. An array of strings is the values the option may take. */
export type OptionType = 'string' | 'boolean' | 'number' | 'string[]' | 'string-record' | readonly string[];

/** The options a stage's target may hold: each key's type, and whether it is required. */
export type OptionShape = Record<string, { type: OptionType; required?: boolean }>;

function describeType(type: OptionType): string {
  if (typeof type !== 'string') return `one of ${type.map((v) => JSON.stringify(v)).join(', ')}`;
  return { string: 'a string', boolean: 'true or false', number: 'a number', 'string[]': 'a list of strings', 'string-record': 'an object of strings' }[type];
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text === undefined || text.length > 60 ? `a ${typeof value}` : `${typeof value} ${text}`;
}

function fits(value: unknown, type: OptionType): boolean {
  if (typeof type !== 'string') return typeof value === 'string' && type.includes(value);
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'string-record':
      return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
  }
}

/**
 * `raw` as the options of a `stage` target, when it has the shape: each required key present and each known key of
 * its type (keys the shape does not name are kept, as Nx keeps them). Otherwise an error naming the target (`where`),
 * each wrong key, and the fix.
 */
export function checkStageOptions<Options>(raw: unknown, where: string, stage: string, shape: OptionShape): Options {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(
      `${where} has no options object (it has ${describeValue(raw)}): the ${stage} stage needs ${requiredKeys(shape)}; regenerate the project with nx g fipskit:project, or set them in the target's options.`,
    );
  }
  const options = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, { type, required }] of Object.entries(shape)) {
    const value = options[key];
    if (value === undefined) {
      if (required) problems.push(`${key} is missing (it must be ${describeType(type)})`);
    } else if (!fits(value, type)) {
      problems.push(`${key} is ${describeValue(value)}, not ${describeType(type)}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `The options of ${where} (the ${stage} stage) are not what the stage reads: ${problems.join('; ')}. ` +
        `Set ${problems.length === 1 ? 'it' : 'them'} in that target's options (project.json, or the project's fipskit.json), or regenerate the project with nx g fipskit:project.`,
    );
  }
  return options as Options;
}

function requiredKeys(shape: OptionShape): string {
  return Object.entries(shape)
    .filter(([, option]) => option.required)
    .map(([key]) => key)
    .join(', ');
}
