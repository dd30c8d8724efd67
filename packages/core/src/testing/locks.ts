import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pidNamespace } from '../process/pid-namespace';

/** A lock left on disk as fipskit writes one; `namespace` defaults to this process's pid namespace. */
export function lockLeftBy(lock: string, owner: { pid: number; namespace?: string; started?: string }) {
  mkdirSync(lock, { recursive: true });
  writeFileSync(join(lock, 'owner.json'), JSON.stringify({ host: hostname(), namespace: pidNamespace(), token: `t${Math.random()}`, ...owner }));
}
