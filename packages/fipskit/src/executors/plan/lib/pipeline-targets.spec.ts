import { ExecutorContext } from '@nx/devkit';
import { EXECUTORS } from '../../../constants';
import { STAGES, findStage } from './pipeline-targets';

describe('the stages plan, audit and doctor read', () => {
  it('run the executors the stage targets are generated with', () => {
    expect(STAGES.openssl.executor).toBe(EXECUTORS.openssl);
    expect(STAGES.fipsConfig.executor).toBe(EXECUTORS.fipsConfig);
    expect(STAGES.python.executor).toBe(EXECUTORS.python);
  });

  const context = (opensslOptions: Record<string, unknown>) =>
    ({
      root: '/w',
      projectName: 'app',
      projectsConfigurations: {
        version: 2,
        projects: {
          app: { root: 'app', targets: { python: { executor: EXECUTORS.python, options: {} } } },
          shared: { root: 'shared', targets: { ssl: { executor: EXECUTORS.openssl, options: opensslOptions } } },
        },
      },
      projectGraph: { nodes: {}, dependencies: { app: [{ source: 'app', target: 'shared', type: 'static' }], shared: [] } },
    }) as unknown as ExecutorContext;

  it("finds a stage's target in a project this one depends on, its options checked", () => {
    const options = { sourceLock: 'dist/shared/sources/openssl.source.json', outputPath: 'dist/shared/openssl' };
    expect(findStage(context(options), STAGES.openssl)).toEqual({ project: 'shared', target: 'ssl', options });
    expect(findStage(context(options), STAGES.fipsConfig)).toBeUndefined();
  });

  it('names the target it found when its options have the wrong shape', () => {
    expect(() => findStage(context({ sourceLock: ['a'], outputPath: 'dist/shared/openssl' }), STAGES.openssl)).toThrow(
      'The options of shared:ssl (the openssl stage) are not what the stage reads: sourceLock is a list, not a string.',
    );
  });
});
