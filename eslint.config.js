// Type-aware lint, and the layer rules of docs/architecture.md: web → api → application → core ← adapters.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'bench/data/**',
      'dist/**',
      'bench/results/**',
      'bin/**',
      'eslint.config.js',
      '.scratch/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Fastify plugins and handlers are async by contract, with or without an await inside.
      '@typescript-eslint/require-await': 'off',
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['test', 'describe', 'it', 'suite'], package: 'node:test' },
          ],
        },
      ],
    },
  },
  {
    // Plain JavaScript helpers of the test runner: linted, but without type information.
    files: ['**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  {
    // CommonJS entry files (a worker that must not start a module-hooks thread of its own).
    files: ['**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**'],
    ignores: ['src/core/**/*.test.ts'],
    rules: restrict([
      {
        group: ['node:*', 'fs', 'path', 'crypto', 'os', 'url', 'stream', 'events'],
        message: 'core is pure: no Node built-ins.',
      },
      {
        group: ['**/adapters/**', '**/api/**', '**/application/**', '**/cli/**', '**/main.ts', '**/sim/**'],
        message: 'core imports nothing of ours outside core.',
      },
      {
        group: [
          'better-sqlite3',
          'pg',
          'pg-*',
          'kysely',
          'fastify',
          'fastify-*',
          '@fastify/*',
          'commander',
          'csv-parse',
        ],
        message: 'core has no drivers, HTTP or file formats.',
      },
    ]),
  },
  {
    files: ['src/application/**'],
    rules: restrict([
      {
        group: ['**/adapters/**', '**/api/**', '**/cli/**', '**/main.ts'],
        message: 'application depends on core ports only.',
      },
      {
        group: ['better-sqlite3', 'pg', 'kysely', 'fastify', '@fastify/*', 'commander'],
        message: 'application has no drivers or HTTP.',
      },
    ]),
  },
  {
    files: ['src/api/**', 'src/cli/**'],
    rules: restrict([{ group: ['**/adapters/**'], message: 'only src/main.ts picks adapters.' }]),
  },
  {
    files: ['src/adapters/**'],
    rules: restrict([
      { group: ['**/api/**', '**/cli/**', '**/main.ts'], message: 'adapters implement core ports.' },
    ]),
  },
  {
    // A sensor gateway copies src/client and src/core/signing and nothing else; keep that possible.
    files: ['src/client/**'],
    ignores: ['src/client/**/*.test.ts'],
    rules: restrict([
      {
        regex: '(^|/)core/(?!signing/)',
        message: 'client may import only node built-ins and src/core/signing.',
      },
      {
        regex: '(^|/)(adapters|api|application|cli|sim|shared|web)/|(^|/)main\\.ts$',
        message: 'client may import only node built-ins and src/core/signing.',
      },
      { regex: '^(?!node:|\\.{1,2}/)', message: 'client depends on no package: node:* built-ins only.' },
    ]),
  },
  {
    files: ['src/shared/**'],
    rules: restrict([
      {
        group: ['**/adapters/**', '**/api/**', '**/cli/**', '**/application/**', 'node:*'],
        message: 'shared is wire types used by api and web.',
      },
    ]),
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests index into results freely; an undefined there fails the assertion anyway.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
);
