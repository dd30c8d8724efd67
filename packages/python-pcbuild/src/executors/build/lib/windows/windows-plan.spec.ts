import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStep, RunStep, TaskStep, renderPlan } from '@fipskit/core';
import { PcbuildRoute } from './msbuild-properties';
import { PcbuildFacts, readPcbuildFacts } from './pcbuild-facts';
import { PCBUILD_REFERENCE_SOURCES, PcbuildReferenceSeries, extractPcbuild, referenceTarball } from './pcbuild-reference-sources';
import {
  WindowsInstallInput,
  WindowsPcbuildInput,
  buildWindowsInstallPlan,
  buildWindowsPcbuildPlan,
  builtFileNames,
  checkPythonTask,
  pcbuildInstallFiles,
  pythonImportLibrary,
  windowsInstallTasks,
} from './windows-plan';

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
    pythonDir: series === '3.11' ? PY311 : PY313,
    staging: `${work}\\dist\\p\\python.staging`,
    outputDir: `${work}\\dist\\p\\python`,
    ...(route ? { route } : {}),
  };
}

function installInput(work: string): WindowsInstallInput {
  return {
    builtDir: `${work}\\dist\\p\\python`,
    files: builtFileNames({ prefix: `${work}\\dist\\p\\openssl`, version: '3.0.9' }),
    sourceVersion: '3.11.2',
    pythonDir: PY311,
    backupDir: `${work}\\.fipskit\\backup\\p`,
  };
}

const runs = (steps: ReturnType<typeof buildWindowsPcbuildPlan>['steps']) => steps.filter((s): s is RunStep => s.kind === 'run');

it('names the import library of the source version', () => {
  expect(pythonImportLibrary('3.11.2')).toBe('python311.lib');
  expect(pythonImportLibrary('3.13.5')).toBe('python313.lib');
});

it('installs the two modules and the OpenSSL DLLs they import, from the python stage output', () => {
  const out = 'C:\\Users\\Zoë\\work\\dist\\p\\python\\DLLs';
  expect(pcbuildInstallFiles(installInput('C:\\Users\\Zoë\\work'))).toEqual([
    { name: '_ssl.pyd', source: `${out}\\_ssl.pyd` },
    { name: '_hashlib.pyd', source: `${out}\\_hashlib.pyd` },
    { name: 'libcrypto-3-x64.dll', source: `${out}\\libcrypto-3-x64.dll` },
    { name: 'libssl-3-x64.dll', source: `${out}\\libssl-3-x64.dll` },
  ]);
});

it('install plan: check, install with backup, then import with -I from the Python itself', () => {
  const work = 'C:\\Users\\Zoë\\my work';
  const plan = buildWindowsInstallPlan(installInput(work));
  expect(plan.steps.map((s) => s.title)).toEqual([`Check ${PY311}`, `Install into ${PY311}\\DLLs`, 'Import the installed modules']);
  expect((plan.steps[1] as TaskStep).detail).toBe(
    `copy _ssl.pyd, _hashlib.pyd, libcrypto-3-x64.dll, libssl-3-x64.dll from ${work}\\dist\\p\\python\\DLLs; each file replaced is first kept in ${work}\\.fipskit\\backup\\p\\originals ` +
      `and recorded with its SHA-256 (and that of what replaces it) in ${work}\\.fipskit\\backup\\p\\fipskit-python-install.json, which restore uses`,
  );
  expect((plan.steps[2] as RunStep).command).toMatchObject({ program: `${PY311}\\python.exe`, cwd: PY311 });
  expect(renderPlan(plan)).toContain(`   $ "${PY311}\\python.exe" -I -c "import _ssl, _hashlib; print(_ssl.OPENSSL_VERSION)"`);
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
    const props = ['/nologo', '/v:m', '/p:Configuration=Release', '/p:Platform=x64', `/p:opensslOutDir=${out}`, `/p:opensslIncludeDir=${out}include`, '/p:_DLLSuffix=-3-x64'];
    
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
        'Collect the modules and the OpenSSL DLLs they import',
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
      expect(collect.operations).toEqual([
        { op: 'mkdir', to: `${work}\\dist\\p\\python.staging\\DLLs` },
        ...['_ssl.pyd', '_hashlib.pyd', 'libcrypto-3-x64.dll', 'libssl-3-x64.dll'].map((name) => ({
          op: 'copy',
          from: `${pcbuild}\\amd64\\${name}`,
          to: `${work}\\dist\\p\\python.staging\\DLLs\\${name}`,
        })),
      ]);
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
      const plan = buildWindowsPcbuildPlan(input(series, work), facts, { msbuild: MSBUILD }, {
        unpack: async () => void called.push('unpack'),
        checkPython: async () => void called.push('check'),
        writeManifest: async () => void called.push('manifest'),
        publish: async () => void called.push('publish'),
      });
      for (const step of plan.steps) if (step.kind === 'task') await step.perform();
      expect(called).toEqual(['unpack', 'check', 'manifest', 'publish']);
    });
  });
});

