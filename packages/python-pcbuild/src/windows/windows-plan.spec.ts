import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStep, RunStep, TaskStep, renderPlan } from '@fipskit/core';
import { PcbuildRoute } from './msbuild-properties';
import { PcbuildFacts, readPcbuildFacts } from './pcbuild-facts';
import { PCBUILD_REFERENCE_SOURCES, PcbuildReferenceSeries, extractPcbuild, referenceTarball } from './pcbuild-reference-sources';
import { WindowsPcbuildInput, buildWindowsPcbuildPlan, checkPythonTask, pythonImportLibrary } from './windows-plan';
import { windowsRuntimeLayout } from '../fips-runtime/fips-runtime-entries';
import { makeInstalledPython } from '../testing/installed-python';

const MSBUILD = 'C:\\Program Files\\Microsoft Visual Studio\\2022\\BuildTools\\MSBuild\\Current\\Bin\\amd64\\MSBuild.exe';
const PY311 = 'C:\\Program Files\\Python311';
const PY313 = 'C:\\Program Files\\Python313';

function input(series: PcbuildReferenceSeries, work: string, route?: PcbuildRoute): WindowsPcbuildInput {
  const source = PCBUILD_REFERENCE_SOURCES[series];
  return {
    sourceDir: `${work}\\tmp\\fipskit\\p\\python\\src`,
    sourceVersion: source.version,
    sourceArchive: source.fileName,
    openssl: { prefix: `${work}\\dist\\p\\openssl`, version: '3.0.9' },
    runtime: windowsRuntimeLayout({
      opensslDir: 'C:\\Program Files\\fipskit\\openssl-3.0.9\\ssl',
      modulesDir: 'C:\\Program Files\\fipskit\\openssl-3.0.9\\lib\\ossl-modules',
    }),
    pythonDir: series === '3.11' ? PY311 : PY313,
    staging: `${work}\\dist\\p\\python.staging`,
    outputDir: `${work}\\dist\\p\\python`,
    ...(route ? { route } : {}),
  };
}

const runs = (steps: ReturnType<typeof buildWindowsPcbuildPlan>['steps']) => steps.filter((s): s is RunStep => s.kind === 'run');

it('names the import library of the source version', () => {
  expect(pythonImportLibrary('3.11.2')).toBe('python311.lib');
  expect(pythonImportLibrary('3.13.5')).toBe('python313.lib');
});

