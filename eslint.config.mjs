// ESLint flat config: eslint's recommended rules everywhere, typescript-eslint's type-aware
// recommended rules on TypeScript (types come from tsconfig.json through the project service).
// Formatting is prettier's job (`npm run format`), so no stylistic rules here.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'docs/api/', 'coverage/', '.test-artifacts/', 'bench/results/', '**/*.d.ts', '**/*.d.mts']),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { globals: globals.node },
  },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `any` in type positions (reply transforms, `infer` in conditional types, generic defaults) is
      // how variance is spelled; what makes `any` dangerous is using an any-typed value, and the
      // type-aware no-unsafe-* rules (assignment, call, member access, argument, return) catch that.
      '@typescript-eslint/no-explicit-any': 'off',
      // node:test's test()/describe()/it() return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    rules: {
      // `catch {}` is how teardown code says "already gone is fine".
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // Tests poke at fakes and decoded replies through `any` on purpose; a wrong access there fails
    // the test itself. Source code keeps every no-unsafe-* rule.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
