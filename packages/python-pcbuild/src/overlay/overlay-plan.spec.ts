import { FileOperation, OpenSslBuildInfo, RunStep, SourceLock, renderPlan } from '@fipskit/core';
import { InterpreterFacts, assertOverlayFits } from '../stage/interpreter';
import { NormalizedPythonOptions } from '../stage/normalize-options';
import { PYCONFIG_FIX, buildOverlayPlan, mirrorInterpreter } from './overlay-plan';
import { LAUNCHER_SOURCE } from '../fips-runtime/launcher';

// What the probe says of Debian 12's python3.11.
const facts: InterpreterFacts = {
  executable: '/usr/bin/python3.11',
  realExecutable: '/usr/bin/python3.11',
  version: '3.11.2',
  implementation: 'cpython',
  prefix: '/usr',
  basePrefix: '/usr',
  platlibdir: 'lib',
  stdlib: '/usr/lib/python3.11',
  libDynload: '/usr/lib/python3.11/lib-dynload',
  include: '/usr/include/python3.11',
  platinclude: '/usr/include/python3.11',
  sitePackages: ['/usr/local/lib/python3.11/dist-packages', '/usr/lib/python3/dist-packages', '/usr/lib/python3.11/dist-packages'],
  sharedLibrary: '/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0',
  extSuffix: '.cpython-311-x86_64-linux-gnu.so',
  builtinModules: ['_md5'],
  hasPythonH: true,
};

