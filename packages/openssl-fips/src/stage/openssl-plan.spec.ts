import { RunStep, SourceLock, renderPlan } from '@fipskit/core';
import { HostFacts, compareReleases, normalizeOptions } from './normalize-options';
import { BuildToolchain, buildOpenSslPlan, openSslLayout } from './openssl-plan';
import { OpenSslBuildOptions } from '../executors/openssl/schema';

const lock: SourceLock = {
  product: 'openssl',
  version: '3.0.9',
  origin: 'url',
  sha256: 'eb1ab04781474360f77c318ab89d8c5a03abc38e63d65a603cabbf1b00a1dc90',
  fileName: 'openssl-3.0.9.tar.gz',
  location: 'https://github.com/openssl/openssl/releases/download/openssl-3.0.9/openssl-3.0.9.tar.gz',
  verification: 'SHA-256 pinned in the project matched',
};

const hosts: Record<string, HostFacts> = {
  linux: { platform: 'linux', arch: 'x64', cores: 2 },
  darwin: { platform: 'darwin', arch: 'arm64', cores: 8 },
  win32: { platform: 'win32', arch: 'x64', cores: 4 },
};
const roots: Record<string, string> = { linux: '/home/zoë/my work', darwin: '/Users/zoë/my work', win32: 'C:\\Users\\Zoë\\my work' };
const toolchains: Record<string, BuildToolchain> = {
  linux: { perl: 'perl', make: 'make', nasm: false },
  darwin: { perl: 'perl', make: 'make', nasm: false },
  win32: { perl: 'perl', make: 'nmake', nasm: true },
};

function planFor(platform: 'linux' | 'darwin' | 'win32', extra: Partial<OpenSslBuildOptions> = {}, toolchain = toolchains[platform]) {
  const options = normalizeOptions(
    { sourceLock: 'dist/p/sources/openssl.source.json', outputPath: 'dist/p/openssl', platform, dryRun: true, ...extra },
    { root: roots[platform], projectName: 'p' },
    hosts[platform],
    () => lock,
  );
  const layout = openSslLayout(options, options.outputDir + '.staging');
  return { options, plan: buildOpenSslPlan(options, toolchain, layout) };
}

const runs = (plan: ReturnType<typeof planFor>['plan']) =>
  plan.steps.filter((s): s is RunStep => s.kind === 'run').map((s) => [s.command.program, ...s.command.args]);

