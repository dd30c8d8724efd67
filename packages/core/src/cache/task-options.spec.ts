import type { Hash, Task } from '@nx/devkit';
import { completeHash, taskOptions } from './task-options';

const base: Hash = { value: 'nx-hash', details: { command: 'nx run app:verify', nodes: { 'app:verify': 'x' } } };

describe('completeHash: a task key completed with what its executor reads besides Nx inputs', () => {
  it('is the same for the same state, another for another state, and names the state in the details', () => {
    const one = completeHash(base, 'fipskit:state', { reusable: true, state: 'judged on 2026-12-07' });
    expect(completeHash(base, 'fipskit:state', { reusable: true, state: 'judged on 2026-12-07' })).toEqual(one);
    expect(completeHash(base, 'fipskit:state', { reusable: true, state: 'judged on 2026-12-08' }).value).not.toBe(one.value);
    expect(completeHash({ ...base, value: 'other' }, 'fipskit:state', { reusable: true, state: 'judged on 2026-12-07' }).value).not.toBe(one.value);
    expect(one.details.nodes).toEqual({ 'app:verify': 'x', 'fipskit:state': expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('is a key no other run has when the task must run', () => {
    const must = { reusable: false as const, why: 'a refresh is asked' };
    expect(completeHash(base, 'n', must).value).not.toBe(completeHash(base, 'n', must).value);
  });
});

describe('taskOptions: what the executor will get', () => {
  it("takes the target's options, then its configuration's, then the command line's", () => {
    const task = {
      id: 'app:sources:ci',
      target: { project: 'app', target: 'sources', configuration: 'ci' },
      overrides: { refresh: true, __overrides_unparsed__: ['--refresh'] },
    } as unknown as Task;
    const projectsConfigurations = {
      version: 2,
      projects: { app: { root: 'app', targets: { sources: { options: { a: 1, b: 1, refresh: false }, configurations: { ci: { b: 2 } } } } } },
    };
    expect(taskOptions(task, { projectsConfigurations })).toEqual({ a: 1, b: 2, refresh: true });
  });
});
