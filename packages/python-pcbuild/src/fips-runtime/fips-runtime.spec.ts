import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { storedZip } from '@fipskit/core';
import { fipsRuntimeEntries } from './fips-runtime-entries';
import { compileLauncher, realInterpreter } from './launcher';

/**
 * fipskit's runtime in real interpreters, outside a build: its modules written into a directory put first on sys.path,
 * with a layout whose _hashlib is the interpreter's own (not in FIPS mode) and whose configuration does not exist.
 * What FIPS mode looks like is the e2e tests' business; here: what the runtime refuses, routes and patches.
 */
const SYSTEM = '/usr/bin/python3.11';
/** pyenv's interpreters where the machine has them: 3.12 and 3.13 name their hash modules differently. */
const PYENV = (version: string) => join(homedir(), '.pyenv', 'versions', version, 'bin', `python${version.split('.').slice(0, 2).join('.')}`);
const newer = ['3.12.1', '3.13.0'].map(PYENV).filter(existsSync);

function runtimeDir(python: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-runtime-'));
  const dynload = spawnSync(python, ['-I', '-c', 'import _hashlib, os; print(os.path.dirname(_hashlib.__file__))'], { encoding: 'utf8' }).stdout.trim();
  for (const entry of fipsRuntimeEntries({
    extensions: { _ssl: dynload, _hashlib: dynload },
    opensslConf: join(dir, 'missing', 'openssl.cnf'),
    project: 'p',
  })) {
    mkdirSync(dirname(join(dir, entry.name)), { recursive: true });
    writeFileSync(join(dir, entry.name), entry.content);
  }
  return dir;
}

function run(python: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(python, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

function stdout(python: string, args: string[], env: Record<string, string> = {}): string {
  return spawnSync(python, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } }).stdout;
}

/** Python code run with the runtime first on sys.path (as the zip slot is), then `code`. */
const withRuntime = (dir: string, code: string) => `import sys; sys.path.insert(0, ${JSON.stringify(dir)})\n${code}`;

