import { TargetPlatform, pathsFor, sharedLibraryConvention } from '@fipskit/core';

/** Paths in the target's notation; the scripts live in `scriptDir`. */
export interface ActivationPaths {
  scriptDir: string;
  opensslConf: string;
  modulesDir: string;
  binDir: string;
  libDir: string;
}

export interface ActivationScript {
  name: 'fips-env.sh' | 'fips-env.ps1' | 'fips-env.cmd';
  content: string;
}

const shQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
/** PowerShell ends a single-quoted string at any of ' ‘ ’ ‚ ‛ and reads a doubled one as that character. */
const psQuote = (value: string) => `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (quote) => quote + quote)}'`;
/** Windows PowerShell 5.1 reads a .ps1 without a byte order mark in the ANSI code page, not UTF-8. */
const UTF8_BOM = '\ufeff';

function assertNoControl(value: string): void {
  if (/[\r\n\0]/.test(value)) throw new Error(`Path ${JSON.stringify(value)} contains a line break or NUL: choose an output path without them.`);
}

/**
 * Where a path is, seen from the script's directory: relative when it can be (so the scripts keep working
 * when the workspace moves), absolute when it is on another drive.
 */
function fromScriptDir(paths: ActivationPaths, target: string, platform: TargetPlatform): { relative: boolean; path: string } {
  const p = pathsFor(platform);
  const rel = p.relative(paths.scriptDir, target);
  return p.isAbsolute(rel) ? { relative: false, path: target } : { relative: true, path: rel };
}

/**
 * Scripts that put this OpenSSL and its FIPS configuration in front of a shell session: `fips-env.ps1`
 * everywhere (PowerShell runs on all three), plus `fips-env.sh` on Linux/macOS or `fips-env.cmd` on Windows.
 * The library search variable is the platform's (LD_LIBRARY_PATH, DYLD_LIBRARY_PATH, or PATH on Windows).
 * `.cmd` and `.ps1` find the files relative to themselves (`%~dp0`, `$PSScriptRoot`), which also keeps
 * non-ASCII directory names out of files that Windows reads in a legacy code page.
 */
export function renderActivationScripts(paths: ActivationPaths, platform: TargetPlatform): ActivationScript[] {
  Object.values(paths).forEach(assertNoControl);
  const { libraryPathVar } = sharedLibraryConvention(platform);
  const powershell: ActivationScript = { name: 'fips-env.ps1', content: UTF8_BOM + powershellScript(paths, platform, libraryPathVar).join('\n') + '\n' };
  if (platform === 'win32') return [{ name: 'fips-env.cmd', content: cmdScript(paths).join('\r\n') + '\r\n' }, powershell];
  const sh = [
    '# Source this file: . ./fips-env.sh',
    `export OPENSSL_CONF=${shQuote(paths.opensslConf)}`,
    `export OPENSSL_MODULES=${shQuote(paths.modulesDir)}`,
    `export PATH=${shQuote(paths.binDir)}"\${PATH:+:$PATH}"`,
    `export ${libraryPathVar}=${shQuote(paths.libDir)}"\${${libraryPathVar}:+:$${libraryPathVar}}"`,
  ];
  return [{ name: 'fips-env.sh', content: sh.join('\n') + '\n' }, powershell];
}

function powershellScript(paths: ActivationPaths, platform: TargetPlatform, libraryPathVar: string): string[] {
  const separator = platform === 'win32' ? ';' : ':';
  const full = (target: string) => {
    const { relative, path } = fromScriptDir(paths, target, platform);
    return relative ? `[System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot ${psQuote(path)}))` : psQuote(path);
  };
  const lines = [
    '# Dot-source this file: . ./fips-env.ps1',
    `$env:OPENSSL_CONF = ${full(paths.opensslConf)}`,
    `$env:OPENSSL_MODULES = ${full(paths.modulesDir)}`,
    `$env:PATH = ${full(paths.binDir)} + '${separator}' + $env:PATH`,
  ];
  if (libraryPathVar !== 'PATH') lines.push(`$env:${libraryPathVar} = ${full(paths.libDir)} + $(if ($env:${libraryPathVar}) { ':' + $env:${libraryPathVar} })`);
  return lines;
}

/**
 * cmd.exe reads a batch file in the console's OEM code page, so the file names its paths relative to
 * itself (`%~dp0`), normalised with `%%~f`. In a `set "NAME=value"` & | < > stay literal; % is doubled.
 * The paths are worked out under `setlocal DisableDelayedExpansion`, where a `!` in them stays a `!`, and set in
 * the caller's session by the `endlocal &` line. A caller with delayed expansion on (`cmd /v:on`) would drop every
 * `!` of that line: then the script refuses, naming the fix, rather than set paths that do not exist.
 */
function cmdScript(paths: ActivationPaths): string[] {
  const compute = (target: string, name: string) => {
    const { relative, path } = fromScriptDir(paths, target, 'win32');
    if (path.includes('"')) throw new Error(`Path ${path} contains a double quote, which Windows paths cannot hold.`);
    // eslint-disable-next-line no-control-regex
    if (/[^\x00-\x7f]/.test(path)) {
      throw new Error(
        `fips-env.cmd would have to name ${path}, which holds non-ASCII characters, by an absolute path; cmd.exe reads batch files in a legacy code page. ` +
          'Keep the fips-config output and the OpenSSL prefix on one drive.',
      );
    }
    return `@for %%I in ("${relative ? '%~dp0' : ''}${path.replace(/%/g, '%%')}") do @set "${name}=%%~fI"`;
  };
  const values = ['FIPSKIT_CONF', 'FIPSKIT_MODULES', 'FIPSKIT_BIN'];
  const all = values.map((name) => `%${name}%`).join('') + '%PATH%';
  const withoutBang = values.map((name) => `%${name}:!=%`).join('') + '%PATH:!=%';
  return [
    '@rem Run this file in a cmd.exe session: call fips-env.cmd',
    // "!!" is empty only when the caller expands !variables!: remembered before setlocal turns that off here.
    '@if "!!"=="" (set "FIPSKIT_DELAYED=1") else (set "FIPSKIT_DELAYED=")',
    '@setlocal DisableDelayedExpansion',
    compute(paths.opensslConf, 'FIPSKIT_CONF'),
    compute(paths.modulesDir, 'FIPSKIT_MODULES'),
    compute(paths.binDir, 'FIPSKIT_BIN'),
    `@if defined FIPSKIT_DELAYED if not "${all}"=="${withoutBang}" (`,
    '  echo fipskit: a path fips-env.cmd sets holds "!", which this cmd.exe session drops: it expands delayed variables, as cmd /v:on does. Run "setlocal DisableDelayedExpansion" first, then call fips-env.cmd again. 1>&2',
    '  endlocal & set "FIPSKIT_DELAYED=" & exit /b 1',
    ')',
    '@endlocal & set "OPENSSL_CONF=%FIPSKIT_CONF%" & set "OPENSSL_MODULES=%FIPSKIT_MODULES%" & set "PATH=%FIPSKIT_BIN%;%PATH%" & set "FIPSKIT_DELAYED="',
  ];
}
