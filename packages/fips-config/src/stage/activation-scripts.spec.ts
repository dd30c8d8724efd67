import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderActivationScripts } from './activation-scripts';

const tricky = '/srv/it\'s a "dir" $(touch pwned) `x`';
const paths = {
  scriptDir: `${tricky}/fips-config`,
  opensslConf: `${tricky}/fips-config/openssl.cnf`,
  modulesDir: `${tricky}/openssl/lib/ossl-modules`,
  binDir: `${tricky}/openssl/bin`,
  libDir: `${tricky}/openssl/lib`,
};
const windows = {
  scriptDir: 'C:\\w\\Zoë’s 100% & (x86)\\dist\\p\\fips-config',
  opensslConf: 'C:\\w\\Zoë’s 100% & (x86)\\dist\\p\\fips-config\\openssl.cnf',
  modulesDir: 'C:\\w\\Zoë’s 100% & (x86)\\dist\\p\\openssl\\lib\\ossl-modules',
  binDir: 'C:\\w\\Zoë’s 100% & (x86)\\dist\\p\\openssl\\bin',
  libDir: 'C:\\w\\Zoë’s 100% & (x86)\\dist\\p\\openssl\\lib',
};
const script = (platform: 'linux' | 'darwin' | 'win32', name: string, given = platform === 'win32' ? windows : paths) =>
  renderActivationScripts(given, platform).find((s) => s.name === name)!.content;

// Sourcing needs a POSIX shell; fips-env.cmd runs under Wine's cmd in the Windows-runtime suite (e2e/wine).
const posixOnly = process.platform === 'win32' ? it.skip : it;

describe('activation scripts', () => {
  posixOnly('fips-env.sh sets every variable to the exact path when sourced by a real POSIX shell', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-env-'));
    writeFileSync(join(dir, 'fips-env.sh'), script('linux', 'fips-env.sh'));
    const out = execFileSync('/bin/sh', ['-c', '. ./fips-env.sh && printf "%s\\n" "$OPENSSL_CONF" "$OPENSSL_MODULES" "$LD_LIBRARY_PATH" "$PATH"'], {
      cwd: dir,
      env: { PATH: '/usr/bin:/bin', LD_LIBRARY_PATH: '/old' },
      encoding: 'utf8',
    }).split('\n');
    expect(out.slice(0, 4)).toEqual([paths.opensslConf, paths.modulesDir, `${paths.libDir}:/old`, `${paths.binDir}:/usr/bin:/bin`]);
  });

  it('writes .sh and .ps1 on POSIX, .cmd and .ps1 on Windows', () => {
    expect(renderActivationScripts(paths, 'linux').map((s) => s.name)).toEqual(['fips-env.sh', 'fips-env.ps1']);
    expect(renderActivationScripts(windows, 'win32').map((s) => s.name)).toEqual(['fips-env.cmd', 'fips-env.ps1']);
  });

  it('fips-env.cmd names every path relative to itself, so no non-ASCII character reaches cmd.exe, and keeps % & ( ) literal', () => {
    const cmd = script('win32', 'fips-env.cmd');
    const lines = cmd.split('\r\n');
    expect(lines.slice(0, 6)).toEqual([
      '@rem Run this file in a cmd.exe session: call fips-env.cmd',
      '@if "!!"=="" (set "FIPSKIT_DELAYED=1") else (set "FIPSKIT_DELAYED=")',
      '@setlocal DisableDelayedExpansion',
      '@for %%I in ("%~dp0openssl.cnf") do @set "FIPSKIT_CONF=%%~fI"',
      '@for %%I in ("%~dp0..\\openssl\\lib\\ossl-modules") do @set "FIPSKIT_MODULES=%%~fI"',
      '@for %%I in ("%~dp0..\\openssl\\bin") do @set "FIPSKIT_BIN=%%~fI"',
    ]);
    // Set in the caller's session by the endlocal line, the only one that reaches it.
    expect(lines.at(-2)).toBe(
      '@endlocal & set "OPENSSL_CONF=%FIPSKIT_CONF%" & set "OPENSSL_MODULES=%FIPSKIT_MODULES%" & set "PATH=%FIPSKIT_BIN%;%PATH%" & set "FIPSKIT_DELAYED="',
    );
    expect(lines.at(-1)).toBe('');
    expect(cmd).not.toMatch(/[^\x00-\x7f]/); // eslint-disable-line no-control-regex
  });

  it('fips-env.cmd on another drive than the prefix: absolute, with % doubled; a non-ASCII absolute path is refused with the fix', () => {
    const other = {
      ...windows,
      scriptDir: 'D:\\cfg 100%',
      opensslConf: 'D:\\cfg 100%\\openssl.cnf',
      binDir: 'C:\\p\\bin',
      modulesDir: 'C:\\p\\lib\\ossl-modules',
    };
    expect(script('win32', 'fips-env.cmd', other)).toContain('@for %%I in ("C:\\p\\bin") do @set "FIPSKIT_BIN=%%~fI"');
    expect(script('win32', 'fips-env.cmd', other)).toContain('@for %%I in ("%~dp0openssl.cnf") do @set "FIPSKIT_CONF=%%~fI"');
    expect(() => renderActivationScripts({ ...other, binDir: 'C:\\Zoë\\bin' }, 'win32')).toThrow(
      /non-ASCII .* Keep the fips-config output and the OpenSSL prefix on one drive/,
    );
  });

  it('fips-env.ps1 starts with a UTF-8 byte order mark and finds the files from $PSScriptRoot', () => {
    const ps1 = script('win32', 'fips-env.ps1');
    expect(ps1.startsWith('\ufeff')).toBe(true);
    expect(ps1).toContain("$env:OPENSSL_CONF = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot 'openssl.cnf'))");
    expect(ps1).toContain("$env:PATH = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..\\openssl\\bin')) + ';' + $env:PATH");
    expect(ps1).not.toContain('LD_LIBRARY_PATH');
    const posix = script('linux', 'fips-env.ps1');
    expect(posix).toContain(
      "$env:LD_LIBRARY_PATH = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../openssl/lib')) + $(if ($env:LD_LIBRARY_PATH) { ':' + $env:LD_LIBRARY_PATH })",
    );
    expect(script('darwin', 'fips-env.sh')).toContain('export DYLD_LIBRARY_PATH=');
  });

  it("fips-env.ps1 doubles every quote PowerShell ends a string with (' ‘ ’ ‚ ‛), so a path cannot break out of its string", () => {
    const ps1 = script('linux', 'fips-env.ps1', { ...paths, scriptDir: '/w/cfg', binDir: "/w/x’+(calc)+’y ‘a‚b‛c'd/bin" });
    expect(ps1).toContain("$env:PATH = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../x’’+(calc)+’’y ‘‘a‚‚b‛‛c''d/bin')) + ':' + $env:PATH");
  });

  it('refuses paths with line breaks', () => {
    expect(() => renderActivationScripts({ ...paths, binDir: '/a\nexport X=1' }, 'linux')).toThrow(/line break/);
  });
});
