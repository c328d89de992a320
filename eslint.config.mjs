/**
 * ESLint: typescript-eslint (type-aware through tsconfig.dev.json for .ts files), import order,
 * member ordering, no floating promises, and @stylistic as the one formatter.
 * `npm run lint` runs it with --max-warnings 0; `npm run lint:fix` fixes what it can.
 */
import stylistic from '@stylistic/eslint-plugin';
import { defineConfig } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const TS_FILES = ['lib/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', 'rosetta/**/*.ts', 'scripts/**/*.ts'];
const JS_FILES = ['scripts/**/*.mjs', 'bench/**/*.mjs', 'examples/**/*.mjs', 'test/**/*.mjs', 'test/**/*.cjs', '*.mjs', '*.js'];

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      '**/*.d.ts',
      'lib/**/*.js',
      'test/**/*.js',
      '**/cdk.out/**',
      'API.md',
      '.jsii',
      '.tmp/**',
      'coverage/**',
    ],
  },
  {
    files: [...TS_FILES, ...JS_FILES],
    plugins: { '@stylistic': stylistic, 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] })],
    },
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      ...stylistic.configs.customize({
        indent: 2,
        quotes: 'single',
        semi: true,
        commaDangle: 'always-multiline',
        braceStyle: '1tbs',
        arrowParens: true,
        quoteProps: 'consistent-as-needed',
      }).rules,
      // Relaxed from the preset: these flag the usual CDK layout of calls, conditional arrays,
      // continued string concatenations and one-line event handlers, which read fine.
      '@stylistic/list-style': 'off',
      '@stylistic/indent-binary-ops': 'off',
      '@stylistic/multiline-ternary': 'off',
      '@stylistic/max-statements-per-line': 'off',
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/max-len': ['error', {
        code: 150,
        ignoreStrings: true,
        ignoreTemplateLiterals: true,
        ignoreRegExpLiterals: true,
        ignoreComments: true,
        ignoreUrls: true,
      }],
      'import-x/order': ['error', {
        'groups': ['builtin', 'external', 'internal'],
        'alphabetize': { order: 'asc', caseInsensitive: true },
        'newlines-between': 'never',
      }],
      'import-x/no-duplicates': 'error',
    },
  },
  {
    files: ['**/*.cjs', 'jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: TS_FILES,
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        project: './tsconfig.dev.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // CloudFormation and Kubernetes JSON is untyped by nature; tsc's strict mode still applies.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/member-ordering': ['error', {
        default: [
          'public-static-field',
          'public-static-method',
          'protected-static-field',
          'protected-static-method',
          'private-static-field',
          'private-static-method',
          'field',
          'constructor',
          'method',
        ],
      }],
    },
  },
  {
    // The library runs in users' apps: it may import only what it declares as a dependency.
    files: ['lib/**/*.ts'],
    rules: {
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: false, peerDependencies: true, optionalDependencies: false }],
    },
  },
);
