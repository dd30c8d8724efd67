import { delimiter, join, posix } from 'node:path';
import { existsSync } from 'node:fs';
import { Command, PlanStep } from '@fipskit/core';
import { FIPS_RUNTIME_DIR } from './fips-runtime-entries';

/**
 * fipskit's `bin/python3.X` on Linux and macOS: a small C program that refuses a start outside FIPS mode which no
 * Python code could notice (PYTHONHOME or PYTHONPLATLIBDIR naming another installation: Python would take that
 * installation's standard library and _hashlib before any fipskit module runs), then runs the interpreter's real
 * binary. The header of the C file says what it does and why.
 */
export const LAUNCHER_SOURCE = join(FIPS_RUNTIME_DIR, 'launcher', 'fipskit_launcher.c');

/** Where the interpreter's real binary goes, relative to the Python output: beside fipskit's _ssl and _hashlib. */
export const REAL_INTERPRETER_DIR = join('lib', 'fipskit');

export function realInterpreter(root: string, series: string): string {
  return join(root, REAL_INTERPRETER_DIR, `python${series}`);
}

/** The compile of the launcher into `<staging>/bin/python3.X`, with the compiler the stage runs. */
export function compileLauncher(compiler: string, staging: string, series: string, platlibdir: string, cwd: string): PlanStep {
  if (!/^[A-Za-z0-9_.-]+$/.test(platlibdir)) {
    throw new Error(
      `The interpreter's library directory name ${JSON.stringify(platlibdir)} is not a plain directory name: fipskit's launcher cannot be built for it. Use mode "full".`,
    );
  }
  const [program, ...ccArgs] = compiler.trim().split(/\s+/);
  const real = posix.join('..', ...REAL_INTERPRETER_DIR.split(/[\\/]/), `python${series}`);
  const title = `Compile bin/python${series}: the launcher that refuses PYTHONHOME and PYTHONPLATLIBDIR naming another installation`;
  const command: Command = {
    title,
    program,
    args: [
      ...ccArgs,
      '-std=c11',
      '-O2',
      '-Wall',
      `-DFIPSKIT_REAL="${real}"`,
      `-DFIPSKIT_PLATLIBDIR="${platlibdir}"`,
      '-o',
      join(staging, 'bin', `python${series}`),
      LAUNCHER_SOURCE,
    ],
    cwd,
  };
  return { kind: 'run', title, command };
}

/** The C compiler CPython's configure takes when no CC is declared: gcc when PATH has one, else cc. */
export function configureCompiler(declared: string | undefined, path = process.env.PATH ?? ''): string {
  if (declared?.trim()) return declared.trim();
  return path.split(delimiter).some((dir) => dir && existsSync(join(dir, 'gcc'))) ? 'gcc' : 'cc';
}
