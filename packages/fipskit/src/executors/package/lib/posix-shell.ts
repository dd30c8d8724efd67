import type { Command } from '@fipskit/core';

/**
 * Where a path starts at the bundle's root in the commands a bundle script runs. The root is known only on the target
 * (the script computes it from its own location), so the script's words are rendered with `"$root"` in its place.
 */
export const ROOT = '@ROOT@';
/** The script's scratch directory, likewise known only when it runs. */
export const WORK = '@WORK@';

const VARIABLES: Record<string, string> = { [ROOT]: '"$root"', [WORK]: '"$work"' };

/** One shell word: literal parts single-quoted where needed, the placeholders as their shell variables. */
export function shellWord(text: string): string {
  const literal = (part: string) => (part === '' ? '' : /^[A-Za-z0-9_\-+=.,/:%^]+$/.test(part) ? part : `'${part.replace(/'/g, `'\\''`)}'`);
  const word = text
    .split(/(@ROOT@|@WORK@)/)
    .map((part) => VARIABLES[part] ?? literal(part))
    .join('');
  return word === '' ? "''" : word;
}

/**
 * A command as one line of POSIX shell: `env` with the variables it removes (`-u`) and sets, then the program and its
 * arguments. It is the same Command the stages run, so a bundle script runs what the fips-config stage runs.
 */
export function shellCommand(command: Pick<Command, 'program' | 'args' | 'env'>): string {
  const entries = Object.entries(command.env ?? {});
  const unset = entries.filter(([, value]) => value === undefined).flatMap(([name]) => ['-u', name]);
  const set = entries.filter(([, value]) => value !== undefined).map(([name, value]) => shellWord(`${name}=${value}`));
  const env = entries.length ? ['env', ...unset, ...set] : [];
  return [...env, shellWord(command.program), ...command.args.map(shellWord)].join(' ');
}
