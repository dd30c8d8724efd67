import { join } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- core's test helper, which its package does not export (testing/ is not published)
import { optionShapeOfSchema } from '../../../core/src/testing/option-shape';
import { OPENSSL_OPTION_SHAPE, opensslStage } from './stage';

describe('opensslStage', () => {
  it('checks the options schema.json declares, no more and no fewer', () => {
    expect(OPENSSL_OPTION_SHAPE).toEqual(optionShapeOfSchema(join(__dirname, '..', 'executors', 'openssl', 'schema.json')));
  });

  it('takes a graph target of the shape as it is', () => {
    const raw = { sourceLock: 'dist/app/sources/openssl.source.json', outputPath: 'dist/app/openssl', jobs: 4 };
    expect(opensslStage.options(raw, 'app:openssl')).toBe(raw);
  });

  it('refuses a target whose sourceLock is missing, naming the target and the fix', () => {
    expect(() => opensslStage.options({ outputPath: 'dist/app/openssl' }, 'app:openssl')).toThrow(
      /^The options of app:openssl \(the openssl stage\) are not what the stage reads: sourceLock is missing \(it must be a string\)\. Set it in that target's options .*nx g fipskit:project\.$/,
    );
  });

  it('refuses a sourceLock that is a number', () => {
    expect(() => opensslStage.options({ sourceLock: 3, outputPath: 'dist/app/openssl' }, 'app:openssl')).toThrow(
      'app:openssl (the openssl stage) are not what the stage reads: sourceLock is number 3, not a string.',
    );
  });
});