describe('the check and install tasks, on a Windows-like tree', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'fipskit-winpy-tasks-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function tree(withLibs: boolean): WindowsInstallInput {
    const pythonDir = join(root, 'Program Files', 'Python311');
    const pe = Buffer.alloc(0x80);
    pe.write('MZ', 0, 'latin1');
    pe.writeUInt32LE(0x40, 0x3c);
    pe.write('PE\0\0', 0x40, 'latin1');
    pe.writeUInt16LE(0x8664, 0x44);
    mkdirSync(join(pythonDir, 'DLLs'), { recursive: true });
    mkdirSync(join(pythonDir, 'include'));
    writeFileSync(join(pythonDir, 'python311.dll'), pe);
    writeFileSync(join(pythonDir, 'DLLs', '_ssl.pyd'), 'python.org _ssl');
    writeFileSync(join(pythonDir, 'include', 'patchlevel.h'), '#define PY_VERSION "3.11.2"\n');
    if (withLibs) {
      mkdirSync(join(pythonDir, 'libs'));
      writeFileSync(join(pythonDir, 'libs', 'python311.lib'), 'import library');
    }
    const builtDir = join(root, 'Users', 'Zoë', 'work', 'dist', 'p', 'python');
    mkdirSync(join(builtDir, 'DLLs'), { recursive: true });
    const files = builtFileNames({ prefix: 'unused', version: '3.0.9' });
    for (const name of files) writeFileSync(join(builtDir, 'DLLs', name), `built ${name}`);
    return { builtDir, files, sourceVersion: '3.11.2', pythonDir, backupDir: join(root, 'backup') };
  }

  it('checks the Python and installs the built modules and DLLs with a backup', async () => {
    const input = tree(true);
    const tasks = windowsInstallTasks(input);
    await tasks.checkPython();
    await tasks.install();
    expect(readdirSync(join(input.pythonDir, 'DLLs')).sort()).toEqual(['_hashlib.pyd', '_ssl.pyd', 'libcrypto-3-x64.dll', 'libssl-3-x64.dll']);
    expect(readFileSync(join(input.pythonDir, 'DLLs', '_ssl.pyd'), 'utf8')).toBe('built _ssl.pyd');
    expect(readFileSync(join(input.backupDir, 'originals', '_ssl.pyd'), 'utf8')).toBe('python.org _ssl');
  });

  it('asks for the development files on the import-library route only', async () => {
    const input = tree(false);
    await expect(checkPythonTask(input.pythonDir, '3.11.2')()).rejects.toThrow(
      `${join(input.pythonDir, 'libs', 'python311.lib')} does not exist: this Python was installed without its headers and libraries (installer option Include_dev=0).`,
    );
    await expect(checkPythonTask(input.pythonDir, '3.11.2', 'full-core')()).resolves.toBeUndefined();
  });
});
