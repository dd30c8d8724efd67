import { BuildPlan, Command, FileOperation, PlanStep, RunStep, compiledInPrefix, pathsFor } from '@fipskit/core';
import { NormalizedOpenSslOptions } from './normalize-options';

/** What the machine offers, found by the preflight (or assumed for a plan made on another host). */
export interface BuildToolchain {
  perl: string;
  /** `make`/`gmake` on POSIX; `nmake` or `jom` on Windows. */
  make: string;
  /** Windows: NASM found, so the assembler code paths are built; otherwise `no-asm`. */
  nasm: boolean;
  /** Windows: the CL variable of the build's environment (switches cl.exe prepends to its command line), kept when switches are added. */
  cl?: string;
}

/** In-process steps the plan calls back into; plans made for display get no-ops. */
export interface PlanTasks {
  unpack?: () => Promise<void>;
  unpackProvider?: () => Promise<void>;
  writeBuildInfo?: () => Promise<void>;
  publish?: () => Promise<void>;
}

export interface OpenSslLayout {
  sourceDir: string;
  objectDir: string;
  staging: string;
  /** Where `make DESTDIR=...` installs (full scope). */
  destDir: string;
  /** The FIPS provider's own source and objects, when it comes from a second source. */
  providerSourceDir: string;
  providerObjectDir: string;
}

/** An unpacked local source tree is built out of tree where it is; tarballs are unpacked into the build directory. */
export function isLocalTree(options: NormalizedOpenSslOptions): boolean {
  return options.source.origin === 'local' && !options.source.fileName;
}

export function openSslLayout(options: NormalizedOpenSslOptions, staging: string): OpenSslLayout {
  const paths = pathsFor(options.platform);
  const location = options.source.location;
  const tree = paths.isAbsolute(location) ? location : paths.join(options.workspaceRoot, location);
  const sourceDir = isLocalTree(options) ? tree : paths.join(options.buildDir, 'src');
  return {
    sourceDir,
    objectDir: paths.join(options.buildDir, 'obj'),
    staging,
    destDir: paths.join(options.buildDir, 'destdir'),
    providerSourceDir: paths.join(options.buildDir, 'src-fips-provider'),
    providerObjectDir: paths.join(options.buildDir, 'obj-fips-provider'),
  };
}

/** `Configure` arguments: fipskit adds no compiler or linker flags, so the FIPS module is built as its security policy says. */
export function configureArguments(options: NormalizedOpenSslOptions, toolchain: BuildToolchain): string[] {
  const paths = pathsFor(options.platform);
  const args = [options.configureTarget, 'enable-fips'];
  if (!options.tests) args.push('no-tests');
  if (!options.legacyProvider) args.push('no-legacy');
  if (options.platform === 'win32') {
    // An uplink libcrypto looks for OPENSSL_Applink in the .exe (ms/uplink.c); python.exe has none, so
    // any FILE* handed to OpenSSL (SSLKEYLOGFILE, load_dh_params) would end the process.
    args.push('no-uplink');
    if (!toolchain.nasm) args.push('no-asm');
  }
  const prefix = compiledInPrefix(options);
  args.push(`--prefix=${prefix}`, `--openssldir=${paths.join(prefix, 'ssl')}`);
  if (options.platform !== 'win32') args.push('--libdir=lib');
  return [...args, ...options.configureArgs];
}

/** The shared libraries, provider modules and program the product needs, as make target names. */
export function targetedMakeTargets(options: NormalizedOpenSslOptions): string[] {
  const darwin = options.platform === 'darwin';
  const lib = (name: string) => (darwin ? `lib${name}.3.dylib` : `lib${name}.so.3`);
  const module = (name: string) => `providers/${name}${darwin ? '.dylib' : '.so'}`;
  // With a provider source, this source's own provider is not built at all.
  const targets = [lib('crypto'), lib('ssl'), ...(options.fipsProviderSource ? [] : [module('fips')])];
  if (options.legacyProvider) targets.push(module('legacy'));
  // Not the pkg-config files: their make rule depends on the static libraries, which would compile
  // every libcrypto object a second time.
  return [...targets, 'apps/openssl'];
}

