import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceLock, plannedBuildInfo } from '@fipskit/core';
import { normalizeOptions } from './normalize-options';

const lock: SourceLock = {
  product: 'cpython',
  version: '3.11.2',
  origin: 'url',
  sha256: 'a'.repeat(64),
  fileName: 'Python-3.11.2.tgz',
  location: 'https://x/Python-3.11.2.tgz',
  verification: 't',
};

describe('python options per platform', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'fipskit-pyopts-'));
    mkdirSync(join(root, 'dist', 'p', 'sources'), { recursive: true });
    writeFileSync(join(root, 'dist', 'p', 'sources', 'cpython.source.json'), JSON.stringify(lock));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const base = {
    sourceLock: 'dist/p/sources/cpython.source.json',
    opensslPath: 'dist/p/openssl',
    fipsConfigPath: 'dist/p/fips-config',
    outputPath: 'dist/p/python',
  };
  const planned = { openssl: plannedBuildInfo({ ...lock, product: 'openssl', version: '3.0.9' }, 'win32') };
  const win = 'C:\\Program Files\\Python311\\python.exe';

  it('a Windows plan made on Linux: pcbuild by default, Windows paths under a stand-in root, PCbuild files read here', () => {
    const options = normalizeOptions({ ...base, interpreter: win, platform: 'win32', dryRun: true }, { root, projectName: 'p' }, 'linux', planned);
    expect(options).toMatchObject({
      mode: 'pcbuild',
      platform: 'win32',
      route: 'import-library',
      outputDir: 'C:\\workspace\\dist\\p\\python',
      opensslPrefix: 'C:\\workspace\\dist\\p\\openssl',
      buildDir: 'C:\\workspace\\tmp\\fipskit\\p\\python',
      hostBuildDir: join(root, 'tmp', 'fipskit', 'p', 'python-plan-win32'),
    });
    expect(options.openssl.version).toBe('3.0.9');
  });

  it.each([
    [
      { interpreter: win, platform: 'win32' as const },
      'linux',
      /cannot be cross-built here\. Build on a win32 machine, set platform in fipskit\.json to linux.*--dryRun to see the win32 plan/,
    ],
    [
      { interpreter: win, platform: 'win32' as const, dryRun: true, mode: 'overlay' as const },
      'linux',
      /mode "overlay" does not fit platform win32: Windows uses "pcbuild"/,
    ],
    [
      { interpreter: '/usr/bin/python3.11', mode: 'pcbuild' as const },
      'linux',
      /mode "pcbuild" does not fit platform linux: Windows uses "pcbuild", Linux and macOS use "overlay" or "full"/,
    ],
    [
      { interpreter: 'python.exe', platform: 'win32' as const, dryRun: true },
      'linux',
      /interpreter "python.exe" must be an absolute path \(e\.g\. C:\\Program Files\\Python311\\python\.exe\)/,
    ],
    [{ platform: 'win32' as const, dryRun: true }, 'linux', /mode "pcbuild" needs interpreter/],
    [{ interpreter: '/usr/bin/python3.11', route: 'full-core' as const }, 'linux', /route is only for mode "pcbuild"/],
    [
      { interpreter: '/usr/bin/python3.11', testSuite: true },
      'linux',
      /testSuite is only for mode "full".*mode "overlay" uses the tests of the interpreter it starts/,
    ],
  ])('refuses %j on %s before any work', (options, host, message) => {
    expect(() => normalizeOptions({ ...base, ...options }, { root, projectName: 'p' }, host as 'linux', planned)).toThrow(message);
  });
});
