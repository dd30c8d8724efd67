import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  CHANGED_AFTER_INSTALL_DIR,
  ChangedSinceInstallError,
  INSTALL_MANIFEST,
  InstallFile,
  InstallManifest,
  assertPythonMatchesSource,
  installIntoPython,
  peMachine,
  readInstalledPython,
  restorePython,
} from './install-into-python';
// eslint-disable-next-line @nx/enforce-module-boundaries -- core's test helper, which its package does not export (testing/ is not published)
import { SmallDisk, mountSmallDisk } from '../../../core/src/testing/small-disk';
import { InstalledPythonShape, X64, X86, fakePe, makeInstalledPython, put } from '../testing/installed-python';

/** Laid out like the python.org installer's `C:\\Program Files\\Python311`. */
function makePython(root: string, shape: InstalledPythonShape = {}): string {
  return makeInstalledPython(join(root, 'Program Files', (shape.dll ?? 'python311.dll').replace(/\.dll$/, '').replace('python', 'Python')), shape);
}

const BUILT = ['_ssl.pyd', '_hashlib.pyd', 'libcrypto-3-x64.dll', 'libssl-3-x64.dll'];

/** The python stage's files, each going into the Python's DLLs\. */
function makeBuild(root: string, python: string, flavour = 'fipskit'): InstallFile[] {
  const out = join(root, 'Users', 'Zoë', 'work', 'src', 'PCbuild', 'amd64');
  return BUILT.map((name) => {
    put(join(out, name), fakePe(X64, `${flavour} ${name}`));
    return { source: join(out, name), dest: join(python, 'DLLs', name) };
  });
}

