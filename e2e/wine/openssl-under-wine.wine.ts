import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, ProcessResult, childEnvironment, providerIsActive, readFipsSection, renderOpenSslCnf } from '@fipskit/core';
import { readBuildInfo } from '@fipskit/openssl-fips';
import { WORKSPACE } from '../support/workspace';
import { Wine, WineRunner, cmdScriptCommand, startWine, stopWine, toUnixPath, toWindowsPath, wineCommand } from '../support/wine';
import { copyWindowsOpenSsl, mingwCompiledInPrefix } from './build-wine-openssl';

/**
 * The real Windows OpenSSL — the MinGW-w64 build of the source fips-python locks (nx run wine-openssl:build) —
 * run under Wine from a directory whose path has a space, a non-ASCII letter and an apostrophe.
 */
const work = join(WORKSPACE, 'tmp', 'wine work', "Zoë's dir");
const prefix = join(work, 'openssl');
const modulesDir = join(prefix, 'lib', 'ossl-modules');
const win = toWindowsPath;

let wine: Wine;
let runner: WineRunner;

beforeAll(() => {
  rmSync(work, { recursive: true, force: true });
  copyWindowsOpenSsl(WORKSPACE, prefix);
  writeFileSync(join(work, 'empty.cnf'), '# intentionally empty: fipsinstall must not read any other configuration\n');
  writeFileSync(join(work, 'data ë.txt'), 'fipskit under Wine\n');
  const started = Date.now();
  wine = startWine();
  console.log(`Wine prefix ${wine.prefix} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  runner = new WineRunner(wine);
});

afterAll(() => {
  if (wine) stopWine(wine);
});

/** openssl.exe of the copied prefix, with the product's run-time settings: its modules directory, its DLLs first on PATH. */
function openssl(args: string[], conf: string, modules = modulesDir): Command {
  return {
    title: `openssl ${args[0]}`,
    program: win(join(prefix, 'bin', 'openssl.exe')),
    args,
    cwd: win(work),
    env: { OPENSSL_CONF: win(conf), OPENSSL_MODULES: win(modules), OPENSSL_CONF_INCLUDE: undefined, PATH: win(join(prefix, 'bin')) },
  };
}

async function run(command: Command): Promise<ProcessResult & { lines: string[] }> {
  const lines: string[] = [];
  const result = await runner.run(command, { onLine: (line) => lines.push(line), allowFailure: true });
  return { ...result, lines };
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const emptyConf = () => join(work, 'empty.cnf');
const fipsModuleCnf = () => join(work, 'fipsmodule.cnf');
const opensslCnf = () => join(work, 'openssl.cnf');

describe('the MinGW-w64 build', () => {
  it("is laid out as the product's win32 openssl prefix, and readBuildInfo accepts it", () => {
    const info = readBuildInfo(prefix);
    expect(info).toMatchObject({ product: 'openssl', platform: 'win32', arch: 'x64', fipsProvider: { module: 'lib/ossl-modules/fips.dll' } });
    expect(Object.keys(info.artifacts).sort()).toEqual(['bin/libcrypto-3-x64.dll', 'bin/libssl-3-x64.dll', 'bin/openssl.exe', 'lib/ossl-modules/fips.dll']);
    for (const [file, digest] of Object.entries(info.artifacts)) expect(sha256(readFileSync(join(prefix, file)))).toBe(digest);
    // Nothing in it names this checkout: a cache entry restored elsewhere is the same bytes.
    for (const file of Object.keys(info.artifacts)) expect(readFileSync(join(prefix, file)).includes(WORKSPACE)).toBe(false);
  });

  it("has the product's win32 prefix compiled in (C:\\Program Files\\fipskit\\openssl-<version>, spelled with /)", async () => {
    const { exitCode, lines } = await run(openssl(['version', '-d', '-m'], emptyConf()));
    const compiled = mingwCompiledInPrefix(readBuildInfo(prefix).source);
    expect(exitCode).toBe(0);
    expect(lines).toEqual([`OPENSSLDIR: "${compiled}/ssl"`, `MODULESDIR: "${compiled}/lib/ossl-modules"`]);
  });
});

describe('paths under Wine', () => {
  it('maps the test directory to drive Z: and back, as winepath does', async () => {
    const { lines } = await run({ program: 'winepath', args: ['-w', work], cwd: work });
    expect(lines).toEqual([win(work)]);
    expect(win(work)).toBe(`Z:${work.split('/').join('\\')}`);
    expect(toUnixPath(win(work), wine.prefix)).toBe(work);
    expect(toUnixPath('C:\\windows\\system32', wine.prefix)).toBe(join(wine.prefix, 'drive_c', 'windows', 'system32'));
  });
});

describe('FIPS under Wine, from a directory with a space, a non-ASCII letter and an apostrophe', () => {
  it('fipsinstall runs the self-tests and writes the module MAC: INSTALL PASSED', async () => {
    const { exitCode, lines } = await run(
      openssl(['fipsinstall', '-module', win(join(modulesDir, 'fips.dll')), '-out', win(fipsModuleCnf()), '-provider_name', 'fips'], emptyConf()),
    );
    expect(exitCode).toBe(0);
    expect(lines).toContain('INSTALL PASSED');
    const written = readFileSync(fipsModuleCnf(), 'utf8');
    expect(written).toMatch(/^\[fips_sect\]\r\n/);
    expect(written).toMatch(/^module-mac = [0-9A-F:]{95}\r$/m);
    expect(written).toContain('install-status = INSTALL_SELF_TEST_KATS_RUN\r\n');
  });

  it('fipsinstall -verify accepts what it wrote', async () => {
    const { exitCode, lines } = await run(
      openssl(['fipsinstall', '-module', win(join(modulesDir, 'fips.dll')), '-in', win(fipsModuleCnf()), '-provider_name', 'fips', '-verify'], emptyConf()),
    );
    expect(exitCode).toBe(0);
    expect(lines).toContain('VERIFY PASSED');
  });

  it('with fips and base activated and default_properties = fips=yes, the FIPS provider is active', async () => {
    // The product's strict configuration, with the section fipsinstall wrote in CRLF lines.
    writeFileSync(opensslCnf(), renderOpenSslCnf(readFipsSection(readFileSync(fipsModuleCnf(), 'utf8'), fipsModuleCnf()), 'strict'));
    const { exitCode, lines } = await run(openssl(['list', '-providers', '-verbose'], opensslCnf()));
    expect(exitCode).toBe(0);
    expect(providerIsActive(lines, 'fips')).toBe(true);
    expect(providerIsActive(lines, 'base')).toBe(true);
    expect(lines).not.toContain('  default');
  });

  it('refuses MD5', async () => {
    const { exitCode, lines } = await run(openssl(['dgst', '-md5', win(join(work, 'data ë.txt'))], opensslCnf()));
    expect(exitCode).not.toBe(0);
    expect(lines.join('\n')).toMatch(/unsupported.*Algorithm \(MD5/);
  });

  it('computes SHA-256 of a file whose name has a non-ASCII letter', async () => {
    const { exitCode, lines } = await run(openssl(['dgst', '-sha256', win(join(work, 'data ë.txt'))], opensslCnf()));
    expect(exitCode).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^SHA2-256\\(.*\\)= ${sha256('fipskit under Wine\n')}$`));
  });

  it('prints like a Windows program: CRLF line ends, and file names in the ANSI code page (cp1252), not UTF-8', () => {
    const command = wineCommand(wine, openssl(['dgst', '-sha256', win(join(work, 'data ë.txt'))], opensslCnf()));
    const raw = spawnSync(command.program, command.args, { cwd: command.cwd, env: childEnvironment(command.env) }).stdout;
    expect(raw.subarray(-2).toString('latin1')).toBe('\r\n');
    expect(raw.includes(Buffer.from("Zo\xeb's dir\\data \xeb.txt", 'latin1'))).toBe(true);
    expect(raw.includes(Buffer.from('ë', 'utf8'))).toBe(false);
  });
});

