import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// The runtime input Nx hashes for each stage (bin/toolchain-identity.js) names the fipskit code that writes the stage's
// output: a fipskit whose code writes something else (openssl.cnf, the Python runtime) must be another cache key.
const SCRIPT = join(__dirname, '..', '..', 'bin', 'toolchain-identity.js');

/** A workspace with fipskit's packages installed as a user has them: files under node_modules/@fipskit. */
function workspaceWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-identity-'));
  const all = { 'core/package.json': '{"name":"@fipskit/core"}', 'python-pcbuild/package.json': '{"name":"@fipskit/python-pcbuild"}', ...files };
  for (const [path, content] of Object.entries(all)) {
    const file = join(root, 'node_modules', '@fipskit', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}

const codeLine = (cwd: string, stage = 'python') =>
  execFileSync(process.execPath, [SCRIPT, stage], { cwd, encoding: 'utf8' })
    .split('\n')
    .find((line) => line.startsWith('fipskit code: '));

describe("toolchain-identity.js: the fipskit code that makes a stage's output", () => {
  const runtime = { 'python-pcbuild/src/fips-runtime/_fipskit_boot.py': 'A = 1\n', 'core/src/fips/openssl-cnf.js': 'exports.x = 1;\n' };

  it("is a digest of the stage's package and core: one changed byte of the Python runtime is another identity", () => {
    const a = workspaceWith(runtime);
    expect(codeLine(a)).toMatch(/^fipskit code: [0-9a-f]{64}$/);
    expect(codeLine(workspaceWith(runtime))).toBe(codeLine(a));
    expect(codeLine(workspaceWith({ ...runtime, 'python-pcbuild/src/fips-runtime/_fipskit_boot.py': 'A = 2\n' }))).not.toBe(codeLine(a));
    expect(codeLine(workspaceWith({ ...runtime, 'core/src/fips/openssl-cnf.js': 'exports.x = 2;\n' }))).not.toBe(codeLine(a));
  });

  it("leaves out what cannot change an output: tests, their fixtures, other stages' packages", () => {
    const a = workspaceWith(runtime);
    const more = workspaceWith({
      ...runtime,
      'python-pcbuild/src/x.spec.ts': 'test',
      'python-pcbuild/src/__fixtures__/f.json': '{}',
      'openssl-fips/src/plan.js': 'changed',
    });
    expect(codeLine(more)).toBe(codeLine(a));
    expect(codeLine(more, 'fips-config')).toMatch(/^fipskit code: [0-9a-f]{64}$/);
  });

  it('prints the same lines loaded by package name, as the runtime inputs run it, from the workspace root or below it', () => {
    const ws = workspaceWith({ ...runtime, 'core/bin/toolchain-identity.js': readFileSync(SCRIPT, 'utf8') });
    const installed = join(ws, 'node_modules', '@fipskit', 'core', 'bin', 'toolchain-identity.js');
    const byPath = execFileSync(process.execPath, [installed, 'python', '--cc', 'cc'], { cwd: ws, encoding: 'utf8' });
    expect(byPath).toMatch(/^cc: .*\ncc program: .*\nfipskit code: [0-9a-f]{64}\n$/);
    const byName = (cwd: string) =>
      execFileSync(process.execPath, ['-r', '@fipskit/core/bin/toolchain-identity.js', '-e', '0', 'python', '--cc', 'cc'], { cwd, encoding: 'utf8' });
    expect(byName(ws)).toBe(byPath);
    // A workspace whose packages are installed in a parent directory (a nested workspace, a hoisting monorepo).
    mkdirSync(join(ws, 'nested'));
    expect(byName(join(ws, 'nested'))).toBe(byPath);
  });
});

describe('toolchain-identity.js: the compiler the build runs', () => {
  /** A directory holding fake compilers that print the given version line. */
  function compilers(names: string[], version: string): string {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'fipskit-cc-')));
    for (const name of names) {
      writeFileSync(join(dir, name), `#!/bin/sh\necho '${version}'\n`);
      chmodSync(join(dir, name), 0o755);
    }
    return dir;
  }
  const identity = (args: string[], path: string) =>
    execFileSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, PATH: path } })
      .split('\n')
      .filter((line) => line.startsWith('cc'));

  it("without a declared CC asks what OpenSSL's Configure and CPython's configure run: gcc, not cc", () => {
    const dir = compilers(['gcc'], 'gcc (Fake) 99.1');
    const elsewhere = compilers(['cc'], 'cc (Other) 1.0');
    const path = `${dir}:${elsewhere}:${process.env.PATH}`;
    expect(identity(['openssl'], path)).toEqual(['cc: gcc (Fake) 99.1', `cc program: ${join(dir, 'gcc')}`]);
    expect(identity(['python'], path)).toEqual(['cc: gcc (Fake) 99.1', `cc program: ${join(dir, 'gcc')}`]);
    // The overlay compiles with cc itself; a full build without gcc anywhere on PATH falls back to cc as configure does.
    expect(identity(['python', process.execPath], path)[0]).toBe('cc: cc (Other) 1.0');
    expect(identity(['python'], elsewhere)).toEqual(['cc: cc (Other) 1.0', `cc program: ${join(elsewhere, 'cc')}`]);
  });

  it('another compiler first on PATH with the same version line is another identity', () => {
    const system = compilers(['gcc'], 'gcc (Debian 12.2.0-14) 12.2.0');
    const other = compilers(['gcc'], 'gcc (Debian 12.2.0-14) 12.2.0');
    const a = identity(['openssl'], `${system}:${process.env.PATH}`);
    const b = identity(['openssl'], `${other}:${system}:${process.env.PATH}`);
    expect(a[0]).toBe(b[0]);
    expect(a).not.toEqual(b);
    expect(identity(['openssl', '--cc', 'gcc'], `${system}:${process.env.PATH}`)).toEqual(a);
  });
});

describe('toolchain-identity.js verify: the interpreter a verify run starts', () => {
  const python = '/usr/bin/python3.11';
  const identity = (home: string) =>
    execFileSync(process.execPath, [SCRIPT, 'verify', python], { encoding: 'utf8', env: { ...process.env, HOME: home } })
      .trim()
      .split('\n');

  (process.platform === 'linux' ? it : it.skip)(
    'names its version, binary, standard library and site directories; a .pth file in one is another identity',
    () => {
      const home = mkdtempSync(join(tmpdir(), 'fipskit-home-'));
      const before = identity(home);
      expect(before.map((line) => line.split(':')[0])).toEqual(['python', 'executable', 'standard library', 'site directories', 'fipskit code']);
      expect(before[2]).toMatch(/^standard library: [0-9a-f]{64}$/);
      expect(identity(home)).toEqual(before);
      // A .pth file runs at every start that reads the user's site directory.
      const userSite = execFileSync(python, ['-I', '-c', 'import site; print(site.getusersitepackages())'], { encoding: 'utf8', env: { HOME: home } }).trim();
      mkdirSync(userSite, { recursive: true });
      writeFileSync(join(userSite, 'zz-anything.pth'), 'import os\n');
      const after = identity(home);
      expect(after[3]).not.toBe(before[3]);
      expect(after.filter((_, i) => i !== 3)).toEqual(before.filter((_, i) => i !== 3));
    },
  );

  it('an interpreter that cannot run is named as such, never an empty identity', () => {
    const out = execFileSync(process.execPath, [SCRIPT, 'verify', '/nonexistent/python3'], { encoding: 'utf8' });
    expect(out).toMatch(/^python: cannot run \/nonexistent\/python3\nfipskit code: [0-9a-f]{64}\n$/);
  });
});
