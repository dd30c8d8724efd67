import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import {
  Command,
  ProcessResult,
  fipsInstallCommand,
  opensslEnvironment,
  providerIsActive,
  providerListCommand,
  readFipsSection,
  renderOpenSslCnf,
} from '@fipskit/core';
import { configureFips, normalizeFipsConfigOptions } from '@fipskit/fips-config';
import { compiledInDirectories, readBuildInfo } from '@fipskit/openssl-fips';
import { installIntoPython, restorePython } from '../../packages/python-pcbuild/src/install/install-into-python';
import { windowsInstallFiles } from '../../packages/python-pcbuild/src/install/install-plan';
import { makeInstalledPython } from '../../packages/python-pcbuild/src/testing/installed-python';
import { WORKSPACE } from '../support/workspace';
import { Wine, WineRunner, cmdScriptCommand, startWine, stopWine, toUnixPath, toWindowsPath } from '../support/wine';
import { copyWindowsOpenSsl } from './build-wine-openssl';

/**
 * fipskit's own Windows code paths against the real Windows OpenSSL (the MinGW-w64 build of the locked
 * source) under Wine: the fips-config stage for win32, its fips-env.cmd under cmd.exe, and the files the
 * Windows install puts where the build compiled in OPENSSLDIR and MODULESDIR — in a workspace whose path
 * has a space, a non-ASCII letter, an apostrophe and "(x86)".
 */
const workspace = join(WORKSPACE, 'tmp', 'wine work', "Zoë's (x86) workspace");
const win = toWindowsPath;

let wine: Wine;
let runner: WineRunner;

beforeAll(() => {
  rmSync(workspace, { recursive: true, force: true });
  copyWindowsOpenSsl(WORKSPACE, join(workspace, 'dist', 'p', 'openssl'));
  writeFileSync(join(workspace, 'data.txt'), 'fipskit under Wine\n');
  wine = startWine();
  runner = new WineRunner(wine);
});

afterAll(() => {
  if (wine) stopWine(wine);
});

async function run(command: Command): Promise<ProcessResult & { lines: string[] }> {
  const lines: string[] = [];
  const result = await runner.run(command, { onLine: (line) => lines.push(line), allowFailure: true });
  return { ...result, lines };
}

