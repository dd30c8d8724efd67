import { closeSync, openSync, readSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ProcessRunner } from '@fipskit/core';
import { treeEntries } from '../../package/lib/bundle-layout';

function isElf(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const magic = Buffer.alloc(4);
    return readSync(fd, magic, 0, 4, 0) === 4 && magic.toString('latin1') === '\x7fELF';
  } finally {
    closeSync(fd);
  }
}

/**
 * The Debian packages whose shared libraries the bundle's programs and modules load from the OS (libffi for a full
 * CPython's ctypes, zlib, …), found as this machine resolves them (ldd, with the bundle's own OpenSSL first) and
 * named by dpkg. What the bundle ships itself, and the C library every base has, are left out.
 */
export async function osPackagesFor(tree: string, libraryPath: string, runner: ProcessRunner): Promise<string[]> {
  const libraries = new Set<string>();
  for (const entry of treeEntries(tree)) {
    const file = join(tree, entry.path);
    if (entry.kind !== 'file' || !isElf(file)) continue;
    const lines: string[] = [];
    await runner.run(
      { program: 'ldd', args: [file], cwd: tree, env: { LD_LIBRARY_PATH: libraryPath, LC_ALL: 'C' } },
      { allowFailure: true, onLine: (l) => lines.push(l) },
    );
    for (const line of lines) {
      const path = /=>\s+(\/\S+)\s+\(/.exec(line)?.[1];
      if (path && relative(tree, path).startsWith('..')) libraries.add(path);
    }
  }
  const packages = new Set<string>();
  for (const library of [...libraries].sort()) {
    const lines: string[] = [];
    const result = await runner.run(
      { program: 'dpkg-query', args: ['-S', library], cwd: '/', env: { LC_ALL: 'C' } },
      { allowFailure: true, onLine: (l) => lines.push(l) },
    );
    if (result.exitCode !== 0) continue;
    for (const line of lines) {
      for (const owner of /^(.+?): \//.exec(line)?.[1]?.split(',') ?? []) packages.add(owner.trim().replace(/:[a-z0-9]+$/, ''));
    }
  }
  packages.delete('libc6');
  return [...packages].sort();
}
