import { request } from 'node:https';
import type { SourceSpec } from '@fipskit/core';

/** How long the generator waits for an answer: it only says what it sees, and never holds a project back. */
const TIMEOUT_MS = 4000;

/** Whether this machine gets an answer (any HTTP status) from a URL's server within a few seconds. */
export function reaches(url: string, timeoutMs = TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (value: boolean) => {
      if (!settled) resolve((settled = true) && value);
    };
    try {
      const req = request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
        res.resume();
        done(true);
      });
      req.on('timeout', () => {
        req.destroy();
        done(false);
      });
      req.on('error', () => done(false));
      req.end();
    } catch {
      done(false);
    }
  });
}

/**
 * What to tell the user when this machine cannot download a source the project names: the build would stop at the
 * download. Each unreachable source is named with the route that works offline.
 */
export async function unreachableSources(sources: Array<{ option: string; localOptions: string; spec: SourceSpec | undefined }>, probe = reaches): Promise<string[]> {
  const warnings: string[] = [];
  for (const { option, localOptions, spec } of sources) {
    if (spec?.kind !== 'url') continue;
    if (await probe(spec.url)) continue;
    warnings.push(
      `This machine gets no answer from ${new URL(spec.url).host}, where the ${option} source ${spec.url} comes from: the build would stop at its download. ` +
        `Download it where it can be reached, check its SHA-256 (${spec.sha256}), and generate the project with ${localOptions}; or use Debian's sources (--opensslSource=debian).`,
    );
  }
  return warnings;
}