describe('the fips-config stage for win32, run by the product against openssl.exe under Wine', () => {
  const output = () => join(workspace, 'dist', 'p', 'fips-config');
  const printed: string[] = [];

  beforeAll(async () => {
    const options = normalizeFipsConfigOptions(
      { opensslPath: 'dist/p/openssl', outputPath: 'dist/p/fips-config', profile: 'rhel-compatible' },
      { root: workspace, projectName: 'p' },
      { platform: 'win32', toProgram: toWindowsPath },
    );
    await configureFips(
      options,
      runner,
      (line) => printed.push(line),
      () => new Date(),
    );
  });

  it("runs fipsinstall and its verification, checks the provider, and publishes a configuration with this machine's section and no path in it", () => {
    expect(printed.join('\n')).toMatch(/\(4\/4\) openssl list -providers with the new configuration/);
    const cnf = readFileSync(join(output(), 'openssl.cnf'), 'utf8');
    expect(cnf).not.toContain('.include');
    expect(cnf).not.toMatch(/[A-Z]:\\/);
    expect(cnf).toMatch(/^module-mac = [0-9A-F:]{95}$/m);
    const manifest = JSON.parse(readFileSync(join(output(), 'fips-config.json'), 'utf8'));
    expect(manifest.fipsinstall.output).toContain('INSTALL PASSED');
    expect(manifest.fipsinstall.verify).toContain('VERIFY PASSED');
  });

  it('fips-env.cmd, called from a batch file in cmd.exe with "(x86)" in PATH, puts openssl.exe in FIPS mode: provider active, MD5 refused', async () => {
    const script = join(workspace, 'check fips.cmd');
    writeFileSync(
      script,
      [
        '@echo off',
        'set "PATH=C:\\Program Files (x86)\\Tools;%PATH%"',
        // Named relative to this script: cmd.exe reads a batch file in the OEM code page, so a literal "ë" would be misread.
        'call "%~dp0dist\\p\\fips-config\\fips-env.cmd"',
        'echo OPENSSL_CONF=%OPENSSL_CONF%',
        'openssl.exe list -providers -verbose',
        'openssl.exe dgst -md5 "%~dp0data.txt" >nul 2>&1',
        'if errorlevel 1 (echo md5 refused) else (echo md5 produced)',
        'exit /b 0',
        '',
      ].join('\r\n'),
    );
    const { exitCode, lines } = await run(cmdScriptCommand(win(script), [], win(workspace)));
    expect(exitCode).toBe(0);
    // %~dp0 and %%~f gave cmd the full, normalised path (echo prints it in the ANSI code page: the ë does not survive the pipe).
    const conf = lines.find((line) => line.startsWith('OPENSSL_CONF='));
    expect(conf).toMatch(/^OPENSSL_CONF=Z:\\.*\\Zo.'s \(x86\) workspace\\dist\\p\\fips-config\\openssl\.cnf$/);
    expect(providerIsActive(lines, 'fips')).toBe(true);
    expect(lines).toContain('md5 refused');
  });

  it('fips-env.cmd in a directory with "!": right under cmd /v:off; under delayed expansion it refuses, naming the fix, and sets nothing', async () => {
    const bang = join(workspace, 'bang!dir');
    rmSync(bang, { recursive: true, force: true });
    cpSync(join(workspace, 'dist', 'p'), bang, { recursive: true });
    const caller = (name: string, delayed: boolean) => {
      const script = join(workspace, name);
      writeFileSync(
        script,
        [
          '@echo off',
          // The caller's own line names the directory before delayed expansion is on: its "!" is the script's concern.
          'cd /d "%~dp0bang!dir"',
          ...(delayed ? ['setlocal EnableDelayedExpansion'] : []),
          'call fips-config\\fips-env.cmd',
          'echo rc=%errorlevel%',
          'if defined OPENSSL_CONF (echo OPENSSL_CONF is set) else (echo OPENSSL_CONF is not set)',
          'set OPENSSL_CONF',
          'openssl.exe list -providers -verbose',
          'exit /b 0',
          '',
        ].join('\r\n'),
      );
      return run(cmdScriptCommand(win(script), [], win(workspace)));
    };
    const plain = await caller('bang plain.cmd', false);
    expect(plain.lines).toContain('rc=0');
    expect(plain.lines.find((line) => line.startsWith('OPENSSL_CONF='))).toMatch(/^OPENSSL_CONF=Z:\\.*\\bang!dir\\fips-config\\openssl\.cnf$/);
    expect(providerIsActive(plain.lines, 'fips')).toBe(true);
    const delayed = await caller('bang delayed.cmd', true);
    expect(delayed.lines).toContain('rc=1');
    expect(delayed.lines).toContain('OPENSSL_CONF is not set');
    expect(delayed.lines.join('\n')).toMatch(
      /fipskit: a path fips-env\.cmd sets holds "!", which this cmd\.exe session drops: .* Run "setlocal DisableDelayedExpansion" first/,
    );
  });

  it('why openssl.cnf names no file: the real parser mangles a Windows path in an .include (\\t of \\tmp becomes a tab) and skips the missing file', async () => {
    const dir = join(workspace, 'tmp');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'fipsmodule.cnf'), readFileSync(join(output(), 'fipsmodule.cnf')));
    // The configuration fipskit writes, with the recipe's .include of the section in place of the section.
    writeFileSync(join(dir, 'include.cnf'), renderOpenSslCnf(`.include ${win(join(dir, 'fipsmodule.cnf'))}`, 'strict'));
    const paths = prefixPaths();
    const { lines } = await run({ ...providerListCommand(paths, { platform: 'win32', parentEnv: {} }, win(join(dir, 'include.cnf')), win(workspace)) });
    expect(win(dir)).toContain('\\tmp');
    expect(providerIsActive(lines, 'fips')).toBe(false);
  });
});

function prefixPaths() {
  const prefix = win(join(workspace, 'dist', 'p', 'openssl'));
  return {
    openssl: `${prefix}\\bin\\openssl.exe`,
    module: `${prefix}\\lib\\ossl-modules\\fips.dll`,
    modulesDir: `${prefix}\\lib\\ossl-modules`,
    libDir: `${prefix}\\lib`,
    binDir: `${prefix}\\bin`,
  };
}

