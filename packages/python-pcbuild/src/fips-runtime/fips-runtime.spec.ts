import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fipsRuntimeEntries } from '../executors/build/lib/fips-runtime';

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
  for (const entry of fipsRuntimeEntries({ extensions: { _ssl: dynload, _hashlib: dynload }, opensslConf: join(dir, 'missing', 'openssl.cnf'), project: 'p' })) {
    writeFileSync(join(dir, entry.name), entry.content);
  }
  return dir;
}

function run(python: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(python, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
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

  it("the routed blake2b and blake2s keep CPython's size attributes (hashlib.blake2b.SALT_SIZE and its kin)", () => {
    const code = withRuntime(dir, 'import _fipskit_boot, _fipskit_hashes as h\nfor name in ("blake2b", "blake2s"):\n    c = h.ROUTED["_blake2"][name]\n    print(name, c.SALT_SIZE, c.PERSON_SIZE, c.MAX_KEY_SIZE, c.MAX_DIGEST_SIZE)');
    const result = run(SYSTEM, ['-c', code], { FIPSKIT_ALLOW_NON_FIPS: '1' });
    expect(result.out).toContain('blake2b 16 16 64 64');
    expect(result.out).toContain('blake2s 8 8 32 32');
    // The same as CPython's own, as this interpreter has them.
    expect(run(SYSTEM, ['-I', '-c', 'import _blake2\nfor c in (_blake2.blake2b, _blake2.blake2s): print(c.__name__, c.SALT_SIZE, c.PERSON_SIZE, c.MAX_KEY_SIZE, c.MAX_DIGEST_SIZE)']).out).toBe('blake2b 16 16 64 64\nblake2s 8 8 32 32\n');
  });

  it('a venv made through a link to the interpreter names the real interpreter\'s directory as its home', () => {
    const links = mkdtempSync(join(tmpdir(), 'fipskit-link-'));
    try {
      symlinkSync(SYSTEM, join(links, 'fips-python'));
      const make = (patched: boolean, where: string) =>
        run(join(links, 'fips-python'), [
          '-c',
          withRuntime(dir, `${patched ? 'import _fipskit_boot; _fipskit_boot._install_import_hooks()\n' : ''}import venv; venv.EnvBuilder(with_pip=False).create(${JSON.stringify(where)})`),
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
(newer.length ? describe.each(newer) : describe.skip.each(['(no Python 3.12 or 3.13 under ~/.pyenv here)']))("the router under %s: every built-in hash module's name goes to OpenSSL", (python) => {
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
});