export function buildOpenSslPlan(options: NormalizedOpenSslOptions, toolchain: BuildToolchain, layout: OpenSslLayout, tasks: PlanTasks = {}): BuildPlan {
  const paths = pathsFor(options.platform);
  const { source } = options;
  const noop = async () => undefined;
  const steps: PlanStep[] = [];
  if (!isLocalTree(options)) {
    steps.push({
      kind: 'task',
      title: `Unpack ${source.fileName} (OpenSSL ${source.version})`,
      detail: `extract ${source.fileName} (sha256 ${source.sha256}) into ${layout.sourceDir}, refusing entries that escape it`,
      perform: tasks.unpack ?? noop,
    });
  }
  const inObj = (title: string, program: string, args: string[], env?: Record<string, string>): Command => ({
    title,
    program,
    args,
    cwd: layout.objectDir,
    ...(env ? { env } : {}),
  });
  steps.push(run(inObj('Configure', toolchain.perl, [paths.join(layout.sourceDir, 'Configure'), ...configureArguments(options, toolchain)])));
  steps.push(...(options.platform === 'win32' ? windowsBuildSteps(options, toolchain, layout, inObj) : posixBuildSteps(options, toolchain, layout, inObj)));
  if (options.fipsProviderSource) steps.push(...providerSteps(options, toolchain, layout, tasks.unpackProvider ?? noop));
  steps.push({
    kind: 'task',
    title: 'Record build information',
    detail: `write build-info.json with versions, toolchain and SHA-256 of each artifact into ${layout.staging}`,
    perform: tasks.writeBuildInfo ?? noop,
  });
  steps.push({
    kind: 'task',
    title: 'Publish output',
    detail: `move ${layout.staging} to ${options.outputDir} (only if it is fipskit's own or empty)`,
    perform: tasks.publish ?? noop,
  });
  return { stage: 'openssl', platform: options.platform, steps };
}

type CommandFactory = (title: string, program: string, args: string[], env?: Record<string, string>) => Command;

const POSIX_COMPILE = '(^|\\s)-c(\\s|$)';
const MSVC_COMPILE = '/Fo\\S*\\.obj';

function run(command: Command, progress?: RunStep['progress']): RunStep {
  return { kind: 'run', title: command.title ?? command.program, command, ...(progress ? { progress } : {}) };
}

function posixBuildSteps(options: NormalizedOpenSslOptions, toolchain: BuildToolchain, layout: OpenSslLayout, cmd: CommandFactory): PlanStep[] {
  const jobs = [`-j${options.jobs}`];
  if (options.scope === 'targeted') {
    const targets = targetedMakeTargets(options);
    return [
      run(cmd('Generate headers (make build_generated)', toolchain.make, [...jobs, 'build_generated'])),
      run(
        cmd(options.fipsProviderSource ? 'Compile libraries and openssl' : 'Compile libraries, FIPS provider and openssl', toolchain.make, [
          ...jobs,
          ...targets,
        ]),
        {
          unit: 'objects compiled',
          countWith: cmd('Count objects', toolchain.make, ['-n', ...targets]),
          pattern: POSIX_COMPILE,
        },
      ),
      { kind: 'files', title: 'Install into staging directory', operations: targetedInstall(options, layout) },
      ...(options.platform === 'darwin' ? darwinInstallNameSteps(options, layout, cmd) : []),
    ];
  }
  const buildTarget = options.installDocs ? [] : ['build_sw'];
  const installTargets = ['install_sw', 'install_ssldirs', 'install_fips', ...(options.installDocs ? ['install_docs'] : [])];
  return [
    run(cmd('Compile (make)', toolchain.make, [...jobs, ...buildTarget]), {
      unit: 'objects compiled',
      countWith: cmd('Count objects', toolchain.make, ['-n', ...buildTarget]),
      pattern: POSIX_COMPILE,
    }),
    run(cmd('Install (make install)', toolchain.make, [`DESTDIR=${layout.destDir}`, ...installTargets])),
    { kind: 'files', title: 'Move installed tree into staging directory', operations: movedInstall(options, layout) },
  ];
}

/**
 * nmake has no parallel jobs; jom (Qt's nmake clone) does, and is used when found. OpenSSL's VC targets compile
 * with /Zi into PDBs shared by many objects (/Fdossl_static.pdb, /Fddso.pdb, /Fdapp.pdb), and parallel cl.exe
 * runs writing one PDB fail with C1041 unless they serialize their writes through mspdbsrv (/FS). /FS does not
 * change the objects. jom runs jobs in parallel even without /J, so every jom run gets it.
 */
function windowsMake(options: NormalizedOpenSslOptions, toolchain: BuildToolchain): { jobs: string[]; env?: Record<string, string> } {
  if (!/(^|[\\/])jom(\.exe)?$/i.test(toolchain.make)) return { jobs: [] };
  const cl = toolchain.cl?.trim();
  return { jobs: ['/J', String(options.jobs)], env: { CL: cl ? `${cl} /FS` : '/FS' } };
}

