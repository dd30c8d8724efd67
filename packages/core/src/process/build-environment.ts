import { basename } from 'node:path';
import { Command, ProcessResult, ProcessRunner, RunOptions } from './command';
import { TargetPlatform } from '../platform/target-platform';

/**
 * What reaches a build's programs from the developer's environment: where the tools are and where to write, never
 * a setting that changes what is built. OpenSSL's Configure, CPython's configure, make and MSBuild all read compiler
 * settings from the whole environment, so an inherited `CPPFLAGS` would reach the shared cache under a clean
 * build's key. A setting the build needs is declared in the target's `environment` option instead: options are
 * part of the cache key, and build-info records them.
 */
const PASSED_THROUGH: Record<'posix' | 'win32', readonly string[]> = {
  posix: ['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR'],
  win32: [
    'PATH',
    'PATHEXT',
    'SystemRoot',
    'SystemDrive',
    'windir',
    'ComSpec',
    'TEMP',
    'TMP',
    'USERPROFILE',
    'USERNAME',
    'APPDATA',
    'LOCALAPPDATA',
    'ProgramData',
    'ProgramFiles',
    'ProgramFiles(x86)',
    'ProgramW6432',
    'CommonProgramFiles',
    'CommonProgramFiles(x86)',
    'CommonProgramW6432',
    'NUMBER_OF_PROCESSORS',
    'PROCESSOR_ARCHITECTURE',
    'OS',
    'INCLUDE',
    'LIB',
    'LIBPATH',
    'EXTERNAL_INCLUDE',
    'IFCPATH',
    'Platform',
    'CommandPromptType',
  ],
};

/**
 * The rest of the MSVC developer environment (vcvars) by family: which compiler, SDK, headers and libraries, and
 * where MSBuild finds its targets. The toolchain identity in the cache key names the compiler (VCToolsVersion,
 * cl's banner) and the SDK (WindowsSDKVersion) these select.
 */
const MSVC_ENVIRONMENT = /^(VS|VC|__VSCMD|Windows|UCRT|UniversalCRT|Framework|NETFX|MSBuild|DevEnv|ExtensionSdk)/i;

/**
 * Variables that change what OpenSSL's Configure, CPython's configure, GNU make, the compilers and linkers, MSVC's
 * cl/link and MSBuild build; set in the developer's environment, each is left out with a warning.
 */
export const BUILD_SETTING_VARIABLES: readonly string[] = [
  'CC',
  'CXX',
  'CPP',
  'CFLAGS',
  'CXXFLAGS',
  'CPPFLAGS',
  'LDFLAGS',
  'LDLIBS',
  'LIBS',
  'AR',
  'ARFLAGS',
  'AS',
  'ASFLAGS',
  'LD',
  'NM',
  'OBJCOPY',
  'RANLIB',
  'RC',
  'RCFLAGS',
  'MT',
  'CROSS_COMPILE',
  'PERL',
  'HASHBANGPERL',
  'PERL5LIB',
  'PERL5OPT',
  'PERLLIB',
  'OPENSSL_LOCAL_CONFIG_DIR',
  'BUILDFILE',
  'SOURCE_DATE_EPOCH',
  'MAKEFLAGS',
  'MFLAGS',
  'GNUMAKEFLAGS',
  'CPATH',
  'C_INCLUDE_PATH',
  'LIBRARY_PATH',
  'GCC_EXEC_PREFIX',
  'COMPILER_PATH',
  'PKG_CONFIG_PATH',
  'PKG_CONFIG_LIBDIR',
  'PYTHON_FOR_BUILD',
  'CONFIG_SITE',
  'LD_LIBRARY_PATH',
  'LD_PRELOAD',
  'DYLD_LIBRARY_PATH',
  'MACOSX_DEPLOYMENT_TARGET',
  'SDKROOT',
  'CL',
  '_CL_',
  'LINK',
  '_LINK_',
  'ML',
  'ML64',
  'MSBUILDEMITSOLUTION',
  'Configuration',
  'PlatformToolset',
];

const NAME = /^[A-Za-z_][A-Za-z0-9_()]*$/;

export interface BuildEnvironment {
  /** Every variable the build's programs get, and nothing else. */
  variables: Record<string, string>;
  /** The target's declared settings (its `environment` option), as build-info records them. */
  declared: Record<string, string>;
  /** Build settings present in the developer's environment and not passed on, for a warning. */
  leftOut: string[];
}

/** Checks the `environment` option: a plain map of variable names to strings. */
export function assertEnvironmentOption(declared: unknown, option = 'environment'): Record<string, string> {
  if (declared === undefined) return {};
  if (typeof declared !== 'object' || declared === null || Array.isArray(declared)) {
    throw new Error(`${option} must map variable names to values, e.g. {"CC": "clang", "CFLAGS": "-O2"}.`);
  }
  for (const [name, value] of Object.entries(declared)) {
    if (!NAME.test(name)) throw new Error(`${option}: "${name}" is not a variable name (letters, digits and "_", not starting with a digit).`);
    if (typeof value !== 'string' || value.includes('\0')) throw new Error(`${option}.${name} must be a string without NUL characters.`);
  }
  return { ...(declared as Record<string, string>) };
}

