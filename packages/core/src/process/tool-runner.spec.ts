import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecaRunner, childEnvironment } from './execa-runner';
import { ProcessError } from './process-error';

describe('ExecaRunner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-runner-'));
  const runner = new ExecaRunner();

  it('passes each argument through unchanged, metacharacters included', async () => {
    const hostile = ['a b', '"quoted"', "it's", '$(touch pwned)', 'semi;colon', 'new\nline', '*'];
    const lines: string[] = [];
    await runner.run(
      { program: process.execPath, args: ['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...hostile], cwd: dir },
      { onLine: (l) => lines.push(l) },
    );
    expect(JSON.parse(lines[0])).toEqual(hostile);
  });

  it('writes the full output to the log and throws with the tail on failure', async () => {
    const logFile = join(dir, 'fail.log');
    const script = 'for (let i = 0; i < 100; i++) console.log("line " + i); console.error("boom"); process.exit(3)';
    const error = await runner
      .run({ program: process.execPath, args: ['-e', script], cwd: dir, title: 'test step' }, { logFile, tailLines: 5 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ProcessError);
    expect(error.exitCode).toBe(3);
    expect(error.tail).toHaveLength(5);
    expect(error.message).toContain('boom');
    expect(error.message).toContain(logFile);
    expect(readFileSync(logFile, 'utf8')).toContain('line 0\n');
  });

  it('a progress line that cannot be written (a full disk) stops the tool instead of hanging on its output, and reports that error', async () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    // Writes far more than a pipe holds, forever: only being stopped ends it.
    const script = 'const s = "x".repeat(1000); setInterval(() => { for (let i = 0; i < 1000; i++) console.log(s); }, 1)';
    const error = await runner
      .run(
        { program: process.execPath, args: ['-e', script], cwd: dir, title: 'compile' },
        {
          onLine: () => {
            throw full;
          },
        },
      )
      .catch((e) => e);
    expect(error).toBe(full);
  }, 20_000);

  it('names a program that cannot be started', async () => {
    await expect(runner.run({ program: 'no-such-program-fipskit', args: [], cwd: dir })).rejects.toThrow(/could not be started/);
  });

  it('gives the child a changed copy of the environment without touching the parent', async () => {
    process.env.FIPSKIT_PARENT_ONLY = 'x';
    const env = childEnvironment({ FIPSKIT_ADDED: '1', FIPSKIT_PARENT_ONLY: undefined });
    expect(env.FIPSKIT_ADDED).toBe('1');
    expect('FIPSKIT_PARENT_ONLY' in env).toBe(false);
    expect(process.env.FIPSKIT_PARENT_ONLY).toBe('x');
    expect(process.env.FIPSKIT_ADDED).toBeUndefined();
    delete process.env.FIPSKIT_PARENT_ONLY;
  });
});

describe('echoingRunner', () => {
  it('prints every line and still passes it to the caller', async () => {
    const { RecordingRunner } = await import('./recording-runner');
    const { echoingRunner } = await import('./command');
    const printed: string[] = [];
    const seen: string[] = [];
    const inner = new RecordingRunner().respond(() => true, { output: ['a', 'b'] });
    await echoingRunner(inner, (l) => printed.push(l)).run({ program: 'x', args: [], cwd: '/' }, { onLine: (l) => seen.push(l) });
    expect(printed).toEqual(['a', 'b']);
    expect(seen).toEqual(['a', 'b']);
  });
});
