import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcbuildFacts, descendants, parseMsbuildXml, readPcbuildFacts } from './pcbuild-facts';
import { PCBUILD_REFERENCE_SOURCES, PcbuildReferenceSeries, cachedCpythonTarball, extractPcbuild, referenceTarball } from './pcbuild-reference-sources';

describe('parseMsbuildXml', () => {
  it('keeps document order, attributes and text, and skips a byte-order mark', () => {
    const project = parseMsbuildXml(
      '\uFEFF<?xml version="1.0"?><Project TreatAsLocalProperty="A;B"><PropertyGroup><X>1</X><X Condition="$(P) == \'ARM\'">$(X)-arm</X></PropertyGroup></Project>',
    );
    expect(project.attributes.TreatAsLocalProperty).toBe('A;B');
    expect(descendants(project, 'X').map((x) => [x.text, x.attributes.Condition])).toEqual([
      ['1', undefined],
      ['$(X)-arm', "$(P) == 'ARM'"],
    ]);
  });

  it('refuses a file without a Project element', () => {
    expect(() => parseMsbuildXml('<Root/>', 'x.props')).toThrow('x.props has no <Project> element');
  });
});

it('refuses a directory that is not PCbuild, naming what is missing', () => {
  const empty = mkdtempSync(join(tmpdir(), 'fipskit-pcbuild-empty-'));
  try {
    expect(() => readPcbuildFacts(empty)).toThrow(`${join(empty, 'python.props')} is missing: ${empty} is not the PCbuild directory`);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

it('finds no tarball in an empty content cache, and the suite title then says how to fetch it', () => {
  const cache = join(tmpdir(), 'fipskit-no-such-cache');
  expect(cachedCpythonTarball('3.11', cache)).toBeUndefined();
  expect(referenceTarball('3.13', cache).title).toBe(
    `python3.13_3.13.5.orig.tar.xz — SKIPPED: not in fipskit's content cache; fetch it with resolveSource('cpython', ` +
      `{"kind":"debian","package":"python3.13","version":"3.13.5","suites":["trixie"]}) and fetchSource`,
  );
});

const expected: Record<PcbuildReferenceSeries, PcbuildFacts> = {
  '3.11': {
    pinnedOpenSslBinaries: 'openssl-bin-1.1.1s',
    pinnedDllSuffix: '-1_1',
    copiedOpenSslFiles: ['libcrypto$(_DLLSuffix).dll', 'libcrypto$(_DLLSuffix).pdb', 'libssl$(_DLLSuffix).dll', 'libssl$(_DLLSuffix).pdb'],
    modules: {
      _ssl: { references: ['pythoncore', '_socket'], compilesApplink: true },
      _hashlib: { references: ['pythoncore'], compilesApplink: false },
    },
    generatesPyconfig: false,
    runsDeepfreeze: true,
    localProperties: ['Py_IntDir'],
  },
  '3.13': {
    pinnedOpenSslBinaries: 'openssl-bin-3.0.16.2',
    pinnedDllSuffix: '-3',
    copiedOpenSslFiles: ['libcrypto$(_DLLSuffix).dll', 'libcrypto$(_DLLSuffix).pdb', 'libssl$(_DLLSuffix).dll', 'libssl$(_DLLSuffix).pdb'],
    modules: {
      _ssl: { references: ['pythoncore', '_socket'], compilesApplink: false },
      _hashlib: { references: ['pythoncore'], compilesApplink: false },
    },
    generatesPyconfig: true,
    runsDeepfreeze: false,
    localProperties: ['Py_IntDir'],
  },
};

describe.each(Object.keys(PCBUILD_REFERENCE_SOURCES) as PcbuildReferenceSeries[])('PCbuild of CPython %s, read from the release tarball', (series) => {
  const { archive, title } = referenceTarball(series);
  (archive ? describe : describe.skip)(title, () => {
    let dir: string;
    let pcbuild: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `fipskit-pcbuild-${series}-`));
      pcbuild = await extractPcbuild(archive!, dir);
    }, 120_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('gives the facts the Windows plan is made from', () => {
      expect(readPcbuildFacts(pcbuild)).toEqual(expected[series]);
    });
  });
});
