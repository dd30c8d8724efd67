import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProgramView, normalizeOptions } from './normalize-options';

/** A Windows OpenSSL prefix in a workspace, seen by the programs as a drive path (as Wine or Windows would). */
function windowsWorkspace(name: string) {
  const root = join(mkdtempSync(join(tmpdir(), 'fipskit-win-')), name);
  const prefix = join(root, 'dist', 'p', 'openssl');
  mkdirSync(join(prefix, 'lib', 'ossl-modules'), { recursive: true });
  writeFileSync(join(prefix, 'lib', 'ossl-modules', 'fips.dll'), 'module');
  writeFileSync(
    join(prefix, 'build-info.json'),
    JSON.stringify({
      version: '3.0.22',
      platform: 'win32',
      fipsProvider: { version: '3.0.22', validated: false, status: 'FIPS-capable, not validated', module: 'lib/ossl-modules/fips.dll' },
      layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include', openssldir: 'ssl' },
      artifacts: {},
    }),
  );
  return root;
}
const view = (codePage?: number): ProgramView => ({
  platform: 'win32',
  toProgram: (path) => `Z:${path.split('/').join('\\')}`,
  ...(codePage ? { codePage } : {}),
});
const options = { opensslPath: 'dist/p/openssl', outputPath: 'dist/p/fips-config' };

describe('fips-config for Windows refuses paths openssl.exe could not use, before fipsinstall runs', () => {
  it('accepts a workspace in the ANSI code page', () => {
    const root = windowsWorkspace("Zoë's (x86) workspace");
    expect(normalizeOptions(options, { root, projectName: 'p' }, view()).paths.openssl).toMatch(/^Z:.*\\bin\\openssl\.exe$/);
  });

  it('refuses characters outside the code page, naming the path and the fix; the same workspace on a Cyrillic Windows is fine', () => {
    const root = windowsWorkspace('Жанна');
    expect(() => normalizeOptions(options, { root, projectName: 'p' }, view())).toThrow(
      /^The OpenSSL program directory Z:.*Жанна.* outside the ANSI code page 1252 .*fipsinstall would fail deep inside/,
    );
    expect(() => normalizeOptions(options, { root, projectName: 'p' }, view(1251))).not.toThrow();
  });

  it('refuses an output directory whose files would pass MAX_PATH, and a ";" in the program directory', () => {
    const long = windowsWorkspace('w'.repeat(180));
    expect(() => normalizeOptions(options, { root: long, projectName: 'p' }, view())).toThrow(
      /The fips-config output directory .* characters long \(\d+ more for the files in it\): .* set a shorter outputPath/,
    );
    const semicolon = windowsWorkspace('a;b');
    expect(() => normalizeOptions(options, { root: semicolon, projectName: 'p' }, view())).toThrow(
      /^The OpenSSL program directory .*a;b.* holds ";": it goes on PATH/,
    );
  });
});
