import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  Command,
  OUTPUT_MARKER,
  ProcessResult,
  compiledInDirectories,
  providerIsActive,
  readBuildInfo,
  readFipsSection,
  renderOpenSslCnf,
  sha256File,
} from '@fipskit/core';
import { normalizePackageOptions, packBundle } from '../../packages/fipskit/src/executors/package/executor';
import { fakePe, makeInstalledPython } from '../../packages/python-pcbuild/src/testing/installed-python';
import { WORKSPACE } from '../support/workspace';
import { Wine, WineRunner, cmdScriptCommand, startWine, stopWine, toUnixPath, toWindowsPath } from '../support/wine';
import { copyWindowsOpenSsl } from './build-wine-openssl';

/**
 * A Windows bundle as the package target makes it, unzipped on "another machine" (a Wine prefix) under a path with a
 * space, an apostrophe, a non-ASCII letter and "(x86)", and its install.cmd and restore.cmd run by the real cmd.exe
 * of Wine with the real Windows openssl.exe and fips.dll (the MinGW-w64 build of the locked OpenSSL): fipsinstall on
 * that machine, openssl.cnf where the build compiled it in, the Python's files replaced with their originals kept,
 * and everything put back. Wine has no python.exe that runs: install.cmd's last step, which starts python.exe and
 * requires FIPS mode, must fail there, loudly, and leave restore.cmd a record to undo the install.
 */
// install.cmd hashes every file of the bundle with openssl.exe first: ~0.3 s a file under Wine.
jest.setTimeout(5 * 60_000);

const workspace = join(WORKSPACE, 'tmp', 'wine work', "Zoë's (x86) bundle");
const win = toWindowsPath;
const PYTHON = 'C:\\Program Files\\Python311';

let wine: Wine;
let runner: WineRunner;
let top: string;
let bundleDir: string;
let data: string;
const at = (windowsPath: string) => toUnixPath(windowsPath, wine.prefix);

async function run(command: Command): Promise<ProcessResult & { lines: string[]; text: string }> {
  const lines: string[] = [];
  const result = await runner.run(command, { onLine: (line) => lines.push(line), allowFailure: true });
  return { ...result, lines, text: lines.join('\n') };
}

const script = (name: string, args: string[] = []) => run(cmdScriptCommand(win(join(bundleDir, name)), args, win(bundleDir)));
const opensslWithoutVariables = (args: string[]) =>
  run({
    program: win(join(bundleDir, 'openssl', 'bin', 'openssl.exe')),
    args,
    cwd: win(workspace),
    env: { OPENSSL_CONF: undefined, OPENSSL_MODULES: undefined },
  });
const backupDir = () => at('C:\\ProgramData\\fipskit\\install-backups\\C_Program_Files_Python311');
const compiledIn = () => compiledInDirectories(readBuildInfo(join(workspace, 'dist', 'fleet', 'openssl')));

/** The python stage's output for a pcbuild project, as far as packing reads it: the files to install and their record. */
async function pythonStageOutput(dir: string): Promise<void> {
  mkdirSync(join(dir, 'DLLs'), { recursive: true });
  writeFileSync(join(dir, 'DLLs', '_ssl.pyd'), fakePe(0x8664, 'fipskit _ssl'));
  writeFileSync(join(dir, 'DLLs', '_hashlib.pyd'), fakePe(0x8664, 'fipskit _hashlib'));
  writeFileSync(join(dir, 'DLLs', 'libcrypto-3-x64.dll'), readFileSync(join(workspace, 'dist', 'fleet', 'openssl', 'bin', 'libcrypto-3-x64.dll')));
  writeFileSync(join(dir, 'python311.zip'), 'fipskit runtime');
  const install: Record<string, string> = {};
  for (const path of ['DLLs/_hashlib.pyd', 'DLLs/_ssl.pyd', 'DLLs/libcrypto-3-x64.dll', 'python311.zip'])
    install[path] = await sha256File(join(dir, ...path.split('/')));
  const manifest = {
    mode: 'pcbuild',
    interpreter: { path: `${PYTHON}\\python.exe`, version: '3.11.2' },
    source: { version: '3.11.2' },
    platform: 'win32',
    launcher: null,
    install,
  };
  writeFileSync(join(dir, 'fipskit-python.json'), JSON.stringify(manifest, null, 2));
}

