import { join, relative, posix } from 'node:path';
import { BINDING_FILE, BuildPlan, Command, FileOperation, PlanStep, RunStep } from '@fipskit/core';
import { InterpreterFacts, pythonMajorMinor } from '../stage/interpreter';
import { NormalizedPythonOptions } from '../stage/normalize-options';
import { FipsRuntimeLayout, fipsRuntimeEntries, zipSlotName } from '../fips-runtime/fips-runtime-entries';
import { compileLauncher, realInterpreter } from '../fips-runtime/launcher';

/** Where the overlay keeps the real _ssl and _hashlib, relative to its root. */
export const EXTENSION_DIR = join('lib', 'fipskit');

export interface PythonLayout {
  sourceDir: string;
  objectDir: string;
  staging: string;
}

export interface PythonTasks {
  unpack?: () => Promise<void>;
  writeManifest?: () => Promise<void>;
  publish?: () => Promise<void>;
}

/**
 * Debian's pyconfig.h defines HAVE_BLUETOOTH_BLUETOOTH_H, which makes socketmodule.h (included by
 * _ssl.c) need the bluetooth headers. _ssl.c never uses the bluetooth address structs, so they are
 * switched off after pyconfig.h is read (a -U on the command line would be undone by pyconfig.h).
 */
export const PYCONFIG_FIX = '#include <pyconfig.h>\n#undef HAVE_BLUETOOTH_BLUETOOTH_H\n#undef HAVE_BLUETOOTH_H\n';

const CFLAGS = ['-std=c11', '-O2', '-g', '-fwrapv', '-DNDEBUG', '-Wall', '-fvisibility=hidden', '-fPIC'];

/**
 * The linker flag that makes a module find the OpenSSL libraries relative to itself. Linux: DT_RPATH (not
 * RUNPATH), searched before LD_LIBRARY_PATH, so an outside setting cannot swap the library. macOS:
 * `@loader_path`, which the `@rpath/` install names of the openssl stage's libraries resolve against.
 */
export function moduleRpath(platform: string, relativeLibDir: string): string {
  return platform === 'darwin' ? `-Wl,-rpath,@loader_path/${relativeLibDir}` : `-Wl,--disable-new-dtags,-rpath,$ORIGIN/${relativeLibDir}`;
}

/**
 * The runtime's paths, relative to the zip slot's directory (`<output>/lib`): the real modules, and the
 * sibling outputs Nx restores beside this one (the FIPS configuration and the OpenSSL prefix).
 */
export function posixRuntimeLayout(options: NormalizedPythonOptions, zipDir: string, extensionDir: string): FipsRuntimeLayout {
  const fromZip = (path: string) => relative(zipDir, path);
  return {
    extensions: { _ssl: fromZip(extensionDir), _hashlib: fromZip(extensionDir) },
    opensslConf: fromZip(join(options.fipsConfigDir, 'openssl.cnf')),
    opensslModules: fromZip(join(options.opensslPrefix, options.openssl.layout.modules)),
    libcryptoDir: fromZip(join(options.opensslPrefix, options.openssl.layout.lib)),
    // Linux: the runtime reads the machine id cheaply at start-up (macOS would need a program run at every start).
    ...(options.platform === 'linux' ? { machineBinding: BINDING_FILE } : {}),
    project: options.projectName,
  };
}

/**
 * The interpreter's own files, seen from a new prefix: Python finds its prefix by searching up from the
 * executable it was started as, so fipskit's launcher in `<output>/bin` (which runs a copy of the real binary
 * kept in `<output>/lib/fipskit`) makes `<output>` the prefix, and links give it the interpreter's standard
 * library, headers and site-packages. Refuses a layout that cannot be mirrored.
 */
export function mirrorInterpreter(facts: InterpreterFacts, staging: string): FileOperation[] {
  const base = facts.basePrefix;
  const inBase = (path: string) => {
    const rel = posix.relative(base, path);
    return rel && !rel.startsWith('..') && !posix.isAbsolute(rel) ? rel : undefined;
  };
  const stdlib = inBase(facts.stdlib);
  const series = pythonMajorMinor(facts.version);
  if (stdlib !== posix.join(facts.platlibdir, `python${series}`)) {
    throw new Error(
      `${facts.executable} keeps its standard library in ${facts.stdlib}, not in ${posix.join(base, facts.platlibdir, `python${series}`)}, ` +
        'where Python looks for it relative to its executable: this interpreter cannot be put into FIPS mode as an overlay. Use mode "full".',
    );
  }
  if (!facts.libDynload.startsWith(`${facts.stdlib}/`)) {
    throw new Error(`${facts.executable} keeps its extension modules in ${facts.libDynload}, outside ${facts.stdlib}: use mode "full" for this interpreter.`);
  }
  const link = (path: string): FileOperation[] => {
    const rel = inBase(path);
    return rel ? [{ op: 'symlink', target: path, to: join(staging, rel) }] : [];
  };
  const bin = join(staging, 'bin');
  const insideStdlib = (path: string) => path === facts.stdlib || path.startsWith(`${facts.stdlib}/`);
  return [
    { op: 'copy', from: facts.realExecutable, to: realInterpreter(staging, series) },
    { op: 'symlink', target: `python${series}`, to: join(bin, 'python3') },
    { op: 'symlink', target: `python${series}`, to: join(bin, 'python') },
    ...link(facts.stdlib),
    ...[...new Set([facts.include, facts.platinclude])].flatMap(link),
    ...[...new Set(facts.sitePackages)].filter((dir) => !insideStdlib(dir)).flatMap(link),
    ...(facts.sharedLibrary ? link(facts.sharedLibrary) : []),
  ];
}

