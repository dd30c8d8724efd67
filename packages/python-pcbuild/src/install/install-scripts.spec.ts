import { buildWindowsInstallPlan, INSTALLED_PYTHON_PROBE } from './install-plan';
import { WindowsScriptInput, cmdArg, renderWindowsBundleScripts, scriptInstallInput } from './install-scripts';

const input: WindowsScriptInput = {
  bundleName: 'fips-python-3.11.9-win-amd64',
  files: ['DLLs/_ssl.pyd', 'DLLs/_hashlib.pyd', 'DLLs/libcrypto-3-x64.dll', 'python311.zip'],
  sourceVersion: '3.11.9',
  opensslDir: 'C:\\Program Files\\fipskit\\openssl-3.0.13\\ssl',
  modulesDir: 'C:\\Program Files\\fipskit\\openssl-3.0.13\\lib\\ossl-modules',
  profile: 'rhel-compatible',
  defaultPythonDir: 'C:\\Program Files\\Python311',
};

describe("a Windows bundle's install.cmd and restore.cmd, rendered from the install plan", () => {
  const scripts = renderWindowsBundleScripts(input);
  const install = scripts.installCmd.split('\r\n');

  it('walks every step of the plan the install target runs, in its order, numbered', () => {
    const steps = buildWindowsInstallPlan(scriptInstallInput(input)).steps;
    const numbered = install.filter((line) => /^rem \d+\/\d+: /.test(line));
    expect(numbered).toEqual(steps.map((step, index) => `rem ${index + 1}/${steps.length}: ${step.title}`));
    expect(steps.length).toBeGreaterThanOrEqual(7);
  });

  it("runs the plan's own fipsinstall and its -verify with the bundle's openssl.exe, each failure ending the script", () => {
    const fipsinstall = install.find((line) => line.startsWith('"') && / fipsinstall /.test(line) && !/-verify/.test(line));
    expect(fipsinstall).toMatch(/^"%FIPSKIT_ROOT%\\openssl\\bin\\openssl\.exe" fipsinstall /);
    expect(fipsinstall).toContain('-module "%FIPSKIT_ROOT%\\openssl\\lib\\ossl-modules\\fips.dll"');
    expect(fipsinstall).toContain('-out "%FIPSKIT_WORK%\\fipsmodule.cnf"');
    expect(fipsinstall).toMatch(/>"%FIPSKIT_STEP_LOG%" 2>&1$/);
    const verify = install.findIndex((line) => line.startsWith('"') && / fipsinstall .*-verify/.test(line));
    expect(install.slice(verify, verify + 5).join('\n')).toMatch(
      /if not "%FIPSKIT_STATUS%"=="0" \(endlocal & set "FIPSKIT_FAILED=.*failed \(exit code %FIPSKIT_STATUS%\)" & goto :failed\)/,
    );
  });

  it('ships the python.exe probe as a file (a program of several lines cannot be a batch argument) and runs it isolated, with no fipskit variable', () => {
    const probe = scripts.files.find((file) => file.content === INSTALLED_PYTHON_PROBE);
    expect(probe?.path).toMatch(/^share\\fipskit\\files\\\d+\.py$/);
    const at = install.findIndex((line) => line.startsWith('"%FIPSKIT_PYTHON%\\python.exe" -I '));
    expect(install[at]).toContain(`"%FIPSKIT_ROOT%\\${probe!.path}"`);
    const block = install.slice(install.lastIndexOf('setlocal', at), at).join('\n');
    for (const name of ['OPENSSL_CONF', 'OPENSSL_MODULES', 'PYTHONPATH', 'PYTHONHOME']) expect(block).toContain(`set "${name}="`);
  });

  it('installs each file through :install_file, which keeps the original and records both SHA-256, and restore.cmd knows each destination by its index', () => {
    const calls = install.filter((line) => line.startsWith('call :install_file '));
    expect(calls).toEqual([
      'call :install_file "%FIPSKIT_ROOT%\\python\\DLLs\\_ssl.pyd" "%FIPSKIT_PYTHON%\\DLLs\\_ssl.pyd" 0',
      'call :install_file "%FIPSKIT_ROOT%\\python\\DLLs\\_hashlib.pyd" "%FIPSKIT_PYTHON%\\DLLs\\_hashlib.pyd" 1',
      'call :install_file "%FIPSKIT_ROOT%\\python\\DLLs\\libcrypto-3-x64.dll" "%FIPSKIT_PYTHON%\\DLLs\\libcrypto-3-x64.dll" 2',
      'call :install_file "%FIPSKIT_ROOT%\\python\\python311.zip" "%FIPSKIT_PYTHON%\\python311.zip" 3',
      'call :install_file "%FIPSKIT_ROOT%\\openssl\\lib\\ossl-modules\\fips.dll" "C:\\Program Files\\fipskit\\openssl-3.0.13\\lib\\ossl-modules\\fips.dll" 4',
      'call :install_file "%FIPSKIT_WORK%\\fipsmodule.cnf" "C:\\Program Files\\fipskit\\openssl-3.0.13\\ssl\\fipsmodule.cnf" 5',
      'call :install_file "%FIPSKIT_WORK%\\openssl.cnf" "C:\\Program Files\\fipskit\\openssl-3.0.13\\ssl\\openssl.cnf" 6',
    ]);
    const restore = scripts.restoreCmd.split('\r\n');
    expect(restore).toContain('if "%~1"=="4" set "FIPSKIT_DEST=C:\\Program Files\\fipskit\\openssl-3.0.13\\lib\\ossl-modules\\fips.dll"');
    expect(restore.filter((line) => line.includes('set "FIPSKIT_DEST=') && line.startsWith('if '))).toHaveLength(7);
  });

  it('creates, and records for restore.cmd to remove, only the directories below Program Files it needs', () => {
    expect(install.filter((line) => line.startsWith('call :make_dir '))).toEqual([
      'call :make_dir "C:\\Program Files\\fipskit"',
      'call :make_dir "C:\\Program Files\\fipskit\\openssl-3.0.13"',
      'call :make_dir "C:\\Program Files\\fipskit\\openssl-3.0.13\\lib"',
      'call :make_dir "C:\\Program Files\\fipskit\\openssl-3.0.13\\ssl"',
      'call :make_dir "C:\\Program Files\\fipskit\\openssl-3.0.13\\lib\\ossl-modules"',
    ]);
  });

  it("refuses a machine whose Program Files is not the one compiled in, and makes C:\\Program Files\\fipskit administrators' own before any file goes in", () => {
    const check = install.findIndex((line) => line.startsWith('if /i not "%ProgramFiles%"=="C:\\Program Files" ('));
    expect(check).toBeGreaterThan(0);
    expect(install[check]).toContain("not this machine's Program Files (%ProgramFiles%): any user may be able to create them there first");
    // Before fipsinstall, so a refused machine gets nothing written.
    expect(check).toBeLessThan(install.findIndex((line) => line.includes('fipsinstall')));
    const icacls = install.filter((line) => line.startsWith('icacls "C:\\Program Files\\fipskit"'));
    expect(icacls).toEqual([
      'icacls "C:\\Program Files\\fipskit" /reset /T /C /Q >"%FIPSKIT_STEP_LOG%" 2>&1',
      'icacls "C:\\Program Files\\fipskit" /inheritance:r /grant:r "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-545:(OI)(CI)RX" /C /Q >"%FIPSKIT_STEP_LOG%" 2>&1',
      'icacls "C:\\Program Files\\fipskit" /setowner "*S-1-5-32-544" /T /C /Q >"%FIPSKIT_STEP_LOG%" 2>&1',
    ]);
    const firstFile = install.findIndex((line) => line.startsWith('call :install_file '));
    expect(install.indexOf(icacls[2])).toBeLessThan(firstFile);
    expect(install.findIndex((line) => line.startsWith('call :make_dir '))).toBeLessThan(install.indexOf(icacls[0]));
  });

  it("writes openssl.cnf from the profile's text around this machine's [fips_sect]", () => {
    const head = scripts.files.find((file) => file.path === 'share\\fipskit\\openssl.cnf.head')!.content;
    const tail = scripts.files.find((file) => file.path === 'share\\fipskit\\openssl.cnf.tail')!.content;
    expect(head).toMatch(/\r\n/);
    expect(head + tail).toMatch(/fips = fips_sect/);
    expect(head + tail).not.toContain('.include');
    expect(install).toContain('for /f "usebackq delims=" %%L in ("%FIPSKIT_WORK%\\fipsmodule.cnf") do call :section_line "%%L"');
  });

  it('checks every packed file against its SHA-256 before the first step, and refuses what is not a SHA-256', () => {
    const sha = 'a'.repeat(64);
    const checked = renderWindowsBundleScripts({
      ...input,
      checksums: { 'openssl/lib/ossl-modules/fips.dll': sha, 'python/DLLs/_ssl.pyd': sha },
    }).installCmd.split('\r\n');
    const calls = checked.filter((line) => line.startsWith('call :check_file '));
    expect(calls).toEqual([
      `call :check_file "%FIPSKIT_ROOT%\\openssl\\lib\\ossl-modules\\fips.dll" ${sha}`,
      `call :check_file "%FIPSKIT_ROOT%\\python\\DLLs\\_ssl.pyd" ${sha}`,
    ]);
    expect(checked.indexOf(calls[1])).toBeLessThan(checked.findIndex((line) => line.startsWith('rem 1/')));
    expect(() => renderWindowsBundleScripts({ ...input, checksums: { 'python/x': 'not-a-hash' } })).toThrow(/python\/x: not-a-hash is not a SHA-256/);
  });

  it('gives PowerShell the same scripts: install.ps1 and restore.ps1 run the .cmd beside them, -Force as /force, and end with its exit code', () => {
    const quoted = renderWindowsBundleScripts({ ...input, defaultPythonDir: "C:\\Users\\O'Brien\\Python311" });
    expect(quoted.installPs1.split('\r\n')).toEqual(
      expect.arrayContaining([
        "    [string]$PythonDir = 'C:\\Users\\O''Brien\\Python311'",
        "& (Join-Path $PSScriptRoot 'install.cmd') @arguments",
        'exit $LASTEXITCODE',
      ]),
    );
    expect(quoted.installPs1).not.toContain('/force');
    expect(quoted.installPs1.startsWith('\ufeff# fipskit install.ps1')).toBe(true);
    expect(quoted.restorePs1.split('\r\n')).toEqual(
      expect.arrayContaining(['    [switch]$Force', "if ($Force) { $arguments += '/force' }", "& (Join-Path $PSScriptRoot 'restore.cmd') @arguments"]),
    );
  });

  it('is plain CRLF batch text with no Unix line end', () => {
    expect(scripts.installCmd).not.toMatch(/[^\r]\n/);
    expect(scripts.restoreCmd).not.toMatch(/[^\r]\n/);
    expect(install[0]).toBe('@echo off');
  });
});

describe('cmdArg', () => {
  it('leaves a plain argument bare and quotes one with a space or a character cmd.exe reads', () => {
    expect(cmdArg('-provider_name')).toBe('-provider_name');
    expect(cmdArg('C:\\Program Files\\x')).toBe('"C:\\Program Files\\x"');
    expect(cmdArg('a&b')).toBe('"a&b"');
  });

  it('refuses what no batch line can carry', () => {
    expect(() => cmdArg('say "hi"')).toThrow(/cannot be written on a cmd.exe command line/);
    expect(() => cmdArg('a\nb')).toThrow(/cannot be written/);
  });
});
