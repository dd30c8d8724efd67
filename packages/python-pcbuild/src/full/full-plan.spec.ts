import { OpenSslBuildInfo, RunStep, SourceLock, renderPlan } from '@fipskit/core';
import { NormalizedPythonOptions } from '../stage/normalize-options';
import { buildFullPlan, moduleLinkFlags, setMakefileVariables } from './full-plan';
import { routedStubModule } from '../fips-runtime/fips-runtime-entries';
import { LAUNCHER_SOURCE } from '../fips-runtime/launcher';

const options = {
  mode: 'full',
  workspaceRoot: '/w',
  projectName: 'p',
  jobs: 2,
  source: { product: 'cpython', version: '3.11.2', fileName: 'Python-3.11.2.tgz' } as SourceLock,
  opensslPrefix: '/w/dist/p/openssl',
  openssl: { version: '3.0.22', layout: { bin: 'bin', lib: 'lib', modules: 'lib/ossl-modules', include: 'include', openssldir: 'ssl' } } as OpenSslBuildInfo,
  fipsConfigDir: '/w/dist/p/fips-config',
  outputDir: '/w/dist/p/python-full',
  buildDir: '/w/tmp/p/python',
  logFile: '/w/tmp/p/python/python-build.log',
  cacheDir: '/c',
  verbose: false,
} as NormalizedPythonOptions;
const layout = {
  sourceDir: '/w/tmp/p/python/src',
  objectDir: '/w/tmp/p/python/obj',
  staging: '/w/dist/p/python-full.1.fipskit-partial',
  destDir: '/w/tmp/p/python/destdir',
};

describe('full CPython build plan', () => {
  const plan = buildFullPlan(options, layout, 2);
  const runs = plan.steps.filter((s): s is RunStep => s.kind === 'run').map((s) => [s.command.program, ...s.command.args]);

  it("configures against our OpenSSL without configure's absolute rpath, built-in hashes, ensurepip or test modules", () => {
    expect(runs[0]).toEqual([
      'sh',
      '/w/tmp/p/python/src/configure',
      '--prefix=/w/dist/p/python-full',
      '--with-openssl=/w/dist/p/openssl',
      '--with-openssl-rpath=no',
      '--without-builtin-hashlib-hashes',
      '--without-ensurepip',
      '--disable-test-modules',
    ]);
    expect(runs[0]).not.toContain('--enable-optimizations');
  });

  it("with testSuite, CPython's own tests and C test modules are built and installed (`python -m test` runs)", () => {
    const withTests = buildFullPlan({ ...options, testSuite: true }, layout, 2);
    const configure = withTests.steps.find((s): s is RunStep => s.kind === 'run')!;
    expect(configure.command.args).not.toContain('--disable-test-modules');
    expect(configure.command.args).toContain('--without-builtin-hashlib-hashes');
  });

  it('links _ssl and _hashlib with an RPATH relative to lib-dynload, escaped for how each version links them', () => {
    expect(moduleLinkFlags(options)).toEqual({
      MODULE__SSL_LDFLAGS: '-L/w/dist/p/openssl/lib -Wl,--disable-new-dtags,-rpath,$$ORIGIN/../../../../openssl/lib -lssl -lcrypto',
      MODULE__HASHLIB_LDFLAGS: '-L/w/dist/p/openssl/lib -Wl,--disable-new-dtags,-rpath,$$ORIGIN/../../../../openssl/lib -lcrypto',
    });
    const py313 = moduleLinkFlags({ ...options, source: { ...options.source, version: '3.13.5' } });
    expect(py313.MODULE__SSL_LDFLAGS).toContain('-rpath,\\$$ORIGIN/../../../../openssl/lib');
    expect(runs[1]).toEqual(['make', '-j2']);
    expect(runs[2]).toEqual(['make', 'altinstall', 'DESTDIR=/w/tmp/p/python/destdir']);
  });

  it('rewrites the configure-generated link flags in the Makefile, and refuses a Makefile without them', () => {
    const makefile = 'A=1\nMODULE__SSL_LDFLAGS=-L/x/lib -lssl -lcrypto\nMODULE__HASHLIB_LDFLAGS=-L/x/lib -lcrypto\nB=2\n';
    const edited = setMakefileVariables(makefile, moduleLinkFlags(options));
    expect(edited.split('\n')).toEqual([
      'A=1',
      'MODULE__SSL_LDFLAGS=-L/w/dist/p/openssl/lib -Wl,--disable-new-dtags,-rpath,$$ORIGIN/../../../../openssl/lib -lssl -lcrypto',
      'MODULE__HASHLIB_LDFLAGS=-L/w/dist/p/openssl/lib -Wl,--disable-new-dtags,-rpath,$$ORIGIN/../../../../openssl/lib -lcrypto',
      'B=2',
      '',
    ]);
    expect(() => setMakefileVariables('A=1\n', moduleLinkFlags(options))).toThrow(/no MODULE__SSL_LDFLAGS line/);
  });

  it("moves the DESTDIR install into staging, puts fipskit's runtime in its zip slot and names bin/python3 the interpreter through fipskit's launcher", () => {
    const text = renderPlan(plan);
    expect(text).toContain('move /w/tmp/p/python/destdir/w/dist/p/python-full -> /w/dist/p/python-full.1.fipskit-partial');
    expect(text).toContain(
      'zip /w/dist/p/python-full.1.fipskit-partial/lib/python311.zip (_fipskit_boot.py, _fipskit_hashes.py, _ssl.py, _hashlib.py, sitecustomize.py, _fipskit_layout.py, _md5.py',
    );
    const ops = plan.steps.flatMap((s) => (s.kind === 'files' ? s.operations : []));
    const zip = ops.find((o) => o.op === 'zip') as { entries: Array<{ name: string; content: string }> };
    const layoutModule = zip.entries.find((e) => e.name === '_fipskit_layout.py')!.content;
    expect(JSON.parse(layoutModule.split('LAYOUT = ')[1]).extensions).toEqual({ _ssl: 'python3.11/lib-dynload', _hashlib: 'python3.11/lib-dynload' });
    expect(ops).toContainEqual({ op: 'symlink', target: 'python3.11', to: '/w/dist/p/python-full.1.fipskit-partial/bin/python3' });
    // The built binary goes beside fipskit's modules; bin/python3.11 becomes the launcher, compiled with configure's compiler.
    expect(ops).toContainEqual({
      op: 'move',
      from: '/w/dist/p/python-full.1.fipskit-partial/bin/python3.11',
      to: '/w/dist/p/python-full.1.fipskit-partial/lib/fipskit/python3.11',
    });
    const launcher = plan.steps.find((s): s is RunStep => s.kind === 'run' && s.command.args.includes(LAUNCHER_SOURCE))!;
    expect(launcher.command.args).toContain('-DFIPSKIT_REAL="../lib/fipskit/python3.11"');
    expect(launcher.command.args).toContain('/w/dist/p/python-full.1.fipskit-partial/bin/python3.11');
    expect(plan.steps.indexOf(launcher)).toBeGreaterThan(plan.steps.findIndex((s) => s.kind === 'files' && s.operations.some((o) => o.op === 'move')));
    expect(ops.filter((o) => o.op === 'write')).toEqual([]);
  });

  it('each stub module takes its constructors from the routing table', () => {
    expect(routedStubModule('_md5')).toContain('globals().update(_ROUTED["_md5"])');
  });
});
