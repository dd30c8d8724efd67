import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceLock } from '../sources/source-spec';
import { readSourceLock } from './source-lock';

describe('readSourceLock', () => {
  const debianLock: SourceLock = {
    product: 'openssl',
    version: '3.0.22',
    origin: 'debian',
    sha256: 'a'.repeat(64),
    fileName: 'openssl_3.0.22.orig.tar.gz',
    location: 'openssl=3.0.22-1~deb12u2',
    debianVersion: '3.0.22-1~deb12u2',
    debian: {},
    verification: 'v',
  };
  const written = (lock: object) => {
    const file = join(mkdtempSync(join(tmpdir(), 'fipskit-lock-file-')), 'openssl.source.json');
    writeFileSync(file, JSON.stringify(lock));
    return file;
  };

  it('reads a Debian lock the sources stage wrote', () => {
    expect(readSourceLock(written(debianLock), 'openssl')).toEqual(debianLock);
  });

  it('refuses a tampered Debian lock before anything runs, naming the file', () => {
    const file = written({ ...debianLock, fileName: '--option_3.0.22.orig.tar.gz' });
    expect(() => readSourceLock(file, 'openssl')).toThrow(
      `The source lock ${file} is not one the sources stage writes: its fileName "--option_3.0.22.orig.tar.gz"`,
    );
  });
});
