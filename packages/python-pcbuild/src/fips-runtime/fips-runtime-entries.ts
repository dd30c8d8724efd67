import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Python side of a fipskit Python (src/fips-runtime): wrappers for `_ssl` and `_hashlib`, the
 * activation and FIPS check they run first, the routing of the built-in hash modules, and a sitecustomize
 * that activates at start-up. They go into the interpreter's zip slot (`python3XY.zip` beside the standard
 * library), the first entry of sys.path however the interpreter is started.
 */
export const FIPS_RUNTIME_DIR = __dirname;

const RUNTIME_FILES = ['_fipskit_boot.py', '_fipskit_hashes.py', '_ssl.py', '_hashlib.py', 'sitecustomize.py'];

/** The first import of every start (-S, -I, -E included): it installs fipskit's import guard, then is the standard library's encodings. */
const START_PACKAGE = 'encodings/__init__.py';

/** Python's own hash modules, by every name CPython gave them (3.12 merged _sha256 and _sha512 into _sha2): compiled in, in lib-dynload, or absent; every name is routed to OpenSSL. */
export const ROUTED_BUILTINS = ['_md5', '_sha1', '_sha256', '_sha512', '_sha2', '_sha3', '_blake2'];

/** CPython's own cryptography with no OpenSSL counterpart to route to (3.14's HACL* HMAC): refused, so hmac uses OpenSSL. */
export const REFUSED_BUILTINS = ['_hmac'];

/**
 * Where the runtime finds the rest, relative to the zip's directory (so the tree can move) or absolute
 * (a Windows install, where OpenSSL's compiled-in directories hold the configuration).
 */
export interface FipsRuntimeLayout {
  /** Directory of each real extension module; the file is picked by the interpreter's own extension suffixes. */
  extensions: { _ssl: string; _hashlib: string };
  opensslConf?: string;
  opensslModules?: string;
  /** Linux and Windows: the directory the one loaded libcrypto must come from. */
  libcryptoDir?: string;
  /** Windows: the file name of fipskit's libcrypto DLL (`libcrypto-3-x64.dll`): a libcrypto of another name (python.org's `libcrypto-3.dll`, after an upgrade put its `_hashlib.pyd` back) is refused. */
  libcryptoFile?: string;
  /**
   * The file beside opensslConf that binds the configuration to the machine fipsinstall ran on (core's BINDING_FILE):
   * a configuration carried to another machine is refused.
   */
  machineBinding?: string;
  /** The Nx project, for the commands messages name. */
  project?: string;
}

/**
 * An installed Windows Python: the real modules in its `DLLs\`, and the configuration and modules in the
 * directories fipskit's OpenSSL compiled in (absolute), which the install fills.
 */
export function windowsRuntimeLayout(compiledIn: { opensslDir: string; modulesDir: string }, libcryptoFile?: string): FipsRuntimeLayout {
  return {
    extensions: { _ssl: 'DLLs', _hashlib: 'DLLs' },
    ...(libcryptoFile ? { libcryptoDir: 'DLLs', libcryptoFile } : {}),
    opensslConf: `${compiledIn.opensslDir.replace(/[\\/]+$/, '')}\\openssl.cnf`,
    opensslModules: compiledIn.modulesDir,
  };
}

/** `python311.zip`: the name getpath puts first on sys.path for CPython 3.11. */
export function zipSlotName(version: string): string {
  const [major, minor] = version.split('.');
  return `python${major}${minor}.zip`;
}

/** For interpreters without built-in hash modules (and ahead of lib-dynload ones): one tiny module per name. */
export function routedStubModule(name: string): string {
  return `# fipskit: ${name} routed to OpenSSL (see _fipskit_hashes).\nfrom _fipskit_hashes import ROUTED as _ROUTED\n\nglobals().update(_ROUTED[${JSON.stringify(name)}])\n`;
}

/** A module that refuses to load, with an ImportError: hmac then takes OpenSSL's HMAC. */
export function refusedStubModule(name: string): string {
  return `# fipskit: ${name} is CPython's own cryptography, outside OpenSSL's FIPS provider.\nraise ImportError("fipskit: ${name} is CPython's own cryptography, outside OpenSSL's FIPS provider; this FIPS Python does not load it", name=${JSON.stringify(name)})\n`;
}

export function renderLayoutModule(layout: FipsRuntimeLayout): string {
  const ordered = {
    extensions: { _ssl: layout.extensions._ssl, _hashlib: layout.extensions._hashlib },
    ...(layout.opensslConf ? { opensslConf: layout.opensslConf } : {}),
    ...(layout.opensslModules ? { opensslModules: layout.opensslModules } : {}),
    ...(layout.libcryptoDir ? { libcryptoDir: layout.libcryptoDir } : {}),
    ...(layout.libcryptoFile ? { libcryptoFile: layout.libcryptoFile } : {}),
    ...(layout.machineBinding ? { machineBinding: layout.machineBinding } : {}),
    ...(layout.project ? { project: layout.project } : {}),
  };
  // JSON of strings and objects only is also a Python literal.
  return `# Written by fipskit for this build: relative paths start at this zip's directory.\nLAYOUT = ${JSON.stringify(ordered, null, 4)}\n`;
}

/** The zip slot's entries, in a fixed order (the archive is the same bytes for the same layout). */
export function fipsRuntimeEntries(layout: FipsRuntimeLayout, dir = FIPS_RUNTIME_DIR): Array<{ name: string; content: string }> {
  return [
    ...RUNTIME_FILES.map((name) => ({ name, content: readFileSync(join(dir, name), 'utf8') })),
    { name: '_fipskit_layout.py', content: renderLayoutModule(layout) },
    ...ROUTED_BUILTINS.map((name) => ({ name: `${name}.py`, content: routedStubModule(name) })),
    ...REFUSED_BUILTINS.map((name) => ({ name: `${name}.py`, content: refusedStubModule(name) })),
    { name: START_PACKAGE, content: readFileSync(join(dir, ...START_PACKAGE.split('/')), 'utf8') },
  ];
}
