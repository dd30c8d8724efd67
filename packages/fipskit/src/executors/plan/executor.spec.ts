import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { SourceLock } from '@fipskit/core';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the reference CPython tarballs of python-pcbuild's own tests, which its package does not export
import { PCBUILD_REFERENCE_SOURCES, referenceTarball } from '../../../../python-pcbuild/src/windows/pcbuild-reference-sources';
import { projectGenerator } from '../../generators/project/generator';
import { resolvedProject } from '../../testing/resolved-project';
import planExecutor, { defaultInterpreter } from './executor';
import { mirroredPath } from './lib/plan-files';

const OPENSSL_LOCK: SourceLock = {
  product: 'openssl',
  version: '3.0.9',
  origin: 'url',
  sha256: 'eb1ab04781474360f77c318ab89d8c5a03abc38e63d65a603cabbf1b00a1dc90',
  fileName: 'openssl-3.0.9.tar.gz',
  location: 'https://github.com/openssl/openssl/releases/download/openssl-3.0.9/openssl-3.0.9.tar.gz',
  verification: 'SHA-256 pinned in the project matched',
};

interface PlanJson {
  stage: string;
  platform: string;
  steps: Array<{
    kind: string;
    title: string;
    command?: { program: string; args: string[]; cwd: string; env?: Record<string, string> };
    operations?: Array<{ op: string; to: string; from?: string }>;
  }>;
}

/** A workspace with a generated project and the locks its sources stage would have written. */
async function workspace(platform: 'win32' | 'linux' | 'darwin', cpython: SourceLock) {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-plan-ws-'));
  const tree = createTreeWithEmptyWorkspace();
  await projectGenerator(tree, { name: 'fp', platform, pythonVersion: cpython.version, pythonSource: 'debian', opensslVersion: '3.0.9' });
  const project = resolvedProject(tree, 'fp');
  mkdirSync(join(root, 'dist', 'fp', 'sources'), { recursive: true });
  writeFileSync(join(root, 'dist', 'fp', 'sources', 'openssl.source.json'), JSON.stringify(OPENSSL_LOCK));
  writeFileSync(join(root, 'dist', 'fp', 'sources', 'cpython.source.json'), JSON.stringify(cpython));
  const context = {
    root,
    cwd: root,
    isVerbose: false,
    projectName: 'fp',
    projectsConfigurations: { version: 2, projects: { fp: project } },
    projectGraph: { nodes: {}, dependencies: { fp: [] } },
    nxJsonConfiguration: {},
  } as unknown as ExecutorContext;
  return { root, context, project };
}

function cpythonLock(series: keyof typeof PCBUILD_REFERENCE_SOURCES): SourceLock {
  const source = PCBUILD_REFERENCE_SOURCES[series];
  return {
    product: 'cpython',
    version: source.version,
    origin: 'url',
    sha256: source.sha256,
    fileName: source.fileName,
    location: `https://example.invalid/${source.fileName}`,
    verification: 'test',
    signature: { check: 'skip', reason: 'the reference tarball is pinned by SHA-256' },
  };
}

const runs = (plan: PlanJson) => plan.steps.filter((s) => s.kind === 'run').map((s) => [s.command!.program, ...s.command!.args]);

it('mirrors target paths under files/ without escaping it', () => {
  expect(mirroredPath('C:\\workspace\\dist\\fp\\openssl.cnf')).toBe('C/workspace/dist/fp/openssl.cnf');
  expect(mirroredPath('/w s/../x/./y')).toBe('w s/x/y');
});

it('names a python.org install of the locked version on each platform', () => {
  expect(defaultInterpreter('win32', '3.13.5')).toBe('C:\\Program Files\\Python313\\python.exe');
  expect(defaultInterpreter('darwin', '3.11.2')).toBe('/Library/Frameworks/Python.framework/Versions/3.11/bin/python3.11');
});

