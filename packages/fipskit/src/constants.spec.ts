import { execFileSync } from 'node:child_process';
import { toolchainInput } from './constants';

/** What sh makes of the runtime input's arguments: the node program replaced by printf, one argument a line. */
function shellArguments(runtime: string): string[] {
  const line = runtime.replace(/^node -r \S+ -e 0 /, "printf '%s\\n' ");
  return execFileSync('sh', ['-c', line], { encoding: 'utf8' }).split('\n').slice(0, -1);
}

describe('the toolchain runtime input Nx runs through the shell', () => {
  it('hands sh each value as one argument, spaces and &|<>;() included', () => {
    const runtime = toolchainInput('python', "/opt/Zoë's tools (x86)/py & co/bin/python3", 'ccache gcc -O2; | <>');
    expect(shellArguments(runtime)).toEqual(['python', "/opt/Zoë's tools (x86)/py & co/bin/python3", '--cc', 'ccache gcc -O2; | <>']);
  });

  it('refuses a trailing backslash, which would turn the closing quote into a literal one and run the next value as commands', () => {
    // The line it would make, run for real: the CC value escapes its quotes and sh runs it.
    const unsafe = 'node -r x -e 0 python "/usr/bin/python3.11\\" --cc "; echo injected #"';
    expect(shellArguments(unsafe)).toContain('injected');
    expect(() => toolchainInput('python', '/usr/bin/python3.11\\', '; echo injected #')).toThrow(
      'The interpreter path /usr/bin/python3.11\\ contains a quote, $, `, %, a line break or a trailing backslash: install Python in a plain path.',
    );
    expect(() => toolchainInput('openssl', undefined, 'gcc\\')).toThrow(
      'The CC gcc\\ contains a quote, $, `, %, a line break or a trailing backslash: use a plain path.',
    );
  });

  it.each([['a"b'], ['$(id)'], ['`id`'], ['%PATH%'], ['a\nb']])('refuses %j', (value) => {
    expect(() => toolchainInput('openssl', undefined, value)).toThrow(/contains a quote/);
  });
});
