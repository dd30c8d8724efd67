import type { TargetConfiguration } from '@nx/devkit';
import type { ProjectModel } from '@fipskit/core/project-options';
import { EXECUTORS, MACHINE_IDENTITY_INPUT, executorPackage, toolchainInput } from '../constants';

/** What the stage targets are made from: the project model (see core's project-model), and what Nx knows of the workspace. */
export interface StageTargetsInput extends Omit<ProjectModel, 'name'> {
  /**
   * The stage packages Nx knows from the workspace's lockfile (see `lockfilePackages`): a cached stage whose package
   * is among them names it as its npm input, instead of Nx's default of every package in the lockfile.
   */
  lockfilePackages?: ReadonlySet<string>;
}

/** `{ externalDependencies }` naming the executor's package, when Nx knows it from the lockfile. */
function ownPackageInput(executor: string, known: ReadonlySet<string> | undefined): Array<{ externalDependencies: string[] }> {
  const name = executorPackage(executor);
  return known?.has(name) ? [{ externalDependencies: [name] }] : [];
}

/**
 * The interpreter verify (and compliance) start: on Windows the installed python.exe itself, started with none of
 * fipskit's variables; elsewhere the python stage's launcher. `plan` shows the same for a platform it plans for.
 */
export function verifiedPython(platform: string | undefined, interpreter: string | undefined, pythonOutput: string): string {
  return platform === 'win32' && interpreter ? interpreter : `${pythonOutput}/bin/python3`;
}

/**
 * The stage targets. Each declares exactly what its result depends on, so Nx reruns a stage only when
 * one of those changed, and never reuses the machine-specific fipsinstall output on another machine.
 */
