import { executorResult } from './executor-result';

describe('executorResult', () => {
  it('turns a thrown error into its message and a failed task, and a false result into a failure', async () => {
    const printed: string[] = [];
    const print = (l: string) => printed.push(l);
    expect(await executorResult('openssl', print, async () => undefined)).toEqual({ success: true });
    expect(await executorResult('openssl', print, async () => false)).toEqual({ success: false });
    expect(
      await executorResult('openssl', print, async () => {
        throw new Error('perl not found on PATH: install perl');
      }),
    ).toEqual({ success: false });
    expect(printed).toEqual(['[openssl] perl not found on PATH: install perl']);
  });
});