describe('OpenSSL build plan', () => {
  it('linux targeted: Configure with enable-fips no-tests, generated headers, then only the needed targets (the legacy provider module included)', () => {
    const { plan } = planFor('linux');
    const obj = '/home/zoë/my work/tmp/fipskit/p/openssl/obj';
    expect(runs(plan)).toEqual([
      [
        'perl',
        '/home/zoë/my work/tmp/fipskit/p/openssl/src/Configure',
        'linux-x86_64',
        'enable-fips',
        'no-tests',
        '--prefix=/opt/fipskit/openssl-3.0.9',
        '--openssldir=/opt/fipskit/openssl-3.0.9/ssl',
        '--libdir=lib',
      ],
      ['make', '-j2', 'build_generated'],
      ['make', '-j2', 'libcrypto.so.3', 'libssl.so.3', 'providers/fips.so', 'providers/legacy.so', 'apps/openssl'],
    ]);
    const compile = plan.steps.find((s): s is RunStep => s.kind === 'run' && s.title.startsWith('Compile'))!;
    expect(compile.command.cwd).toBe(obj);
    expect(compile.progress?.countWith.args).toEqual(['-n', 'libcrypto.so.3', 'libssl.so.3', 'providers/fips.so', 'providers/legacy.so', 'apps/openssl']);
    expect(plan.steps[0]).toMatchObject({ kind: 'task', title: 'Unpack openssl-3.0.9.tar.gz (OpenSSL 3.0.9)' });
    expect(plan.steps.map((s) => s.title).slice(-2)).toEqual(['Record build information', 'Publish output']);
  });

  it('leaves the legacy provider out when told to, and appends user Configure arguments last', () => {
    const { plan } = planFor('linux', { legacyProvider: false, tests: true, configureArgs: ['no-idea', '-DX="a b"'], jobs: 7 });
    const [configure, , compile] = runs(plan);
    expect(configure).toContain('no-legacy');
    expect(configure).not.toContain('no-tests');
    expect(configure.slice(-2)).toEqual(['no-idea', '-DX="a b"']);
    expect(compile).not.toContain('providers/legacy.so');
    expect(compile[1]).toBe('-j7');
  });

  it('linux full scope: make build_sw, then install_sw install_ssldirs install_fips into DESTDIR, no docs', () => {
    const { plan } = planFor('linux', { scope: 'full' });
    expect(runs(plan).slice(1)).toEqual([
      ['make', '-j2', 'build_sw'],
      ['make', 'DESTDIR=/home/zoë/my work/tmp/fipskit/p/openssl/destdir', 'install_sw', 'install_ssldirs', 'install_fips'],
    ]);
    const text = renderPlan(plan);
    expect(text).toContain('move /home/zoë/my work/tmp/fipskit/p/openssl/destdir/opt/fipskit/openssl-3.0.9 -> /home/zoë/my work/dist/p/openssl.staging');
    expect(text).toContain('remove /home/zoë/my work/dist/p/openssl.staging/ssl/fipsmodule.cnf');
  });

  it('full scope with installDocs builds everything and installs the manual pages', () => {
    const { plan } = planFor('linux', { scope: 'full', installDocs: true });
    expect(runs(plan)[1]).toEqual(['make', '-j2']);
    expect(runs(plan)[2].slice(-1)).toEqual(['install_docs']);
  });

  it('darwin: darwin64-arm64 target and .dylib names', () => {
    const { plan } = planFor('darwin');
    const [configure, , compile] = runs(plan);
    expect(configure[2]).toBe('darwin64-arm64');
    expect(compile).toEqual(['make', '-j8', 'libcrypto.3.dylib', 'libssl.3.dylib', 'providers/fips.dylib', 'providers/legacy.dylib', 'apps/openssl']);
    expect(renderPlan(plan)).toContain('symlink /Users/zoë/my work/dist/p/openssl.staging/lib/libcrypto.dylib -> libcrypto.3.dylib');
  });

  it('win32: perl Configure VC-WIN64A, nmake (no -j), nmake install into DESTDIR without the drive letter', () => {
    const { plan } = planFor('win32');
    const root = 'C:\\Users\\Zoë\\my work';
    expect(runs(plan)).toEqual([
      [
        'perl',
        `${root}\\tmp\\fipskit\\p\\openssl\\src\\Configure`,
        'VC-WIN64A',
        'enable-fips',
        'no-tests',
        'no-uplink',
        '--prefix=C:\\Program Files\\fipskit\\openssl-3.0.9',
        '--openssldir=C:\\Program Files\\fipskit\\openssl-3.0.9\\ssl',
      ],
      ['nmake', 'build_sw'],
      ['nmake', `DESTDIR=${root}\\tmp\\fipskit\\p\\openssl\\destdir`, 'install_sw', 'install_ssldirs', 'install_fips'],
    ]);
    const text = renderPlan(plan);
    expect(text).toContain(`move ${root}\\tmp\\fipskit\\p\\openssl\\destdir\\Program Files\\fipskit\\openssl-3.0.9 -> ${root}\\dist\\p\\openssl.staging`);
    // The compiled-in prefix names no checkout, and is quoted where it has a space.
    expect(text).toContain('"--prefix=C:\\Program Files\\fipskit\\openssl-3.0.9"');
    // Paths with spaces are quoted for cmd.exe in the printed plan.
    expect(text).toContain(`$ perl "${root}\\tmp\\fipskit\\p\\openssl\\src\\Configure" VC-WIN64A enable-fips`);
  });

  it('win32 without NASM builds no-asm; with jom it compiles in parallel', () => {
    const { plan } = planFor('win32', { jobs: 6 }, { perl: 'perl', make: 'jom', nasm: false });
    const [configure, compile] = runs(plan);
    expect(configure).toContain('no-asm');
    expect(compile).toEqual(['jom', '/J', '6', 'build_sw']);
  });

  const commands = (plan: ReturnType<typeof planFor>['plan']) =>
    plan.steps.filter((s): s is RunStep => s.kind === 'run').map((s) => ({ title: s.command.title, args: s.command.args, env: s.command.env }));

  it.each([
    ['nmake', undefined, [], undefined],
    ['jom', undefined, ['/J', '6'], { CL: '/FS' }],
    ['jom', '/wd4996 /DFOO', ['/J', '6'], { CL: '/wd4996 /DFOO /FS' }],
    ['C:\\Qt\\jom.exe', '', ['/J', '6'], { CL: '/FS' }],
  ])('win32 with %s (CL=%j): parallel jobs write shared PDBs through /FS, keeping the CL the user set', (make, cl, jobs, env) => {
    const { plan } = planFor('win32', { jobs: 6 }, { perl: 'perl', make, nasm: true, ...(cl === undefined ? {} : { cl }) });
    const root = 'C:\\Users\\Zoë\\my work';
    expect(commands(plan)).toEqual([
      { title: 'Configure', args: expect.any(Array), env: undefined },
      { title: 'Compile (nmake)', args: [...jobs, 'build_sw'], env },
      { title: 'Install (nmake install)', args: [`DESTDIR=${root}\\tmp\\fipskit\\p\\openssl\\destdir`, 'install_sw', 'install_ssldirs', 'install_fips'], env },
    ]);
    const text = renderPlan(plan);
    if (env) expect(text).toContain(`env: CL=${env.CL}`);
    else expect(text).not.toContain('env: CL=');
  });

  it.each([
    ['nmake', [], undefined],
    ['jom', ['/J', '4'], { CL: '/FS' }],
  ])('provider split on Windows with %s: the provider build gets the same jobs and CL', (make, jobs, env) => {
    const options = normalizeOptions(
      { sourceLock: 'l', fipsProviderSourceLock: 'p', outputPath: 'dist/p/openssl', platform: 'win32', dryRun: true, jobs: 4 },
      { root: 'C:\\w', projectName: 'p' },
      hosts.win32,
      (file) => (file.endsWith('p') && !file.endsWith('l') ? { ...lock, version: '3.0.9' } : { ...lock, version: '3.5.1' }),
    );
    const plan = buildOpenSslPlan(options, { perl: 'perl', make, nasm: true }, openSslLayout(options, 'C:\\w\\dist\\p\\openssl.staging'));
    expect(commands(plan).slice(3)).toEqual([
      { title: 'Configure the FIPS provider source (OpenSSL 3.0.9)', args: expect.any(Array), env: undefined },
      { title: 'Generate its headers (make build_generated)', args: [...jobs, 'build_generated'], env },
      { title: 'Compile the FIPS provider 3.0.9', args: [...jobs, 'providers\\fips.dll'], env },
    ]);
  });

  it('builds an unpacked local tree out of tree where it is, without unpacking', () => {
    const options = normalizeOptions({ sourceLock: 'l', outputPath: 'dist/p/openssl' }, { root: '/w', projectName: 'p' }, hosts.linux, () => ({
      ...lock,
      origin: 'local',
      fileName: undefined,
      location: 'vendor/openssl-3.0.9',
    }));
    const plan = buildOpenSslPlan(options, toolchains.linux, openSslLayout(options, '/w/dist/p/openssl.staging'));
    expect(plan.steps[0]).toMatchObject({ kind: 'run', title: 'Configure', command: { program: 'perl', cwd: '/w/tmp/fipskit/p/openssl/obj' } });
    expect((plan.steps[0] as RunStep).command.args[0]).toBe('/w/vendor/openssl-3.0.9/Configure');
  });

  it('refuses targeted scope on Windows, and a real build for another platform', () => {
    expect(() => planFor('win32', { scope: 'targeted' })).toThrow(/only for POSIX make/);
    expect(() => normalizeOptions({ sourceLock: 'l', outputPath: 'o', platform: 'win32' }, { root: '/w' }, hosts.linux, () => lock)).toThrow(
      /cannot be cross-built here\. Build on a win32 machine, set platform in fipskit\.json to linux.*--dryRun/,
    );
  });

  it('provider split: libraries from one source, only the FIPS provider from the other, installed in its place', () => {
    const provider: SourceLock = { ...lock, version: '3.0.9', fileName: 'openssl-3.0.9.tar.gz' };
    const library: SourceLock = { ...lock, version: '3.5.1', fileName: 'openssl-3.5.1.tar.gz', sha256: 'b'.repeat(64) };
    const options = normalizeOptions(
      { sourceLock: 'l', fipsProviderSourceLock: 'p', outputPath: 'dist/p/openssl' },
      { root: '/w', projectName: 'p' },
      hosts.linux,
      (file) => (file.endsWith('/p') ? provider : library),
    );
    const plan = buildOpenSslPlan(options, toolchains.linux, openSslLayout(options, '/w/dist/p/openssl.staging'));
    const commands = plan.steps.filter((s): s is RunStep => s.kind === 'run').map((s) => [s.command.cwd, s.command.program, ...s.command.args]);
    expect(commands.map((c) => c.slice(1, 4))).toEqual([
      ['perl', '/w/tmp/fipskit/p/openssl/src/Configure', 'linux-x86_64'],
      ['make', '-j2', 'build_generated'],
      ['make', '-j2', 'libcrypto.so.3'],
      ['perl', '/w/tmp/fipskit/p/openssl/src-fips-provider/Configure', 'linux-x86_64'],
      ['make', '-j2', 'build_generated'],
      ['make', '-j2', 'providers/fips.so'],
    ]);
    // The libraries' build does not make a FIPS provider of its own; the provider build runs in its own tree.
    expect(commands[2]).toEqual(['/w/tmp/fipskit/p/openssl/obj', 'make', '-j2', 'libcrypto.so.3', 'libssl.so.3', 'providers/legacy.so', 'apps/openssl']);
    expect(commands[5][0]).toBe('/w/tmp/fipskit/p/openssl/obj-fips-provider');
    const text = renderPlan(plan);
    expect(text).toContain('Unpack openssl-3.0.9.tar.gz (OpenSSL 3.0.9, FIPS provider only)');
    expect(text).toContain('copy /w/tmp/fipskit/p/openssl/obj-fips-provider/providers/fips.so -> /w/dist/p/openssl.staging/lib/ossl-modules/fips.so');
    expect(text).not.toContain('/obj/providers/fips.so');
  });

  it('provider split on Windows: nmake builds providers\\fips.dll in the provider tree', () => {
    const options = normalizeOptions(
      { sourceLock: 'l', fipsProviderSourceLock: 'p', outputPath: 'dist/p/openssl', platform: 'win32', dryRun: true },
      { root: 'C:\\w', projectName: 'p' },
      hosts.win32,
      (file) => (file.endsWith('p') && !file.endsWith('l') ? { ...lock, version: '3.0.9' } : { ...lock, version: '3.5.1' }),
    );
    const plan = buildOpenSslPlan(options, toolchains.win32, openSslLayout(options, 'C:\\w\\dist\\p\\openssl.staging'));
    expect(renderPlan(plan)).toContain('$ nmake providers\\fips.dll');
    expect(renderPlan(plan)).toContain(
      'copy C:\\w\\tmp\\fipskit\\p\\openssl\\obj-fips-provider\\providers\\fips.dll -> C:\\w\\dist\\p\\openssl.staging\\lib\\ossl-modules\\fips.dll',
    );
  });

  it('refuses a FIPS provider newer than the libraries', () => {
    expect(() =>
      normalizeOptions({ sourceLock: 'l', fipsProviderSourceLock: 'p', outputPath: 'o' }, { root: '/w' }, hosts.linux, (file) =>
        file.endsWith('/p') ? { ...lock, version: '3.1.2' } : { ...lock, version: '3.0.22' },
      ),
    ).toThrow(/provider source is OpenSSL 3\.1\.2, newer than the libraries' 3\.0\.22/);
    expect(compareReleases('3.0.9', '3.0.22')).toBeLessThan(0);
    expect(compareReleases('3.5.1', '3.0.22')).toBeGreaterThan(0);
  });

  it('refuses OpenSSL older than 3.0 before any work', () => {
    expect(() => normalizeOptions({ sourceLock: 'l', outputPath: 'o' }, { root: '/w' }, hosts.linux, () => ({ ...lock, version: '1.1.1w' }))).toThrow(/3\.0/);
  });
});
