import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Python files that route the built-in hash modules to OpenSSL (see python/_fipskit_hashes.py). */
export interface RoutingSources {
  /** `_fipskit_hashes.py`: the OpenSSL-backed constructors. */
  hashes: string;
  /** `_hashlib.py`: the overlay's wrapper that loads our _hashlib and installs the routing. */
  overlayWrapper: string;
}

export const ROUTED_BUILTINS = ['_md5', '_sha1', '_sha256', '_sha512', '_sha3', '_blake2'];

export function readRoutingSources(dir = join(__dirname, '..', 'python')): RoutingSources {
  return {
    hashes: readFileSync(join(dir, '_fipskit_hashes.py'), 'utf8'),
    overlayWrapper: readFileSync(join(dir, '_hashlib.py'), 'utf8'),
  };
}

/** For a full build, which has no built-in hash modules: one tiny stdlib module per name. */
export function routedStubModule(name: string): string {
  return `# fipskit: ${name} routed to OpenSSL (see _fipskit_hashes).\nfrom _fipskit_hashes import ROUTED as _ROUTED\n\nglobals().update(_ROUTED[${JSON.stringify(name)}])\n`;
}
