import { RunStep, SourceLock } from '@fipskit/core';
import type { OpenSslBuildInfo } from '@fipskit/openssl-fips';
import { InterpreterFacts, assertOverlayFits } from './interpreter';
import { NormalizedPythonOptions } from './normalize-options';
import { PYCONFIG_FIX, buildOverlayPlan } from './overlay-plan';

const facts: InterpreterFacts = {
  executable: '/usr/bin/python3.11',
  version: '3.11.2',
  implementation: 'cpython',
  include: '/usr/include/python3.11',
  platinclude: '/usr/include/python3.11',
  extSuffix: '.cpython-311-x86_64-linux-gnu.so',
  builtinModules: ['_md5'],
  hasPythonH: true,
};

const options = {
  mode: 'overlay',
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
  const plan = buildOverlayPlan(options, facts, layout, 'cc', { overlayWrapper: '# guard', hashes: '# hashes' });
  const runs = plan.steps.filter((s): s is RunStep => s.kind === 'run').map((s) => [s.command.program, ...s.command.args]);

  it('compiles _ssl with the pyconfig fix, our OpenSSL headers first, and links it with a relative RPATH', () => {
    expect(runs[0]).toEqual([
      'cc', '-std=c11', '-O2', '-g', '-fwrapv', '-DNDEBUG', '-Wall', '-fvisibility=hidden', '-fPIC',
      '-include', '/w s/tmp/p/python/obj/fipskit_pyconfig_fix.h',
      '-I', '/w s/dist/p/openssl/include', '-I', '/usr/include/python3.11',
      '-c', '/w s/tmp/p/python/src/Modules/_ssl.c', '-o', '/w s/tmp/p/python/obj/_ssl.o',
    ]);
    expect(runs[1]).toEqual([
      'cc', '-shared', '-o', '/w s/dist/p/python.1.fipskit-partial/lib/fipskit/_ssl.cpython-311-x86_64-linux-gnu.so', '/w s/tmp/p/python/obj/_ssl.o',
      '-L', '/w s/dist/p/openssl/lib', '-Wl,--disable-new-dtags,-rpath,$ORIGIN/../../../openssl/lib', '-lssl', '-lcrypto',
    ]);
  });

  it('compiles _hashlib as a core module with the interpreter\'s internal headers, into the routed extension directory', () => {
    expect(runs[2]).toContain('-DPy_BUILD_CORE_MODULE');
    expect(runs[2].slice(-6)).toEqual(['-I', '/usr/include/python3.11/internal', '-c', '/w s/tmp/p/python/src/Modules/_hashopenssl.c', '-o', '/w s/tmp/p/python/obj/_hashopenssl.o']);
    expect(runs[3]).toContain('/w s/dist/p/python.1.fipskit-partial/lib/fipskit/_fipskit_ext/_hashlib.cpython-311-x86_64-linux-gnu.so');
    expect(runs[3]).toContain('-Wl,--disable-new-dtags,-rpath,$ORIGIN/../../../../openssl/lib');
  });

  it('writes the pyconfig fix, the routing wrapper and an executable launcher with paths relative to the overlay', () => {
    const ops = plan.steps.flatMap((s) => (s.kind === 'files' ? s.operations : []));
    expect(ops).toContainEqual({ op: 'write', to: '/w s/tmp/p/python/obj/fipskit_pyconfig_fix.h', content: PYCONFIG_FIX });
    expect(ops).toContainEqual({ op: 'write', to: '/w s/dist/p/python.1.fipskit-partial/lib/fipskit/_hashlib.py', content: '# guard' });
    expect(ops).toContainEqual({ op: 'write', to: '/w s/dist/p/python.1.fipskit-partial/lib/fipskit/_fipskit_hashes.py', content: '# hashes' });
    const launcher = ops.find((o) => o.op === 'write' && o.to.endsWith('bin/python3'));
    expect(launcher).toMatchObject({ mode: 0o755 });
    const content = (launcher as { content: string }).content;
    expect(content).toContain('OPENSSL_CONF="$root"/../fips-config/openssl.cnf');
    expect(content).toContain('OPENSSL_MODULES="$root"/../openssl/lib/ossl-modules');
    expect(content).toContain('exec /usr/bin/python3.11 "$@"');
    expect(content).not.toContain('/w s');
    expect(ops).toContainEqual({ op: 'symlink', target: 'python3', to: '/w s/dist/p/python.1.fipskit-partial/bin/python' });
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