describe.each(['3.11', '3.13'] as const)('win32 plan of a generated Windows project, CPython %s PCbuild files', (series) => {
  const { archive, title } = referenceTarball(series);
  (archive ? describe : describe.skip)(title, () => {
    let root: string;
    let printed: string[];
    let plans: PlanJson[];
    beforeAll(async () => {
      const ws = await workspace('win32', cpythonLock(series));
      root = ws.root;
      printed = [];
      const result = await planExecutor({ platform: 'win32' }, ws.context, { print: (l) => printed.push(l), host: 'linux' });
      expect(printed.join('\n')).not.toMatch(/^\[plan\] (?!\d+ steps)/m);
      expect(result).toEqual({ success: true });
      plans = JSON.parse(readFileSync(join(root, 'dist', 'fp', 'plan', 'win32', 'plan.json'), 'utf8'));
    }, 120_000);
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    const W = 'C:\\workspace';
    const python = series === '3.11' ? 'C:\\Program Files\\Python311' : 'C:\\Program Files\\Python313';

    it('goes from perl Configure VC-WIN64A enable-fips through nmake install_fips, fipsinstall, PCbuild and the install', () => {
      expect(plans.map((p) => `${p.stage}/${p.platform}`)).toEqual(['openssl/win32', 'fips-config/win32', 'python/win32', 'install/win32', 'verify/win32']);
      // What proves it runs inside the installed python.exe the install step wrote into.
      expect(runs(plans[4]).map((args) => args.slice(0, 4))).toEqual([[`${python}\\python.exe`, '-I', '-S', '-B']]);
      expect(runs(plans[0])).toEqual([
        [
          'perl',
          `${W}\\tmp\\fipskit\\fp\\openssl\\src\\Configure`,
          'VC-WIN64A',
          'enable-fips',
          'no-tests',
          'no-uplink',
          '--prefix=C:\\Program Files\\fipskit\\openssl-3.0.9',
          '--openssldir=C:\\Program Files\\fipskit\\openssl-3.0.9\\ssl',
        ],
        ['nmake', 'build_sw'],
        ['nmake', `DESTDIR=${W}\\tmp\\fipskit\\fp\\openssl\\destdir`, 'install_sw', 'install_ssldirs', 'install_fips'],
      ]);
      expect(runs(plans[1]).map((r) => r.slice(0, 2))).toEqual([
        [`${W}\\dist\\fp\\openssl\\bin\\openssl.exe`, 'fipsinstall'],
        [`${W}\\dist\\fp\\openssl\\bin\\openssl.exe`, 'fipsinstall'],
        [`${W}\\dist\\fp\\openssl\\bin\\openssl.exe`, 'list'],
      ]);
      expect(runs(plans[1])[0]).toContain(`${W}\\dist\\fp\\openssl\\lib\\ossl-modules\\fips.dll`);
      const msbuilds = runs(plans[2]).map((r) => r[1].split('\\').at(-1));
      expect(msbuilds).toEqual([...(series === '3.13' ? ['pythoncore.vcxproj'] : []), '_socket.vcxproj', '_ssl.vcxproj', '_hashlib.vcxproj']);
      expect(runs(plans[2])[0]).toEqual(
        expect.arrayContaining(['/p:_DLLSuffix=-3-x64', `/p:opensslOutDir=${W}\\tmp\\fipskit\\fp\\python\\src\\externals\\openssl-bin-3.0.9-fipskit\\amd64\\`]),
      );
      expect(plans[3].steps.map((s) => s.title)).toEqual([
        `Check ${python}`,
        'Start from an empty configuration',
        'openssl fipsinstall on this machine (self-tests, module MAC)',
        'openssl fipsinstall -verify',
        "Write openssl.cnf (profile rhel-compatible) with this machine's FIPS module section",
        `Install into ${python} and OpenSSL's compiled-in directories`,
        'openssl list -providers with no OPENSSL_CONF or OPENSSL_MODULES: the compiled-in C:\\Program Files\\fipskit\\openssl-3.0.9\\ssl activates the FIPS provider',
        "python.exe, started with none of fipskit's variables, is in FIPS mode",
      ]);
    });

    it('stages applink.c only where that PCbuild compiles it, from the no-uplink install', () => {
      const staged = plans[2].steps.find((s) => s.title.startsWith('Stage OpenSSL'))!.operations!;
      const applink = staged.filter((op) => op.to.endsWith('applink.c'));
      expect(applink).toEqual(
        series === '3.11'
          ? [
              {
                op: 'copy',
                from: `${W}\\dist\\fp\\openssl\\include\\openssl\\applink.c`,
                to: `${W}\\tmp\\fipskit\\fp\\python\\src\\externals\\openssl-bin-3.0.9-fipskit\\amd64\\include\\applink.c`,
              },
            ]
          : [],
      );
      const installed = plans[0].steps.find((s) => s.title.startsWith('Move installed'))!.operations!;
      expect(installed.at(-1)).toEqual({
        op: 'copy',
        from: `${W}\\tmp\\fipskit\\fp\\openssl\\src\\ms\\applink.c`,
        to: `${W}\\dist\\fp\\openssl.staging\\include\\openssl\\applink.c`,
      });
    });

    it('writes plan.txt and every configuration file for inspection', () => {
      const dir = join(root, 'dist', 'fp', 'plan', 'win32');
      expect(readFileSync(join(dir, 'plan.txt'), 'utf8')).toContain('$ perl C:\\workspace\\tmp\\fipskit\\fp\\openssl\\src\\Configure VC-WIN64A enable-fips');
      const cnf = readFileSync(join(dir, 'files', 'C', 'workspace', 'dist', 'fp', 'fips-config.staging', 'openssl.cnf'), 'utf8');
      // The machine's fipsinstall section goes into the file itself: a Windows path in an .include would be mangled.
      expect(cnf).not.toContain('.include');
      expect(cnf).toContain('[fips_sect]\n# Written here by openssl fipsinstall on the machine that uses the module');
      const cmd = readFileSync(join(dir, 'files', 'C', 'workspace', 'dist', 'fp', 'fips-config.staging', 'fips-env.cmd'), 'utf8');
      expect(cmd).toContain('@for %%I in ("%~dp0..\\openssl\\lib\\ossl-modules") do @set "FIPSKIT_MODULES=%%~fI"');
      // The directory is this machine's, relative to the workspace: backslashes on Windows.
      // openssl.cnf, fips-env.cmd, fips-env.ps1, the empty configuration fipsinstall starts from (twice: config stage, install), the zip slot's 15 entries (its encodings package included), verify's driver configuration.
      expect(printed.at(-1)).toMatch(/^\n\[plan\] \d+ steps for win32; plan.txt, plan.json and 21 written files are in dist[\\/]fp[\\/]plan[\\/]win32$/);
      const zip = `python${series.replace('.', '')}.zip`;
      const layoutModule = readFileSync(join(dir, 'files', 'C', 'workspace', 'dist', 'fp', 'python.staging', zip, '_fipskit_layout.py'), 'utf8');
      expect(layoutModule).toContain('"opensslConf": "C:\\\\Program Files\\\\fipskit\\\\openssl-3.0.9\\\\ssl\\\\openssl.cnf"');
      // The one libcrypto the installed Python may load: fipskit's, in DLLs\ (python.org's is libcrypto-3.dll).
      expect(layoutModule).toContain('"libcryptoDir": "DLLs",\n    "libcryptoFile": "libcrypto-3-x64.dll"');
    });
  });
});

