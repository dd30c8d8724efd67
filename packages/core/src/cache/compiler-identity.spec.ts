import { assertCompilerInCacheKey, toolchainInputCompiler } from './compiler-identity';

const context = (runtime?: string) => ({
  projectName: 'fp',
  targetName: 'openssl',
  projectsConfigurations: {
    version: 2,
    projects: { fp: { root: 'fp', targets: { openssl: { inputs: [{ dependentTasksOutputFiles: '**/x.json' }, ...(runtime ? [{ runtime }] : [])] } } } },
  },
});
const IDENTITY = 'node -r @fipskit/core/bin/toolchain-identity.js -e 0 openssl';

describe('the compiler the cache key asks', () => {
  it('reads --cc from the toolchain input', () => {
    expect(toolchainInputCompiler([{ runtime: `${IDENTITY} --cc "ccache gcc"` }])).toBe('ccache gcc');
    expect(toolchainInputCompiler([{ runtime: IDENTITY }])).toBeUndefined();
    expect(toolchainInputCompiler([{ env: 'CC' }])).toBeNull();
  });

  it('accepts a key that asks the compiler the build runs', () => {
    expect(() => assertCompilerInCacheKey(context(IDENTITY), undefined)).not.toThrow();
    expect(() => assertCompilerInCacheKey(context(`${IDENTITY} --cc "clang"`), 'clang')).not.toThrow();
    expect(() => assertCompilerInCacheKey(context(), 'clang')).not.toThrow();
  });

  it('refuses a declared CC the key does not ask, with the input to write', () => {
    expect(() => assertCompilerInCacheKey(context(IDENTITY), 'clang')).toThrow(
      'fp:openssl builds with CC "clang" (its "environment" option), but its cache key asks the default compiler for its version (the toolchain runtime input). ' +
        'Change that input to {"runtime": "node -r @fipskit/core/bin/toolchain-identity.js -e 0 openssl --cc \\"clang\\""} so a compiler upgrade is a cache miss. Nothing was built.',
    );
    expect(() => assertCompilerInCacheKey(context(`${IDENTITY} --cc "clang"`), undefined)).toThrow(
      `fp:openssl builds with the default compiler, but its cache key asks "clang" for its version (the toolchain runtime input). Change that input to {"runtime": "${IDENTITY}"}`,
    );
  });
});
