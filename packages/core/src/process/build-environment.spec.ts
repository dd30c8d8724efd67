import { ToolRunner } from './tool-runner';
import {
  assertEnvironmentOption,
  buildEnvironment,
  describeBuildEnvironment,
  inEnvironment,
  leftOutWarning,
  parseCompilerCommand,
  redactedEnvironment,
} from './build-environment';

const developer = {
  PATH: '/opt/tools/bin:/usr/bin',
  HOME: '/home/dev',
  TMPDIR: '/scratch',
  LANG: 'de_DE.UTF-8',
  CC: 'clang',
  CFLAGS: '-O0 -g',
  CPPFLAGS: '-DOPENSSL_NO_FOO',
  LDLIBS: '-lfoo',
  AR: 'llvm-ar',
  RANLIB: 'llvm-ranlib',
  CROSS_COMPILE: 'aarch64-linux-gnu-',
  OPENSSL_LOCAL_CONFIG_DIR: '/home/dev/cfg',
  SOURCE_DATE_EPOCH: '1',
  EDITOR: 'vim',
};

describe('the environment a build runs in', () => {
  it('POSIX: keeps only what locates the tools, fixes the locale, and leaves every build setting out with a warning', () => {
    const env = buildEnvironment({}, 'linux', developer);
    expect(env.variables).toEqual({ PATH: '/opt/tools/bin:/usr/bin', HOME: '/home/dev', TMPDIR: '/scratch', LC_ALL: 'C' });
    expect(env.leftOut).toEqual(['CC', 'CFLAGS', 'CPPFLAGS', 'LDLIBS', 'AR', 'RANLIB', 'CROSS_COMPILE', 'OPENSSL_LOCAL_CONFIG_DIR', 'SOURCE_DATE_EPOCH']);
    expect(leftOutWarning(env.leftOut.slice(0, 2), 'openssl')).toBe(
      'CC, CFLAGS are set in your environment and not passed to the openssl build: they change what is built, and the shared cache would hold the ' +
        'result under a clean build\'s key. If the build needs them, set them in the openssl target\'s "environment" option (part of its cache key).',
    );
    expect(leftOutWarning([], 'openssl')).toBeUndefined();
  });

  it('declared settings are added and are no longer reported as left out', () => {
    const env = buildEnvironment({ CC: 'ccache gcc', CFLAGS: '-O2' }, 'linux', developer);
    expect(env.variables).toMatchObject({ CC: 'ccache gcc', CFLAGS: '-O2', PATH: developer.PATH });
    expect(env.variables.CPPFLAGS).toBeUndefined();
    expect(env.leftOut).not.toContain('CC');
    expect(env.leftOut).not.toContain('CFLAGS');
    expect(env.declared).toEqual({ CC: 'ccache gcc', CFLAGS: '-O2' });
  });

  it('Windows: keeps the MSVC developer environment in its own spelling, drops CL and _CL_, and a declared value replaces any spelling', () => {
    const env = buildEnvironment({ PATH: 'C:\\tools' }, 'win32', {
      Path: 'C:\\Windows\\system32',
      SystemRoot: 'C:\\Windows',
      INCLUDE: 'C:\\VS\\include',
      LIB: 'C:\\VS\\lib',
      VCToolsVersion: '14.39.33519',
      WindowsSDKVersion: '10.0.22621.0\\',
      'ProgramFiles(x86)': 'C:\\Program Files (x86)',
      VCINSTALLDIR: 'C:\\VS\\VC\\',
      __VSCMD_PREINIT_PATH: 'C:\\Windows',
      UniversalCRTSdkDir: 'C:\\Kits\\10\\',
      MSBuildExtensionsPath: 'C:\\VS\\MSBuild',
      CL: '/Od',
      _CL_: '/DFOO',
      LINK: '/DEBUG',
      Configuration: 'Debug',
      EDITOR: 'notepad',
    });
    expect(env.variables).toEqual({
      PATH: 'C:\\tools',
      SystemRoot: 'C:\\Windows',
      INCLUDE: 'C:\\VS\\include',
      LIB: 'C:\\VS\\lib',
      VCToolsVersion: '14.39.33519',
      WindowsSDKVersion: '10.0.22621.0\\',
      'ProgramFiles(x86)': 'C:\\Program Files (x86)',
      VCINSTALLDIR: 'C:\\VS\\VC\\',
      __VSCMD_PREINIT_PATH: 'C:\\Windows',
      UniversalCRTSdkDir: 'C:\\Kits\\10\\',
      MSBuildExtensionsPath: 'C:\\VS\\MSBuild',
    });
    expect(env.leftOut).toEqual(['CL', '_CL_', 'LINK', 'Configuration']);
  });

  it('the option is checked: names, string values', () => {
    expect(assertEnvironmentOption(undefined)).toEqual({});
    expect(assertEnvironmentOption({ CC: 'gcc' })).toEqual({ CC: 'gcc' });
    expect(() => assertEnvironmentOption(['CC=gcc'])).toThrow('environment must map variable names to values, e.g. {"CC": "clang", "CFLAGS": "-O2"}.');
    expect(() => assertEnvironmentOption({ 'C C': 'gcc' })).toThrow('environment: "C C" is not a variable name');
    expect(() => assertEnvironmentOption({ CFLAGS: 2 })).toThrow('environment.CFLAGS must be a string without NUL characters.');
  });

  it('plans say what the build gets', () => {
    expect(describeBuildEnvironment({ CC: 'clang' }, 'linux')).toBe(
      'environment: only PATH, HOME, USER, LOGNAME, TMPDIR, and LC_ALL=C from yours; declared: CC=clang',
    );
    expect(describeBuildEnvironment({}, 'win32')).toMatch(/^environment: only PATH, PATHEXT, .*the MSVC developer environment .*; declared: nothing$/);
  });

  it("a real child started through inEnvironment sees exactly that environment, and a command's own changes on top", async () => {
    const lines: string[] = [];
    const runner = inEnvironment(new ToolRunner(), { PATH: process.env.PATH!, LC_ALL: 'C', CC: 'declared-cc' });
    process.env.FIPSKIT_TEST_LEAK = 'leaked';
    try {
      await runner.run(
        { program: process.execPath, args: ['-e', 'console.log(JSON.stringify(process.env))'], cwd: __dirname, env: { EXTRA: '1', CC: undefined } },
        { onLine: (l) => lines.push(l) },
      );
    } finally {
      delete process.env.FIPSKIT_TEST_LEAK;
    }
    const seen = JSON.parse(lines.join('')) as Record<string, string>;
    expect(seen.FIPSKIT_TEST_LEAK).toBeUndefined();
    expect(seen.CC).toBeUndefined();
    expect(seen).toMatchObject({ LC_ALL: 'C', EXTRA: '1', PATH: process.env.PATH });
  });
});