const options = {
  mode: 'overlay',
  platform: 'linux',
  workspaceRoot: '/w s',
  projectName: 'p',
  interpreter: '/usr/bin/python3.11',
  source: { product: 'cpython', version: '3.11.2', fileName: 'Python-3.11.2.tgz' } as SourceLock,
  opensslPrefix: '/w s/dist/p/openssl',
  openssl: { version: '3.0.22', layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include', openssldir: 'ssl' } } as OpenSslBuildInfo,
  fipsConfigDir: '/w s/dist/p/fips-config',
  outputDir: '/w s/dist/p/python',
  buildDir: '/w s/tmp/p/python',
  logFile: '/w s/tmp/p/python/python-build.log',
  cacheDir: '/c',
  verbose: false,
  jobs: 2,
} as NormalizedPythonOptions;

const layout = { sourceDir: '/w s/tmp/p/python/src', objectDir: '/w s/tmp/p/python/obj', staging: '/w s/dist/p/python.1.fipskit-partial' };

describe('overlay plan', () => {
  const plan = buildOverlayPlan(options, facts, layout, 'cc');
  const runSteps = plan.steps.filter((s): s is RunStep => s.kind === 'run');
  // Each run step's command, then the commands it runs alongside.
  const runs = runSteps.flatMap((s) => [s.command, ...(s.alongside ?? [])]).map((c) => [c.program, ...c.args]);
  const ops = plan.steps.flatMap((s) => (s.kind === 'files' ? s.operations : []));
  const staging = '/w s/dist/p/python.1.fipskit-partial';

  it('compiles _ssl with the pyconfig fix, our OpenSSL headers first, and links it with a relative RPATH', () => {
    expect(runs[0]).toEqual([
      'cc',
      '-std=c11',
      '-O2',
      '-g',
      '-fwrapv',
      '-DNDEBUG',
      '-Wall',
      '-fvisibility=hidden',
      '-fPIC',
      // No checkout or build path in the module: another checkout's build is the same bytes.
      '-ffile-prefix-map=/w s=/fipskit/workspace',
      '-ffile-prefix-map=/w s/tmp/p/python=/fipskit/build',
      '-include',
      '/w s/tmp/p/python/obj/fipskit_pyconfig_fix.h',
      '-I',
      '/w s/dist/p/openssl/include',
      '-I',
      '/usr/include/python3.11',
      '-c',
      '/w s/tmp/p/python/src/Modules/_ssl.c',
      '-o',
      '/w s/tmp/p/python/obj/_ssl.o',
    ]);
    expect(runs[2]).toEqual([
      'cc',
      '-shared',
      '-o',
      `${staging}/lib/fipskit/_ssl.cpython-311-x86_64-linux-gnu.so`,
      '/w s/tmp/p/python/obj/_ssl.o',
      '-L',
      '/w s/dist/p/openssl/lib',
      '-Wl,--disable-new-dtags,-rpath,$ORIGIN/../../../openssl/lib',
      '-lssl',
      '-lcrypto',
    ]);
  });

  it("compiles _hashlib as a core module with the interpreter's internal headers, side by side with _ssl", () => {
    expect(runSteps[0].title).toBe('Compile _ssl and _hashlib');
    expect(runSteps[0].command.title).toBe('Compile _ssl');
    expect(runSteps[0].alongside?.map((c) => c.title)).toEqual(['Compile _hashlib']);
    // The dry run shows both compiler runs of the step.
    expect(renderPlan(plan)).toMatch(
      /\d+\. Compile _ssl and _hashlib\n {3}cwd: .*\n {3}\$ cc .*_ssl\.c.*\n {3}\$ cc .*_hashopenssl\.c.*\(alongside, in .*\/obj\)\n/,
    );
    expect(runs[1]).toContain('-DPy_BUILD_CORE_MODULE');
    expect(runs[1].slice(-6)).toEqual([
      '-I',
      '/usr/include/python3.11/internal',
      '-c',
      '/w s/tmp/p/python/src/Modules/_hashopenssl.c',
      '-o',
      '/w s/tmp/p/python/obj/_hashopenssl.o',
    ]);
    expect(runs[3]).toContain(`${staging}/lib/fipskit/_hashlib.cpython-311-x86_64-linux-gnu.so`);
    expect(runs[3]).toContain('-Wl,--disable-new-dtags,-rpath,$ORIGIN/../../../openssl/lib');
  });

  it("makes the output a Python prefix of its own: a copy of the binary, links to the interpreter's library, headers and site-packages", () => {
    expect(ops).toContainEqual({ op: 'write', to: '/w s/tmp/p/python/obj/fipskit_pyconfig_fix.h', content: PYCONFIG_FIX });
    expect(mirrorInterpreter(facts, staging)).toEqual([
      { op: 'copy', from: '/usr/bin/python3.11', to: `${staging}/lib/fipskit/python3.11` },
      { op: 'symlink', target: 'python3.11', to: `${staging}/bin/python3` },
      { op: 'symlink', target: 'python3.11', to: `${staging}/bin/python` },
      { op: 'symlink', target: '/usr/lib/python3.11', to: `${staging}/lib/python3.11` },
      { op: 'symlink', target: '/usr/include/python3.11', to: `${staging}/include/python3.11` },
      { op: 'symlink', target: '/usr/local/lib/python3.11/dist-packages', to: `${staging}/local/lib/python3.11/dist-packages` },
      { op: 'symlink', target: '/usr/lib/python3/dist-packages', to: `${staging}/lib/python3/dist-packages` },
      { op: 'symlink', target: '/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0', to: `${staging}/lib/x86_64-linux-gnu/libpython3.11.so.1.0` },
    ]);
  });

  it("compiles fipskit's launcher as bin/python3.11, which runs the copied binary kept beside the modules", () => {
    expect(runs[4]).toEqual([
      'cc',
      '-std=c11',
      '-O2',
      '-Wall',
      '-DFIPSKIT_REAL="../lib/fipskit/python3.11"',
      '-DFIPSKIT_PLATLIBDIR="lib"',
      '-o',
      `${staging}/bin/python3.11`,
      LAUNCHER_SOURCE,
    ]);
    expect(() => buildOverlayPlan(options, { ...facts, platlibdir: 'lib"; x' }, layout, 'cc')).toThrow(/not a plain directory name/);
  });

  it("puts fipskit's runtime into the zip slot, its paths relative to the zip so the tree can move", () => {
    const zip = ops.find((o): o is Extract<FileOperation, { op: 'zip' }> => o.op === 'zip')!;
    expect(zip.to).toBe(`${staging}/lib/python311.zip`);
    expect(zip.entries.map((e) => e.name)).toEqual([
      '_fipskit_boot.py',
      '_fipskit_hashes.py',
      '_ssl.py',
      '_hashlib.py',
      'sitecustomize.py',
      '_fipskit_layout.py',
      '_md5.py',
      '_sha1.py',
      '_sha256.py',
      '_sha512.py',
      '_sha2.py',
      '_sha3.py',
      '_blake2.py',
      '_hmac.py',
      'encodings/__init__.py',
    ]);
    const layoutModule = zip.entries.find((e) => e.name === '_fipskit_layout.py')!.content;
    expect(JSON.parse(layoutModule.split('LAYOUT = ')[1])).toEqual({
      extensions: { _ssl: 'fipskit', _hashlib: 'fipskit' },
      opensslConf: '../../fips-config/openssl.cnf',
      opensslModules: '../../openssl/lib/ossl-modules',
      machineBinding: 'fipskit-binding.txt',
      project: 'p',
      libcryptoDir: '../../openssl/lib',
    });
    expect(JSON.stringify(zip.entries)).not.toContain('/w s');
  });

  it.each([
    [{ stdlib: '/opt/py/share/python3.11' }, /keeps its standard library in \/opt\/py\/share\/python3\.11, not in \/usr\/lib\/python3\.11.*Use mode "full"/],
    [
      { libDynload: '/usr/lib64/python3.11/lib-dynload' },
      /keeps its extension modules in \/usr\/lib64\/python3\.11\/lib-dynload, outside \/usr\/lib\/python3\.11: use mode "full"/,
    ],
  ])('refuses an interpreter whose layout Python could not find from a copy: %j', (odd, problem) => {
    expect(() => mirrorInterpreter({ ...facts, ...odd }, staging)).toThrow(problem);
  });
});

describe('assertOverlayFits', () => {
  it('refuses a source of another version than the interpreter, naming both and the fix', () => {
    expect(() => assertOverlayFits({ ...facts, version: '3.11.7' }, '3.11.2', '/opt/py/bin/python3')).toThrow(
      /is Python 3\.11\.7 but the CPython source is 3\.11\.2.*Python-3\.11\.7\.tgz/,
    );
  });

  it('names the headers package when Python.h is missing', () => {
    expect(() => assertOverlayFits({ ...facts, hasPythonH: false }, '3.11.2', '/usr/bin/python3.11')).toThrow(/apt-get install python3\.11-dev/);
  });
});
