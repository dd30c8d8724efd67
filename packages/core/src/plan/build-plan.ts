import { Command } from '../process/command';

/** Counts progress of a long step from its output lines, against a total found before it starts. */
export interface ProgressCounter {
  unit: string;
  /** A dry run of the same step (e.g. `make -n`) whose matching lines give the total. */
  countWith: Command;
  /** Source text of a RegExp that matches one unit of work (one compiler call) in an output line. */
  pattern: string;
}

export interface RunStep {
  kind: 'run';
  title: string;
  command: Command;
  progress?: ProgressCounter;
  /**
   * Commands that need nothing from `command` nor from each other (two compilers on two files), run side by side
   * with it, each its own process; the step ends when all have ended. A script that renders the plan runs them in turn.
   */
  alongside?: Command[];
}

export type FileOperation =
  | { op: 'mkdir'; to: string }
  /** `from` may end in a `*` pattern for its last segment (`include/openssl/*.h`). */
  | { op: 'copy'; from: string; to: string }
  | { op: 'symlink'; target: string; to: string }
  | { op: 'write'; to: string; content: string; mode?: number }
  | { op: 'move'; from: string; to: string }
  /** An uncompressed zip of text files (Python's zip slot on sys.path), the same bytes every time. */
  | { op: 'zip'; to: string; entries: Array<{ name: string; content: string }> }
  /** Only ever applied inside a staging directory fipskit created. */
  | { op: 'remove'; to: string };

export interface FileStep {
  kind: 'files';
  title: string;
  operations: FileOperation[];
}

/** Work done in-process (extracting a verified tarball, publishing the output). */
export interface TaskStep {
  kind: 'task';
  title: string;
  detail: string;
  perform: () => Promise<void>;
  /** Names the task for what renders the plan as a script (a bundle's install.cmd), which must know every task it meets. */
  key?: string;
}

export type PlanStep = RunStep | FileStep | TaskStep;

export interface BuildPlan {
  stage: string;
  platform: string;
  steps: PlanStep[];
  /** What the plan's programs get from the environment (see describeBuildEnvironment), for a build stage. */
  environment?: string;
}