describe('plans for other platforms and refusals', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('darwin: @rpath install names for the prefix, -bundle modules found through @loader_path', async () => {
    const ws = await workspace('darwin', { ...cpythonLock('3.11'), fileName: 'Python-3.11.2.tgz' });
    dirs.push(ws.root);
    const printed: string[] = [];
    expect(await planExecutor({ platform: 'darwin' }, ws.context, { print: (l) => printed.push(l), host: 'linux' })).toEqual({ success: true });
    const plans: PlanJson[] = JSON.parse(readFileSync(join(ws.root, 'dist', 'fp', 'plan', 'darwin', 'plan.json'), 'utf8'));
    expect(plans.map((p) => p.stage)).toEqual(['openssl', 'fips-config', 'python', 'verify']);
    const R = '/Users/me/workspace';
    const openssl = runs(plans[0]);
    expect(openssl[0]).toEqual(expect.arrayContaining(['darwin64-x86_64', 'enable-fips', '--prefix=/opt/fipskit/openssl-3.0.9']));
    expect(openssl[2]).toEqual([
      'make',
      expect.stringMatching(/^-j\d+$/),
      'libcrypto.3.dylib',
      'libssl.3.dylib',
      'providers/fips.dylib',
      'providers/legacy.dylib',
      'apps/openssl',
    ]);
    expect(openssl.slice(3)).toEqual([
      ['install_name_tool', '-id', '@rpath/libcrypto.3.dylib', `${R}/dist/fp/openssl.staging/lib/libcrypto.3.dylib`],
      [
        'install_name_tool',
        '-id',
        '@rpath/libssl.3.dylib',
        '-change',
        '/opt/fipskit/openssl-3.0.9/lib/libcrypto.3.dylib',
        '@rpath/libcrypto.3.dylib',
        `${R}/dist/fp/openssl.staging/lib/libssl.3.dylib`,
      ],
      [
        'install_name_tool',
        '-change',
        '/opt/fipskit/openssl-3.0.9/lib/libcrypto.3.dylib',
        '@rpath/libcrypto.3.dylib',
        '-change',
        '/opt/fipskit/openssl-3.0.9/lib/libssl.3.dylib',
        '@rpath/libssl.3.dylib',
        '-add_rpath',
        '@executable_path/../lib',
        `${R}/dist/fp/openssl.staging/bin/openssl`,
      ],
      [
        'codesign',
        '--force',
        '--sign',
        '-',
        `${R}/dist/fp/openssl.staging/lib/libcrypto.3.dylib`,
        `${R}/dist/fp/openssl.staging/lib/libssl.3.dylib`,
        `${R}/dist/fp/openssl.staging/bin/openssl`,
      ],
    ]);
    // The FIPS module itself is never rewritten.
    expect(JSON.stringify(openssl.slice(3))).not.toContain('fips.dylib');
    expect(runs(plans[1])[0]).toContain(`${R}/dist/fp/openssl/lib/ossl-modules/fips.dylib`);
    const links = runs(plans[2]).filter((r) => r.includes('-bundle'));
    expect(links).toHaveLength(2);
    expect(links[0]).toEqual(expect.arrayContaining(['-bundle', '-undefined', 'dynamic_lookup', '-Wl,-rpath,@loader_path/../../../openssl/lib']));
    expect(links[1]).toContain('-Wl,-rpath,@loader_path/../../../openssl/lib');
    expect(JSON.stringify(plans)).not.toContain('$ORIGIN');
    expect(runs(plans[2])[0]).toEqual(expect.arrayContaining(['-I', '/Library/Frameworks/Python.framework/Versions/3.11/include/python3.11']));
  });

  it('refuses to write the plan over a directory fipskit did not create', async () => {
    const ws = await workspace('win32', cpythonLock('3.11'));
    dirs.push(ws.root);
    const out = join(ws.root, 'dist', 'fp', 'plan', 'win32');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const printed: string[] = [];
    expect(await planExecutor({ platform: 'win32' }, ws.context, { print: (l) => printed.push(l), host: 'linux' })).toEqual({ success: false });
    expect(printed.join('\n')).toMatch(/already holds files that fipskit did not create \(notes\.txt\)/);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('says what to do when the project has no OpenSSL stage', async () => {
    const ws = await workspace('win32', cpythonLock('3.11'));
    dirs.push(ws.root);
    delete ws.project.targets!.openssl;
    const printed: string[] = [];
    expect(await planExecutor({ platform: 'win32' }, ws.context, { print: (l) => printed.push(l), host: 'linux' })).toEqual({ success: false });
    expect(printed.join('\n')).toContain('fp has no OpenSSL target (executor @fipskit/openssl-fips:build), nor does any project it depends on');
    expect(existsSync(join(ws.root, 'dist', 'fp', 'plan'))).toBe(false);
  });

  it('refuses a graph target whose options have the wrong shape, naming the target and the fix, before writing anything', async () => {
    const ws = await workspace('linux', cpythonLock('3.11'));
    dirs.push(ws.root);
    delete ws.project.targets!.openssl.options.sourceLock;
    ws.project.targets!.python.options.sourceLock = 311;
    for (const [broken, expected] of [
      ['openssl', 'The options of fp:openssl (the openssl stage) are not what the stage reads: sourceLock is missing (it must be a string).'],
      ['python', 'The options of fp:python (the python stage) are not what the stage reads: sourceLock is number 311, not a string.'],
    ]) {
      if (broken === 'python') ws.project.targets!.openssl.options.sourceLock = 'dist/fp/sources/openssl.source.json';
      const printed: string[] = [];
      expect(await planExecutor({ platform: 'linux' }, ws.context, { print: (l) => printed.push(l), host: 'linux' })).toEqual({ success: false });
      expect(printed.join('\n')).toContain(expected);
      expect(printed.join('\n')).toContain(
        "Set it in that target's options (project.json, or the project's fipskit.json), or regenerate the project with nx g fipskit:project.",
      );
      expect(existsSync(join(ws.root, 'dist', 'fp', 'plan'))).toBe(false);
    }
  });
});