describe('a fips.dll with one byte changed', () => {
  const tamperedDir = () => join(work, 'tampered modules');

  beforeAll(() => {
    mkdirSync(tamperedDir(), { recursive: true });
    const module = readFileSync(join(modulesDir, 'fips.dll'));
    // The middle of the file is inside .text: the DLL still loads, its integrity self-test must fail.
    module[module.length >> 1] ^= 0x01;
    writeFileSync(join(tamperedDir(), 'fips.dll'), module);
  });

  it('fails fipsinstall -verify against the MAC of the real one', async () => {
    const { exitCode, lines } = await run(
      openssl(['fipsinstall', '-module', win(join(tamperedDir(), 'fips.dll')), '-in', win(fipsModuleCnf()), '-provider_name', 'fips', '-verify'], emptyConf()),
    );
    expect(exitCode).not.toBe(0);
    expect(lines).toContain('VERIFY FAILED');
  });

  it('is not loaded by the FIPS configuration; openssl says so only by leaving it out of the list', async () => {
    const { exitCode, lines } = await run(openssl(['list', '-providers', '-verbose'], opensslCnf(), tamperedDir()));
    // Exit code 0 even with config_diagnostics = 1 (OpenSSL 3.0 on Linux does the same): only the list tells.
    expect(exitCode).toBe(0);
    expect(providerIsActive(lines, 'fips')).toBe(false);
    expect(providerIsActive(lines, 'base')).toBe(true);
  });
});

describe('.cmd scripts through cmd.exe', () => {
  it('runs a script named with a space, passes quoted arguments, finds its own directory and returns its exit code', async () => {
    const script = join(work, 'fips check.cmd');
    const body = [
      '@echo off',
      'setlocal',
      'set "OPENSSL_CONF=%~dp0openssl.cnf"',
      'set "OPENSSL_MODULES=%~dp0openssl\\lib\\ossl-modules"',
      // %1 keeps the quotes the argument arrived in; %~2 drops them.
      'echo first=[%1]',
      'echo second=[%~2]',
      '"%~dp0openssl\\bin\\openssl.exe" list -providers',
      'exit /b 3',
    ];
    writeFileSync(script, body.join('\r\n') + '\r\n');
    const { exitCode, lines } = await run(cmdScriptCommand(win(script), ['a b & c', "it's"], win(work)));
    expect(lines.slice(0, 2)).toEqual(['first=["a b & c"]', "second=[it's]"]);
    expect(providerIsActive(lines, 'fips')).toBe(true);
    expect(exitCode).toBe(3);
  });

  it('refuses arguments cmd.exe cannot be handed unchanged', () => {
    expect(() => cmdScriptCommand('Z:\\x.cmd', ['say "hi"'], 'Z:\\')).toThrow(/cannot be handed safely/);
    expect(() => cmdScriptCommand('Z:\\x.cmd', ['50%'], 'Z:\\')).toThrow(/cannot be handed safely/);
  });
});
