import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolRunner, childEnvironment } from './tool-runner';
import { ProcessError } from './process-error';

// Node's spawn starts the tools off Windows, execa on Windows: both run here, and must behave alike.
describe.each([
  ['POSIX (Node spawn)', 'linux'],
  ['Windows (execa)', 'win32'],
] as Array<[string, NodeJS.Platform]>)('ToolRunner, %s', (_, platform) => {
  const dir = mkdtempSync(join(tmpdir(), 'fipskit-runner-'));
  const runner = new ToolRunner(platform);

  it('keeps every line of both output streams, in the log and for the caller, and feeds the input', async () => {
    const logFile = join(dir, `both-${platform}.log`);
    const script =
      'let input = ""; process.stdin.on("data", (d) => (input += d)).on("end", () => {' +
      ' for (let i = 0; i < 500; i++) console.log("out " + i); console.error("err " + input.trim()); })';
    const lines: string[] = [];
    const result = await runner.run({ program: process.execPath, args: ['-e', script], cwd: dir }, { logFile, onLine: (l) => lines.push(l), input: 'fed\n' });
    expect(result.exitCode).toBe(0);
    expect(lines).toHaveLength(501);
    expect(lines).toContain('err fed');
    expect(lines.filter((l) => l.startsWith('out '))).toEqual(Array.from({ length: 500 }, (_, i) => `out ${i}`));
    expect(readFileSync(logFile, 'utf8')).toContain('out 499\n');
  });

  it('resolves with a non-zero exit code when asked to, and names a tool killed by a signal', async () => {
    await expect(runner.run({ program: process.execPath, args: ['-e', 'process.exit(7)'], cwd: dir }, { allowFailure: true })).resolves.toMatchObject({
      exitCode: 7,
    });
    const killed = await runner.run({ program: process.execPath, args: ['-e', 'process.kill(process.pid, "SIGKILL")'], cwd: dir }).catch((e) => e);
    expect(killed).toBeInstanceOf(ProcessError);
    expect(killed.exitCode).toBeNull();
    expect(killed.message).toMatch(/SIGKILL/);
  });

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
