import { WINDOWS_MAX_PATH, windowsPathProblem } from './windows-paths';

describe('windowsPathProblem: what openssl.exe could not use', () => {
  it('accepts a path in the ANSI code page (cp1252: ë, (x86), an apostrophe) and refuses a character outside it, naming it', () => {
    expect(windowsPathProblem("C:\\Users\\Zoë\\Zoë's (x86) workspace\\dist", 'The output')).toBeUndefined();
    expect(windowsPathProblem('C:\\Users\\Жанна\\dist', 'The output')).toMatch(
      /^The output C:\\Users\\Жанна\\dist holds "Ж" \(U\+0416\), "а" \(U\+0430\), "н" \(U\+043D\), outside the ANSI code page 1252 .*\(ASCII always works\)/,
    );
    // The same path on a Cyrillic Windows (cp1251) is fine; on a double-byte code page nothing is judged.
    expect(windowsPathProblem('C:\\Users\\Жанна\\dist', 'The output', { codePage: 1251 })).toBeUndefined();
    expect(windowsPathProblem('C:\\Users\\中文\\dist', 'The output', { codePage: 936 })).toBeUndefined();
    expect(windowsPathProblem('C:\\Users\\中文\\dist', 'The output', { codePage: 1252 })).toMatch(/"中" \(U\+4E2D\)/);
  });

  it('refuses a path of MAX_PATH characters or more, counting what the program appends', () => {
    const at = (length: number) => `C:\\${'a'.repeat(length - 3)}`;
    expect(windowsPathProblem(at(WINDOWS_MAX_PATH - 1), 'The output')).toBeUndefined();
    expect(windowsPathProblem(at(WINDOWS_MAX_PATH), 'The output')).toMatch(
      /is 260 characters long: .* cannot open paths of 260 characters or more\. Move the workspace to a shorter path/,
    );
    expect(windowsPathProblem(at(240), 'The output', { room: 20 })).toMatch(/is 240 characters long \(20 more for the files in it\)/);
  });

  it('refuses ";" only in a directory that goes on PATH', () => {
    expect(windowsPathProblem('C:\\a;b\\bin', 'The OpenSSL program directory', { onPath: true })).toMatch(/holds ";": it goes on PATH/);
    expect(windowsPathProblem('C:\\a;b\\out', 'The output')).toBeUndefined();
  });
});