export function buildOverlayPlan(
  options: NormalizedPythonOptions,
  facts: InterpreterFacts,
  layout: PythonLayout,
  compiler: string,
  tasks: PythonTasks = {},
): BuildPlan {
  const noop = async () => undefined;
  const { sourceDir, objectDir, staging } = layout;
  const opensslInclude = join(options.opensslPrefix, options.openssl.layout.include);
  const opensslLib = join(options.opensslPrefix, options.openssl.layout.lib);
  const extDir = join(staging, EXTENSION_DIR);
  // Relative to the module, so the overlay keeps working where Nx restores it beside the OpenSSL prefix.
  const rpath = moduleRpath(options.platform, relative(join(options.outputDir, EXTENSION_DIR), opensslLib));
  const linkShared = options.platform === 'darwin' ? ['-bundle', '-undefined', 'dynamic_lookup'] : ['-shared'];
  const includes = [...new Set([facts.include, facts.platinclude])].flatMap((dir) => ['-I', dir]);
  const fix = join(objectDir, 'fipskit_pyconfig_fix.h');
  // CC may hold a launcher or the compiler's own switches ("ccache gcc", "gcc -m64"): one argument each.
  const [program, ...ccArgs] = compiler.trim().split(/\s+/);
  // The build and checkout paths the debug information and __FILE__ would carry, mapped to fixed names: a module
  // built in another checkout or build directory is the same bytes, so the audit and a shared cache can compare them.
  const pathMaps = [`-ffile-prefix-map=${options.workspaceRoot}=/fipskit/workspace`, `-ffile-prefix-map=${options.buildDir}=/fipskit/build`];
  const ccCommand = (title: string, args: string[]): Command => ({ title, program, args: [...ccArgs, ...args], cwd: objectDir });
  const cc = (title: string, args: string[]): RunStep => ({ kind: 'run', title, command: ccCommand(title, args) });
  const zipDir = join(staging, facts.platlibdir);
  const runtime = posixRuntimeLayout(options, join(options.outputDir, facts.platlibdir), join(options.outputDir, EXTENSION_DIR));
  const steps: PlanStep[] = [
    {
      kind: 'task',
      title: `Unpack ${options.source.fileName} (CPython ${options.source.version})`,
      detail: `extract into ${sourceDir}`,
      perform: tasks.unpack ?? noop,
    },
    {
      kind: 'files',
      title: 'Prepare build directory',
      operations: [
        { op: 'write', to: fix, content: PYCONFIG_FIX },
        { op: 'mkdir', to: extDir },
        { op: 'mkdir', to: join(staging, 'bin') },
      ],
    },
    // The two modules' compiles need nothing from each other: side by side, on two cores in the time of the longer.
    {
      kind: 'run',
      title: 'Compile _ssl and _hashlib',
      command: ccCommand('Compile _ssl', [
        ...CFLAGS,
        ...pathMaps,
        '-include',
        fix,
        '-I',
        opensslInclude,
        ...includes,
        '-c',
        join(sourceDir, 'Modules', '_ssl.c'),
        '-o',
        join(objectDir, '_ssl.o'),
      ]),
      alongside: [
        ccCommand('Compile _hashlib', [
          ...CFLAGS,
          ...pathMaps,
          '-DPy_BUILD_CORE_MODULE',
          '-I',
          opensslInclude,
          ...includes,
          '-I',
          join(facts.include, 'internal'),
          '-c',
          join(sourceDir, 'Modules', '_hashopenssl.c'),
          '-o',
          join(objectDir, '_hashopenssl.o'),
        ]),
      ],
    },
    cc('Link _ssl', [...linkShared, '-o', join(extDir, `_ssl${facts.extSuffix}`), join(objectDir, '_ssl.o'), '-L', opensslLib, rpath, '-lssl', '-lcrypto']),
    cc('Link _hashlib', [
      ...linkShared,
      '-o',
      join(extDir, `_hashlib${facts.extSuffix}`),
      join(objectDir, '_hashopenssl.o'),
      '-L',
      opensslLib,
      rpath,
      '-lcrypto',
    ]),
    compileLauncher(compiler, staging, pythonMajorMinor(facts.version), facts.platlibdir, objectDir),
    {
      kind: 'files',
      title: `Lay out the FIPS Python: ${facts.realExecutable} with its standard library, and fipskit's modules in front of it`,
      operations: [...mirrorInterpreter(facts, staging), { op: 'zip', to: join(zipDir, zipSlotName(facts.version)), entries: fipsRuntimeEntries(runtime) }],
    },
    ...closingSteps(options, staging, tasks),
  ];
  return { stage: 'python', platform: options.platform, steps };
}

export function closingSteps(options: NormalizedPythonOptions, staging: string, tasks: PythonTasks): PlanStep[] {
  const noop = async () => undefined;
  return [
    {
      kind: 'task',
      title: 'Record build information',
      detail: 'write fipskit-python.json with versions and SHA-256 of each module',
      perform: tasks.writeManifest ?? noop,
    },
    { kind: 'task', title: 'Publish output', detail: `move ${staging} to ${options.outputDir}`, perform: tasks.publish ?? noop },
  ];
}
