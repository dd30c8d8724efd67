import { join, relative } from 'node:path';
import { BuildPlan, Command, PlanStep } from '@fipskit/core';
import { NormalizedPythonOptions } from '../stage/normalize-options';
import { PythonLayout, PythonTasks, closingSteps, posixRuntimeLayout } from '../overlay/overlay-plan';
import { fipsRuntimeEntries, zipSlotName } from '../fips-runtime/fips-runtime-entries';
import { pythonMajorMinor } from '../stage/interpreter';
import { compileLauncher, configureCompiler, realInterpreter } from '../fips-runtime/launcher';

export interface FullBuildLayout extends PythonLayout {
  destDir: string;
}

/**
 * configure arguments. `--with-openssl-rpath=no` because configure's own rpath is absolute; the
 * rpath is given to make instead, relative to lib-dynload, so the install can move. No built-in
 * hash modules (their names are routed to OpenSSL by fipskit's zip slot instead), no PGO
 * (--enable-optimizations runs test_hashlib during profiling, which fails in FIPS mode), and
 * CPython's own tests only when asked for (`testSuite`).
 */
export function configureArguments(options: NormalizedPythonOptions): string[] {
  return [
    `--prefix=${options.outputDir}`,
    `--with-openssl=${options.opensslPrefix}`,
    '--with-openssl-rpath=no',
    '--without-builtin-hashlib-hashes',
    '--without-ensurepip',
    ...(options.testSuite ? [] : ['--disable-test-modules']),
  ];
}

/**
 * Link flags for _ssl and _hashlib with a DT_RPATH relative to lib-dynload (so the install can
 * move), as they must stand in the generated Makefile. `$$` is make's (and sysconfig's) escape for
 * `$`. CPython 3.11 links these modules through setup.py, which reads the flags via sysconfig and
 * runs the linker without a shell; from 3.12 on make links them through a shell, which needs `\$`.
 * (make variables given on the command line would not reach setup.py, hence the Makefile edit.)
 */
export function moduleLinkFlags(options: NormalizedPythonOptions): Record<string, string> {
  const opensslLib = join(options.opensslPrefix, options.openssl.layout.lib);
  const dynload = join(options.outputDir, 'lib', `python${pythonMajorMinor(options.source.version)}`, 'lib-dynload');
  const [major, minor] = options.source.version.split('.').map(Number);
  const origin = major === 3 && minor < 12 ? '$$ORIGIN' : '\\$$ORIGIN';
  const rpath =
    options.platform === 'darwin'
      ? `-Wl,-rpath,@loader_path/${relative(dynload, opensslLib)}`
      : `-Wl,--disable-new-dtags,-rpath,${origin}/${relative(dynload, opensslLib)}`;
  return {
    MODULE__SSL_LDFLAGS: `-L${opensslLib} ${rpath} -lssl -lcrypto`,
    MODULE__HASHLIB_LDFLAGS: `-L${opensslLib} ${rpath} -lcrypto`,
  };
}

/** Replaces the configure-generated assignments; refuses a Makefile that lacks them. */
export function setMakefileVariables(makefile: string, variables: Record<string, string>): string {
  let text = makefile;
  for (const [name, value] of Object.entries(variables)) {
    const line = new RegExp(`^${name}=.*$`, 'm');
    if (!line.test(text)) throw new Error(`The generated Makefile has no ${name} line: this CPython version is not supported by the full build.`);
    text = text.replace(line, () => `${name}=${value}`);
  }
  return text;
}

export interface FullBuildTasks extends PythonTasks {
  setLinkFlags?: () => Promise<void>;
}

export function buildFullPlan(
  options: NormalizedPythonOptions,
  layout: FullBuildLayout,
  jobs: number,
  tasks: FullBuildTasks = {},
  compiler = configureCompiler(options.environment?.CC),
): BuildPlan {
  const noop = async () => undefined;
  const { sourceDir, objectDir, staging, destDir } = layout;
  const version = pythonMajorMinor(options.source.version);
  const inObj = (title: string, program: string, args: string[]): Command => ({ title, program, args, cwd: objectDir });
  const linkFlags = moduleLinkFlags(options);
  // The real _ssl and _hashlib stay in lib-dynload; the zip slot's wrappers load them once FIPS mode is in force.
  const runtime = posixRuntimeLayout(options, join(options.outputDir, 'lib'), join(options.outputDir, 'lib', `python${version}`, 'lib-dynload'));
  const steps: PlanStep[] = [
    {
      kind: 'task',
      title: `Unpack ${options.source.fileName} (CPython ${options.source.version})`,
      detail: `extract into ${sourceDir}`,
      perform: tasks.unpack ?? noop,
    },
    { kind: 'run', title: 'configure', command: inObj('configure', 'sh', [join(sourceDir, 'configure'), ...configureArguments(options)]) },
    {
      kind: 'task',
      title: 'Link _ssl and _hashlib to the FIPS OpenSSL with a relative RPATH',
      detail: `set in ${join(objectDir, 'Makefile')}: ${Object.entries(linkFlags)
        .map(([k, v]) => `${k}=${v}`)
        .join('; ')}`,
      perform: tasks.setLinkFlags ?? noop,
    },
    {
      kind: 'run',
      title: 'Compile CPython (make)',
      command: inObj('make', 'make', [`-j${jobs}`]),
      progress: { unit: 'objects compiled', countWith: inObj('Count objects', 'make', ['-n']), pattern: '(^|\\s)-c(\\s|$)' },
    },
    { kind: 'run', title: 'Install (make altinstall)', command: inObj('make altinstall', 'make', ['altinstall', `DESTDIR=${destDir}`]) },
    {
      kind: 'files',
      title: "Move the install into place, with fipskit's modules in front of its standard library",
      operations: [
        { op: 'remove', to: staging },
        { op: 'move', from: join(destDir, options.outputDir), to: staging },
        { op: 'remove', to: destDir },
        { op: 'zip', to: join(staging, 'lib', zipSlotName(options.source.version)), entries: fipsRuntimeEntries(runtime) },
        { op: 'symlink', target: `python${version}`, to: join(staging, 'bin', 'python3') },
        { op: 'symlink', target: `python${version}`, to: join(staging, 'bin', 'python') },
        // The real binary beside fipskit's modules; bin/python3.X becomes the launcher (compiled next).
        { op: 'move', from: join(staging, 'bin', `python${version}`), to: realInterpreter(staging, version) },
      ],
    },
    compileLauncher(compiler, staging, version, 'lib', objectDir),
    ...closingSteps(options, staging, tasks),
  ];
  return { stage: 'python', platform: options.platform, steps };
}