beforeAll(async () => {
  rmSync(workspace, { recursive: true, force: true });
  copyWindowsOpenSsl(WORKSPACE, join(workspace, 'dist', 'fleet', 'openssl'));
  await pythonStageOutput(join(workspace, 'dist', 'fleet', 'python'));
  const options = normalizePackageOptions(
    {
      pythonPath: 'dist/fleet/python',
      opensslPath: 'dist/fleet/openssl',
      fipsConfigPath: 'dist/fleet/fips-config',
      outputPath: 'dist/fleet/package',
      profile: 'rhel-compatible',
    },
    { root: workspace, projectName: 'fleet' },
  );
  const bundle = await packBundle(
    options,
    {
      run: async () => {
        throw new Error('packing a Windows bundle runs no program');
      },
    },
    () => undefined,
  );
  top = bundle.name;
  // Unzipped by Python's zipfile, as any unzip tool would.
  const target = join(workspace, 'target machine');
  mkdirSync(target, { recursive: true });
  execFileSync('python3', ['-m', 'zipfile', '-e', join(workspace, 'dist', 'fleet', 'package', `${top}.zip`), target]);
  bundleDir = join(target, top);
  data = join(workspace, 'data.txt');
  writeFileSync(data, 'fipskit under Wine\n');
  wine = startWine();
  runner = new WineRunner(wine);
  for (const dir of ['C:\\Program Files\\fipskit', 'C:\\ProgramData\\fipskit', PYTHON, 'C:\\Python312']) rmSync(at(dir), { recursive: true, force: true });
  makeInstalledPython(at(PYTHON));
}, 5 * 60_000);

afterAll(() => {
  if (wine) stopWine(wine);
});

