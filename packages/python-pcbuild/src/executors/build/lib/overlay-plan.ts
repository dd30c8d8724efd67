import { join, relative } from 'node:path';
import { BuildPlan, Command, PlanStep } from '@fipskit/core';
import { InterpreterFacts } from './interpreter';
import { renderPosixLauncher } from './launcher';
import { NormalizedPythonOptions } from './normalize-options';
import { RoutingSources } from './routing-modules';

/** Where the overlay keeps its pieces, relative to its root. */
export const OVERLAY_LIB = join('lib', 'fipskit');
export const EXTENSION_DIR = join(OVERLAY_LIB, '_fipskit_ext');

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

export function buildOverlayPlan(
  options: NormalizedPythonOptions,
  facts: InterpreterFacts,
  layout: PythonLayout,
  compiler: string,
  routing: RoutingSources,
  tasks: PythonTasks = {},
): BuildPlan {
  const noop = async () => undefined;
  const { sourceDir, objectDir, staging } = layout;
  const opensslInclude = join(options.opensslPrefix, options.openssl.layout.include);
  const opensslLib = join(options.opensslPrefix, options.openssl.layout.lib);
  const extDir = join(staging, EXTENSION_DIR);
  // Relative to the module, so the overlay keeps working where Nx restores it beside the OpenSSL prefix.
  const rpath = (moduleDir: string) => moduleRpath(options.platform, relative(join(options.outputDir, moduleDir), opensslLib));
  const linkShared = options.platform === 'darwin' ? ['-bundle', '-undefined', 'dynamic_lookup'] : ['-shared'];
  const includes = [...new Set([facts.include, facts.platinclude])].flatMap((dir) => ['-I', dir]);
  const fix = join(objectDir, 'fipskit_pyconfig_fix.h');
  const cc = (title: string, args: string[]): PlanStep => ({ kind: 'run', title, command: { title, program: compiler, args, cwd: objectDir } as Command });
  const steps: PlanStep[] = [
    { kind: 'task', title: `Unpack ${options.source.fileName} (CPython ${options.source.version})`, detail: `extract into ${sourceDir}`, perform: tasks.unpack ?? noop },
    { kind: 'files', title: 'Prepare build directory', operations: [{ op: 'write', to: fix, content: PYCONFIG_FIX }, { op: 'mkdir', to: extDir }] },
    cc('Compile _ssl', [...CFLAGS, '-include', fix, '-I', opensslInclude, ...includes, '-c', join(sourceDir, 'Modules', '_ssl.c'), '-o', join(objectDir, '_ssl.o')]),
    // _ssl is found first on PYTHONPATH as it is; _hashlib is loaded by the routing wrapper from its own directory.
    cc('Link _ssl', [...linkShared, '-o', join(staging, OVERLAY_LIB, `_ssl${facts.extSuffix}`), join(objectDir, '_ssl.o'), '-L', opensslLib, rpath(OVERLAY_LIB), '-lssl', '-lcrypto']),
    cc('Compile _hashlib', [
      ...CFLAGS,
      '-DPy_BUILD_CORE_MODULE',
      '-I', opensslInclude,
      ...includes,
      '-I', join(facts.include, 'internal'),
      '-c', join(sourceDir, 'Modules', '_hashopenssl.c'),
      '-o', join(objectDir, '_hashopenssl.o'),
    ]),
    cc('Link _hashlib', [...linkShared, '-o', join(extDir, `_hashlib${facts.extSuffix}`), join(objectDir, '_hashopenssl.o'), '-L', opensslLib, rpath(EXTENSION_DIR), '-lcrypto']),
    {
      kind: 'files',
      title: 'Write the launcher and the built-in hash routing',
      operations: [
        { op: 'write', to: join(staging, OVERLAY_LIB, '_hashlib.py'), content: routing.overlayWrapper },
        { op: 'write', to: join(staging, OVERLAY_LIB, '_fipskit_hashes.py'), content: routing.hashes },
        {
          op: 'write',
          to: join(staging, 'bin', 'python3'),
          mode: 0o755,
          content: renderPosixLauncher({
            interpreter: options.interpreter!,
            overlayLib: OVERLAY_LIB,
            opensslConf: relative(options.outputDir, join(options.fipsConfigDir, 'openssl.cnf')),
            opensslModules: relative(options.outputDir, join(options.opensslPrefix, options.openssl.layout.modules)),
          }),
        },
        { op: 'symlink', target: 'python3', to: join(staging, 'bin', 'python') },
      ],
    },
    ...closingSteps(options, staging, tasks),
  ];
  return { stage: 'python', platform: options.platform, steps };
}

export function closingSteps(options: NormalizedPythonOptions, staging: string, tasks: PythonTasks): PlanStep[] {
  const noop = async () => undefined;
  return [
    { kind: 'task', title: 'Record build information', detail: 'write fipskit-python.json with versions and SHA-256 of each module', perform: tasks.writeManifest ?? noop },
    { kind: 'task', title: 'Publish output', detail: `move ${staging} to ${options.outputDir}`, perform: tasks.publish ?? noop },
  ];
}
