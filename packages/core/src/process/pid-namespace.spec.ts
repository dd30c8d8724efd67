import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidNamespace, processExists, processStartTime } from './pid-namespace';

const NO_SUCH_PID = 2 ** 22 + 12345;

(process.platform === 'linux' ? describe : describe.skip)('pid namespace and process start time (Linux /proc)', () => {
  it('names the boot and the pid namespace', () => {
    expect(pidNamespace()).toMatch(/^linux:[0-9a-f-]{36}:pid:\[\d+\]$/);
  });

  it('reads the start time of a process whose command name holds ") " and spaces', async () => {
    const program = join(mkdtempSync(join(tmpdir(), 'fipskit-comm-')), 'a) b (c');
    copyFileSync('/bin/sleep', program);
    chmodSync(program, 0o755);
    const child = spawn(program, ['5']);
    await new Promise((resolve) => child.once('spawn', resolve));
    try {
      const started = processStartTime(child.pid!);
      expect(started).toMatch(/^\d+$/);
      expect(Number(started)).toBeGreaterThanOrEqual(Number(processStartTime(process.pid)));
      expect(processExists(child.pid!)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    expect(processStartTime(NO_SUCH_PID)).toBeUndefined();
    expect(processExists(NO_SUCH_PID)).toBe(false);
  });
});
