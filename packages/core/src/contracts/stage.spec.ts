import { OptionShape, checkStageOptions } from './stage';

describe('checkStageOptions', () => {
  const shape: OptionShape = {
    sourceLock: { type: 'string', required: true },
    outputPath: { type: 'string', required: true },
    jobs: { type: 'number' },
    tests: { type: 'boolean' },
    configureArgs: { type: 'string[]' },
    environment: { type: 'string-record' },
    scope: { type: ['targeted', 'full'] },
  };
  const check = (raw: unknown) => checkStageOptions<Record<string, unknown>>(raw, 'app:openssl', 'openssl', shape);

  it('returns options of the shape as they are, keeping keys it does not name', () => {
    const raw = {
      sourceLock: 'a.json',
      outputPath: 'dist/x',
      jobs: 2,
      tests: false,
      configureArgs: ['no-idea'],
      environment: { CC: 'clang' },
      scope: 'full',
      extra: 1,
    };
    expect(check(raw)).toBe(raw);
  });

  it('names the target, the missing key and the fix', () => {
    expect(() => check({ outputPath: 'dist/x' })).toThrow(
      'The options of app:openssl (the openssl stage) are not what the stage reads: sourceLock is missing (it must be a string). ' +
        "Set it in that target's options (project.json, or the project's fipskit.json), or regenerate the project with nx g fipskit:project.",
    );
  });

  it('names a key of the wrong type with the value it has', () => {
    expect(() => check({ sourceLock: 42, outputPath: 'dist/x' })).toThrow(/app:openssl.*sourceLock is number 42, not a string/);
  });

  it('lists every wrong key at once', () => {
    expect(() => check({ sourceLock: 'a.json', jobs: '4', configureArgs: [1], environment: { CC: 1 }, scope: 'some' })).toThrow(
      /outputPath is missing .*; jobs is string "4", not a number; configureArgs is a list, not a list of strings; environment is an object, not an object of strings; scope is string "some", not one of "targeted", "full"\. Set them/,
    );
  });

  it('refuses a target with no options object', () => {
    expect(() => check(undefined)).toThrow('app:openssl has no options object (it has nothing): the openssl stage needs sourceLock, outputPath;');
  });
});