/** Every file's SHA-256 and every directory, by relative path. */
function snapshot(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry);
    result[entry] = statSync(path).isDirectory() ? 'dir' : createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return result;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('installing into an existing Windows Python, and restoring it', () => {
  let root: string;
  let python: string;
  let backup: string;
  let build: InstallFile[];
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fipskit-winpy-'));
    python = makePython(root);
    build = makeBuild(root, python);
    backup = join(root, 'Users', 'Zoë', 'work', 'dist', 'python backup');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('round trip: install replaces and adds, restore leaves the tree byte for byte as it was', () => {
    const before = snapshot(python);
    const manifest = installIntoPython(python, build, backup, { sourceVersion: '3.11.2', now: new Date('2026-01-02T03:04:05Z') });

    expect(manifest).toMatchObject({
      schema: 2,
      pythonDir: python,
      python: { version: '3.11.2', series: '3.11', evidence: ['python311.dll', join('include', 'patchlevel.h')], machine: 'x64' },
      sourceVersion: '3.11.2',
      installedAt: '2026-01-02T03:04:05.000Z',
    });
    expect(manifest.files.map((f) => [f.path, f.original?.sha256, f.installed.sha256])).toEqual([
      [build[0].dest, before[join('DLLs', '_ssl.pyd')], sha(build[0].source)],
      [build[1].dest, before[join('DLLs', '_hashlib.pyd')], sha(build[1].source)],
      [build[2].dest, undefined, sha(build[2].source)],
      [build[3].dest, undefined, sha(build[3].source)],
    ]);
    expect(JSON.parse(readFileSync(join(backup, INSTALL_MANIFEST), 'utf8'))).toEqual(manifest);
    for (const file of build) expect(sha(file.dest)).toBe(sha(file.source));
    expect(sha(join(backup, 'originals', '0-_ssl.pyd'))).toBe(before[join('DLLs', '_ssl.pyd')]);
    // Nothing else in the Python changed: CPython's own libcrypto-3.dll stays for anything else that uses it.
    const during = snapshot(python);
    for (const [path, hash] of Object.entries(before)) if (!/_ssl\.pyd$|_hashlib\.pyd$/.test(path)) expect(during[path]).toBe(hash);

    expect(restorePython(python, backup)).toEqual({
      restored: [build[0].dest, build[1].dest],
      removed: [build[2].dest, build[3].dest],
      unchanged: [],
      keptAside: [],
    });
    expect(snapshot(python)).toEqual(before);
    expect(existsSync(backup)).toBe(false);
  });

  it("beyond the Python: the zip slot beside python.exe, and OpenSSL's compiled-in directories, created and removed again", () => {
    const before = snapshot(python);
    const compiledIn = join(root, 'Program Files', 'fipskit', 'openssl-3.0.9');
    const configuration = join(root, 'Users', 'Zoë', 'work', 'tmp', 'install-fips-configuration');
    put(join(configuration, 'openssl.cnf'), '[fips_sect]\n');
    put(join(configuration, 'fips.dll'), fakePe(X64, 'fips'));
    put(join(configuration, 'python311.zip'), 'zip');
    const files = [
      ...build,
      { source: join(configuration, 'python311.zip'), dest: join(python, 'python311.zip') },
      { source: join(configuration, 'fips.dll'), dest: join(compiledIn, 'lib', 'ossl-modules', 'fips.dll') },
      { source: join(configuration, 'openssl.cnf'), dest: join(compiledIn, 'ssl', 'openssl.cnf') },
    ];
    const manifest = installIntoPython(python, files, backup, { sourceVersion: '3.11.2' });
    expect(manifest.createdDirs).toEqual([
      join(root, 'Program Files', 'fipskit'),
      compiledIn,
      join(compiledIn, 'lib'),
      join(compiledIn, 'ssl'),
      join(compiledIn, 'lib', 'ossl-modules'),
    ]);
    expect(readFileSync(join(compiledIn, 'ssl', 'openssl.cnf'), 'utf8')).toBe('[fips_sect]\n');
    expect(readFileSync(join(python, 'python311.zip'), 'utf8')).toBe('zip');
    expect(restorePython(python, backup)?.removed).toEqual(files.slice(2).map((file) => file.dest));
    expect(snapshot(python)).toEqual(before);
    // Every directory the install made is gone again; Program Files itself was there before.
    expect(readdirSync(join(root, 'Program Files')).sort()).toEqual(['Python311']);
  });

  describe('a record changed after the install (it sits outside the Python, and restore runs elevated)', () => {
    let system32: string;
    let before: Record<string, string>;
    let manifestFile: string;
    const edit = (change: (manifest: InstallManifest) => void) => {
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as InstallManifest;
      change(manifest);
      writeFileSync(manifestFile, JSON.stringify(manifest));
    };
    beforeEach(() => {
      system32 = join(root, 'Windows', 'System32');
      put(join(system32, 'kernel32.dll'), fakePe(X64, 'kernel32'));
      installIntoPython(python, build, backup, { sourceVersion: '3.11.2' });
      before = { ...snapshot(python), ...snapshot(system32) };
      manifestFile = join(backup, INSTALL_MANIFEST);
    });
    const unchanged = () => expect({ ...snapshot(python), ...snapshot(system32) }).toEqual(before);

    it('a file outside what any install writes (System32) is refused, forced or not, and nothing is changed', () => {
      edit((m) => (m.files[2].path = join(system32, 'kernel32.dll')));
      for (const force of [false, true]) {
        expect(() => restorePython(python, backup, { force })).toThrow(
          `${manifestFile} is not a record fipskit wrote for ${python}: it names ${join(system32, 'kernel32.dll')}, which the install of this build never writes. Nothing was changed.`,
        );
      }
      unchanged();
    });

    it('an original "kept" outside originals\\ (a file to copy into the Python) is refused', () => {
      edit((m) => (m.files[0].original!.kept = join('originals', '..', '..', '..', 'Windows', 'System32', 'kernel32.dll')));
      expect(() => restorePython(python, backup, { force: true })).toThrow(/it keeps the original of .*_ssl\.pyd as .*kernel32\.dll, which is not a file of/);
      unchanged();
    });

    it('a path that climbs out of the Python with .. is refused though it ends in DLLs\\', () => {
      edit((m) => (m.files[2].path = join(python, 'DLLs', '..', '..', '..', 'Windows', 'System32', 'DLLs', 'x.dll')));
      expect(() => restorePython(python, backup)).toThrow(/which the install of this build never writes/);
      unchanged();
    });

    it('a created directory that holds none of its files is refused', () => {
      edit((m) => m.createdDirs.push(system32));
      expect(() => restorePython(python, backup)).toThrow(`it lists ${system32} as a directory it created, which holds none of its files`);
      unchanged();
    });

    it("with the build's own destinations, a Python file the build never installs is refused too; the build's are restored", () => {
      const destinations = build.map((file) => file.dest);
      edit((m) => (m.files[3].path = join(python, 'DLLs', 'sqlite3.dll')));
      expect(() => restorePython(python, backup, { destinations })).toThrow(
        `it names ${join(python, 'DLLs', 'sqlite3.dll')}, which the install of this build never writes`,
      );
      unchanged();
      edit((m) => (m.files[3].path = build[3].dest));
      expect(restorePython(python, backup, { destinations })?.restored).toEqual([build[0].dest, build[1].dest]);
    });
  });

  it('restores an install recorded by an earlier fipskit (manifest schema 1: DLLs\\ names, originals by name)', () => {
    const before = snapshot(python);
    installIntoPython(python, build, backup, { sourceVersion: '3.11.2' });
    const manifest = JSON.parse(readFileSync(join(backup, INSTALL_MANIFEST), 'utf8')) as InstallManifest;
    const v1 = {
      ...manifest,
      schema: 1,
      createdDirs: undefined,
      files: manifest.files.map(({ path, original, installed }) => ({
        name: basename(path),
        installed,
        ...(original ? { original: { sha256: original.sha256, size: original.size } } : {}),
      })),
    };
    for (const record of manifest.files) if (record.original) renameSync(join(backup, record.original.kept), join(backup, 'originals', basename(record.path)));
    writeFileSync(join(backup, INSTALL_MANIFEST), JSON.stringify(v1));
    expect(restorePython(python, backup)?.restored).toEqual([build[0].dest, build[1].dest]);
    expect(snapshot(python)).toEqual(before);
  });

  it("never takes its own files for the Python's originals: with the backup of an install gone, a new install refuses and changes nothing", () => {
    const fipskitBuild = build.map((file) => (writeFileSync(file.source, fakePe(X64, `fipskit build of ${basename(file.dest)}`)), file));
    installIntoPython(python, fipskitBuild, backup, { sourceVersion: '3.11.2' });
    const installed = snapshot(python);
    // `git clean -fdX`, or another backupDir: the record and the originals are gone.
    rmSync(backup, { recursive: true });
    expect(() => installIntoPython(python, fipskitBuild, backup, { sourceVersion: '3.11.2' })).toThrow(
      new RegExp(
        `^${join(python, 'DLLs', '_ssl.pyd').replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}, .* are already fipskit's, but .* holds no record of installing them: .*nothing was changed`,
      ),
    );
    expect(snapshot(python)).toEqual(installed);
    expect(existsSync(join(backup, INSTALL_MANIFEST))).toBe(false);
  });

  it("a second Python against the same OpenSSL build is refused, saying so: the compiled-in directory holds the first one's configuration", () => {
    // The compiled-in OpenSSL directory, outside both Pythons, as C:\\Program Files\\fipskit\\openssl-<version>\\ssl is.
    const compiledIn = join(root, 'Program Files', 'fipskit', 'openssl-3.0.22', 'ssl');
    const config = join(root, 'Users', 'Zoë', 'work', 'dist', 'p', 'fips-config', 'openssl.cnf');
    put(config, Buffer.from('# written by fipskit\n'));
    const withConfig = (files: InstallFile[]) => [...files, { source: config, dest: join(compiledIn, 'openssl.cnf') }];
    installIntoPython(python, withConfig(build), backup, { sourceVersion: '3.11.2' });
    const second = makeInstalledPython(join(root, 'Program Files', 'Python311-second'), {});
    const secondBackup = join(root, 'Users', 'Zoë', 'work', 'dist', 'second backup');
    const before = snapshot(second);
    expect(() => installIntoPython(second, withConfig(makeBuild(join(root, 'b2'), second)), secondBackup, { sourceVersion: '3.11.2' })).toThrow(
      /openssl\.cnf is already fipskit's: another Python was installed against this OpenSSL build\. .* Restore that Python first/,
    );
    expect(snapshot(second)).toEqual(before);
  });

  it('installing the same build again changes nothing; another build must wait for a restore', () => {
    const first = installIntoPython(python, build, backup, { sourceVersion: '3.11.2' });
    const installed = snapshot(python);
    expect(installIntoPython(python, build, backup, { sourceVersion: '3.11.2' })).toEqual(first);
    expect(snapshot(python)).toEqual(installed);
    const other = makeBuild(join(root, 'other'), python, 'rebuilt');
    expect(() => installIntoPython(python, other, backup, { sourceVersion: '3.11.2' })).toThrow(
      `fipskit has already installed modules into ${python} (${join(backup, INSTALL_MANIFEST)}). Restore that Python first, then install the new build.`,
    );
    expect(snapshot(python)).toEqual(installed);
  });

  it('refuses to restore over a file changed after the install, changing nothing; force keeps the changed file aside', () => {
    const before = snapshot(python);
    installIntoPython(python, build, backup, { sourceVersion: '3.11.2' });
    writeFileSync(join(python, 'DLLs', '_ssl.pyd'), 'patched by someone else');
    writeFileSync(join(python, 'DLLs', 'libssl-3-x64.dll'), 'replaced by someone else');
    const changed = snapshot(python);

    let error: unknown;
    try {
      restorePython(python, backup);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChangedSinceInstallError);
    expect((error as ChangedSinceInstallError).changed.map((c) => c.path)).toEqual([build[0].dest, build[3].dest]);
    expect((error as Error).message).toContain(
      `Not restoring: ${join(python, 'DLLs', '_ssl.pyd')}, ${join(python, 'DLLs', 'libssl-3-x64.dll')} changed after fipskit installed them`,
    );
    expect((error as Error).message).toContain('Nothing was changed.');
    expect(snapshot(python)).toEqual(changed);

    expect(restorePython(python, backup, { force: true })).toEqual({
      restored: [build[0].dest, build[1].dest],
      removed: [build[2].dest, build[3].dest],
      unchanged: [],
      keptAside: [build[0].dest, build[3].dest],
    });
    expect(snapshot(python)).toEqual(before);
    expect(readFileSync(join(backup, CHANGED_AFTER_INSTALL_DIR, '0-_ssl.pyd'), 'utf8')).toBe('patched by someone else');
    expect(readFileSync(join(backup, CHANGED_AFTER_INSTALL_DIR, '3-libssl-3-x64.dll'), 'utf8')).toBe('replaced by someone else');
    expect(existsSync(join(backup, INSTALL_MANIFEST))).toBe(false);
  });

  it('restores a file the user already put back by hand without complaint', () => {
    const before = snapshot(python);
    installIntoPython(python, build, backup, { sourceVersion: '3.11.2' });
    writeFileSync(join(python, 'DLLs', '_hashlib.pyd'), readFileSync(join(backup, 'originals', '1-_hashlib.pyd')));
    rmSync(join(python, 'DLLs', 'libcrypto-3-x64.dll'));
    expect(restorePython(python, backup)).toEqual({
      restored: [build[0].dest],
      removed: [build[3].dest],
      unchanged: [build[1].dest, build[2].dest],
      keptAside: [],
    });
    expect(snapshot(python)).toEqual(before);
  });

  it('refuses a damaged backup before changing anything', () => {
    installIntoPython(python, build, backup, { sourceVersion: '3.11.2' });
    const installed = snapshot(python);
    writeFileSync(join(backup, 'originals', '1-_hashlib.pyd'), 'bit rot');
    expect(() => restorePython(python, backup)).toThrow(`The backup ${join(backup, 'originals', '1-_hashlib.pyd')} is missing or damaged`);
    expect(snapshot(python)).toEqual(installed);
  });

  it('undoes a half-done install when one file cannot be written', () => {
    const before = snapshot(python);
    // A directory where the temporary copy of the last file would go: its copy fails after three files are in.
    mkdirSync(join(python, 'DLLs', 'libssl-3-x64.dll.fipskit-partial'));
    const withObstacle = snapshot(python);
    expect(() => installIntoPython(python, build, backup, { sourceVersion: '3.11.2' })).toThrow(
      new RegExp(`^Installing into ${python.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} failed: .*Everything was left as it was\\.$`),
    );
    expect(snapshot(python)).toEqual(withObstacle);
    expect(existsSync(join(backup, INSTALL_MANIFEST))).toBe(false);
    rmSync(join(python, 'DLLs', 'libssl-3-x64.dll.fipskit-partial'), { recursive: true });
    expect(snapshot(python)).toEqual(before);
  });

  it('refuses a missing build output, a backup directory inside the Python, a relative destination and one given twice', () => {
    const before = snapshot(python);
    expect(() => installIntoPython(python, [{ dest: build[0].dest, source: join(root, 'nope', '_ssl.pyd') }], backup, { sourceVersion: '3.11.2' })).toThrow(
      `${join(root, 'nope', '_ssl.pyd')} is missing: the build did not produce it.`,
    );
    expect(() => installIntoPython(python, build, join(python, 'fipskit-backup'), { sourceVersion: '3.11.2' })).toThrow('is inside');
    expect(() => installIntoPython(python, [{ dest: join('DLLs', '_ssl.pyd'), source: build[0].source }], backup, { sourceVersion: '3.11.2' })).toThrow(
      'is not an absolute path',
    );
    expect(() =>
      installIntoPython(python, [build[0], { ...build[0], dest: join(python, 'DLLs', '.', '_ssl.pyd') }], backup, { sourceVersion: '3.11.2' }),
    ).toThrow('is listed twice');
    expect(snapshot(python)).toEqual(before);
    expect(existsSync(backup)).toBe(false);
  });

  it('has nothing to restore without a manifest, changing nothing; refuses another Python than the one recorded', () => {
    const before = snapshot(python);
    expect(restorePython(python, backup)).toBeUndefined();
    expect(snapshot(python)).toEqual(before);
    expect(existsSync(backup)).toBe(false);
    installIntoPython(python, build, backup, { sourceVersion: '3.11.2' });
    const elsewhere = makePython(join(root, 'elsewhere'));
    const untouched = snapshot(elsewhere);
    // Never one Python's originals into another, not even forced.
    expect(() => restorePython(elsewhere, backup)).toThrow(`${backup} holds the originals of ${python}, not of ${elsewhere}: restore ${python} with it.`);
    expect(() => restorePython(elsewhere, backup, { force: true })).toThrow('holds the originals of');
    expect(snapshot(elsewhere)).toEqual(untouched);
    const manifest = JSON.parse(readFileSync(join(backup, INSTALL_MANIFEST), 'utf8')) as InstallManifest;
    expect(manifest.pythonDir).toBe(python);
  });
});

