import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withCacheLock } from './cache-lock';

describe('withCacheLock', () => {
  const lockDir = () => join(mkdtempSync(join(tmpdir(), 'fipskit-lock-')), 'apt', 'lock');

  it('runs holders one after the other and releases the lock', async () => {
    const lock = lockDir();
    const events: string[] = [];
    const holder = (name: string) =>
      withCacheLock(lock, async () => {
        events.push(`${name} in`);
        await sleep(30);
        events.push(`${name} out`);
      }, { pollMs: 5 });
    await Promise.all([holder('a'), holder('b')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(lock)).toBe(false);
  });

  it('releases the lock when the work fails', async () => {
    const lock = lockDir();
    await expect(withCacheLock(lock, async () => Promise.reject(new Error('apt failed')))).rejects.toThrow('apt failed');
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose owner process is gone', async () => {
    const lock = lockDir();
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname() }));
    await expect(withCacheLock(lock, async () => 'ran', { timeoutMs: 1000 })).resolves.toBe('ran');
  });

  it('gives up on a live owner after the timeout, saying what to do', async () => {
    const lock = lockDir();
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: process.pid, host: hostname() }));
    await expect(withCacheLock(lock, async () => 'ran', { timeoutMs: 30, pollMs: 5 })).rejects.toThrow(
      new RegExp(`held .*lock .*process ${process.pid}.*delete that directory`),
    );
  });
});
