/**
 * Jest, in three projects (`npm test` runs all three; `npx jest --selectProjects unit` one):
 * - unit: test/*.test.ts, the library's behaviour, in-process and fast (`npm run unit`).
 *   aws-cdk-lib's built-in CloudFormation template validation is off there (test/setup-unit.ts):
 *   it is not what these tests are about, it doubles their time and prints reports for
 *   deliberately empty stacks.
 * - floor: the same unit tests on the lowest aws-cdk-lib of the peer range (`npm run floor`):
 *   `aws-cdk-lib` resolves to the devDependency alias `aws-cdk-lib-floor` (npm:aws-cdk-lib@2.240.0),
 *   for the tests and lib/ alike; test/setup-floor.ts fails every file unless 2.240.0 is loaded.
 *   A step of `npm test`, after unit.
 * - verify: test/verify/**, independent checkers (IAM engine, property tests, offline credential
 *   chain, cfn-guard, the consumer install with the CDK CLI), with validation on (`npm run verify`).
 * TypeScript is compiled by ts-jest with tsconfig.dev.json, which sets isolatedModules, so ts-jest
 * only transpiles; the type-check of tests is `tsc -p tsconfig.dev.json` in `npm run examples`.
 * Tests import the library from '../lib'.
 * @type {import('jest').Config}
 */
const shared = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.dev.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
};

module.exports = {
  // Many tests wait on child processes (synth, local servers): use every core, not cores - 1.
  maxWorkers: '100%',
  // One temporary directory per run, removed at its end (test/temp-dir.cjs).
  globalSetup: '<rootDir>/test/temp-dir.cjs',
  globalTeardown: '<rootDir>/test/temp-dir-teardown.cjs',
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/*.test.ts'],
      setupFiles: ['<rootDir>/test/setup-unit.ts'],
    },
    {
      ...shared,
      displayName: 'floor',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/*.test.ts'],
      setupFiles: ['<rootDir>/test/setup-unit.ts', '<rootDir>/test/setup-floor.ts'],
      moduleNameMapper: {
        '^aws-cdk-lib$': 'aws-cdk-lib-floor',
        '^aws-cdk-lib/(.*)$': 'aws-cdk-lib-floor/$1',
      },
    },
    {
      ...shared,
      displayName: 'verify',
      roots: ['<rootDir>/test/verify'],
      testMatch: ['<rootDir>/test/verify/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/verify/support/setup.ts'],
    },
  ],
};
