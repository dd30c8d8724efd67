import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileOperation } from '@fipskit/core';
import { pcbuildMsbuildProperties } from './msbuild-properties';
import { descendants, parseMsbuildXml, readPcbuildFacts } from './pcbuild-facts';
import { openSslDllSuffix, pcbuildOpenSslLayout, stageOpenSslForPcbuild } from './pcbuild-layout';
import { PCBUILD_REFERENCE_SOURCES, PcbuildReferenceSeries, extractPcbuild, referenceTarball } from './pcbuild-reference-sources';

const SRC = 'C:\\Users\\Zoë\\my work\\tmp\\fipskit\\p\\python\\src';
const PREFIX = 'C:\\Users\\Zoë\\my work\\dist\\p\\openssl';
const openssl = { prefix: PREFIX, version: '3.0.9' };
const STAGE = `${SRC}\\externals\\openssl-bin-3.0.9-fipskit`;
const OUT = `${STAGE}\\amd64\\`;

/** `$(Name)` replaced by the global properties MSBuild would see, as a check that the staged files are where PCbuild looks. */
function expand(expression: string, properties: Record<string, string>): string {
  return expression.replace(/\$\((\w+)\)/g, (_, name: string) => {
    if (!(name in properties)) throw new Error(`$(${name}) is not set by the plan`);
    return properties[name];
  });
}

/** Windows resolves `a\\b` and `a\b` alike. */
const normal = (path: string) => path.replace(/\\+/g, '\\');

describe('OpenSSL DLL names', () => {
  it.each([
    ['3.0.9', '-3-x64'],
    ['3.5.7', '-3-x64'],
  ])('OpenSSL %s on VC-WIN64A: libcrypto%s.dll', (version, suffix) => {
    expect(openSslDllSuffix(version)).toBe(suffix);
  });

  it('refuses OpenSSL 1.1.1, which has no FIPS provider', () => {
    expect(() => openSslDllSuffix('1.1.1w')).toThrow('OpenSSL 1.1.1w has no FIPS provider');
  });
});

it('lays our OpenSSL out in a fipskit-owned externals directory, with a trailing backslash on opensslOutDir', () => {
  expect(pcbuildOpenSslLayout(SRC, openssl)).toEqual({
    root: STAGE,
    outDir: OUT,
    includeDir: `${OUT}include`,
    dllSuffix: '-3-x64',
    dlls: ['libcrypto-3-x64.dll', 'libssl-3-x64.dll'],
  });
});

const common = (): FileOperation[] => [
  { op: 'remove', to: STAGE },
  { op: 'mkdir', to: `${OUT}include\\openssl` },
  { op: 'copy', from: `${PREFIX}\\lib\\libcrypto.lib`, to: `${OUT}libcrypto.lib` },
  { op: 'copy', from: `${PREFIX}\\lib\\libssl.lib`, to: `${OUT}libssl.lib` },
  { op: 'copy', from: `${PREFIX}\\bin\\libcrypto-3-x64.dll`, to: `${OUT}libcrypto-3-x64.dll` },
  { op: 'copy', from: `${PREFIX}\\bin\\libcrypto-3-x64.pdb`, to: `${OUT}libcrypto-3-x64.pdb` },
  { op: 'copy', from: `${PREFIX}\\bin\\libssl-3-x64.dll`, to: `${OUT}libssl-3-x64.dll` },
  { op: 'copy', from: `${PREFIX}\\bin\\libssl-3-x64.pdb`, to: `${OUT}libssl-3-x64.pdb` },
  { op: 'copy', from: `${PREFIX}\\include\\openssl\\*.h`, to: `${OUT}include\\openssl` },
];
const fips: FileOperation = { op: 'copy', from: `${PREFIX}\\lib\\ossl-modules\\fips.dll`, to: `${OUT}lib\\ossl-modules\\fips.dll` };

const staging: Record<PcbuildReferenceSeries, FileOperation[]> = {
  // 3.11.2's _ssl.vcxproj compiles $(opensslIncludeDir)\applink.c; OpenSSL installs it under include\openssl.
  '3.11': [...common(), { op: 'copy', from: `${PREFIX}\\include\\openssl\\applink.c`, to: `${OUT}include\\applink.c` }, fips],
  '3.13': [...common(), fips],
};

