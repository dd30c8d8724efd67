import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { RecordingRunner } from '@fipskit/core';
import installExecutor, { defaultBackupDir, legacyBackupDir } from './executor';
import restoreExecutor from '../restore/executor';
import { makeInstalledPython } from '../../testing/installed-python';

/** Every file under dir with its bytes' SHA-256 and mode (on Windows only the read-only attribute shows in it): "byte-identical" made checkable. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out[relative(dir, path)] = `${createHash('sha256').update(readFileSync(path)).digest('hex')} ${statSync(path).mode.toString(8)}`;
    }
  };
  walk(dir);
  return out;
}

describe('install and restore executors on a directory laid out like an installed Windows Python', () => {
  let root: string;
  let pythonDir: string;
  let interpreter: string;
  let context: ExecutorContext;
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fipskit-install-'));
    // "C:\Program Files\Python311" with a non-ASCII user elsewhere in the path.
    pythonDir = makeInstalledPython(join(root, 'Zoë', 'Program Files', 'Python311'));
    interpreter = join(pythonDir, 'python.exe');
    writeFileSync(join(pythonDir, 'DLLs', '_ssl.pyd'), 'python.org _ssl');
    writeFileSync(join(pythonDir, 'DLLs', '_hashlib.pyd'), 'python.org _hashlib');
    writeFileSync(join(pythonDir, 'DLLs', 'libcrypto-1_1.dll'), 'python.org libcrypto');
    const built = join(root, 'ws', 'dist', 'p', 'python');
    mkdirSync(join(built, 'DLLs'), { recursive: true });
    const install: Record<string, string> = {};
    for (const name of ['_hashlib.pyd', '_ssl.pyd', 'libcrypto-3-x64.dll', 'libssl-3-x64.dll']) {
      writeFileSync(join(built, 'DLLs', name), `fipskit ${name}`);
      install[`DLLs/${name}`] = sha(`fipskit ${name}`);
    }
    writeFileSync(join(built, 'python311.zip'), 'fipskit runtime');
    install['python311.zip'] = sha('fipskit runtime');
    writeFileSync(
      join(built, 'fipskit-python.json'),
      JSON.stringify({ mode: 'pcbuild', source: { version: '3.11.2' }, openssl: { version: '3.0.9' }, install }),
    );
    // The openssl stage's output; its build compiled in a prefix under "Program Files" (a POSIX stand-in here).
    compiledIn = join(root, 'Zoë', 'Program Files', 'fipskit', 'openssl-3.0.9');
    const openssl = join(root, 'ws', 'dist', 'p', 'openssl');
    mkdirSync(join(openssl, 'lib', 'ossl-modules'), { recursive: true });
    writeFileSync(join(openssl, 'lib', 'ossl-modules', 'fips.dll'), 'fips provider');
    writeFileSync(
      join(openssl, 'build-info.json'),
      JSON.stringify({
        version: '3.0.9',
        // The compiled-in paths are this machine's own (a stand-in for C:\\Program Files on Linux).
        platform: process.platform === 'win32' ? 'win32' : 'linux',
        configure: {
          target: 'VC-WIN64A',
          arguments: ['VC-WIN64A', 'enable-fips', `--prefix=${compiledIn}`, `--openssldir=${join(compiledIn, 'ssl')}`],
          scope: 'full',
        },
        fipsProvider: { version: '3.0.9', module: 'lib/ossl-modules/fips.dll' },
        layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include', openssldir: 'ssl' },
        artifacts: {},
      }),
    );
    context = { root: join(root, 'ws'), projectName: 'p', cwd: root, isVerbose: false } as unknown as ExecutorContext;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  let compiledIn: string;
  const backupDir = () => join(root, 'backups', 'p');
  const options = () => ({ pythonPath: 'dist/p/python', interpreter, opensslPath: 'dist/p/openssl', profile: 'strict' as const, backupDir: backupDir() });
  const SECTION = '[fips_sect]\nactivate = 1\nmodule-mac = 0A:0B\ninstall-status = INSTALL_SELF_TEST_KATS_RUN\n';
  /** Stands in for openssl.exe and python.exe: fipsinstall writes its section, list shows the provider, the probe passes. */
  const windowsTools = (providers = ['  fips', '    status: active']) =>
    new RecordingRunner()
      .respond((c) => c.args[0] === 'fipsinstall' && c.args.includes('-out'), { effect: (c) => writeFileSync(c.args[c.args.indexOf('-out') + 1], SECTION) })
      .respond((c) => c.args[0] === 'list', { output: ['Providers:', ...providers] })
      .respond(() => true, { output: ['OpenSSL 3.0.9 30 May 2023 FIPS mode, MD5 refused'] });

  it('runs fipsinstall here, installs with a backup into the Python and the compiled-in directories, proves python.exe FIPS with no variables, and restore leaves everything byte-identical', async () => {
    const before = snapshot(pythonDir);
    const runner = windowsTools();
    const printed: string[] = [];
    expect(await installExecutor(options(), context, { runner, print: (l) => printed.push(l), host: 'win32' })).toEqual({ success: true });
    expect(readFileSync(join(pythonDir, 'DLLs', '_ssl.pyd'), 'utf8')).toBe('fipskit _ssl.pyd');
    expect(readFileSync(join(pythonDir, 'DLLs', 'libssl-3-x64.dll'), 'utf8')).toBe('fipskit libssl-3-x64.dll');
    expect(readFileSync(join(pythonDir, 'python311.zip'), 'utf8')).toBe('fipskit runtime');
    // CPython's own OpenSSL 1.1 DLL is not ours to touch.
    expect(readFileSync(join(pythonDir, 'DLLs', 'libcrypto-1_1.dll'), 'utf8')).toBe('python.org libcrypto');
    expect(readFileSync(join(root, 'backups', 'p', 'originals', '1-_ssl.pyd'), 'utf8')).toBe('python.org _ssl');
    // Where a process that sets no OPENSSL_CONF / OPENSSL_MODULES looks: this machine's section in openssl.cnf, the provider beside.
    expect(readFileSync(join(compiledIn, 'lib', 'ossl-modules', 'fips.dll'), 'utf8')).toBe('fips provider');
    expect(readFileSync(join(compiledIn, 'ssl', 'fipsmodule.cnf'), 'utf8')).toBe(SECTION);
    const cnf = readFileSync(join(compiledIn, 'ssl', 'openssl.cnf'), 'utf8');
    expect(cnf).toContain('# FIPS configuration written by fipskit (profile: strict).');
    expect(cnf).toContain('[fips_sect]\nactivate = 1\nmodule-mac = 0A:0B\n');
    const openssl = join(root, 'ws', 'dist', 'p', 'openssl');
    const [install, verify, restrict, list, probe] = runner.commands;
    // The backup is writable by administrators and SYSTEM only before anything is kept in it: restore copies from it, elevated.
    expect([restrict.program, ...restrict.args]).toEqual([
      'icacls',
      backupDir(),
      '/inheritance:r',
      '/grant:r',
      '*S-1-5-32-544:(OI)(CI)F',
      '*S-1-5-18:(OI)(CI)F',
    ]);
    expect([install.program, ...install.args.slice(0, 5)]).toEqual([
      join(openssl, 'bin', 'openssl.exe'),
      'fipsinstall',
      '-module',
      join(openssl, 'lib', 'ossl-modules', 'fips.dll'),
      '-out',
      expect.stringMatching(/install-fips-configuration[\\/]fipsmodule\.cnf$/),
    ]);
    expect(verify.args.at(-1)).toBe('-verify');
    expect(list.args).toEqual(['list', '-providers', '-verbose']);
    expect(list.env).toMatchObject({ OPENSSL_CONF: undefined, OPENSSL_MODULES: undefined });
    expect(probe.program).toBe(join(pythonDir, 'python.exe'));
    expect(probe.args.slice(0, 2)).toEqual(['-I', '-c']);
    expect(probe.env).toMatchObject({ OPENSSL_CONF: undefined, OPENSSL_MODULES: undefined, PYTHONPATH: undefined });
    expect(printed.at(-1)).toContain('nx run p:restore puts them back');

    // Installing the same build again changes nothing.
    expect(await installExecutor(options(), context, { runner: windowsTools(), print: () => undefined, host: 'win32' })).toEqual({ success: true });

    const restored: string[] = [];
    // A record naming a file this build never installs is refused: restore knows the build's paths from the stage outputs.
    const recordFile = join(backupDir(), 'fipskit-python-install.json');
    const record = readFileSync(recordFile, 'utf8');
    const outputs = { pythonPath: 'dist/p/python', opensslPath: 'dist/p/openssl' };
    writeFileSync(
      recordFile,
      record.split(JSON.stringify(join(pythonDir, 'DLLs', 'libssl-3-x64.dll'))).join(JSON.stringify(join(pythonDir, 'DLLs', 'sqlite3.dll'))),
    );
    const refused: string[] = [];
    expect(await restoreExecutor({ interpreter, backupDir: backupDir(), ...outputs }, context, { print: (l) => refused.push(l) })).toEqual({ success: false });
    expect(refused.join('\n')).toContain(`it names ${join(pythonDir, 'DLLs', 'sqlite3.dll')}, which the install of this build never writes`);
    writeFileSync(recordFile, record);

    expect(await restoreExecutor({ interpreter, backupDir: backupDir(), ...outputs }, context, { print: (l) => restored.push(l) })).toEqual({ success: true });
    expect(restored.join('\n')).not.toContain('without the python and openssl stage outputs');
    expect(snapshot(pythonDir)).toEqual(before);
    expect(existsSync(join(root, 'Zoë', 'Program Files', 'fipskit'))).toBe(false);
    expect(restored).toContain(`[restore] original put back: ${join(pythonDir, 'DLLs', '_hashlib.pyd')}, ${join(pythonDir, 'DLLs', '_ssl.pyd')}`);
    expect(restored.join('\n')).toContain(`[restore] removed (fipskit had added it): ${join(pythonDir, 'DLLs', 'libcrypto-3-x64.dll')}`);
  });

  it('refuses a backupDir inside the workspace, where git clean would take the originals, before anything runs', async () => {
    const before = snapshot(pythonDir);
    const runner = windowsTools();
    const printed: string[] = [];
    expect(await installExecutor({ ...options(), backupDir: 'tmp/backups' }, context, { runner, print: (l) => printed.push(l), host: 'win32' })).toEqual({
      success: false,
    });
    expect(printed.join('\n')).toContain(
      "backupDir tmp/backups is inside the workspace, where git clean -fdX or a fresh checkout would take the Python's originals with it",
    );
    expect(runner.commands).toEqual([]);
    expect(snapshot(pythonDir)).toEqual(before);
  });

  it('installs nothing when the backup directory cannot be restricted to administrators (not elevated)', async () => {
    const before = snapshot(pythonDir);
    const runner = new RecordingRunner().respond((c) => c.program === 'icacls', { exitCode: 5, output: ['Access is denied.'] });
    const tools = windowsTools();
    const printed: string[] = [];
    const both = {
      run: (c: Parameters<typeof tools.run>[0], o?: Parameters<typeof tools.run>[1]) => (c.program === 'icacls' ? runner.run(c, o) : tools.run(c, o)),
    };
    expect(await installExecutor(options(), context, { runner: both, print: (l) => printed.push(l), host: 'win32' })).toEqual({ success: false });
    expect(printed.join('\n')).toContain(
      `icacls could not restrict ${backupDir()} to administrators (exit code 5): run the install from an elevated (Administrator) prompt. Nothing was installed.`,
    );
    expect(snapshot(pythonDir)).toEqual(before);
    expect(existsSync(join(backupDir(), 'fipskit-python-install.json'))).toBe(false);
  });

  it('fails when OpenSSL without variables does not find the FIPS provider in its compiled-in directories', async () => {
    const printed: string[] = [];
    expect(
      await installExecutor(options(), context, { runner: windowsTools(['  default', '    status: active']), print: (l) => printed.push(l), host: 'win32' }),
    ).toEqual({ success: false });
    expect(printed.join('\n')).toContain(
      `The FIPS provider is not active for a process without OPENSSL_CONF: ${join(compiledIn, 'ssl', 'openssl.cnf')} was not read`,
    );
  });

  it('restore refuses a file the user changed after the install, and force keeps it aside', async () => {
    await installExecutor(options(), context, { runner: windowsTools(), print: () => undefined, host: 'win32' });
    writeFileSync(join(pythonDir, 'DLLs', '_ssl.pyd'), 'a newer _ssl from a Python update');
    const printed: string[] = [];
    expect(await restoreExecutor({ interpreter, backupDir: backupDir() }, context, { print: (l) => printed.push(l) })).toEqual({ success: false });
    expect(printed.join('\n')).toMatch(/_ssl\.pyd/);
    expect(readFileSync(join(pythonDir, 'DLLs', '_ssl.pyd'), 'utf8')).toBe('a newer _ssl from a Python update');
    expect(await restoreExecutor({ interpreter, force: true, backupDir: backupDir() }, context, { print: () => undefined })).toEqual({ success: true });
    expect(readFileSync(join(pythonDir, 'DLLs', '_ssl.pyd'), 'utf8')).toBe('python.org _ssl');
    expect(readFileSync(join(root, 'backups', 'p', 'changed-after-install', '1-_ssl.pyd'), 'utf8')).toBe('a newer _ssl from a Python update');
  });

  it('restore after an install that never ran says so and succeeds, changing nothing', async () => {
    const before = snapshot(pythonDir);
    const printed: string[] = [];
    expect(await restoreExecutor({ interpreter, backupDir: backupDir() }, context, { print: (l) => printed.push(l) })).toEqual({ success: true });
    expect(printed).toEqual([
      `[restore] nothing to restore: fipskit has not installed anything with the backup directory ${backupDir()} (it holds no fipskit-python-install.json); ${pythonDir} was left as it is`,
    ]);
    expect(snapshot(pythonDir)).toEqual(before);
    expect(existsSync(backupDir())).toBe(false);
  });

  it('refuses a built file that is not what the python stage recorded, before touching the Python', async () => {
    writeFileSync(join(root, 'ws', 'dist', 'p', 'python', 'DLLs', '_hashlib.pyd'), 'tampered');
    const before = snapshot(pythonDir);
    const printed: string[] = [];
    expect(await installExecutor(options(), context, { runner: new RecordingRunner(), print: (l) => printed.push(l), host: 'win32' })).toEqual({
      success: false,
    });
    expect(printed.join('\n')).toMatch(/_hashlib\.pyd is not the file the python stage built .* Nothing was installed\./);
    expect(snapshot(pythonDir)).toEqual(before);
  });

  it('refuses a Python of another version', async () => {
    writeFileSync(join(pythonDir, 'include', 'patchlevel.h'), '#define PY_VERSION "3.11.9"\n');
    const printed: string[] = [];
    expect(await installExecutor(options(), context, { runner: new RecordingRunner(), print: (l) => printed.push(l), host: 'win32' })).toEqual({
      success: false,
    });
    expect(printed.join('\n')).toContain(`is Python 3.11.9 (python311.dll, ${join('include', 'patchlevel.h')}), but the modules are built from CPython 3.11.2`);
    expect(readFileSync(join(pythonDir, 'DLLs', '_ssl.pyd'), 'utf8')).toBe('python.org _ssl');
  });

  it('shows the steps with dryRun on any host, and refuses a real install off Windows', async () => {
    const printed: string[] = [];
    expect(
      await installExecutor({ ...options(), interpreter: 'C:\\Program Files\\Python311\\python.exe', dryRun: true, platform: 'win32' }, context, {
        print: (l) => printed.push(l),
        host: 'linux',
      }),
    ).toEqual({ success: true });
    expect(printed.join('\n')).toContain("6. Install into C:\\Program Files\\Python311 and OpenSSL's compiled-in directories");
    const refused: string[] = [];
    expect(await installExecutor(options(), context, { print: (l) => refused.push(l), host: 'linux' })).toEqual({ success: false });
    expect(refused.join('\n')).toContain('On Linux and macOS the python stage makes a FIPS Python of its own');
  });
});

