import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const X64 = 0x8664;
export const X86 = 0x14c;

/** The first bytes of a PE file (a DLL or .exe) for `machine`: enough for the install's CPU check. */
export function fakePe(machine: number, marker: string): Buffer {
  const bytes = Buffer.alloc(0x80);
  bytes.write('MZ', 0, 'latin1');
  bytes.writeUInt32LE(0x40, 0x3c);
  bytes.write('PE\0\0', 0x40, 'latin1');
  bytes.writeUInt16LE(machine, 0x44);
  return Buffer.concat([bytes, Buffer.from(marker)]);
}

export function put(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

export interface InstalledPythonShape {
  dll?: string;
  machine?: number;
  /** PY_VERSION in include\patchlevel.h; null: no development headers installed. */
  patchlevel?: string | null;
  /** libs\pythonXY.lib, the import library the PCbuild route links against. */
  importLibrary?: boolean;
}

/**
 * An installed python.org Python as far as fipskit's Windows steps read one: python.exe, pythonXY.dll (its
 * PE header tells the CPU), include\patchlevel.h, libs\pythonXY.lib, and python.org's own modules in DLLs\.
 */
export function makeInstalledPython(
  dir: string,
  { dll = 'python311.dll', machine = X64, patchlevel = '3.11.2', importLibrary = true }: InstalledPythonShape = {},
): string {
  put(join(dir, 'python.exe'), fakePe(machine, 'python.exe'));
  put(join(dir, 'pythonw.exe'), fakePe(machine, 'pythonw.exe'));
  put(join(dir, 'python3.dll'), fakePe(machine, 'python3.dll'));
  put(join(dir, dll), fakePe(machine, dll));
  put(join(dir, 'vcruntime140.dll'), fakePe(machine, 'vcruntime140'));
  for (const name of ['_ssl.pyd', '_hashlib.pyd', '_socket.pyd', 'libcrypto-3.dll', 'libssl-3.dll'])
    put(join(dir, 'DLLs', name), fakePe(machine, `python.org ${name}`));
  put(join(dir, 'DLLs', 'py.ico'), 'icon');
  put(join(dir, 'Lib', 'ssl.py'), 'import _ssl\n');
  put(join(dir, 'Lib', 'hashlib.py'), 'import _hashlib\n');
  mkdirSync(join(dir, 'Lib', 'site-packages'), { recursive: true });
  if (importLibrary) put(join(dir, 'libs', dll.replace('.dll', '.lib')), 'import library');
  if (patchlevel) put(join(dir, 'include', 'patchlevel.h'), `#define PY_MAJOR_VERSION 3\n#define PY_VERSION "${patchlevel}"\n`);
  return dir;
}
