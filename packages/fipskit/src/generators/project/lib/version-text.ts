/**
 * A version option as the user typed it. `nx g` parses its arguments with numbers on, so `--opensslVersion=3.5`
 * arrives as the number 3.5, and `--opensslVersion=3.10` as 3.1: the text is taken back from the command line when it
 * is there (the Nx CLI runs the generator in its own process), else the number's own text.
 */
export function versionText(option: string, value: string | number | undefined, argv: readonly string[] = process.argv): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  const flags = [`--${option}`, `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`];
  for (let i = 0; i < argv.length; i++) {
    for (const flag of flags) {
      const typed = argv[i].startsWith(`${flag}=`) ? argv[i].slice(flag.length + 1) : argv[i] === flag ? argv[i + 1] : undefined;
      if (typed !== undefined && Number(typed) === value) return typed;
    }
  }
  return String(value);
}
