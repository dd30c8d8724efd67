import { TargetPlatform, sharedLibraryConvention } from '@fipskit/core';

export interface ActivationPaths {
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
const psQuote = (value: string) => `'${value.replace(/'/g, "''")}'`;

function assertNoControl(value: string): void {
  if (/[\r\n\0]/.test(value)) throw new Error(`Path ${JSON.stringify(value)} contains a line break or NUL: choose an output path without them.`);
}

/** Windows `set "NAME=value"` keeps & | < > literal; % must be doubled and " cannot appear in a Windows path. */
function cmdValue(value: string): string {
  if (value.includes('"')) throw new Error(`Path ${value} contains a double quote, which Windows paths cannot hold.`);
  return value.replace(/%/g, '%%');
}

/**
 * Scripts that put this OpenSSL and its FIPS configuration in front of a shell session: `fips-env.ps1`
 * everywhere (PowerShell runs on all three), plus `fips-env.sh` on Linux/macOS or `fips-env.cmd` on Windows.
 * The library search variable is the platform's (LD_LIBRARY_PATH, DYLD_LIBRARY_PATH, or PATH on Windows).
 */
export function renderActivationScripts(paths: ActivationPaths, platform: TargetPlatform): ActivationScript[] {
  Object.values(paths).forEach(assertNoControl);
  const { libraryPathVar } = sharedLibraryConvention(platform);
  const separator = platform === 'win32' ? ';' : ':';
  const libDirs = platform === 'win32' ? [paths.binDir] : [paths.libDir];
  const sh = [
    '# Source this file: . ./fips-env.sh',
    `export OPENSSL_CONF=${shQuote(paths.opensslConf)}`,
    `export OPENSSL_MODULES=${shQuote(paths.modulesDir)}`,
    `export PATH=${shQuote(paths.binDir)}"\${PATH:+:\$PATH}"`,
  ];
  if (libraryPathVar !== 'PATH') sh.push(`export ${libraryPathVar}=${shQuote(libDirs[0])}"\${${libraryPathVar}:+:\$${libraryPathVar}}"`);
  const ps1 = [
    '# Dot-source this file: . .\\fips-env.ps1',
    `$env:OPENSSL_CONF = ${psQuote(paths.opensslConf)}`,
    `$env:OPENSSL_MODULES = ${psQuote(paths.modulesDir)}`,
    `$env:PATH = ${psQuote(paths.binDir + separator)} + $env:PATH`,
  ];
  if (libraryPathVar !== 'PATH') ps1.push(`$env:${libraryPathVar} = ${psQuote(libDirs[0] + separator)} + $env:${libraryPathVar}`);
  const powershell: ActivationScript = { name: 'fips-env.ps1', content: ps1.join('\n') + '\n' };
  if (platform !== 'win32') return [{ name: 'fips-env.sh', content: sh.join('\n') + '\n' }, powershell];
  return [{ name: 'fips-env.cmd', content: cmdScript(paths).join('\r\n') + '\r\n' }, powershell];
}

function cmdScript(paths: ActivationPaths): string[] {
  return [
    '@rem Run this file in a cmd.exe session: call fips-env.cmd',
    `@set "OPENSSL_CONF=${cmdValue(paths.opensslConf)}"`,
    `@set "OPENSSL_MODULES=${cmdValue(paths.modulesDir)}"`,
    `@set "PATH=${cmdValue(paths.binDir)};%PATH%"`,
  ];
}