(existsSync(SYSTEM) ? describe : describe.skip)('the FIPS runtime in a real interpreter', () => {
  let dir: string;
  beforeAll(() => (dir = runtimeDir(SYSTEM)));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('FIPSKIT_ALLOW_NON_FIPS=1 is a warning in a plain start, and ignored under -I and -E, which ignore the environment', () => {
    const code = withRuntime(dir, 'import _fipskit_boot\n_fipskit_boot.activate()\nprint("CONTINUED")');
    const plain = run(SYSTEM, ['-c', code], { FIPSKIT_ALLOW_NON_FIPS: '1' });
    expect(plain.out).toContain('fipskit: WARNING: this Python runs in FIPS mode only');
    expect(plain.out).toContain('CONTINUED');
    for (const flag of ['-I', '-E']) {
      const ignored = run(SYSTEM, [flag, '-c', code], { FIPSKIT_ALLOW_NON_FIPS: '1' });
      expect({ flag, status: ignored.status }).toEqual({ flag, status: 1 });
      expect(ignored.out).not.toContain('CONTINUED');
      expect(ignored.out).toMatch(/FipsModeError: this Python runs in FIPS mode only, and FIPS mode is not in force: its FIPS configuration .* does not exist/);
    }
  });

  it("Windows: a libcrypto of another name or directory (python.org's, after an upgrade put its _hashlib.pyd back) is named; fipskit's alone passes", () => {
    const judge = (loaded: string[]) =>
      run(SYSTEM, [
        '-c',
        withRuntime(
          dir,
          `import _fipskit_boot, ntpath\nprint(_fipskit_boot.libcrypto_problem(${JSON.stringify(loaded)}, "C:\\\\Python313\\\\DLLs", "libcrypto-3-x64.dll", ntpath))`,
        ),
      ]).out.trim();
    expect(judge(['C:\\Python313\\DLLs\\libcrypto-3-x64.dll'])).toBe('None');
    expect(judge(['c:\\python313\\dlls\\LIBCRYPTO-3-X64.DLL'])).toBe('None');
    expect(judge(['C:\\Python313\\DLLs\\libcrypto-3.dll'])).toMatch(
      /^another libcrypto is loaded in this process \(C:\\Python313\\DLLs\\libcrypto-3\.dll\) beside fipskit's in C:\\Python313\\DLLs\\libcrypto-3-x64\.dll: .*an upgrade of this Python put its own _hashlib back/,
    );
    expect(judge(['C:\\Python313\\DLLs\\libcrypto-3-x64.dll', 'C:\\Program Files\\Git\\mingw64\\bin\\libcrypto-3-x64.dll'])).toMatch(
      /^another libcrypto is loaded in this process \(C:\\Program Files\\Git/,
    );
    expect(judge([])).toMatch(/^fipskit's libcrypto C:\\Python313\\DLLs\\libcrypto-3-x64\.dll is not loaded: _hashlib runs on another OpenSSL/);
  });

  it("the routed blake2b and blake2s keep CPython's size attributes (hashlib.blake2b.SALT_SIZE and its kin)", () => {
    const code = withRuntime(
      dir,
      'import _fipskit_boot, _fipskit_hashes as h\nfor name in ("blake2b", "blake2s"):\n    c = h.ROUTED["_blake2"][name]\n    print(name, c.SALT_SIZE, c.PERSON_SIZE, c.MAX_KEY_SIZE, c.MAX_DIGEST_SIZE)',
    );
    const result = run(SYSTEM, ['-c', code], { FIPSKIT_ALLOW_NON_FIPS: '1' });
    expect(result.out).toContain('blake2b 16 16 64 64');
    expect(result.out).toContain('blake2s 8 8 32 32');
    // The same as CPython's own, as this interpreter has them.
    expect(
      run(SYSTEM, [
        '-I',
        '-c',
        'import _blake2\nfor c in (_blake2.blake2b, _blake2.blake2s): print(c.__name__, c.SALT_SIZE, c.PERSON_SIZE, c.MAX_KEY_SIZE, c.MAX_DIGEST_SIZE)',
      ]).out,
    ).toBe('blake2b 16 16 64 64\nblake2s 8 8 32 32\n');
  });

  it("a venv made through a link to the interpreter names the real interpreter's directory as its home", () => {
    const links = mkdtempSync(join(tmpdir(), 'fipskit-link-'));
    try {
      symlinkSync(SYSTEM, join(links, 'fips-python'));
      const make = (patched: boolean, where: string) =>
        run(join(links, 'fips-python'), [
          '-c',
          withRuntime(
            dir,
            `${patched ? 'import _fipskit_boot; _fipskit_boot._install_import_hooks()\n' : ''}import venv; venv.EnvBuilder(with_pip=False).create(${JSON.stringify(where)})`,
          ),
        ]);
      const home = (where: string) => /^home = (.*)$/m.exec(readFileSync(join(where, 'pyvenv.cfg'), 'utf8'))![1];
      expect(make(false, join(links, 'plain')).status).toBe(0);
      // What venv does by itself: the link's directory, where no installation is.
      expect(home(join(links, 'plain'))).toBe(links);
      expect(make(true, join(links, 'patched')).status).toBe(0);
      expect(home(join(links, 'patched'))).toBe(dirname(SYSTEM));
    } finally {
      rmSync(links, { recursive: true, force: true });
    }
  });
});

// Jest refuses an empty table: on a machine without pyenv's 3.12 and 3.13, the block is skipped and says why.
(newer.length ? describe.each(newer) : describe.skip.each(['(no Python 3.12 or 3.13 under ~/.pyenv here)']))(
  "the router under %s: every built-in hash module's name goes to OpenSSL",
  (python) => {
    let dir: string;
    beforeAll(() => (dir = runtimeDir(python)));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('_sha2 (3.12 and later) computes with OpenSSL, _hmac never loads, and hmac still works through OpenSSL', () => {
      const code = withRuntime(
        dir,
        [
          'import _fipskit_boot, _hashlib',
          '_fipskit_boot._install_import_hooks()',
          'import _sha2',
          'print("sha256", type(_sha2.sha256(b"abc")) is _hashlib.HASH, _sha2.sha256(b"abc").hexdigest())',
          'try:',
          '    import _hmac',
          'except ImportError as error:',
          '    print("hmac refused", error)',
          'import hmac',
          'print("hmac", hmac.new(b"k", b"m", "sha256").hexdigest())',
        ].join('\n'),
      );
      // FIPS mode is not in force here (the interpreter's own _hashlib, no configuration): FIPSKIT_ALLOW_NON_FIPS=1 lets
      // the routing be seen, with the runtime's warning.
      const result = run(python, ['-c', code], { FIPSKIT_ALLOW_NON_FIPS: '1' });
      expect(result.out).toContain('fipskit: WARNING');
      expect(result.out).toContain('sha256 True ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(result.out).toMatch(/hmac refused fipskit: _hmac is CPython's own cryptography, outside OpenSSL's FIPS provider/);
      expect(result.out).toContain(`hmac ${createHmac('sha256', 'k').update('m').digest('hex')}`);
      expect(result.status).toBe(0);
    });
  },
);

/**
 * A fipskit installation made of this machine's Python 3.11 as the overlay lays it out: fipskit's launcher in bin/, the
 * real binary in lib/fipskit/, the standard library linked, the runtime in the zip slot. Its layout names the system's
 * own _hashlib and a configuration that does not exist, so FIPS mode is never in force here: whatever reaches OpenSSL
 * through fipskit is refused, and what computes is a way around it.
 */
function installation(python: string): string {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-inst-'));
  const facts = JSON.parse(
    spawnSync(
      python,
      [
        '-I',
        '-c',
        'import _hashlib, json, os, sys, sysconfig; print(json.dumps([os.path.dirname(_hashlib.__file__), sysconfig.get_path("stdlib"), sys.platlibdir, "%d.%d" % sys.version_info[:2]]))',
      ],
      { encoding: 'utf8' },
    ).stdout,
  ) as [string, string, string, string];
  const [dynload, stdlib, platlibdir, series] = facts;
  mkdirSync(join(root, 'lib', 'fipskit'), { recursive: true });
  mkdirSync(join(root, 'bin'));
  copyFileSync(python, realInterpreter(root, series));
  spawnSync('chmod', ['755', realInterpreter(root, series)]);
  symlinkSync(stdlib, join(root, platlibdir, `python${series}`));
  const entries = fipsRuntimeEntries({ extensions: { _ssl: dynload, _hashlib: dynload }, opensslConf: join(root, 'missing', 'openssl.cnf'), project: 'p' });
  writeFileSync(join(root, platlibdir, `python${series.replace('.', '')}.zip`), storedZip(entries));
  const step = compileLauncher('gcc', root, series, platlibdir, root);
  if (step.kind !== 'run') throw new Error('the launcher is compiled by a run step');
  const compiled = spawnSync(step.command.program, step.command.args, { encoding: 'utf8', cwd: root });
  if (compiled.status !== 0) throw new Error(`the launcher did not compile: ${compiled.stderr}`);
  symlinkSync(`python${series}`, join(root, 'bin', 'python3'));
  return root;
}

const hasGcc = spawnSync('gcc', ['--version']).status === 0;
(existsSync(SYSTEM) && hasGcc ? describe : describe.skip)('no environment variable or flag starts a fipskit Python outside FIPS mode', () => {
  let root: string;
  let python: string;
  const md5 = 'import _md5; print("COMPUTED", _md5.md5(b"x").hexdigest())';
  beforeAll(() => {
    root = installation(SYSTEM);
    python = join(root, 'bin', 'python3');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('the installation starts as itself, through the launcher', () => {
    const code =
      'import sys, encodings, _fipskit_boot; print(sys.prefix, sys.executable, encodings.__file__, _fipskit_boot._FipskitModulesFirst in sys.meta_path)';
    expect(stdout(python, ['-I', '-S', '-c', code])).toBe(`${root} ${python} ${join(root, 'lib', 'python3.11', 'encodings', '__init__.py')} True\n`);
  });

  it("fipskit's start-up imports none of the modules CPython keeps out of start-up (test_site's test_startup_imports)", () => {
    // The modules test_site checks for, and contextlib/importlib.util, which brought them in.
    const kept = ['collections', 'functools', 'heapq', 'keyword', 'operator', 'reprlib', 'types', 'weakref', 're', 'contextlib', 'importlib.util'];
    const code = `import sys; print(sorted(set(sys.modules) & set(${JSON.stringify(kept)})))`;
    // Under FIPSKIT_ALLOW_NON_FIPS the start goes all the way through activation (the layout's configuration is missing).
    expect(stdout(python, ['-c', code], { FIPSKIT_ALLOW_NON_FIPS: '1' })).toBe('[]\n');
    expect(stdout(python, ['-S', '-c', code])).toBe('[]\n');
    // The control: the same probe sees a module that is imported.
    expect(stdout(python, ['-c', `import keyword; ${code}`], { FIPSKIT_ALLOW_NON_FIPS: '1' })).toBe("['keyword']\n");
  });

  it('PYTHONHOME or PYTHONPLATLIBDIR naming another installation is refused before Python starts; -E and -I ignore them', () => {
    const home = run(python, ['-c', 'import sys; print(sys.prefix)'], { PYTHONHOME: '/usr' });
    expect(home.status).toBe(1);
    expect(home.out).toMatch(
      /^fipskit: this Python runs in FIPS mode only, and PYTHONHOME=\/usr would start it outside FIPS mode: .* Unset PYTHONHOME .*, or start it with -E or -I/,
    );
    const platlib = run(python, ['-c', 'import sys; print(sys.prefix)'], { PYTHONPLATLIBDIR: '/usr/lib' });
    expect(platlib.status).toBe(1);
    expect(platlib.out).toMatch(/PYTHONPLATLIBDIR=\/usr\/lib would start it outside FIPS mode/);
    for (const flags of [['-E'], ['-I'], ['-SE'], ['-X', 'utf8', '-I']]) {
      expect(stdout(python, [...flags, '-c', 'import sys; print(sys.prefix)'], { PYTHONHOME: '/usr', PYTHONPLATLIBDIR: '/usr/lib' })).toBe(`${root}\n`);
    }
    // -E after -c belongs to the program, not to Python.
    expect(run(python, ['-c', 'pass', '-E'], { PYTHONHOME: '/usr' }).status).toBe(1);
    // Its own home is no other installation.
    expect(stdout(python, ['-c', 'import sys; print(sys.prefix)'], { PYTHONHOME: root })).toBe(`${root}\n`);
    // The control: the same variable makes the plain interpreter the system's.
    expect(stdout(realInterpreter(root, '3.11'), ['-c', 'import sys; print(sys.prefix)'], { PYTHONHOME: '/usr' })).toBe('/usr\n');
  });

  it("-S then a built-in hash module (no site, no sitecustomize) reaches OpenSSL through fipskit, not CPython's MD5", () => {
    const result = run(python, ['-S', '-c', md5]);
    expect(result.status).toBe(1);
    expect(result.out).toMatch(/FipsModeError: this Python runs in FIPS mode only/);
    expect(result.out).not.toContain('COMPUTED');
    expect(run(python, ['-I', '-S', '-c', md5]).out).not.toContain('COMPUTED');
    // The control: the same start of the plain interpreter computes MD5 with CPython's own code.
    expect(run(SYSTEM, ['-S', '-c', md5]).out).toContain('COMPUTED');
  });

  it("-S with PYTHONPATH at the system's lib-dynload still loads fipskit's _hashlib, not the system's", () => {
    const code = 'import _hashlib; print("LOADED", _hashlib.__file__)';
    const env = {
      PYTHONPATH: spawnSync(SYSTEM, ['-I', '-c', 'import _hashlib, os; print(os.path.dirname(_hashlib.__file__))'], { encoding: 'utf8' }).stdout.trim(),
    };
    const result = run(python, ['-S', '-c', code], env);
    expect(result.out).toMatch(/FipsModeError: this Python runs in FIPS mode only/);
    expect(result.out).not.toContain('LOADED');
    // The control: the system's interpreter started the same way loads it.
    expect(run(SYSTEM, ['-S', '-c', code], env).out).toContain('LOADED');
  });

  it("a sitecustomize earlier on sys.path runs after fipskit's, which is the one that loads", () => {
    const hooks = mkdtempSync(join(tmpdir(), 'fipskit-hook-'));
    try {
      // On stderr, where fipskit's start-up refusal is printed, to see the order.
      writeFileSync(join(hooks, 'sitecustomize.py'), 'import sys; print("COVERAGE HOOK", file=sys.stderr)\n');
      const result = run(python, ['-c', 'import sys; print("MAIN", sys.modules["sitecustomize"].__file__)'], { PYTHONPATH: hooks });
      const lines = result.out.split('\n');
      const refusal = lines.findIndex((line) => line.startsWith('fipskit: this Python runs in FIPS mode only'));
      expect(refusal).toBeGreaterThanOrEqual(0);
      expect(lines.indexOf('COVERAGE HOOK')).toBeGreaterThan(refusal);
      expect(result.out).toContain(`MAIN ${join(root, 'lib', 'python311.zip', 'sitecustomize.py')}`);
    } finally {
      rmSync(hooks, { recursive: true, force: true });
    }
  });

  it('a bare argv[0] that PATH resolves to another Python still starts this installation', () => {
    const result = spawnSync(python, ['-c', 'import sys; print(sys.prefix)'], { argv0: 'python3', encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(result.stdout).toBe(`${root}\n`);
    // The control: the real binary started the same way takes /usr/bin/python3's prefix.
    expect(
      spawnSync(realInterpreter(root, '3.11'), ['-c', 'import sys; print(sys.prefix)'], { argv0: 'python3', encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } })
        .stdout,
    ).toBe('/usr\n');
  });

  it('a venv made with --copies starts this installation, and refuses PYTHONHOME the same way', () => {
    const venv = join(root, 'venv-copies');
    expect(run(python, ['-m', 'venv', '--copies', '--without-pip', venv]).status).toBe(0);
    expect(stdout(join(venv, 'bin', 'python'), ['-c', 'import sys; print(sys.prefix, sys.base_prefix)'])).toBe(`${venv} ${root}\n`);
    expect(run(join(venv, 'bin', 'python'), ['-c', 'pass'], { PYTHONHOME: '/usr' }).status).toBe(1);
  });
});
