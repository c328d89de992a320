/**
 * Set up before every file of the jest project `floor` (jest.config.js): the project maps
 * `aws-cdk-lib` to the alias `aws-cdk-lib-floor`, the lowest aws-cdk-lib of the peer range.
 * Resolving through the same mapper, this fails every file unless that version is the one loaded,
 * so the step cannot silently run the newest aws-cdk-lib.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loaded: string = require('aws-cdk-lib/package.json').version;
const floor = '2.240.0';
if (loaded !== floor) {
  throw new Error(`jest project floor loaded aws-cdk-lib ${loaded}, expected ${floor}: check moduleNameMapper in jest.config.js`);
}
