/**
 * Jest: TypeScript tests under test/, compiled by ts-jest with tsconfig.dev.json. That config
 * sets isolatedModules, so ts-jest only transpiles (fast); the type-check of tests is
 * `tsc -p tsconfig.dev.json` in `npm run examples`. Tests import the library from '../lib'.
 * @type {import('jest').Config}
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.dev.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
  // Many tests wait on child processes (synth, local servers): use every core, not cores - 1.
  maxWorkers: '100%',
};