export function stageTargets(input: StageTargetsInput): Record<string, TargetConfiguration> {
  const out = (stage: string) => `${input.outputDir}/${stage}`;
  // The OpenSSL prefix and FIPS configuration: this project's, or the shared OpenSSL project's.
  const opensslOut = (stage: 'openssl' | 'fips-config') => (input.shared ? `${input.shared.outputDir}/${stage}` : out(stage));
  const upstream = (target: 'openssl' | 'fips-config') => (input.shared ? { projects: [input.shared.project], target } : target);
  const windows = input.platform === 'win32';
  // A declared CC is the compiler the builds run: the cache key asks it (and the one behind ccache) for its version.
  const cc = windows ? undefined : input.environment?.CC;
  const environment = input.environment && Object.keys(input.environment).length ? { environment: input.environment } : {};
  const targets: Record<string, TargetConfiguration> = {
    sources: {
      executor: EXECUTORS.sources,
      // Cached under a key its executor's hasher completes with what the resolution reads: the Debian index it would
      // use as it is and what the archive answered about it. When the resolution would ask the archive (no index, one
      // older than indexMaxAgeHours, --refresh or FIPSKIT_REFRESH_SOURCES=1) or read a local source, the key is new and
      // the stage runs.
      cache: true,
      inputs: [
        // The fipskit code that resolves and locks (in a user's workspace, its package version too).
        { runtime: toolchainInput('sources') },
        ...ownPackageInput(EXECUTORS.sources, input.lockfilePackages),
      ],
      options: {
        ...(input.openssl ? { openssl: input.openssl } : {}),
        ...(input.fipsProvider ? { fipsProvider: input.fipsProvider } : {}),
        python: input.python,
        outputPath: out('sources'),
      },
      outputs: ['{options.outputPath}'],
      metadata: {
        description: 'Resolve the OpenSSL and CPython sources to exact versions and SHA-256 (openssl.source.json, cpython.source.json).',
      },
    },
    openssl: {
      executor: EXECUTORS.openssl,
      dependsOn: ['sources'],
      cache: true,
      inputs: [
        // The locked version and SHA-256 of the source (and of the provider's source): a new upstream release is a miss.
        { dependentTasksOutputFiles: '**/openssl.source.json' },
        ...(input.fipsProvider ? [{ dependentTasksOutputFiles: '**/openssl-fips-provider.source.json' }] : []),
        // The versions of compiler, perl and make (MSVC, its SDK, nmake and NASM on Windows), so an upgraded
        // toolchain is a miss. Not PATH or paths: another checkout or machine with the same tools shares the entry.
        // No environment variable: the build gets none that changes it (CC, CFLAGS … belong in the "environment"
        // option, which is part of the key like every option).
        { runtime: toolchainInput('openssl', undefined, cc) },
        // The fipskit packages that build it (with what they depend on), not every npm package of the workspace.
        ...ownPackageInput(EXECUTORS.openssl, input.lockfilePackages),
      ],
      options: {
        sourceLock: `${out('sources')}/openssl.source.json`,
        ...(input.fipsProvider ? { fipsProviderSourceLock: `${out('sources')}/openssl-fips-provider.source.json` } : {}),
        outputPath: out('openssl'),
        // The platform fipskit.json declares: built on another, the stage stops and names it.
        platform: input.platform,
        ...environment,
      },
      outputs: ['{options.outputPath}'],
      metadata: {
        description: 'Build OpenSSL with enable-fips: shared libraries, the FIPS provider and the openssl program, into a relocatable prefix.',
      },
    },
    'fips-config': {
      executor: EXECUTORS.fipsConfig,
      dependsOn: ['openssl'],
      cache: true,
      inputs: [
        // The exact FIPS module (its SHA-256 is in build-info.json).
        { dependentTasksOutputFiles: '**/build-info.json' },
        // fipsinstall output belongs to one machine (FIPS security policy) and the activation scripts hold absolute
        // paths: the cache entry is keyed to this machine and this checkout, so no other machine can ever restore it.
        { runtime: MACHINE_IDENTITY_INPUT },
        // The fipskit code that writes openssl.cnf and the activation scripts.
        { runtime: toolchainInput('fips-config') },
        ...ownPackageInput(EXECUTORS.fipsConfig, input.lockfilePackages),
      ],
      options: { opensslPath: out('openssl'), outputPath: out('fips-config'), profile: input.profile },
      outputs: ['{options.outputPath}'],
      metadata: {
        description: 'Run openssl fipsinstall on this machine (self-tests, module MAC), write openssl.cnf and fips-env scripts.',
      },
    },
    python: {
      executor: EXECUTORS.python,
      dependsOn: ['sources', upstream('openssl'), upstream('fips-config')],
      cache: true,
      inputs: [
        // The CPython source, the exact OpenSSL prefix (headers and libraries it links), the compiler.
        { dependentTasksOutputFiles: '**/cpython.source.json' },
        { dependentTasksOutputFiles: '**/build-info.json' },
        // The compiler's version, and the interpreter the modules are built for: its version and the SHA-256 of
        // its Python.h and pyconfig.h, so a patched interpreter package is a miss.
        { runtime: toolchainInput('python', input.mode === 'full' ? undefined : input.interpreter, cc) },
        ...ownPackageInput(EXECUTORS.python, input.lockfilePackages),
      ],
      options: {
        mode: input.mode,
        ...(input.mode === 'full' ? {} : { interpreter: input.interpreter }),
        sourceLock: `${out('sources')}/cpython.source.json`,
        opensslPath: opensslOut('openssl'),
        fipsConfigPath: opensslOut('fips-config'),
        outputPath: out('python'),
        platform: input.platform,
        ...environment,
      },
      outputs: ['{options.outputPath}'],
      metadata: {
        description: windows
          ? 'Build _ssl.pyd and _hashlib.pyd with PCbuild against the FIPS OpenSSL, for the installed interpreter.'
          : 'Build _ssl and _hashlib against the FIPS OpenSSL and lay out a FIPS Python around the interpreter (bin/python3), FIPS however it is started.',
      },
    },
    verify: {
      executor: EXECUTORS.verify,
      dependsOn: [windows ? 'install' : 'python'],
      // A proof about this machine, today: restored only under a key that holds everything its verdict depends on. The
      // inputs below name the files and the machine; its executor's hasher adds the day (UTC), the kernel's FIPS
      // switch, the audit report it cites, the environment and the Nx targets. On Windows it runs every time.
      cache: true,
      inputs: [
        // Every file of every stage output it checks, as it is on disk now: the Python, the FIPS configuration, OpenSSL.
        { dependentTasksOutputFiles: '**/*', transitive: true },
        // The interpreter it starts: its binary, standard library and site directories.
        // (An overlay's launcher starts the interpreter it was made from: that one's library and site directories count.)
        { runtime: toolchainInput('verify', input.mode === 'full' ? verifiedPython(input.platform, input.interpreter, out('python')) : input.interpreter) },
        // The fipsinstall binding holds on this machine and checkout only.
        { runtime: MACHINE_IDENTITY_INPUT },
        ...ownPackageInput(EXECUTORS.verify, input.lockfilePackages),
      ],
      options: {
        python: verifiedPython(input.platform, input.interpreter, out('python')),
        opensslPath: opensslOut('openssl'),
        fipsConfigPath: opensslOut('fips-config'),
        outputPath: out('verify'),
        // The evidence says whether the FIPS module that ran is one the audit target rebuilt from source.
        auditPath: out('audit'),
        profile: input.profile,
      },
      outputs: ['{options.outputPath}'],
      metadata: {
        description:
          'Prove FIPS mode from inside the Python: provider loaded and active, MD5 refused on every path, FIPS-only TLS against a local FIPS server; writes report.json.',
      },
    },
    build: {
      executor: 'nx:noop',
      dependsOn: ['verify'],
      metadata: {
        description: `Everything: ${input.shared ? `sources → (${input.shared.project}: openssl → fips-config) →` : 'sources → openssl → fips-config →'} python → ${windows ? 'install → ' : ''}verify.`,
      },
    },
    package: {
      executor: EXECUTORS.package,
      // Packed only from a Python that passed verify here; the bundle holds nothing verify wrote.
      dependsOn: ['verify'],
      cache: true,
      inputs: [
        // What is shipped, never this machine's FIPS configuration: the OpenSSL (build-info.json holds the SHA-256 of
        // every library and program) and the Python (fipskit-python.json holds its modules' and runtime's SHA-256).
        { dependentTasksOutputFiles: '**/build-info.json', transitive: true },
        { dependentTasksOutputFiles: '**/fipskit-python.json', transitive: true },
        // The interpreter an overlay copies and records (its version, headers and binary), and the fipskit code
        // that lays out the bundle and writes its scripts.
        { runtime: toolchainInput('python', input.mode === 'full' ? undefined : input.interpreter) },
        { runtime: toolchainInput('package') },
        ...ownPackageInput(EXECUTORS.package, input.lockfilePackages),
      ],
      options: {
        pythonPath: out('python'),
        opensslPath: opensslOut('openssl'),
        fipsConfigPath: opensslOut('fips-config'),
        outputPath: out('package'),
        profile: input.profile,
      },
      outputs: ['{options.outputPath}'],
      metadata: {
        description: windows
          ? "Pack _ssl, _hashlib, fipskit's runtime, OpenSSL and its FIPS provider with install.cmd and restore.cmd into <name>-<version>-win-amd64.zip for the Windows machines it runs on (no Node.js there); never this machine's FIPS configuration."
          : "Pack the FIPS Python, its OpenSSL and FIPS provider, bin/fipskit-setup and bin/fipskit-verify into <name>-<version>-<os>-<arch>.tar.gz for the machines it runs on (no Node.js there); never this machine's FIPS configuration.",
      },
    },
    ...(windows
      ? {}
      : {
          image: {
            executor: EXECUTORS.image,
            dependsOn: ['package'],
            cache: true,
            inputs: [
              // The bundle (bundle.json holds every shipped file's SHA-256) and the image's options; the default base is
              // made from Debian's archive and kept in fipskit's cache.
              { dependentTasksOutputFiles: '**/bundle.json' },
              { dependentTasksOutputFiles: '**/sbom.cdx.json' },
              { runtime: toolchainInput('package') },
              ...ownPackageInput(EXECUTORS.image, input.lockfilePackages),
            ],
            options: { packagePath: out('package'), outputPath: out('image') },
            outputs: ['{options.outputPath}'],
            metadata: {
              description:
                'An OCI image archive of the bundle (podman load / docker load), built without a daemon or registry on a minimal Debian base; its entry point writes the FIPS configuration before Python starts.',
            },
          },
        }),
    compliance: {
      executor: EXECUTORS.compliance,
      // Judges the last report again against the certificate data on a day: no build, nothing cached.
      cache: false,
      options: {
        reportPath: `${out('verify')}/report.json`,
        python: verifiedPython(input.platform, input.interpreter, out('python')),
        outputPath: out('compliance'),
      },
      outputs: ['{options.outputPath}'],
      metadata: {
        description:
          "Judge the last verification report again against fipskit's CMVP certificate data, today (--asOf, --data): a certificate can go historical without any rebuild. Fails when the claim changed.",
      },
    },
    doctor: {
      executor: EXECUTORS.doctor,
      // A check of this machine, now: never cached.
      cache: false,
      options: {},
      metadata: {
        description: 'Check that this machine has every tool the stages need (build tools, apt, the interpreter and its headers), building nothing.',
      },
    },
    plan: {
      executor: EXECUTORS.plan,
      // The plan reads the source locks, the shared project's OpenSSL lock among them.
      dependsOn: ['sources', ...(input.shared ? [{ projects: [input.shared.project], target: 'sources' }] : [])],
      // Prints and writes the commands; builds nothing, so there is nothing to cache.
      cache: false,
      options: {},
      metadata: {
        description: 'The exact commands and file operations of the whole pipeline for a platform (--platform=win32|linux|darwin), building nothing.',
      },
    },
    audit: {
      executor: EXECUTORS.audit,
      // The outputs as this workspace holds them (built, or restored from a cache) are what is audited.
      dependsOn: [upstream('openssl'), ...(windows ? [] : ['python'])],
      // A rebuild from source compared with what the cache delivered: running it is the point, so never cached.
      cache: false,
      options: { outputPath: out('audit'), ...(windows ? { stages: ['openssl'] } : {}) },
      outputs: ['{options.outputPath}'],
      metadata: {
        description:
          'Rebuild the OpenSSL (and Python) stage from source with no cache and compare every file with what this workspace holds; for CI on a schedule. verify cites audit.json.',
      },
    },
  };
  if (input.shared) {
    delete targets.openssl;
    delete targets['fips-config'];
  }
  if (windows) {
    targets.install = {
      executor: EXECUTORS.install,
      dependsOn: ['python'],
      // It changes the installed Python: never skipped because of a cache entry.
      cache: false,
      options: { pythonPath: out('python'), interpreter: input.interpreter, opensslPath: opensslOut('openssl'), profile: input.profile },
      metadata: {
        description:
          "Put _ssl.pyd, _hashlib.pyd, the OpenSSL DLLs and fipskit's runtime (python3XY.zip) into the interpreter, and this machine's FIPS configuration into OpenSSL's compiled-in directories, keeping every replaced file (restore puts them back).",
      },
    };
    targets.restore = {
      executor: EXECUTORS.restore,
      cache: false,
      options: { interpreter: input.interpreter, pythonPath: out('python'), opensslPath: opensslOut('openssl') },
      metadata: { description: 'Put back the files install replaced in the interpreter; refuses files changed since the install unless --force.' },
    };
  }
  return targets;
}