describe('which Python is installed', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'fipskit-winpy-ver-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads the exact version from include\\patchlevel.h and the CPU from pythonXY.dll', () => {
    expect(readInstalledPython(makePython(root))).toEqual({
      version: '3.11.2',
      series: '3.11',
      evidence: ['python311.dll', join('include', 'patchlevel.h')],
      machine: 'x64',
    });
  });

  it('falls back to major.minor from python3XY.dll when no headers are installed, and accepts it', () => {
    const python = makePython(root, { dll: 'python313.dll', patchlevel: null });
    expect(readInstalledPython(python)).toEqual({ version: '3.13', series: '3.13', evidence: ['python313.dll'], machine: 'x64' });
    expect(() => assertPythonMatchesSource(python, '3.13.5')).not.toThrow();
  });

  it.each([
    [
      { patchlevel: '3.11.9' },
      '3.11.2',
      'is Python 3.11.9 (python311.dll, include/patchlevel.h), but the modules are built from CPython 3.11.2. Build from the CPython 3.11.9 source',
    ],
    [
      { dll: 'python312.dll', patchlevel: null },
      '3.11.2',
      'is Python 3.12 (python312.dll), but the modules are built from CPython 3.11.2. Build from the CPython 3.12.x source',
    ],
    [{ machine: X86 }, '3.11.2', 'python311.dll is for x86, but fipskit builds x64 modules'],
  ])('refuses a mismatch (%j, source %s) before touching anything', (fake, sourceVersion, message) => {
    const python = makePython(root, fake);
    const before = snapshot(python);
    const backup = join(root, 'backup');
    expect(() => installIntoPython(python, makeBuild(root, python), backup, { sourceVersion })).toThrow(
      message.replace('include/patchlevel.h', join('include', 'patchlevel.h')),
    );
    expect(snapshot(python)).toEqual(before);
    expect(existsSync(backup)).toBe(false);
  });

  it('refuses a free-threaded Python, a directory that is not a Python, and headers that contradict the DLL', () => {
    const threaded = makePython(root, { dll: 'python313t.dll', patchlevel: '3.13.5' });
    expect(() => readInstalledPython(threaded)).toThrow('is a free-threaded Python (python313t.dll)');
    const notPython = join(root, 'empty dir');
    mkdirSync(notPython);
    expect(() => readInstalledPython(notPython)).toThrow('has no python3XY.dll beside python.exe: it is not an installed Windows Python');
    const mixed = makePython(join(root, 'mixed'), { patchlevel: '3.12.1' });
    expect(() => readInstalledPython(mixed)).toThrow('holds python311.dll but include\\patchlevel.h says 3.12.1');
  });

  it('reads the COFF machine of a PE file, and unknown for anything else', () => {
    put(join(root, 'a.dll'), fakePe(0xaa64, 'arm'));
    put(join(root, 'b.dll'), 'not a PE file at all, just some text that is long enough to pass the size check');
    expect(peMachine(join(root, 'a.dll'))).toBe('arm64');
    expect(peMachine(join(root, 'b.dll'))).toBe('unknown');
  });
});

