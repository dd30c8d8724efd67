import type { ExecutorContext } from '@nx/devkit';

const IDENTITY_SCRIPT = 'toolchain-identity.js';

/** The `--cc` a target's toolchain runtime input passes (undefined: the default compiler), or null when it has none. */
export function toolchainInputCompiler(inputs: unknown[] | undefined): string | undefined | null {
  const runtime = (inputs ?? [])
    .map((input) => (typeof input === 'object' && input !== null && 'runtime' in input ? String((input as { runtime: unknown }).runtime) : ''))
    .find((command) => command.includes(IDENTITY_SCRIPT));
  if (runtime === undefined) return null;
  return /\s--cc\s+"([^"]*)"/.exec(runtime)?.[1] ?? /\s--cc\s+(\S+)/.exec(runtime)?.[1];
}

/**
 * Refuses a declared CC that the cache key does not follow: the target's toolchain input must ask the same compiler
 * the build runs, or a compiler upgrade would restore binaries the old one made. A target without that input is the
 * user's choice and is left alone.
 */
export function assertCompilerInCacheKey(
  context: Pick<ExecutorContext, 'projectName' | 'targetName' | 'projectsConfigurations'>,
  declaredCc: string | undefined,
): void {
  const { projectName, targetName } = context;
  if (!projectName || !targetName) return;
  const target = context.projectsConfigurations?.projects[projectName]?.targets?.[targetName];
  const keyed = toolchainInputCompiler(target?.inputs as unknown[] | undefined);
  if (keyed === null) return;
  const declared = declaredCc?.trim() || undefined;
  if (keyed === declared) return;
  const runtime = (target!.inputs as Array<{ runtime?: string }>).find((input) => input.runtime?.includes(IDENTITY_SCRIPT))!.runtime!;
  const fixed = runtime.replace(/\s--cc\s+("[^"]*"|\S+)/, '') + (declared ? ` --cc "${declared}"` : '');
  throw new Error(
    `${projectName}:${targetName} builds with ${declared ? `CC "${declared}" (its "environment" option)` : 'the default compiler'}, but its cache key asks ` +
      `${keyed ? `"${keyed}"` : 'the default compiler'} for its version (the toolchain runtime input). Change that input to ` +
      `{"runtime": "${fixed.replace(/"/g, '\\"')}"} so a compiler upgrade is a cache miss. Nothing was built.`,
  );
}