describe.each(Object.keys(PCBUILD_REFERENCE_SOURCES) as PcbuildReferenceSeries[])('Windows plan for the PCbuild of CPython %s', (series) => {
  const { archive, title } = referenceTarball(series);
  (archive ? describe : describe.skip)(title, () => {
    let dir: string;
    let facts: PcbuildFacts;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `fipskit-pcbuild-plan-${series}-`));
      facts = readPcbuildFacts(await extractPcbuild(archive!, dir));
    }, 120_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const work = 'C:\\Users\\Zoë\\work';
    const src = `${work}\\tmp\\fipskit\\p\\python\\src`;
    const pcbuild = `${src}\\PCbuild`;
    const out = `${src}\\externals\\openssl-bin-3.0.9-fipskit\\amd64\\`;
    const python = series === '3.11' ? PY311 : PY313;
    const lib = series === '3.11' ? 'python311.lib' : 'python313.lib';
    const props = [
      '/nologo',
      '/v:m',
      '/p:Configuration=Release',
      '/p:Platform=x64',
      `/p:opensslOutDir=${out}`,
      `/p:opensslIncludeDir=${out}include`,
      '/p:_DLLSuffix=-3-x64',
    ];

    it('import-library route (default): no pythoncore compile, exact msbuild commands', () => {
      const plan = buildWindowsPcbuildPlan(input(series, work), facts, { msbuild: MSBUILD });
      const p = [...props, '/p:BuildProjectReferences=false'];
      const pyconfig = series === '3.13' ? [[MSBUILD, `${pcbuild}\\pythoncore.vcxproj`, '/t:_UpdatePyconfig', ...p]] : [];
      expect(runs(plan.steps).map((s) => [s.command.program, ...s.command.args])).toEqual([
        ...pyconfig,
        [MSBUILD, `${pcbuild}\\_socket.vcxproj`, '/t:Build', ...p],
        [MSBUILD, `${pcbuild}\\_ssl.vcxproj`, '/t:Build', ...p],
        [MSBUILD, `${pcbuild}\\_hashlib.vcxproj`, '/t:Build', ...p],
      ]);
      for (const step of runs(plan.steps)) {
        expect(step.command.cwd).toBe(pcbuild);
        expect(step.command.env).toEqual({ PythonForBuild: `"${python}\\python.exe"` });
      }

      expect(plan.steps.map((s) => s.title)).toEqual([
        `Unpack ${PCBUILD_REFERENCE_SOURCES[series].fileName} (CPython ${PCBUILD_REFERENCE_SOURCES[series].version})`,
        `Check ${python}`,
        'Stage OpenSSL 3.0.9 where PCbuild looks for it',
        `Link against the installed Python's ${lib} instead of compiling pythoncore`,
        ...(series === '3.13' ? ['Generate pyconfig.h (pythoncore target _UpdatePyconfig, no compiling)'] : []),
        "Build _socket (its import library is an input of the modules' link)",
        'Build _ssl.pyd',
        'Build _hashlib.pyd',
        "Collect the modules and the OpenSSL DLLs they import, and fipskit's runtime for the zip slot",
        'Record build information',
        'Publish output',
      ]);
      const linkStep = plan.steps[3] as FileStep;
      expect(linkStep.operations).toEqual([
        { op: 'mkdir', to: `${pcbuild}\\amd64` },
        { op: 'copy', from: `${python}\\libs\\${lib}`, to: `${pcbuild}\\amd64\\${lib}` },
      ]);
      expect((plan.steps[1] as TaskStep).detail).toBe(
        `must be an x64 Python ${PCBUILD_REFERENCE_SOURCES[series].version} (${lib.replace('.lib', '.dll')}, include\\patchlevel.h) with its import library libs\\${lib}`,
      );
      const collect = plan.steps.find((s) => s.title.startsWith('Collect')) as FileStep;
      expect(collect.operations.slice(0, -1)).toEqual([
        { op: 'mkdir', to: `${work}\\dist\\p\\python.staging\\DLLs` },
        ...['_ssl.pyd', '_hashlib.pyd', 'libcrypto-3-x64.dll', 'libssl-3-x64.dll'].map((name) => ({
          op: 'copy',
          from: `${pcbuild}\\amd64\\${name}`,
          to: `${work}\\dist\\p\\python.staging\\DLLs\\${name}`,
        })),
      ]);
      // fipskit's runtime for the installed Python's zip slot: the real modules in DLLs\, the configuration where the build compiled it in.
      const zip = collect.operations.at(-1) as { op: string; to: string; entries: Array<{ name: string; content: string }> };
      expect(zip).toMatchObject({ op: 'zip', to: `${work}\\dist\\p\\python.staging\\python${lib.slice(6, 9)}.zip` });
      expect(JSON.parse(zip.entries.find((e) => e.name === '_fipskit_layout.py')!.content.split('LAYOUT = ')[1])).toEqual({
        extensions: { _ssl: 'DLLs', _hashlib: 'DLLs' },
        opensslConf: 'C:\\Program Files\\fipskit\\openssl-3.0.9\\ssl\\openssl.cnf',
        opensslModules: 'C:\\Program Files\\fipskit\\openssl-3.0.9\\lib\\ossl-modules',
      });
    });

    it('full-core route: _freeze_module first, then each module builds pythoncore and _socket through its references', () => {
      const plan = buildWindowsPcbuildPlan(input(series, work, 'full-core'), facts, { msbuild: MSBUILD });
      expect(runs(plan.steps).map((s) => [s.command.program, ...s.command.args])).toEqual([
        [MSBUILD, `${pcbuild}\\_freeze_module.vcxproj`, '/t:Build', ...props],
        [MSBUILD, `${pcbuild}\\_ssl.vcxproj`, '/t:Build', ...props],
        [MSBUILD, `${pcbuild}\\_hashlib.vcxproj`, '/t:Build', ...props],
      ]);
      expect(plan.steps.map((s) => s.title)).toContain('Build _ssl.pyd (and pythoncore, _socket through its project references)');
      expect(plan.steps.some((s) => s.title.startsWith('Link against'))).toBe(false);
      expect((plan.steps[1] as TaskStep).detail).not.toContain('libs\\');
    });

    it('renders for cmd.exe: paths with spaces and non-ASCII quoted, trailing backslashes kept', () => {
      const spaced = 'C:\\Users\\Zoë\\my work';
      const text = renderPlan(buildWindowsPcbuildPlan(input(series, spaced), facts, { msbuild: MSBUILD }));
      const sp = `${spaced}\\tmp\\fipskit\\p\\python\\src`;
      const spOut = `${sp}\\externals\\openssl-bin-3.0.9-fipskit\\amd64\\`;
      expect(text).toContain(
        `   $ "${MSBUILD}" "${sp}\\PCbuild\\_ssl.vcxproj" /t:Build /nologo /v:m /p:Configuration=Release /p:Platform=x64 ` +
          `"/p:opensslOutDir=${spOut}\\" "/p:opensslIncludeDir=${spOut}include" /p:_DLLSuffix=-3-x64 /p:BuildProjectReferences=false`,
      );
      expect(text).toContain(`   cwd: ${sp}\\PCbuild\n   env: PythonForBuild="${python}\\python.exe"`);
      expect(text).toContain(`   copy ${python}\\libs\\${lib} -> ${sp}\\PCbuild\\amd64\\${lib}`);
      expect(text).toContain(`   copy ${spaced}\\dist\\p\\openssl\\bin\\libcrypto-3-x64.dll -> ${spOut}libcrypto-3-x64.dll`);
      expect(text.startsWith('Plan for python (target platform: win32)')).toBe(true);
    });

    it('calls back into the tasks it is given', async () => {
      const called: string[] = [];
      const plan = buildWindowsPcbuildPlan(
        input(series, work),
        facts,
        { msbuild: MSBUILD },
        {
          unpack: async () => void called.push('unpack'),
          checkPython: async () => void called.push('check'),
          writeManifest: async () => void called.push('manifest'),
          publish: async () => void called.push('publish'),
        },
      );
      for (const step of plan.steps) if (step.kind === 'task') await step.perform();
      expect(called).toEqual(['unpack', 'check', 'manifest', 'publish']);
    });
  });
});

describe("the build plan's check of the Python, on a Windows-like tree", () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'fipskit-winpy-tasks-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function tree(withLibs: boolean): { pythonDir: string } {
    return { pythonDir: makeInstalledPython(join(root, 'Program Files', 'Python311'), { importLibrary: withLibs }) };
  }

  it('asks for the development files on the import-library route only', async () => {
    const input = tree(false);
    await expect(checkPythonTask(input.pythonDir, '3.11.2')()).rejects.toThrow(
      `${join(input.pythonDir, 'libs', 'python311.lib')} does not exist: this Python was installed without its headers and libraries (installer option Include_dev=0).`,
    );
    await expect(checkPythonTask(input.pythonDir, '3.11.2', 'full-core')()).resolves.toBeUndefined();
  });
});