describe.each(Object.keys(PCBUILD_REFERENCE_SOURCES) as PcbuildReferenceSeries[])('staging for the PCbuild of CPython %s', (series) => {
  const { archive, title } = referenceTarball(series);
  (archive ? describe : describe.skip)(title, () => {
    let dir: string;
    let pcbuild: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `fipskit-pcbuild-layout-${series}-`));
      pcbuild = await extractPcbuild(archive!, dir);
    }, 120_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('copies exactly what PCbuild reads, in order', () => {
      const layout = pcbuildOpenSslLayout(SRC, openssl);
      expect(stageOpenSslForPcbuild(layout, openssl, readPcbuildFacts(pcbuild))).toEqual(staging[series]);
    });

    it('takes applink.c from the OpenSSL source for a no-uplink OpenSSL, which does not install it', () => {
      const noUplink = { ...openssl, applinkSource: 'C:\\Users\\Zoë\\my work\\tmp\\fipskit\\p\\openssl\\src\\ms\\applink.c' };
      const ops = stageOpenSslForPcbuild(pcbuildOpenSslLayout(SRC, noUplink), noUplink, readPcbuildFacts(pcbuild));
      const applink = ops.filter((op) => op.op === 'copy' && op.to.endsWith('applink.c'));
      expect(applink).toEqual(series === '3.11' ? [{ op: 'copy', from: noUplink.applinkSource, to: `${OUT}include\\applink.c` }] : []);
    });

    it('puts every file the real props and projects name, under our /p: values, where the staging writes it', () => {
      const layout = pcbuildOpenSslLayout(SRC, openssl);
      const ops = stageOpenSslForPcbuild(layout, openssl, readPcbuildFacts(pcbuild));
      const written = new Set(ops.flatMap((op) => (op.op === 'copy' && !op.from.includes('*') ? [normal(op.to)] : [])));
      const properties = Object.fromEntries(pcbuildMsbuildProperties(layout, 'import-library').map(({ name, value }) => [name, value]));
      const read = (file: string) => parseMsbuildXml(readFileSync(join(pcbuild, file), 'utf8'), file);

      // python.props derives opensslIncludeDir as `$(opensslOutDir)include`: only right with the trailing backslash.
      const includeDefault = descendants(read('python.props'), 'opensslIncludeDir')[0].text;
      expect(normal(expand(includeDefault, properties))).toBe(normal(properties.opensslIncludeDir));

      // openssl.props: _CopySSLDLL copies these after each build; a missing one fails it (MSB3030).
      const copied = descendants(read('openssl.props'), '_SSLDLL').map((item) => normal(expand(item.attributes.Include, properties)));
      expect(copied).toEqual([`${OUT}libcrypto-3-x64.dll`, `${OUT}libcrypto-3-x64.pdb`, `${OUT}libssl-3-x64.dll`, `${OUT}libssl-3-x64.pdb`]);
      copied.forEach((file) => expect(written).toContain(file));

      // openssl.props links libcrypto.lib and libssl.lib from $(opensslOutDir).
      const libraryDirs = descendants(read('openssl.props'), 'AdditionalLibraryDirectories')[0].text.split(';')[0];
      const libraries = descendants(read('openssl.props'), 'AdditionalDependencies')[0]
        .text.split(';')
        .filter((lib) => lib.startsWith('lib'));
      expect(libraries).toEqual(['libcrypto.lib', 'libssl.lib']);
      libraries.forEach((lib) => expect(written).toContain(normal(`${expand(libraryDirs, properties)}\\${lib}`)));

      // The projects' applink.c, if any.
      for (const project of ['_ssl.vcxproj', '_hashlib.vcxproj']) {
        for (const compile of descendants(read(project), 'ClCompile').filter((c) => /applink\.c$/.test(c.attributes.Include ?? ''))) {
          expect(written).toContain(normal(expand(compile.attributes.Include, properties)));
        }
      }
    });
  });
});