describe('what records and logs show of the declared environment', () => {
  const declared = {
    CC: 'ccache gcc',
    CFLAGS: '-O2 -I/opt/include',
    CCACHE_REMOTE_STORAGE: 'redis://builder:s3cr3t@cache.example:6379|connect-timeout=50',
    SCCACHE_WEBDAV_TOKEN: 'abcdefghijklmnop',
    HTTPS_PROXY: 'http://alice:pw@proxy.example:3128',
  };

  it('masks URL credentials and secret-named values, and leaves the rest as declared', () => {
    expect(redactedEnvironment(declared)).toEqual({
      CC: 'ccache gcc',
      CFLAGS: '-O2 -I/opt/include',
      CCACHE_REMOTE_STORAGE: 'redis://***@cache.example:6379|connect-timeout=50',
      SCCACHE_WEBDAV_TOKEN: '<redacted: 16 characters>',
      HTTPS_PROXY: 'http://***@proxy.example:3128',
    });
  });

  it('the plan line shows no secret, while the build itself gets the real values', () => {
    const line = describeBuildEnvironment(declared, 'linux');
    expect(line).not.toMatch(/s3cr3t|abcdefghijklmnop|alice:pw/);
    expect(line).toContain('CCACHE_REMOTE_STORAGE=redis://***@cache.example:6379');
    expect(buildEnvironment(declared, 'linux', { PATH: '/usr/bin' }).variables).toMatchObject(declared);
  });
});

describe('a CC value taken apart', () => {
  it.each([
    [undefined, { launchers: [], compiler: 'cc', args: [] }],
    ['gcc', { launchers: [], compiler: 'gcc', args: [] }],
    ['  ccache gcc -m64 ', { launchers: ['ccache'], compiler: 'gcc', args: ['-m64'] }],
    ['/usr/bin/sccache /opt/clang/bin/clang', { launchers: ['/usr/bin/sccache'], compiler: '/opt/clang/bin/clang', args: [] }],
    ['ccache', { launchers: [], compiler: 'ccache', args: [] }],
  ])('%s', (cc, expected) => {
    expect(parseCompilerCommand(cc)).toEqual(expected);
  });
});
