import { PcbuildFacts } from './pcbuild-facts';
import { PcbuildOpenSslLayout } from './pcbuild-layout';

/**
 * How `_ssl` and `_hashlib` get the CPython core they link against.
 *
 * - `import-library` (shortest): link against the installed Python's own `libs\python3XY.lib` (the
 *   python.org installer's development files), so pythoncore is never compiled. Only `_socket` (an
 *   input of `_ssl`'s link, through its ProjectReference), `_ssl` and `_hashlib` are.
 * - `full-core`: what pcbuild.proj does: `_freeze_module` first (it generates the frozen modules
 *   pythoncore compiles), then each module builds pythoncore and `_socket` through its ProjectReferences.
 *   For an installed Python without `libs\` (the embeddable zip).
 */
export type PcbuildRoute = 'import-library' | 'full-core';

export interface MsbuildProperty {
  name: string;
  value: string;
}

/** `/p:` values are escaped the way MSBuild unescapes them: `;` and `,` would split the list, `%` `$` `@` `'` `*` `?` are special in item includes. */
export function escapeMsbuildValue(value: string): string {
  return value.replace(/[%;,$@'*?]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function msbuildPropertySwitches(properties: MsbuildProperty[]): string[] {
  return properties.map(({ name, value }) => `/p:${name}=${escapeMsbuildValue(value)}`);
}

/**
 * The global properties that point PCbuild at our OpenSSL without editing a file. Global properties
 * beat every `<PropertyGroup>` assignment in the projects (only `TreatAsLocalProperty` could stop them),
 * so even openssl.props' unconditional `_DLLSuffix` yields.
 */
export function pcbuildMsbuildProperties(layout: PcbuildOpenSslLayout, route: PcbuildRoute): MsbuildProperty[] {
  const properties: MsbuildProperty[] = [
    { name: 'Configuration', value: 'Release' },
    // python.props: Platform x64 gives ArchName amd64, so the modules land in PCbuild\amd64\.
    { name: 'Platform', value: 'x64' },
    // python.props defaults it to $(ExternalsDir)openssl-bin-<CPython's pin>\$(ArchName)\ (what get_externals.bat fetches).
    { name: 'opensslOutDir', value: layout.outDir },
    // Derived by python.props as $(opensslOutDir)include when unset; given so the plan says where headers come from.
    { name: 'opensslIncludeDir', value: layout.includeDir },
    // openssl.props: -1_1 (3.11.2) or -3 (3.13.5) names CPython's own DLLs; ours are libcrypto-3-x64.dll.
    // Only _CopySSLDLL uses it; the link itself goes through libcrypto.lib, which names the right DLL.
    { name: '_DLLSuffix', value: layout.dllSuffix },
  ];
  // MSBuild's own switch: referenced projects are not built, only asked for their outputs (GetTargetPath,
  // GetResolvedLinkLibs). Their outputs must then exist: python3XY.lib is copied in, _socket built first.
  if (route === 'import-library') properties.push({ name: 'BuildProjectReferences', value: 'false' });
  return properties;
}

/** Refuses a PCbuild whose files would ignore a `/p:` fipskit relies on: that version would need a file edit. */
export function assertOverridable(facts: PcbuildFacts, properties: MsbuildProperty[]): void {
  const blocked = properties.filter(({ name }) => facts.localProperties.some((local) => local.toLowerCase() === name.toLowerCase()));
  if (blocked.length > 0) {
    throw new Error(
      `This CPython's PCbuild lists ${blocked.map((p) => p.name).join(', ')} in TreatAsLocalProperty, so /p: on the command line cannot set it. ` +
        'fipskit does not edit PCbuild files: use a CPython release whose PCbuild honours the override (3.11 to 3.13 do).',
    );
  }
}

/**
 * PCbuild runs Python for generated sources (regen.targets, 3.11's deepfreeze) as `$(PythonForBuild) script`,
 * unquoted, and without it runs find_python.bat, which downloads a Python from nuget.org. It is set to the
 * installed interpreter, quoted as find_python.bat itself quotes it, so a path with spaces survives. An
 * environment variable, not `/p:`: MSBuild's switch parser would strip the quotes.
 */
export function pythonForBuildEnv(pythonExe: string): Record<string, string> {
  return { PythonForBuild: `"${pythonExe}"` };
}
