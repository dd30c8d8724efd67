import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, win32 } from 'node:path';
import { ExecutorContext } from '@nx/devkit';
import { RecordingRunner } from '@fipskit/core';
import installExecutor from './executor';
import restoreExecutor from '../restore/executor';

/** Every file under dir with its bytes' SHA-256 and mode (on Windows only the read-only attribute shows in it): "byte-identical" made checkable. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out[relative(dir, path)] = `${createHash('sha256').update(readFileSync(path)).digest('hex')} ${statSync(path).mode.toString(8)}`;
    }
  };
  walk(dir);
  return out;
}

function peHeader(): Buffer {
  const pe = Buffer.alloc(0x80);
  pe.write('MZ', 0, 'latin1');
  pe.writeUInt32LE(0x40, 0x3c);
  pe.write('PE\0\0', 0x40, 'latin1');
  pe.writeUInt16LE(0x8664, 0x44);
  return pe;
}

describe('install and restore executors on a directory laid out like an installed Windows Python', () => {
  let root: string;
  let pythonDir: string;
  let interpreter: string;
  let context: ExecutorContext;
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fipskit-install-'));
    // "C:\Program Files\Python311" with a non-ASCII user elsewhere in the path.
    pythonDir = join(root, 'Zoë', 'Program Files', 'Python311');
    interpreter = join(pythonDir, 'python.exe');
    mkdirSync(join(pythonDir, 'DLLs'), { recursive: true });
    mkdirSync(join(pythonDir, 'include'));
    writeFileSync(interpreter, 'python.exe');
    writeFileSync(join(pythonDir, 'python311.dll'), peHeader());
    writeFileSync(join(pythonDir, 'include', 'patchlevel.h'), '#define PY_VERSION "3.11.2"\n');
    writeFileSync(join(pythonDir, 'DLLs', '_ssl.pyd'), 'python.org _ssl');
    writeFileSync(join(pythonDir, 'DLLs', '_hashlib.pyd'), 'python.org _hashlib');
    writeFileSync(join(pythonDir, 'DLLs', 'libcrypto-1_1.dll'), 'python.org libcrypto');
    const built = join(root, 'ws', 'dist', 'p', 'python');
    mkdirSync(join(built, 'DLLs'), { recursive: true });
    const install: Record<string, string> = {};
    for (const name of ['_hashlib.pyd', '_ssl.pyd', 'libcrypto-3-x64.dll', 'libssl-3-x64.dll']) {
      writeFileSync(join(built, 'DLLs', name), `fipskit ${name}`);
      install[`DLLs/${name}`] = sha(`fipskit ${name}`);
    }
    writeFileSync(join(built, 'fipskit-python.json'), JSON.stringify({ mode: 'pcbuild', source: { version: '3.11.2' }, install }));
    context = { root: join(root, 'ws'), projectName: 'p', cwd: root, isVerbose: false } as unknown as ExecutorContext;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const options = () => ({ pythonPath: 'dist/p/python', interpreter });

  it('installs with a backup, imports with -I, and restore leaves the Python byte-identical', async () => {
    const before = snapshot(pythonDir);
    const runner = new RecordingRunner().respond(() => true, { output: ['OpenSSL 3.0.9 30 May 2023'] });
    const printed: string[] = [];
    expect(await installExecutor(options(), context, { runner, print: (l) => printed.push(l), host: 'win32' })).toEqual({ success: true });
    expect(readFileSync(join(pythonDir, 'DLLs', '_ssl.pyd'), 'utf8')).toBe('fipskit _ssl.pyd');
    expect(readFileSync(join(pythonDir, 'DLLs', 'libssl-3-x64.dll'), 'utf8')).toBe('fipskit libssl-3-x64.dll');
    // CPython's own OpenSSL 1.1 DLL is not ours to touch.
    expect(readFileSync(join(pythonDir, 'DLLs', 'libcrypto-1_1.dll'), 'utf8')).toBe('python.org libcrypto');
    expect(readFileSync(join(root, 'ws', '.fipskit', 'backup', 'p', 'originals', '_ssl.pyd'), 'utf8')).toBe('python.org _ssl');
    expect(runner.argv()).toEqual([[win32.join(pythonDir, 'python.exe'), '-I', '-c', 'import _ssl, _hashlib; print(_ssl.OPENSSL_VERSION)']]);
    expect(printed.at(-1)).toContain('nx run p:restore puts them back');

    // Installing the same build again changes nothing.
    expect(await installExecutor(options(), context, { runner, print: () => undefined, host: 'win32' })).toEqual({ success: true });

    const restored: string[] = [];
    expect(await restoreExecutor({ interpreter }, context, { print: (l) => restored.push(l) })).toEqual({ success: true });
    expect(snapshot(pythonDir)).toEqual(before);
    expect(restored).toContain('[restore] original put back: _hashlib.pyd, _ssl.pyd');
    expect(restored).toContain('[restore] removed (fipskit had added it): libcrypto-3-x64.dll, libssl-3-x64.dll');
  });

  it('restore refuses a file the user changed after the install, and force keeps it aside', async () => {
    const runner = new RecordingRunner().respond(() => true, { output: ['OpenSSL 3.0.9'] });
    await installExecutor(options(), context, { runner, print: () => undefined, host: 'win32' });
    writeFileSync(join(pythonDir, 'DLLs', '_ssl.pyd'), 'a newer _ssl from a Python update');
    const printed: string[] = [];
    expect(await restoreExecutor({ interpreter }, context, { print: (l) => printed.push(l) })).toEqual({ success: false });
    expect(printed.join('\n')).toMatch(/_ssl\.pyd/);
    expect(readFileSync(join(pythonDir, 'DLLs', '_ssl.pyd'), 'utf8')).toBe('a newer _ssl from a Python update');
    expect(await restoreExecutor({ interpreter, force: true }, context, { print: () => undefined })).toEqual({ success: true });
    expect(readFileSync(join(pythonDir, 'DLLs', '_ssl.pyd'), 'utf8')).toBe('python.org _ssl');
    expect(readFileSync(join(root, 'ws', '.fipskit', 'backup', 'p', 'changed-after-install', '_ssl.pyd'), 'utf8')).toBe('a newer _ssl from a Python update');
  });

  it('restore after an install that never ran says so and succeeds, changing nothing', async () => {
    const before = snapshot(pythonDir);
    const printed: string[] = [];
    expect(await restoreExecutor({ interpreter }, context, { print: (l) => printed.push(l) })).toEqual({ success: true });
    const backupDir = join(root, 'ws', '.fipskit', 'backup', 'p');
    expect(printed).toEqual([
      `[restore] nothing to restore: fipskit has not installed anything with the backup directory ${backupDir} (it holds no fipskit-python-install.json); ${pythonDir} was left as it is`,
    ]);
    expect(snapshot(pythonDir)).toEqual(before);
    expect(existsSync(backupDir)).toBe(false);
  });

  it('refuses a built file that is not what the python stage recorded, before touching the Python', async () => {
    writeFileSync(join(root, 'ws', 'dist', 'p', 'python', 'DLLs', '_hashlib.pyd'), 'tampered');
    const before = snapshot(pythonDir);
    const printed: string[] = [];
    expect(await installExecutor(options(), context, { runner: new RecordingRunner(), print: (l) => printed.push(l), host: 'win32' })).toEqual({ success: false });
    expect(printed.join('\n')).toMatch(/_hashlib\.pyd is not the file the python stage built .* Nothing was installed\./);
    expect(snapshot(pythonDir)).toEqual(before);
  });

  it('refuses a Python of another version', async () => {
    writeFileSync(join(pythonDir, 'include', 'patchlevel.h'), '#define PY_VERSION "3.11.9"\n');
    const printed: string[] = [];
    expect(await installExecutor(options(), context, { runner: new RecordingRunner(), print: (l) => printed.push(l), host: 'win32' })).toEqual({ success: false });
    expect(printed.join('\n')).toContain(`is Python 3.11.9 (python311.dll, ${join('include', 'patchlevel.h')}), but the modules are built from CPython 3.11.2`);
    expect(readFileSync(join(pythonDir, 'DLLs', '_ssl.pyd'), 'utf8')).toBe('python.org _ssl');
  });

  it('shows the steps with dryRun on any host, and refuses a real install off Windows', async () => {
    const printed: string[] = [];
    expect(await installExecutor({ pythonPath: 'dist/p/python', interpreter: 'C:\\Program Files\\Python311\\python.exe', dryRun: true, platform: 'win32' }, context, { print: (l) => printed.push(l), host: 'linux' })).toEqual({ success: true });
    expect(printed.join('\n')).toContain('2. Install into C:\\Program Files\\Python311\\DLLs');
    const refused: string[] = [];
    expect(await installExecutor(options(), context, { print: (l) => refused.push(l), host: 'linux' })).toEqual({ success: false });
    expect(refused.join('\n')).toContain('On Linux and macOS the overlay is used through its launcher');
  });
});
