import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

/** The two extension modules fipskit builds with PCbuild, by their project names. */
export type PcbuildModule = '_ssl' | '_hashlib';
export const PCBUILD_MODULES: readonly PcbuildModule[] = ['_ssl', '_hashlib'];

export interface PcbuildModuleFacts {
  /** Projects named in its `ProjectReference`s, without `.vcxproj` (`pythoncore`, `_socket`). */
  references: string[];
  /** It compiles OpenSSL's `applink.c` from `$(opensslIncludeDir)` (3.11's `_ssl`; gone in 3.13). */
  compilesApplink: boolean;
}

/**
 * What a CPython release's PCbuild says about building `_ssl` and `_hashlib`, read from its own
 * project files rather than assumed per version: the plan is made from these.
 */
export interface PcbuildFacts {
  /** python.props: the OpenSSL binaries directory CPython pins (`openssl-bin-1.1.1s`, `openssl-bin-3.0.16.2`). */
  pinnedOpenSslBinaries: string;
  /** openssl.props: the DLL suffix of CPython's own x64 OpenSSL build (`-1_1` in 3.11.2, `-3` in 3.13.5). */
  pinnedDllSuffix: string;
  /**
   * openssl.props `_SSLDLL` items, relative to `$(opensslOutDir)`: the files `_CopySSLDLL` copies next to
   * the modules after each build (`libcrypto$(_DLLSuffix).dll`, `.pdb`, …). A missing one fails the build.
   */
  copiedOpenSslFiles: string[];
  modules: Record<PcbuildModule, PcbuildModuleFacts>;
  /** pythoncore.vcxproj generates pyconfig.h from PC\pyconfig.h.in in its `_UpdatePyconfig` target (3.13+). */
  generatesPyconfig: boolean;
  /** _freeze_module.vcxproj runs Tools\scripts\deepfreeze.py with `$(PythonForBuild)` (3.11 only). */
  runsDeepfreeze: boolean;
  /** Names listed in any `TreatAsLocalProperty`: a command-line `/p:` cannot override those. */
  localProperties: string[];
}

/** An element of an MSBuild file, with what fipskit reads of it. */
export interface MsbuildElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: MsbuildElement[];
}

type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/** Parses an MSBuild project or props file into its root element (`Project`). */
export function parseMsbuildXml(text: string, file = 'MSBuild file'): MsbuildElement {
  // pcbuild.proj starts with a byte-order mark.
  const nodes = parser.parse(text.replace(/^\uFEFF/, '')) as OrderedNode[];
  const root = toElements(nodes).find((element) => element.name === 'Project');
  if (!root) throw new Error(`${file} has no <Project> element: it is not an MSBuild file.`);
  return root;
}

function toElements(nodes: OrderedNode[]): MsbuildElement[] {
  const elements: MsbuildElement[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((key) => key !== ':@' && key !== '#text' && !key.startsWith('?'));
    if (!name) continue;
    const content = (node[name] as OrderedNode[]) ?? [];
    elements.push({
      name,
      attributes: (node[':@'] as Record<string, string>) ?? {},
      text: content
        .filter((child) => '#text' in child)
        .map((child) => String(child['#text']))
        .join(''),
      children: toElements(content),
    });
  }
  return elements;
}

/** Every element named `name` below `element`, in document order. */
export function descendants(element: MsbuildElement, name: string): MsbuildElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...descendants(child, name)]);
}

function readProject(pcbuildDir: string, file: string): MsbuildElement {
  const path = join(pcbuildDir, file);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: ${pcbuildDir} is not the PCbuild directory of a CPython 3.11+ source release.`);
  }
  return parseMsbuildXml(readFileSync(path, 'utf8'), path);
}

/** The first definition: what the property is unless a platform or the caller sets it (`Condition="$(X) == ''"` defaults included). */
function firstDefinition(project: MsbuildElement, property: string, file: string): string {
  const definitions = descendants(project, property);
  const value = (definitions.find((element) => !element.attributes.Condition) ?? definitions[0])?.text;
  if (value === undefined) throw new Error(`${file} no longer defines ${property}: fipskit does not know this PCbuild layout.`);
  return value;
}

function moduleFacts(pcbuildDir: string, module: PcbuildModule): PcbuildModuleFacts {
  const file = `${module}.vcxproj`;
  const project = readProject(pcbuildDir, file);
  const references = descendants(project, 'ProjectReference').map((reference) => reference.attributes.Include.replace(/\.vcxproj$/i, ''));
  const applink = descendants(project, 'ClCompile')
    .map((compile) => compile.attributes.Include)
    .filter((include): include is string => !!include && /applink\.c$/i.test(include));
  for (const include of applink) {
    if (include.replace(/\//g, '\\') !== '$(opensslIncludeDir)\\applink.c') {
      throw new Error(`${file} compiles ${include}; fipskit stages applink.c only as $(opensslIncludeDir)\\applink.c.`);
    }
  }
  return { references, compilesApplink: applink.length > 0 };
}

/** Reads python.props, openssl.props, the module projects, pythoncore and _freeze_module of a source tree. */
export function readPcbuildFacts(pcbuildDir: string): PcbuildFacts {
  const pythonProps = readProject(pcbuildDir, 'python.props');
  const outDirDefault = firstDefinition(pythonProps, 'opensslOutDir', 'python.props');
  const pinned = /(openssl-bin-[^\\/]+)/.exec(outDirDefault);
  if (!pinned)
    throw new Error(`python.props sets opensslOutDir to ${outDirDefault}, not an openssl-bin-<version> directory: fipskit does not know this PCbuild layout.`);

  const opensslProps = readProject(pcbuildDir, 'openssl.props');
  const copiedOpenSslFiles = descendants(opensslProps, '_SSLDLL').map((item) => {
    const match = /^\$\(opensslOutDir\)\\?(.+)$/.exec(item.attributes.Include ?? '');
    if (!match)
      throw new Error(`openssl.props copies ${item.attributes.Include}, which is not under $(opensslOutDir): fipskit does not know this PCbuild layout.`);
    return match[1];
  });

  const pythoncore = readProject(pcbuildDir, 'pythoncore.vcxproj');
  const freezeModule = readProject(pcbuildDir, '_freeze_module.vcxproj');
  const targetNames = (project: MsbuildElement) => descendants(project, 'Target').map((target) => target.attributes.Name);

  const localProperties = new Set<string>();
  for (const file of readdirSync(pcbuildDir)
    .filter((name) => /\.(props|targets|vcxproj|proj)$/i.test(name))
    .sort()) {
    const text = readFileSync(join(pcbuildDir, file), 'utf8');
    if (!text.includes('TreatAsLocalProperty')) continue;
    const local = parseMsbuildXml(text, file).attributes.TreatAsLocalProperty ?? '';
    local
      .split(/[;,]/)
      .map((name) => name.trim())
      .filter(Boolean)
      .forEach((name) => localProperties.add(name));
  }

  return {
    pinnedOpenSslBinaries: pinned[1],
    pinnedDllSuffix: firstDefinition(opensslProps, '_DLLSuffix', 'openssl.props'),
    copiedOpenSslFiles,
    modules: { _ssl: moduleFacts(pcbuildDir, '_ssl'), _hashlib: moduleFacts(pcbuildDir, '_hashlib') },
    generatesPyconfig: targetNames(pythoncore).includes('_UpdatePyconfig'),
    runsDeepfreeze: targetNames(freezeModule).includes('_RebuildDeepFrozen'),
    localProperties: [...localProperties].sort(),
  };
}
