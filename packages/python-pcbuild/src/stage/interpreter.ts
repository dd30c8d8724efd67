import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessRunner, pythonVersionProblem } from '@fipskit/core';

/** What fipskit needs to know about an existing interpreter, asked of the interpreter itself. */
export interface InterpreterFacts {
  executable: string;
  /** The binary itself, symlinks resolved: what the FIPS Python's bin/ holds a copy of. */
  realExecutable: string;
  version: string;
  implementation: string;
  prefix: string;
  basePrefix: string;
  platlibdir: string;
  stdlib: string;
  libDynload: string;
  include: string;
  platinclude: string;
  /** The interpreter's site-packages directories (site.getsitepackages()). */
  sitePackages: string[];
  /** libpythonX.Y.so of a shared build, which the binary may find relative to itself. */
  sharedLibrary: string | null;
  extSuffix: string;
  builtinModules: string[];
  hasPythonH: boolean;
}

/** `3.11.2` → `3.11`: the name of the installed interpreter and of its library directory. */
export function pythonMajorMinor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** The probe the interpreter runs (src/interpreter-probe), a Python file the package ships as it is. */
export const PROBE_SCRIPT = join(__dirname, '..', 'interpreter-probe', 'probe_interpreter.py');

export async function probeInterpreter(runner: ProcessRunner, interpreter: string, cwd: string): Promise<InterpreterFacts> {
  const lines: string[] = [];
  try {
    // -I: the probe must see the interpreter itself, not a PYTHONPATH or user site in the caller's environment.
    await runner.run(
      { program: interpreter, args: ['-I', '-c', readFileSync(PROBE_SCRIPT, 'utf8')], cwd, env: { PYTHONHOME: undefined } },
      { onLine: (l) => lines.push(l) },
    );
  } catch (error) {
    // An old Python (2.7 has no -I, 3.5 cannot read the probe) fails the probe: its version says why, when it runs at all.
    const said: string[] = [];
    const asked = await runner
      .run(
        { program: interpreter, args: ['-E', '-s', '-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], cwd, env: { PYTHONHOME: undefined } },
        { onLine: (l) => said.push(l) },
      )
      .then(
        () => said.join('').trim(),
        () => '',
      );
    const unsupported = /^\d+\.\d+\.\d+$/.test(asked) && pythonVersionProblem(asked, `The interpreter ${interpreter}`);
    if (unsupported) throw new Error(unsupported);
    throw new Error(
      `Could not run the interpreter ${interpreter}: ${(error as Error).message.split('\n')[0]} Set interpreter to an existing Python 3 executable.`,
    );
  }
  const facts = JSON.parse(lines.join('\n')) as InterpreterFacts;
  if (facts.implementation !== 'cpython')
    throw new Error(`${interpreter} is ${facts.implementation}, not CPython: the overlay rebuilds CPython's own _ssl and _hashlib.`);
  if (facts.prefix !== facts.basePrefix) {
    throw new Error(
      `${interpreter} is the interpreter of a virtual environment (${facts.prefix}): set interpreter to the Python it was made from (${facts.basePrefix}), then make venvs from the FIPS Python.`,
    );
  }
  return facts;
}

/** The overlay's modules must be compiled from the source of exactly this interpreter's version. */
export function assertOverlayFits(facts: InterpreterFacts, sourceVersion: string, interpreter: string): void {
  const unsupported = pythonVersionProblem(facts.version, `The interpreter ${interpreter}`);
  if (unsupported) throw new Error(unsupported);
  if (facts.version !== sourceVersion) {
    throw new Error(
      `The interpreter ${interpreter} is Python ${facts.version} but the CPython source is ${sourceVersion}. ` +
        `_ssl and _hashlib must be built from the same version: point the sources stage's python source at CPython ${facts.version} ` +
        `(e.g. https://www.python.org/ftp/python/${facts.version}/Python-${facts.version}.tgz with its SHA-256), or choose an interpreter of version ${sourceVersion}.`,
    );
  }
  if (!facts.hasPythonH) {
    const major = facts.version.split('.').slice(0, 2).join('.');
    throw new Error(
      `The headers of ${interpreter} are missing (${join(facts.include, 'Python.h')}): install them (Debian/Ubuntu: apt-get install python${major}-dev; Fedora/RHEL: dnf install python${major.replace('.', '')}-devel or python3-devel).`,
    );
  }
}

/**
 * For a plan made for macOS on another machine, where the interpreter cannot be asked: the layout of a
 * python.org framework build (`<prefix>/bin/python3.X`, headers in `<prefix>/include/python3.X`).
 */
export function assumedDarwinInterpreter(interpreter: string, version: string): InterpreterFacts {
  const [major, minor] = version.split('.');
  const prefix = interpreter.replace(/\/bin\/[^/]+$/, '');
  const include = `${prefix}/include/python${major}.${minor}`;
  const stdlib = `${prefix}/lib/python${major}.${minor}`;
  return {
    executable: interpreter,
    realExecutable: interpreter,
    version,
    implementation: 'cpython',
    prefix,
    basePrefix: prefix,
    platlibdir: 'lib',
    stdlib,
    libDynload: `${stdlib}/lib-dynload`,
    include,
    platinclude: include,
    sitePackages: [`${stdlib}/site-packages`],
    sharedLibrary: null,
    extSuffix: `.cpython-${major}${minor}-darwin.so`,
    builtinModules: [],
    hasPythonH: true,
  };
}
