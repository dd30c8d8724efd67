import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { ProjectsConfigurations } from '@nx/devkit';
import type { CacheReuse } from '@fipskit/core/task-options';
import { VerifyOptions } from '../executors/verify/schema';
import { targetConfigurationDigest } from './target-configuration';

export interface VerifyReuseContext {
  root: string;
  projectName: string;
  targetName: string;
  env: NodeJS.ProcessEnv;
  now: Date;
  platform: NodeJS.Platform;
  projectsConfigurations: ProjectsConfigurations;
  /**
   * Whether the stages verify checks are tasks of this run: only then does Nx hash their files into the key
   * (`--excludeTaskDependencies` leaves them out).
   */
  stagesInRun: boolean;
  /** Reads the kernel's FIPS switch (tests); `undefined` when the system has none. */
  fipsSwitch?: () => string | undefined;
}

/**
 * Variables that reach no check: the shell's and the terminal's bookkeeping, Nx's and npm's own. Every other variable
 * of the environment verify runs in reaches the interpreter and the children it starts, so it is part of the key.
 */
const BOOKKEEPING = /^(_|PWD|OLDPWD|SHLVL|TERM|TERM_PROGRAM(_VERSION)?|COLORTERM|COLUMNS|LINES|FORCE_COLOR|NO_COLOR|INIT_CWD|NX_.*|npm_.*)$/;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The environment verify runs in, without `BOOKKEEPING`, as one digest. */
export function environmentDigest(env: NodeJS.ProcessEnv): string {
  const entries = Object.entries(env)
    .filter(([name, value]) => value !== undefined && !BOOKKEEPING.test(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256(entries.map(([name, value]) => `${name}=${value}`).join('\0'));
}

function readFipsSwitch(): string | undefined {
  try {
    return readFileSync('/proc/sys/crypto/fips_enabled', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * What verify's verdict depends on besides the task's declared inputs (every file of the stages it checks, the
 * interpreter, the machine, fipskit's checks and certificate data; see the stage targets): the day it is judged on
 * (UTC, as the report says), the kernel's FIPS switch, the audit report it cites, the environment it runs in and the
 * Nx targets its evidence names. Not reusable on Windows, where what it checks is in the installed Python, outside any
 * Nx output, nor for an interpreter other than the target's (`--python=…`, to compare), whose files no input covers, nor
 * in a run without the stages it checks, whose files Nx then leaves out of the key.
 */
export function verifyReuse(options: VerifyOptions, ctx: VerifyReuseContext): CacheReuse {
  if (ctx.platform === 'win32') return { reusable: false, why: 'on Windows the files verify checks are in the installed Python, outside any Nx output' };
  if (!ctx.stagesInRun)
    return { reusable: false, why: 'the stages it checks are not in this run (--excludeTaskDependencies), so their files are not in the key' };
  const configured = ctx.projectsConfigurations.projects[ctx.projectName]?.targets?.[ctx.targetName]?.options as Partial<VerifyOptions> | undefined;
  if (!configured || configured.python !== options.python) return { reusable: false, why: `${options.python} is not the interpreter the target names` };
  const resolve = (p: string) => (isAbsolute(p) ? p : join(ctx.root, p));
  const auditFile = join(options.auditPath ? resolve(options.auditPath) : join(dirname(resolve(options.opensslPath)), 'audit'), 'audit.json');
  const targets = targetConfigurationDigest({ projectName: ctx.projectName, projectsConfigurations: ctx.projectsConfigurations });
  const state = [
    `judged on ${ctx.now.toISOString().slice(0, 10)}`,
    `kernel FIPS switch ${(ctx.fipsSwitch ?? readFipsSwitch)() ?? 'absent'}`,
    `audit ${existsSync(auditFile) ? sha256(readFileSync(auditFile)) : 'none'}`,
    `environment ${environmentDigest(ctx.env)}`,
    `targets ${targets?.sha256 ?? 'none'}`,
  ];
  return { reusable: true, state: state.join('\n') };
}