describe('the Windows bundle the package target writes', () => {
  it('is <name>-<version>-win-amd64.zip with install.cmd, restore.cmd, the files to install, openssl.exe and fips.dll, each listed in bundle.json with its SHA-256', () => {
    expect(top).toBe('fleet-3.11.2-win-amd64');
    expect(readdirSync(join(workspace, 'dist', 'fleet', 'package')).sort()).toEqual([OUTPUT_MARKER, 'SHA256SUMS', 'bundle.json', `${top}.zip`].sort());
    const bundle = JSON.parse(readFileSync(join(bundleDir, 'share', 'fipskit', 'bundle.json'), 'utf8'));
    for (const path of [
      'install.cmd',
      'restore.cmd',
      'install.ps1',
      'restore.ps1',
      'README.txt',
      'python/DLLs/_ssl.pyd',
      'python/python311.zip',
      'openssl/bin/openssl.exe',
      'openssl/lib/ossl-modules/fips.dll',
    ]) {
      expect(bundle.files[path]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(Object.keys(bundle.files).some((path) => /include\/|\.a$|\.lib$/.test(path))).toBe(false);
    expect(bundle.python).toMatchObject({ mode: 'pcbuild', launcher: null, installsInto: PYTHON });
    expect(readFileSync(join(bundleDir, 'install.cmd'), 'latin1')).toMatch(/^@echo off\r\n/);
  });
});

describe('install.cmd and restore.cmd under the real cmd.exe, on a machine with a python.org Python in C:\\Program Files', () => {
  let originalSsl: Buffer;
  let install: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    originalSsl = readFileSync(join(at(PYTHON), 'DLLs', '_ssl.pyd'));
    install = await script('install.cmd');
  }, 5 * 60_000);

  it("runs fipsinstall there and writes openssl.cnf with that machine's section where the build compiled it in, so openssl.exe with no variable is in FIPS mode", async () => {
    // The programs' output is in the log, not on the terminal, unless a step fails.
    const log = readFileSync(join(backupDir(), 'install.log'), 'latin1');
    expect(log).toContain('INSTALL PASSED');
    expect(log).toContain('VERIFY PASSED');
    expect(install.text).not.toContain('INSTALL PASSED');
    const cnf = readFileSync(join(at(compiledIn().opensslDir), 'openssl.cnf'), 'latin1');
    expect(cnf).toMatch(/^module-mac = [0-9A-F:]{95}\r?$/m);
    expect(cnf).toMatch(/^\[fips_sect\]\r?$/m);
    expect(cnf).not.toContain('.include');
    // The batch file's openssl.cnf is the one the install target writes from the same fipsmodule.cnf, byte for byte but CRLF.
    const moduleCnf = join(at(compiledIn().opensslDir), 'fipsmodule.cnf');
    expect(cnf.replace(/\r\n/g, '\n')).toBe(renderOpenSslCnf(readFipsSection(readFileSync(moduleCnf, 'utf8'), moduleCnf), 'rhel-compatible'));
    expect(existsSync(join(at(compiledIn().modulesDir), 'fips.dll'))).toBe(true);
    const providers = await opensslWithoutVariables(['list', '-providers', '-verbose']);
    expect(providerIsActive(providers.lines, 'fips')).toBe(true);
    expect((await opensslWithoutVariables(['dgst', '-md5', win(data)])).exitCode).not.toBe(0);
  });

  it("puts the bundle's files into the Python, keeping each original", () => {
    expect(readFileSync(join(at(PYTHON), 'DLLs', '_ssl.pyd')).toString()).toContain('fipskit _ssl');
    expect(readFileSync(join(at(PYTHON), 'python311.zip'), 'utf8')).toBe('fipskit runtime');
    const record = readFileSync(join(backupDir(), 'fipskit-install.txt'), 'latin1');
    expect(record).toMatch(/^fipskit-install\|1\|fleet-3\.11\.2-win-amd64\r?$/m);
    // _ssl.pyd (index 1 in the bundle's sorted list) was there: kept; python311.zip (index 3) was not.
    expect(record).toMatch(/^file\|1\|1\|[0-9a-f]{64}\|[0-9a-f]{64}\r?$/m);
    expect(record).toMatch(/^file\|3\|-\|-\|[0-9a-f]{64}\r?$/m);
    expect(readFileSync(join(backupDir(), 'originals', '1')).equals(originalSsl)).toBe(true);
  });

  it("fails, loudly and with that step's output, at its last step: python.exe (here one that cannot start) must prove FIPS mode", () => {
    expect(install.exitCode).toBe(1);
    const failed = install.lines.findIndex((line) =>
      /^fipskit: python\.exe, started with none of fipskit's variables, is in FIPS mode failed \(exit code [1-9]\d*\); the whole log is C:\\ProgramData\\fipskit\\install-backups\\C_Program_Files_Python311\\install\.log\.$/.test(
        line,
      ),
    );
    expect(failed).toBeGreaterThan(0);
    // Wine's cmd.exe names the command it could not start: the probe's python.exe and the script shipped for it.
    expect(install.lines.slice(0, failed).join('\n')).toMatch(/python\.exe" -I ".*share\\fipskit\\files\\\d+\.py"/);
    expect(install.text).toMatch(/restore\.cmd puts the originals back/);
  });

  it('refuses to install over a recorded install: restore.cmd first', async () => {
    const again = await script('install.cmd');
    expect(again.exitCode).toBe(1);
    expect(again.text).toMatch(/an install into C:\\Program Files\\Python311 is already recorded .*run restore\.cmd first/);
    expect(readFileSync(join(at(PYTHON), 'DLLs', '_ssl.pyd')).toString()).toContain('fipskit _ssl');
  });

  it('restore.cmd refuses while a file was changed since the install, and names it', async () => {
    writeFileSync(join(at(PYTHON), 'python311.zip'), 'changed by someone after the install');
    const refused = await script('restore.cmd');
    expect(refused.exitCode).toBe(1);
    expect(refused.text).toMatch(/changed since the install: C:\\Program Files\\Python311\\python311\.zip\. Nothing was restored/);
    expect(readFileSync(join(at(PYTHON), 'DLLs', '_ssl.pyd')).toString()).toContain('fipskit _ssl');
  });

  it('restore.cmd /force keeps the changed file aside and puts everything back: the originals, no fipskit directory, openssl.exe back on the default provider', async () => {
    const restored = await script('restore.cmd', ['/force']);
    expect(restored.text).toContain('are as they were before the install');
    expect(restored.exitCode).toBe(0);
    expect(readFileSync(join(at(PYTHON), 'DLLs', '_ssl.pyd')).equals(originalSsl)).toBe(true);
    expect(existsSync(join(at(PYTHON), 'python311.zip'))).toBe(false);
    expect(readFileSync(join(backupDir(), 'changed-after-install', '3'), 'utf8')).toBe('changed by someone after the install');
    expect(existsSync(at('C:\\Program Files\\fipskit'))).toBe(false);
    expect(existsSync(join(backupDir(), 'fipskit-install.txt'))).toBe(false);
    const providers = await opensslWithoutVariables(['list', '-providers', '-verbose']);
    expect(providerIsActive(providers.lines, 'fips')).toBe(false);
    expect((await opensslWithoutVariables(['dgst', '-md5', win(data)])).exitCode).toBe(0);
    expect((await script('restore.cmd')).text).toMatch(/no install into C:\\Program Files\\Python311 is recorded/);
  });
});

