import { join } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- core's test helper, which its package does not export (testing/ is not published)
import { optionShapeOfSchema } from '../../../core/src/testing/option-shape';
import { PYTHON_OPTION_SHAPE, pythonStage } from './stage';

describe('pythonStage', () => {
  const raw = {
    sourceLock: 'dist/app/sources/cpython.source.json',
    opensslPath: 'dist/app/openssl',
    fipsConfigPath: 'dist/app/fips-config',
    outputPath: 'dist/app/python',
    mode: 'overlay',
  };

  it('checks the options schema.json declares, no more and no fewer', () => {
    expect(PYTHON_OPTION_SHAPE).toEqual(optionShapeOfSchema(join(__dirname, '..', 'executors', 'python', 'schema.json')));
  });

  it('takes a graph target of the shape as it is', () => {
    expect(pythonStage.options(raw, 'app:python')).toBe(raw);
  });

  it('refuses a target whose sourceLock is missing, naming the target and the fix', () => {
    const { sourceLock: _, ...withoutLock } = raw;
    expect(() => pythonStage.options(withoutLock, 'app:python')).toThrow(
      /^The options of app:python \(the python stage\) are not what the stage reads: sourceLock is missing \(it must be a string\)\. Set it in that target's options/,
    );
  });

  it('refuses a sourceLock that is a number and a jobs that is a string', () => {
    expect(() => pythonStage.options({ ...raw, sourceLock: 1, jobs: '2' }, 'app:python')).toThrow(
      'jobs is string "2", not a number; sourceLock is number 1, not a string.',
    );
  });
});
