/**
 * The CPython releases fipskit builds `_ssl` and `_hashlib` for. CPython supports OpenSSL 3 from 3.10 on (PEP 644
 * made 1.1.1 the minimum there, and 3.0's provider API is what FIPS mode needs); 3.14 is the newest release whose
 * built-in hash modules (`_sha2`, `_hmac`, `_blake2` …) fipskit's start-up routes to OpenSSL. An interpreter outside
 * the range would either not build or run with a built-in hash fipskit does not know: it is refused up front.
 */
export const SUPPORTED_PYTHON = { lowest: [3, 10], highest: [3, 14] } as const;

const shown = (version: readonly number[]) => version.join('.');

/** Why a CPython version (3.11.2, or a prefix such as 3.11) cannot be built for, or undefined. `what` names it. */
export function pythonVersionProblem(version: string, what: string): string | undefined {
  const match = /^(\d+)\.(\d+)/.exec(version.trim());
  const range = `CPython ${shown(SUPPORTED_PYTHON.lowest)} to ${shown(SUPPORTED_PYTHON.highest)}`;
  if (!match) return `${what} is not a CPython version such as 3.11.2 (fipskit builds for ${range}).`;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const below = major < SUPPORTED_PYTHON.lowest[0] || (major === SUPPORTED_PYTHON.lowest[0] && minor < SUPPORTED_PYTHON.lowest[1]);
  const above = major > SUPPORTED_PYTHON.highest[0] || (major === SUPPORTED_PYTHON.highest[0] && minor > SUPPORTED_PYTHON.highest[1]);
  if (below) {
    return (
      `${what} is Python ${version}: fipskit builds for ${range} (CPython supports OpenSSL 3 from ${shown(SUPPORTED_PYTHON.lowest)} on). ` +
      'Install a Python in that range (Debian/Ubuntu: apt-get install python3.11 python3.11-dev) and name it instead.'
    );
  }
  if (above) {
    return (
      `${what} is Python ${version}: fipskit builds for ${range}, and does not yet know the built-in hash modules of ${major}.${minor} ` +
      '(a FIPS Python must route every one to OpenSSL). Use a Python in that range.'
    );
  }
  return undefined;
}