function windowsBuildSteps(options: NormalizedOpenSslOptions, toolchain: BuildToolchain, layout: OpenSslLayout, cmd: CommandFactory): PlanStep[] {
  const make = windowsMake(options, toolchain);
  const build = options.installDocs ? [] : ['build_sw'];
  const installTargets = ['install_sw', 'install_ssldirs', 'install_fips', ...(options.installDocs ? ['install_docs'] : [])];
  return [
    run(cmd('Compile (nmake)', toolchain.make, [...make.jobs, ...build], make.env), {
      unit: 'objects compiled',
      countWith: cmd('Count objects', toolchain.make, ['/N', ...build]),
      pattern: MSVC_COMPILE,
    }),
    run(cmd('Install (nmake install)', toolchain.make, [`DESTDIR=${layout.destDir}`, ...installTargets], make.env)),
    {
      kind: 'files',
      title: 'Move installed tree into staging directory',
      operations: [
        ...movedInstall(options, layout),
        // A no-uplink install leaves applink.c out; CPython 3.11's _ssl.vcxproj still compiles it.
        {
          op: 'copy',
          from: pathsFor('win32').join(layout.sourceDir, 'ms', 'applink.c'),
          to: pathsFor('win32').join(layout.staging, 'include', 'openssl', 'applink.c'),
        },
      ],
    },
  ];
}

/**
 * macOS records a dylib's install name (OpenSSL sets `<prefix>/lib/libcrypto.3.dylib`) in everything
 * linked against it, which ties the prefix to one path. The staged libraries and program are renamed to
 * `@rpath/…` and the program finds them through `@executable_path/../lib`, so the prefix can move
 * (a remote-cache restore into another checkout). install_name_tool invalidates the code signature, so
 * each changed file is signed again ad hoc, as the linker had signed it. The FIPS module is not touched.
 */
function darwinInstallNameSteps(options: NormalizedOpenSslOptions, layout: OpenSslLayout, cmd: CommandFactory): PlanStep[] {
  const paths = pathsFor('darwin');
  const lib = (name: string) => `lib${name}.3.dylib`;
  const staged = (...parts: string[]) => paths.join(layout.staging, ...parts);
  const linkedAs = (name: string) => paths.join(compiledInPrefix(options), 'lib', lib(name));
  const atRpath = (name: string) => `@rpath/${lib(name)}`;
  const steps: PlanStep[] = [
    run(cmd('Set install name of libcrypto', 'install_name_tool', ['-id', atRpath('crypto'), staged('lib', lib('crypto'))])),
    run(
      cmd('Set install name of libssl', 'install_name_tool', [
        '-id',
        atRpath('ssl'),
        '-change',
        linkedAs('crypto'),
        atRpath('crypto'),
        staged('lib', lib('ssl')),
      ]),
    ),
    run(
      cmd('Point openssl at the prefix relative to itself', 'install_name_tool', [
        '-change',
        linkedAs('crypto'),
        atRpath('crypto'),
        '-change',
        linkedAs('ssl'),
        atRpath('ssl'),
        '-add_rpath',
        '@executable_path/../lib',
        staged('bin', 'openssl'),
      ]),
    ),
  ];
  const signed = [staged('lib', lib('crypto')), staged('lib', lib('ssl')), staged('bin', 'openssl')];
  steps.push(run(cmd('Sign the changed files again (ad hoc)', 'codesign', ['--force', '--sign', '-', ...signed])));
  return steps;
}

/**
 * The FIPS provider from the second source: configured like the libraries, only the provider module built, and
 * put into the prefix in place of any provider the main source made.
 */
