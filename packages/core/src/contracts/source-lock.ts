import { existsSync, readFileSync } from 'node:fs';
import { checkDebianLock } from '../sources/debian-archive';
import type { SourceLock } from '../sources/source-spec';

/** Reads the lock written by the sources stage; a missing or foreign lock is a clear error. */
export function readSourceLock(file: string, product: SourceLock['product']): SourceLock {
  if (!existsSync(file)) {
    throw new Error(
      `The source lock ${file} does not exist. It is written by the project's "sources" target: ` +
        `run the build through Nx (nx run <project>:openssl), which runs "sources" first, or point sourceLock at an existing lock.`,
    );
  }
  const lock = JSON.parse(readFileSync(file, 'utf8')) as SourceLock;
  if (lock.product !== product) {
    throw new Error(`${file} locks a ${lock.product} source, not ${product}: point sourceLock at the ${product}.source.json file.`);
  }
  // Its package name and version become apt arguments when the tarball is fetched: refused here, naming this file.
  if (lock.origin === 'debian') checkDebianLock(lock, file);
  return lock;
}
