import { quoteForCmd } from '@fipskit/core';
import { assertOverridable, escapeMsbuildValue, msbuildPropertySwitches, pcbuildMsbuildProperties, pythonForBuildEnv } from './msbuild-properties';
import { PcbuildFacts } from './pcbuild-facts';
import { pcbuildOpenSslLayout } from './pcbuild-layout';

const SRC = 'C:\\Users\\Zoë\\my work\\tmp\\fipskit\\p\\python\\src';
const OUT = `${SRC}\\externals\\openssl-bin-3.0.9-fipskit\\amd64\\`;
const layout = pcbuildOpenSslLayout(SRC, { prefix: 'C:\\Users\\Zoë\\my work\\dist\\p\\openssl', version: '3.0.9' });

/** How the MSVC C runtime (and .NET, hence MSBuild.exe) splits a command line: CommandLineToArgvW's rules. */
function parseWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\') {
      let n = 0;
      while (line[i] === '\\') {
        n++;
        i++;
      }
      if (line[i] === '"') {
        current += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) current += '"';
        else quoted = !quoted;
      } else {
        current += '\\'.repeat(n);
        i--;
      }
      started = true;
    } else if (ch === '"') {
      quoted = !quoted;
      started = true;
    } else if (/\s/.test(ch) && !quoted) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (started) args.push(current);
  return args;
}

describe('MSBuild property values', () => {
  it('escapes what would split the /p: list or be read as MSBuild syntax, and nothing else', () => {
    expect(escapeMsbuildValue("D:\\Doe, John;x\\100%\\$(a)@'b'*?")).toBe('D:\\Doe%2C John%3Bx\\100%25\\%24(a)%40%27b%27%2A%3F');
    expect(escapeMsbuildValue('C:\\Program Files (x86)\\Zoë\\amd64\\')).toBe('C:\\Program Files (x86)\\Zoë\\amd64\\');
  });

  it('import-library route: our OpenSSL directories and DLL suffix, Release x64, referenced projects not rebuilt', () => {
    expect(msbuildPropertySwitches(pcbuildMsbuildProperties(layout, 'import-library'))).toEqual([
      '/p:Configuration=Release',
      '/p:Platform=x64',
      `/p:opensslOutDir=${OUT}`,
      `/p:opensslIncludeDir=${OUT}include`,
      '/p:_DLLSuffix=-3-x64',
      '/p:BuildProjectReferences=false',
    ]);
  });

  it('full-core route: the same, with referenced projects built as usual', () => {
    expect(msbuildPropertySwitches(pcbuildMsbuildProperties(layout, 'full-core'))).toEqual([
      '/p:Configuration=Release',
      '/p:Platform=x64',
      `/p:opensslOutDir=${OUT}`,
      `/p:opensslIncludeDir=${OUT}include`,
      '/p:_DLLSuffix=-3-x64',
    ]);
  });

  it('quotes a path with spaces and a trailing backslash so MSBuild.exe receives it unchanged', () => {
    const arg = `/p:opensslOutDir=${OUT}`;
    const quoted = quoteForCmd(arg);
    // The trailing backslash is doubled before the closing quote, or it would escape the quote.
    expect(quoted).toBe(`"/p:opensslOutDir=${OUT}\\"`);
    expect(parseWindowsCommandLine(`msbuild.exe ${quoted} /t:Build`)).toEqual(['msbuild.exe', arg, '/t:Build']);
  });

  it('gives PythonForBuild quoted, as find_python.bat does, for PCbuild to run unquoted', () => {
    expect(pythonForBuildEnv('C:\\Program Files\\Python311\\python.exe')).toEqual({ PythonForBuild: '"C:\\Program Files\\Python311\\python.exe"' });
  });
});

describe('assertOverridable', () => {
  const facts = (localProperties: string[]): PcbuildFacts => ({
    pinnedOpenSslBinaries: 'openssl-bin-3.0.16.2',
    pinnedDllSuffix: '-3',
    copiedOpenSslFiles: [],
    modules: { _ssl: { references: [], compilesApplink: false }, _hashlib: { references: [], compilesApplink: false } },
    generatesPyconfig: true,
    runsDeepfreeze: false,
    localProperties,
  });

  it('accepts what PCbuild keeps local today (Py_IntDir)', () => {
    expect(() => assertOverridable(facts(['Py_IntDir']), pcbuildMsbuildProperties(layout, 'import-library'))).not.toThrow();
  });

  it('refuses a PCbuild that would ignore one of our /p: values, whatever its case', () => {
    expect(() => assertOverridable(facts(['Py_IntDir', '_dllsuffix']), pcbuildMsbuildProperties(layout, 'import-library'))).toThrow(
      "This CPython's PCbuild lists _DLLSuffix in TreatAsLocalProperty, so /p: on the command line cannot set it.",
    );
  });
});