function providerSteps(options: NormalizedOpenSslOptions, toolchain: BuildToolchain, layout: OpenSslLayout, unpack: () => Promise<void>): PlanStep[] {
  const paths = pathsFor(options.platform);
  const provider = options.fipsProviderSource!;
  const windows = options.platform === 'win32';
  const moduleFile = windows ? 'fips.dll' : options.platform === 'darwin' ? 'fips.dylib' : 'fips.so';
  const target = windows ? `providers\\${moduleFile}` : `providers/${moduleFile}`;
  const { jobs, env } = windows ? windowsMake(options, toolchain) : { jobs: [`-j${options.jobs}`], env: undefined };
  const inProviderObj = (title: string, program: string, args: string[], withEnv?: Record<string, string>): Command => ({
    title,
    program,
    args,
    cwd: layout.providerObjectDir,
    ...(withEnv ? { env: withEnv } : {}),
  });
  const args = configureArguments(options, toolchain);
  return [
    {
      kind: 'task',
      title: `Unpack ${provider.fileName ?? provider.location} (OpenSSL ${provider.version}, FIPS provider only)`,
      detail: `extract ${provider.fileName ?? provider.location} (sha256 ${provider.sha256}) into ${layout.providerSourceDir}, refusing entries that escape it`,
      perform: unpack,
    },
    run(
      inProviderObj(`Configure the FIPS provider source (OpenSSL ${provider.version})`, toolchain.perl, [
        paths.join(layout.providerSourceDir, 'Configure'),
        ...args,
      ]),
    ),
    run(inProviderObj('Generate its headers (make build_generated)', toolchain.make, [...jobs, 'build_generated'], env)),
    run(inProviderObj(`Compile the FIPS provider ${provider.version}`, toolchain.make, [...jobs, target], env), {
      unit: 'objects compiled',
      countWith: inProviderObj('Count objects', toolchain.make, [windows ? '/N' : '-n', target]),
      pattern: windows ? MSVC_COMPILE : POSIX_COMPILE,
    }),
    {
      kind: 'files',
      title: `Install the FIPS provider ${provider.version} beside the ${options.source.version} libraries`,
      operations: [
        { op: 'mkdir', to: paths.join(layout.staging, 'lib', 'ossl-modules') },
        { op: 'copy', from: paths.join(layout.providerObjectDir, 'providers', moduleFile), to: paths.join(layout.staging, 'lib', 'ossl-modules', moduleFile) },
      ],
    },
  ];
}

/** `make DESTDIR=D install` writes to D + prefix (on Windows, the prefix without its drive letter). */
export function destDirPrefix(options: NormalizedOpenSslOptions, layout: OpenSslLayout): string {
  const paths = pathsFor(options.platform);
  const prefix = compiledInPrefix(options);
  const withoutDrive = options.platform === 'win32' ? prefix.replace(/^[A-Za-z]:/, '') : prefix;
  return paths.join(layout.destDir, withoutDrive);
}

function movedInstall(options: NormalizedOpenSslOptions, layout: OpenSslLayout): FileOperation[] {
  const paths = pathsFor(options.platform);
  return [
    { op: 'remove', to: layout.staging },
    { op: 'move', from: destDirPrefix(options, layout), to: layout.staging },
    // The build-time fipsmodule.cnf carries this build machine's MAC; fips-config writes the real one on each machine.
    { op: 'remove', to: paths.join(layout.staging, 'ssl', 'fipsmodule.cnf') },
    { op: 'remove', to: layout.destDir },
  ];
}

/** The subset of install_sw/install_ssldirs/install_fips the product uses, copied from the build tree. */
function targetedInstall(options: NormalizedOpenSslOptions, layout: OpenSslLayout): FileOperation[] {
  const paths = pathsFor(options.platform);
  const { objectDir: obj, sourceDir: src, staging } = layout;
  const darwin = options.platform === 'darwin';
  const ext = darwin ? '.dylib' : '.so';
  const versioned = (name: string) => (darwin ? `lib${name}.3.dylib` : `lib${name}.so.3`);
  const ops: FileOperation[] = [{ op: 'copy', from: paths.join(obj, 'apps', 'openssl'), to: paths.join(staging, 'bin', 'openssl') }];
  for (const name of ['crypto', 'ssl']) {
    ops.push({ op: 'copy', from: paths.join(obj, versioned(name)), to: paths.join(staging, 'lib', versioned(name)) });
    ops.push({ op: 'symlink', target: versioned(name), to: paths.join(staging, 'lib', `lib${name}${ext}`) });
  }
  const modules = ['fips', ...(options.legacyProvider ? ['legacy'] : [])];
  for (const module of modules) {
    // A provider from a second source is installed by its own steps.
    if (module === 'fips' && options.fipsProviderSource) continue;
    ops.push({ op: 'copy', from: paths.join(obj, 'providers', `${module}${ext}`), to: paths.join(staging, 'lib', 'ossl-modules', `${module}${ext}`) });
  }
  ops.push(
    { op: 'copy', from: paths.join(src, 'include', 'openssl', '*.h'), to: paths.join(staging, 'include', 'openssl') },
    { op: 'copy', from: paths.join(obj, 'include', 'openssl', '*.h'), to: paths.join(staging, 'include', 'openssl') },
    { op: 'copy', from: paths.join(src, 'apps', 'openssl.cnf'), to: paths.join(staging, 'ssl', 'openssl.cnf.dist') },
    { op: 'copy', from: paths.join(src, 'apps', 'ct_log_list.cnf'), to: paths.join(staging, 'ssl', 'ct_log_list.cnf') },
    { op: 'mkdir', to: paths.join(staging, 'ssl', 'certs') },
    { op: 'mkdir', to: paths.join(staging, 'ssl', 'private') },
  );
  return ops;
}