/**
 * The environment a build runs in: the developer's variables that only locate tools and scratch space, a fixed
 * locale (compiler messages in one language, the same in every log), and the target's declared settings on top.
 */
export function buildEnvironment(declared: Record<string, string>, platform: TargetPlatform, parent: NodeJS.ProcessEnv = process.env): BuildEnvironment {
  const windows = platform === 'win32';
  const lookup = (name: string) =>
    windows ? Object.keys(parent).find((k) => k.toLowerCase() === name.toLowerCase()) : parent[name] !== undefined ? name : undefined;
  const variables: Record<string, string> = {};
  for (const name of PASSED_THROUGH[windows ? 'win32' : 'posix']) {
    const key = lookup(name);
    if (key !== undefined && parent[key] !== undefined) variables[key] = parent[key]!;
  }
  if (windows) {
    for (const [key, value] of Object.entries(parent)) {
      if (value !== undefined && MSVC_ENVIRONMENT.test(key) && !BUILD_SETTING_VARIABLES.some((name) => name.toLowerCase() === key.toLowerCase()))
        variables[key] = value;
    }
  }
  if (!windows) variables.LC_ALL = 'C';
  for (const [name, value] of Object.entries(declared)) {
    const existing = windows ? Object.keys(variables).find((k) => k.toLowerCase() === name.toLowerCase()) : undefined;
    if (existing) delete variables[existing];
    variables[name] = value;
  }
  const leftOut = BUILD_SETTING_VARIABLES.filter((name) => {
    const key = lookup(name);
    return key !== undefined && parent[key] !== undefined && parent[key] !== '' && !(name in declared);
  });
  return { variables, declared, leftOut };
}

/** Names whose values are secrets: what a record or a log shows of them is their length only. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|ACCESS_KEY|PRIVATE_KEY|AUTH/i;
/** `scheme://user:password@host`: the user and password of a URL (a ccache or sccache remote storage, a proxy). */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;

/**
 * The declared environment as records and logs show it (build-info.json, plans, the evidence): a value whose name says
 * it is a secret is shown by its length, and the credentials of a URL in any value are masked. The cache key still
 * takes the real values (they are Nx environment inputs); only what is written down changes.
 */
export function redactedEnvironment(variables: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [
      name,
      SECRET_NAME.test(name) ? `<redacted: ${value.length} characters>` : value.replace(URL_CREDENTIALS, '$1***@'),
    ]),
  );
}

/** One line for plans: what the build's programs get from the developer's environment, and what is declared. */
export function describeBuildEnvironment(declared: Record<string, string>, platform: TargetPlatform): string {
  const passed = PASSED_THROUGH[platform === 'win32' ? 'win32' : 'posix'];
  const shown =
    platform === 'win32'
      ? [...passed.slice(0, 6), '… the MSVC developer environment (INCLUDE, LIB, VCToolsVersion, WindowsSDKVersion …)']
      : [...passed, 'and LC_ALL=C'];
  const settings = Object.entries(redactedEnvironment(declared)).map(([k, v]) => `${k}=${v}`);
  return `environment: only ${shown.join(', ')} from yours; declared: ${settings.length ? settings.join(' ') : 'nothing'}`;
}

/** The warning for settings left out of a build, naming them and where they belong. */
export function leftOutWarning(leftOut: string[], stage: string): string | undefined {
  if (leftOut.length === 0) return undefined;
  const names = leftOut.join(', ');
  return (
    `${names} ${leftOut.length === 1 ? 'is' : 'are'} set in your environment and not passed to the ${stage} build: ` +
    `${leftOut.length === 1 ? 'it changes' : 'they change'} what is built, and the shared cache would hold the result under a clean build's key. ` +
    `If the build needs ${leftOut.length === 1 ? 'it' : 'them'}, set ${leftOut.length === 1 ? 'it' : 'them'} in the ${stage} target's "environment" option (part of its cache key).`
  );
}

/** A runner whose every command starts from `variables` instead of a copy of this process's environment. */
export function inEnvironment(runner: ProcessRunner, variables: Record<string, string>): ProcessRunner {
  return {
    run(command: Command, options?: RunOptions): Promise<ProcessResult> {
      return runner.run({ ...command, baseEnv: command.baseEnv ?? variables }, options);
    },
  };
}

/** Programs that run the compiler named after them (`CC="ccache gcc"`): the compiler is the next word. */
const COMPILER_LAUNCHERS = new Set(['ccache', 'sccache', 'distcc', 'icecc', 'buildcache']);

/** A `CC` value taken apart: launchers in front, the compiler, and its own arguments. */
export interface CompilerCommand {
  launchers: string[];
  compiler: string;
  args: string[];
}

export function parseCompilerCommand(cc: string | undefined, fallback = 'cc'): CompilerCommand {
  const words = (cc ?? '').trim().split(/\s+/).filter(Boolean);
  const launchers: string[] = [];
  while (words.length > 1 && COMPILER_LAUNCHERS.has(basename(words[0]).replace(/\.exe$/i, ''))) launchers.push(words.shift()!);
  return { launchers, compiler: words[0] ?? fallback, args: words.slice(1) };
}
