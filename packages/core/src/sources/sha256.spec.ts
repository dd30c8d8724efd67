import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSha256, sha256File, sha256Tree } from './sha256';

// Windows files have no executable bit, and only an administrator (or Developer Mode) may create a symlink.
const posixOnly = process.platform === 'win32' ? it.skip : it;

function sampleTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'fipskit-hash-'));
  mkdirSync(join(root, 'include/openssl'), { recursive: true });
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'Configure'), '#!/usr/bin/env perl\n');
  writeFileSync(join(root, 'include/openssl/opensslv.h'), '# define X 1\n');
  writeFileSync(join(root, 'VERSION.dat'), 'MAJOR=3\n');
  return root;
}

describe('sha256File', () => {
  it('hashes a file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fipskit-hash-')), 'abc');
    writeFileSync(file, 'abc');
    expect(await sha256File(file)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('recognises the 64-hex form', () => {
    expect(isSha256('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')).toBe(true);
    expect(isSha256('BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD')).toBe(false);
    expect(isSha256('abc')).toBe(false);
  });
});

describe('sha256Tree', () => {
  it('is the same for a copy of the tree in another place', async () => {
    const a = sampleTree();
    const b = join(mkdtempSync(join(tmpdir(), 'fipskit-hash-')), 'copy');
    cpSync(a, b, { recursive: true });
    expect(await sha256Tree(b)).toBe(await sha256Tree(a));
  });

  it('changes with a byte of content, an added file, a removed empty directory or a rename', async () => {
    const root = sampleTree();
    const seen = new Set([await sha256Tree(root)]);
    writeFileSync(join(root, 'VERSION.dat'), 'MAJOR=4\n');
    seen.add(await sha256Tree(root));
    writeFileSync(join(root, 'stray.o'), '');
    seen.add(await sha256Tree(root));
    rmSync(join(root, 'empty'), { recursive: true });
    seen.add(await sha256Tree(root));
    cpSync(join(root, 'stray.o'), join(root, 'stray2.o'));
    rmSync(join(root, 'stray.o'));
    seen.add(await sha256Tree(root));
    expect(seen.size).toBe(5);
  });

  posixOnly('records the executable bit and symlink targets', async () => {
    const root = sampleTree();
    const before = await sha256Tree(root);
    chmodSync(join(root, 'Configure'), 0o755);
    const executable = await sha256Tree(root);
    expect(executable).not.toBe(before);
    symlinkSync('include/openssl/opensslv.h', join(root, 'link'));
    const linked = await sha256Tree(root);
    rmSync(join(root, 'link'));
    symlinkSync('VERSION.dat', join(root, 'link'));
    expect(await sha256Tree(root)).not.toBe(linked);
    expect(linked).not.toBe(executable);
  });
});
