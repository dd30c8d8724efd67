import { join } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- core's test helper, which its package does not export (testing/ is not published)
import { optionShapeOfSchema } from '../../../core/src/testing/option-shape';
import { FIPS_CONFIG_OPTION_SHAPE, fipsConfigStage } from './stage';

describe('fipsConfigStage', () => {
  it('checks the options schema.json declares, no more and no fewer', () => {
    expect(FIPS_CONFIG_OPTION_SHAPE).toEqual(optionShapeOfSchema(join(__dirname, '..', 'executors', 'configure', 'schema.json')));
  });

  it('takes a graph target of the shape as it is', () => {
    const raw = { opensslPath: 'dist/app/openssl', outputPath: 'dist/app/fips-config', profile: 'strict' };
    expect(fipsConfigStage.options(raw, 'app:fips-config')).toBe(raw);
  });

  it('refuses a profile it does not know and a missing opensslPath, naming the target and the fix', () => {
    expect(() => fipsConfigStage.options({ outputPath: 'dist/app/fips-config', profile: 'fips' }, 'shared:fips-config')).toThrow(
      /^The options of shared:fips-config \(the fips-config stage\) are not what the stage reads: opensslPath is missing \(it must be a string\); profile is string "fips", not one of "strict", "rhel-compatible", "recipe-compatible"\. Set them in that target's options/,
    );
  });
});
