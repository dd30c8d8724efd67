/** A Debian version split as dpkg does: `[epoch:]upstream[-revision]`. */
export interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

export function parseDebianVersion(version: string): DebianVersion {
  const colon = version.indexOf(':');
  const epoch = colon > 0 ? Number(version.slice(0, colon)) : 0;
  const rest = colon > 0 ? version.slice(colon + 1) : version;
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

/**
 * Debian Policy 5.6.12: `[epoch:]upstream_version[-debian_revision]`. The epoch is digits; the upstream version
 * starts with a digit and holds letters, digits and `. + ~` (and `-` only when a revision follows); the revision
 * holds letters, digits and `+ . ~`. E.g. `3.0.22-1~deb12u2`, `1:2.0`, `3.11.2-6+deb12u8`.
 */
export function isDebianVersion(version: string): boolean {
  const colon = version.indexOf(':');
  if (colon >= 0 && !/^\d+$/.test(version.slice(0, colon))) return false;
  const rest = version.slice(colon + 1);
  const dash = rest.lastIndexOf('-');
  if (dash < 0) return /^\d[A-Za-z0-9.+~]*$/.test(rest);
  return /^\d[A-Za-z0-9.+~-]*$/.test(rest.slice(0, dash)) && /^[A-Za-z0-9+.~]+$/.test(rest.slice(dash + 1));
}

/** Negative, zero or positive like dpkg --compare-versions (deb-version(7)), without needing dpkg. */
export function compareDebianVersions(a: string, b: string): number {
  const left = parseDebianVersion(a);
  const right = parseDebianVersion(b);
  if (left.epoch !== right.epoch) return left.epoch - right.epoch;
  return compareVersionPart(left.upstream, right.upstream) || compareVersionPart(left.revision, right.revision);
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** `~` sorts before everything, even the end of the string; letters before other characters. */
function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternating non-digit runs (by `order`) and digit runs (numerically). */
function compareVersionPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const difference = order(a[i]) - order(b[j]);
      if (difference) return difference;
      i++;
      j++;
    }
    const numberA = a.slice(i).match(/^\d*/)![0];
    const numberB = b.slice(j).match(/^\d*/)![0];
    i += numberA.length;
    j += numberB.length;
    const difference = compareDigits(numberA.replace(/^0+/, ''), numberB.replace(/^0+/, ''));
    if (difference) return difference;
  }
  return 0;
}

/** Digit strings of any length, without leading zeros. */
function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
