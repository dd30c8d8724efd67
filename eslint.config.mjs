// One flat config for the whole repository: `npx eslint .`, or per project `nx run <project>:lint`.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import globals from 'globals';
import jsoncParser from 'jsonc-eslint-parser';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Built packages, caches, scratch output and what the builds fetch or write.
    ignores: ['**/node_modules/', 'dist/', 'tmp/', 'coverage/', '.nx/', '**/.fipskit/'],
  },
  {
    files: ['**/*.{ts,js,mjs,cjs}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    plugins: { '@nx': nx },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The layering: core at the bottom; the four stage packages build on core alone, never on each other; the
      // fipskit entry package puts them together. No package may import tools/ (tagged scope:tools) or the tests.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          depConstraints: [
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:stage', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:entry', onlyDependOnLibsWithTags: ['scope:core', 'scope:stage'] },
          ],
        },
      ],
      // `_` marks a parameter or destructured element that is there for its position, not its value.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The repository's own drivers (benchmarks, the workflow harness, the Wine tests) call package internals the
    // packages do not export, by relative path, on purpose; nothing imports them.
    files: ['tools/**', 'e2e/**'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // Plain CommonJS files run by Node as they are (bin/ scripts, jest's config, tools/run-ts.js).
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // What Nx reads from each plugin package: implementations and schemas that exist, valid versions.
    files: ['packages/*/package.json', 'packages/*/executors.json', 'packages/*/generators.json', 'packages/*/migrations.json'],
    languageOptions: { parser: jsoncParser },
    plugins: { '@nx': nx },
    rules: { '@nx/nx-plugin-checks': 'error' },
  },
);
