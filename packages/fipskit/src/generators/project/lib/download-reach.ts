import { type SourceSpec, reaches } from '@fipskit/core';

/**
 * What to tell the user when this machine cannot download a source the project names: the build would stop at the
 * download. Each unreachable source is named with the route that works offline.
 */
export async function unreachableSources(
  sources: Array<{ option: string; localOptions: string; spec: SourceSpec | undefined }>,
  probe = reaches,
): Promise<string[]> {
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
