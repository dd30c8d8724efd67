// Unit tests run everywhere in seconds; e2e tests build real OpenSSL/CPython and run serially; wine tests run the
// Windows build of the same OpenSSL under Wine.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];
// execa and its dependencies ship ESM only: let @swc/jest turn them into CommonJS for jest.
const esmOnly = [
  'execa',
  'is-plain-obj',
  'figures',
  'get-stream',
  '@sec-ant',
  'human-signals',
  'is-stream',
  'npm-run-path',
  'path-key',
  'pretty-ms',
  'parse-ms',
  'strip-final-newline',
  'unicorn-magic',
  'yoctocolors',
  'is-unicode-supported',
  '@sindresorhus',
  'cross-spawn',
];
const transform = { '^.+\\.(t|j|mj)s$': swc };
const common = {
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: { '^unicorn-magic$': '<rootDir>/node_modules/unicorn-magic/node.js' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testEnvironment: 'node',
  // dist/packages holds the built packages (npm run pack:packages): tests import the sources, never those copies.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
module.exports = {
  // The end-to-end files in a fixed order (the unit tests keep jest's own, slowest first).
  testSequencer: '<rootDir>/e2e/support/sequencer.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/packages/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/e2e/**/*.e2e.ts'], testTimeout: 60 * 60 * 1000 },
    // Windows binaries under Wine (npm run test:wine builds them first); one Wine prefix, so run in band.
    { ...common, displayName: 'wine', testMatch: ['<rootDir>/e2e/wine/**/*.wine.ts'], testTimeout: 10 * 60 * 1000 },
  ],
};