describe('disk full during the install (a real small tmpfs)', () => {
  const disk = mountSmallDisk(2);
  const maybe = typeof disk === 'string' ? it.skip : it;
  if (typeof disk === 'string') it.todo(`disk-full install tests: ${disk}`);
  afterAll(() => typeof disk !== 'string' && disk.unmount());

  maybe('the Python runs out of space part way: what was placed is undone and the Python is byte for byte as it was', () => {
    const { dir } = disk as SmallDisk;
    const root = mkdtempSync(join(tmpdir(), 'fipskit-winpy-'));
    const python = makePython(join(dir, 'python-full-disk'));
    // libcrypto bigger than the room left: _ssl and _hashlib fit, libcrypto does not.
    const build = makeBuild(root, python).map((file) =>
      basename(file.dest).startsWith('libcrypto')
        ? (writeFileSync(file.source, Buffer.concat([fakePe(X64, 'libcrypto'), Buffer.alloc(3 * 1024 * 1024, 1)])), file)
        : file,
    );
    const backup = join(root, 'backup');
    const before = snapshot(python);
    expect(() => installIntoPython(python, build, backup, { sourceVersion: '3.11.2' })).toThrow(
      /^Installing into .*python-full-disk.* failed: the disk holding .* is full \(\d+ MB free\): free space there, then install again\. Everything was left as it was\.$/,
    );
    expect(snapshot(python)).toEqual(before);
    expect(readdirSync(join(python, 'DLLs')).filter((n) => n.endsWith('.fipskit-partial'))).toEqual([]);
    // Nothing to restore: the backup of this failed install is gone with it.
    expect(existsSync(join(backup, INSTALL_MANIFEST))).toBe(false);
    rmSync(root, { recursive: true, force: true });
  });

  maybe('the backup disk is full: refused before the Python is touched, and no half backup is left', () => {
    const { dir } = disk as SmallDisk;
    const root = mkdtempSync(join(tmpdir(), 'fipskit-winpy-'));
    const python = makePython(root);
    const build = makeBuild(root, python);
    const backup = join(dir, 'backup-full-disk');
    (disk as SmallDisk).fill(0);
    const before = snapshot(python);
    expect(() => installIntoPython(python, build, backup, { sourceVersion: '3.11.2' })).toThrow(
      /^Backing up the files the install replaces into .*backup-full-disk failed: that disk is full \(0 MB free\)\. Nothing was installed and .* was not touched\. Free space there, or set backupDir to a disk with room\.$/,
    );
    expect(snapshot(python)).toEqual(before);
    expect(existsSync(join(backup, INSTALL_MANIFEST))).toBe(false);
    expect(existsSync(join(backup, 'originals'))).toBe(false);
    rmSync(root, { recursive: true, force: true });
  });
});
