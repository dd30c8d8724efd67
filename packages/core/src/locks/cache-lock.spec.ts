import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pidNamespace } from '../process/pid-namespace';
import { lockLeftBy } from '../testing/locks';
import { AbandonedLock, withCacheLock } from './cache-lock';

const NO_SUCH_PID = 2 ** 22 + 12345;

describe('withCacheLock', () => {
  const lockDir = () => join(mkdtempSync(join(tmpdir(), 'fipskit-lock-')), 'apt', 'lock');

  it('runs holders one after the other and releases the lock', async () => {
    const lock = lockDir();
    const events: string[] = [];
    const holder = (name: string) =>
      withCacheLock(
        lock,
        async () => {
          events.push(`${name} in`);
          await sleep(30);
          events.push(`${name} out`);
        },
        { pollMs: 5 },
      );
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
    lockLeftBy(lock, { pid: NO_SUCH_PID });
    const abandoned: AbandonedLock[] = [];
    await expect(withCacheLock(lock, async () => 'ran', { timeoutMs: 1000, onAbandoned: (a) => abandoned.push(a) })).resolves.toBe('ran');
    expect(abandoned).toEqual([expect.objectContaining({ owner: `process ${NO_SUCH_PID} on ${hostname()}`, ownerSeenGone: true })]);
  });

  (process.platform === 'linux' ? it : it.skip)('takes over a lock whose pid the system has since given to another process (another start time)', async () => {
    const lock = lockDir();
    lockLeftBy(lock, { pid: process.pid, started: '1' });
    await expect(withCacheLock(lock, async () => 'ran', { timeoutMs: 1000 })).resolves.toBe('ran');
  });

  it('gives up on a live owner after the timeout, saying what to do', async () => {
    const lock = lockDir();
    lockLeftBy(lock, { pid: process.pid });
    await expect(withCacheLock(lock, async () => 'ran', { timeoutMs: 30, pollMs: 5 })).rejects.toThrow(
      new RegExp(`held .*lock .*\\(process ${process.pid} on [^ ]+\\)\\. .*delete that directory`),
    );
  });

  it('never takes a lock recorded in another pid namespace while its heartbeat moves, though its pid runs nothing here', async () => {
    const lock = lockDir();
    // Another container sharing the cache volume and the host name: its pid means nothing in this namespace.
    lockLeftBy(lock, { pid: NO_SUCH_PID, namespace: 'linux:another-boot-or-container:pid:[4026532999]' });
    let beat = 0;
    const heartbeat = setInterval(() => writeFileSync(join(lock, 'heartbeat'), String(++beat)), 20);
    const waits: string[] = [];
    try {
      await expect(withCacheLock(lock, async () => 'ran', { timeoutMs: 1500, pollMs: 10, staleMs: 300, onWait: (o) => waits.push(o) })).rejects.toThrow(
        /held .*lock for more than 2 s \(process \d+ on .* \(in another pid namespace or on another machine: fipskit cannot check it there, and takes the lock over once it has gone 300 ms without renewing it\)\)/,
      );
    } finally {
      clearInterval(heartbeat);
    }
    expect(waits).toHaveLength(1);
    expect(existsSync(join(lock, 'owner.json'))).toBe(true);
  });

  it('takes over a lock recorded in another pid namespace once its heartbeat has stopped for staleMs, though its pid runs here', async () => {
    const lock = lockDir();
    lockLeftBy(lock, { pid: process.pid, namespace: 'linux:another-boot-or-container:pid:[4026532999]' });
    const started = performance.now();
    const abandoned: AbandonedLock[] = [];
    await expect(withCacheLock(lock, async () => 'ran', { timeoutMs: 5000, pollMs: 10, staleMs: 400, onAbandoned: (a) => abandoned.push(a) })).resolves.toBe(
      'ran',
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
    expect(abandoned).toEqual([expect.objectContaining({ ownerSeenGone: false })]);
  });
});

// Linux, as root, with util-linux unshare: a real holder in a pid namespace of its own, as in another container.
const unshare =
  process.platform === 'linux' && process.getuid?.() === 0 ? spawnSync('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', 'true']) : undefined;
(unshare?.status === 0 ? describe : describe.skip)('withCacheLock: a holder in another pid namespace (unshare), whose pid 1 looks alive here', () => {
  const REPO = join(__dirname, '..', '..', '..', '..');
  it('is waited for while it renews the lock, and taken over once it was killed and its heartbeat stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fipskit-pidns-'));
    const lock = join(dir, 'cache', 'apt', 'fipskit.lock');
    const events = join(dir, 'events');
    writeFileSync(events, '');
    const script = join(dir, 'holder.ts');
    writeFileSync(
      script,
      [
        `import { appendFileSync } from 'node:fs';`,
        `import { withCacheLock } from ${JSON.stringify(join(REPO, 'packages', 'core', 'src', 'locks', 'cache-lock'))};`,
        `void withCacheLock(${JSON.stringify(lock)}, async () => {`,
        `  appendFileSync(${JSON.stringify(events)}, 'in ' + process.pid + '\\n');`,
        `  await new Promise((r) => setTimeout(r, 600_000));`,
        `}, { heartbeatMs: 100 });`,
      ].join('\n'),
    );
    const holder = spawn('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', process.execPath, join(REPO, 'tools', 'run-ts.js'), script], {
      stdio: 'inherit',
    });
    const holderGone = new Promise((resolve) => holder.on('close', resolve));
    try {
      while (!readFileSync(events, 'utf8').includes('in ')) await sleep(50);
      const recorded = JSON.parse(readFileSync(join(lock, 'owner.json'), 'utf8'));
      // In its own pid namespace the holder is process 1, and process 1 runs here too.
      expect(recorded).toMatchObject({ pid: 1, host: hostname() });
      expect(recorded.namespace).not.toBe(pidNamespace());

      const waits: string[] = [];
      const abandoned: AbandonedLock[] = [];
      let entered = false;
      const waiter = withCacheLock(lock, async () => void (entered = true), {
        pollMs: 50,
        staleMs: 1500,
        timeoutMs: 20_000,
        onWait: (o) => waits.push(o),
        onAbandoned: (a) => abandoned.push(a),
      });
      await sleep(3000);
      expect(entered).toBe(false);
      expect(waits).toEqual([
        expect.stringMatching(
          /^process 1 on .* \(in another pid namespace or on another machine: fipskit cannot check it there, and takes the lock over once it has gone 2 s without renewing it\)$/,
        ),
      ]);

      holder.kill('SIGKILL');
      await holderGone;
      const killedAt = performance.now();
      await waiter;
      expect(entered).toBe(true);
      expect(performance.now() - killedAt).toBeGreaterThanOrEqual(1000);
      expect(abandoned).toEqual([expect.objectContaining({ owner: expect.stringMatching(/^process 1 on /), ownerSeenGone: false })]);
      expect(readdirSync(dirname(lock))).toEqual([]);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 60_000);
});