describe('install.cmd refuses before it changes anything', () => {
  it('a Python of another version, named on the command line', async () => {
    makeInstalledPython(at('C:\\Python312'), { dll: 'python312.dll', patchlevel: '3.12.1' });
    const refused = await script('install.cmd', ['C:\\Python312']);
    expect(refused.exitCode).toBe(1);
    expect(refused.text).toMatch(/C:\\Python312 is Python 3\.12\.1, not 3\.11\.2: the modules in this bundle fit Python 3\.11\.2 only/);
    expect(existsSync(at('C:\\ProgramData\\fipskit\\install-backups\\C_Python312\\fipskit-install.txt'))).toBe(false);
  });

  it('a machine whose Program Files is not the one the build compiled in (a system drive other than C:): refused before anything changes', async () => {
    // Wine sets ProgramFiles from its registry for every program it starts: a caller sets it, as Windows would on that machine.
    const caller = join(bundleDir, '..', 'other system drive.cmd');
    // Named relative to the caller: cmd.exe reads a batch file in the OEM code page, where the workspace's "ë" is another letter.
    writeFileSync(
      caller,
      ['@echo off', 'set "ProgramFiles=D:\\Program Files"', `call "%~dp0${basename(bundleDir)}\\install.cmd"`, 'exit /b %errorlevel%', ''].join('\r\n'),
    );
    const refused = await run(cmdScriptCommand(win(caller), [], win(bundleDir)));
    expect(refused.exitCode).toBe(1);
    expect(refused.text).toMatch(
      /OpenSSL's compiled-in directories are under C:\\Program Files, not this machine's Program Files \(D:\\Program Files\): any user may be able to create them there first/,
    );
    expect(readFileSync(join(at(PYTHON), 'DLLs', '_ssl.pyd')).toString()).toContain('python.org _ssl.pyd');
    expect(existsSync(at('C:\\Program Files\\fipskit'))).toBe(false);
  });

  it('a directory with no python.exe', async () => {
    const refused = await script('install.cmd', ['C:\\NoPython']);
    expect(refused.exitCode).toBe(1);
    expect(refused.text).toMatch(/C:\\NoPython\\python\.exe does not exist: give install\.cmd the directory of the Python 3\.11\.2/);
  });

  it('a fips.dll changed after packing: install.cmd compares every file with the SHA-256 packed and stops before fipsinstall', async () => {
    const module = join(bundleDir, 'openssl', 'lib', 'ossl-modules', 'fips.dll');
    const original = readFileSync(module);
    const tampered = Buffer.from(original);
    tampered[Math.floor(tampered.length / 2)] ^= 0xff;
    writeFileSync(module, tampered);
    try {
      const refused = await script('install.cmd');
      expect(refused.exitCode).toBe(1);
      expect(refused.text).toMatch(
        /openssl\\lib\\ossl-modules\\fips\.dll is not the file that was packed \(SHA-256 [0-9a-f]{64}, packed [0-9a-f]{64}\): the bundle was damaged or changed/,
      );
      expect(refused.text).not.toContain('fipskit: openssl fipsinstall');
      expect(readFileSync(join(at(PYTHON), 'DLLs', '_ssl.pyd')).toString()).toContain('python.org _ssl.pyd');
      expect(existsSync(join(backupDir(), 'fipskit-install.txt'))).toBe(false);
      expect(existsSync(at('C:\\Program Files\\fipskit'))).toBe(false);
    } finally {
      writeFileSync(module, original);
    }
  });

  it('a file missing from the bundle', async () => {
    const zip = join(bundleDir, 'python', 'python311.zip');
    const kept = readFileSync(zip);
    rmSync(zip);
    try {
      const refused = await script('install.cmd');
      expect(refused.exitCode).toBe(1);
      expect(refused.text).toMatch(/python\\python311\.zip is missing from the bundle: unzip it again, whole/);
    } finally {
      writeFileSync(zip, kept);
    }
  });
});