describe("the Windows install's FIPS configuration where the build compiled it in: openssl.exe with no OPENSSL_CONF or OPENSSL_MODULES", () => {
  const compiledIn = () => compiledInDirectories(readBuildInfo(join(workspace, 'dist', 'p', 'openssl')));
  const pythonDir = () => toUnixPath('C:\\Program Files\\Python311', wine.prefix);
  const backup = () => join(workspace, '.fipskit', 'backup', 'p');
  let originalSsl: Buffer;
  const noVariables = (args: string[]): Command => {
    const env = opensslEnvironment(prefixPaths(), { platform: 'win32', parentEnv: {} }, '');
    return { program: prefixPaths().openssl, args, cwd: win(workspace), env: { ...env, OPENSSL_CONF: undefined, OPENSSL_MODULES: undefined } };
  };

  beforeAll(async () => {
    rmSync(toUnixPath('C:\\Program Files\\fipskit', wine.prefix), { recursive: true, force: true });
    rmSync(pythonDir(), { recursive: true, force: true });
    rmSync(backup(), { recursive: true, force: true });
    makeInstalledPython(pythonDir());
    originalSsl = readFileSync(join(pythonDir(), 'DLLs', '_ssl.pyd'));
    // The python stage's output, as far as this test needs it.
    const builtPython = join(workspace, 'dist', 'p', 'python');
    mkdirSync(join(builtPython, 'DLLs'), { recursive: true });
    writeFileSync(join(builtPython, 'DLLs', '_ssl.pyd'), 'fipskit _ssl');
    writeFileSync(join(builtPython, 'python311.zip'), 'fipskit runtime');
    // This machine's fipsinstall output and the openssl.cnf carrying it, as the install's first steps make them.
    const workDir = join(workspace, 'tmp', 'fipskit', 'p', 'install-fips-configuration');
    mkdirSync(workDir, { recursive: true });
    writeFileSync(join(workDir, 'empty.cnf'), '');
    const fipsinstall = fipsInstallCommand(
      { ...prefixPaths(), emptyConf: win(join(workDir, 'empty.cnf')) },
      { platform: 'win32', parentEnv: {} },
      win(join(workDir, 'fipsmodule.cnf')),
      win(workDir),
      { securityChecks: true },
    );
    expect((await run(fipsinstall)).lines).toContain('INSTALL PASSED');
    writeFileSync(
      join(workDir, 'openssl.cnf'),
      renderOpenSslCnf(readFipsSection(readFileSync(join(workDir, 'fipsmodule.cnf'), 'utf8'), 'fipsmodule.cnf'), 'rhel-compatible'),
    );
    // The install's own file list and installer, on this machine's view of the Wine drive C:.
    const input = {
      builtDir: builtPython,
      files: ['DLLs/_ssl.pyd', 'python311.zip'],
      sourceVersion: '3.11.2',
      pythonDir: pythonDir(),
      backupDir: backup(),
      openssl: {
        prefix: join(workspace, 'dist', 'p', 'openssl'),
        opensslDir: toUnixPath(compiledIn().opensslDir, wine.prefix),
        modulesDir: toUnixPath(compiledIn().modulesDir, wine.prefix),
      },
      profile: 'rhel-compatible' as const,
      workDir,
    };
    installIntoPython(pythonDir(), windowsInstallFiles(input, posix), backup(), { sourceVersion: '3.11.2' });
  });

  it('the build compiled in C:\\Program Files\\fipskit\\openssl-<version>: the install fills it', () => {
    const version = readBuildInfo(join(workspace, 'dist', 'p', 'openssl')).version;
    expect(compiledIn()).toMatchObject({
      opensslDir: `C:\\Program Files\\fipskit\\openssl-${version}\\ssl`,
      modulesDir: `C:\\Program Files\\fipskit\\openssl-${version}\\lib\\ossl-modules`,
    });
    for (const file of ['ssl\\openssl.cnf', 'ssl\\fipsmodule.cnf', 'lib\\ossl-modules\\fips.dll']) {
      expect(existsSync(toUnixPath(`C:\\Program Files\\fipskit\\openssl-${version}\\${file}`, wine.prefix))).toBe(true);
    }
  });

  it('openssl.exe started with neither variable is in FIPS mode: the provider active, MD5 refused, SHA-256 computed', async () => {
    const list = await run(noVariables(['list', '-providers', '-verbose']));
    expect(providerIsActive(list.lines, 'fips')).toBe(true);
    const md5 = await run(noVariables(['dgst', '-md5', win(join(workspace, 'data.txt'))]));
    expect(md5.exitCode).not.toBe(0);
    expect((await run(noVariables(['dgst', '-sha256', win(join(workspace, 'data.txt'))]))).exitCode).toBe(0);
  });

  it('restore takes it all out again: openssl.exe without variables is back on the default provider, and MD5 works', async () => {
    expect(restorePython(pythonDir(), backup())?.removed).toEqual(
      expect.arrayContaining([join(toUnixPath(compiledIn().opensslDir, wine.prefix), 'openssl.cnf')]),
    );
    expect(existsSync(toUnixPath('C:\\Program Files\\fipskit', wine.prefix))).toBe(false);
    expect(readFileSync(join(pythonDir(), 'DLLs', '_ssl.pyd')).equals(originalSsl)).toBe(true);
    const list = await run(noVariables(['list', '-providers', '-verbose']));
    expect(providerIsActive(list.lines, 'fips')).toBe(false);
    expect((await run(noVariables(['dgst', '-md5', win(join(workspace, 'data.txt'))]))).exitCode).toBe(0);
  });
});