describe('the default backup directory', () => {
  it('is one per Python, outside the workspace (git clean -fdX cannot take the way back), on Windows where only administrators write', () => {
    const env = { ProgramData: 'C:\\ProgramData', LOCALAPPDATA: 'C:\\Users\\Zoë\\AppData\\Local' };
    const windows = defaultBackupDir('C:\\Program Files\\Python311', env, 'win32', 'C:\\Users\\Zoë');
    expect(windows).toMatch(/^C:\\ProgramData\\fipskit\\install-backups\\Python311-[0-9a-f]{16}$/);
    // An earlier fipskit's place, in the user's data directory, under the same name: restore still finds those records.
    expect(legacyBackupDir('C:\\Program Files\\Python311', env, 'C:\\Users\\Zoë')).toBe(windows.replace('C:\\ProgramData', 'C:\\Users\\Zoë\\AppData\\Local'));
    // The same Python, however its path is spelled, has one backup directory; another Python has its own.
    expect(defaultBackupDir('c:\\program files\\python311\\', env, 'win32', 'C:\\Users\\Zoë').toLowerCase()).toBe(windows.toLowerCase());
    expect(defaultBackupDir('C:\\Python311', env, 'win32', 'C:\\Users\\Zoë')).not.toBe(windows);
    expect(defaultBackupDir('/opt/py', {}, 'linux', '/home/z')).toMatch(/^\/home\/z\/\.local\/share\/fipskit\/install-backups\/py-[0-9a-f]{16}$/);
    expect(defaultBackupDir('/opt/py', { XDG_DATA_HOME: '/data' }, 'linux', '/home/z')).toMatch(/^\/data\/fipskit\/install-backups\/py-/);
  });
});
