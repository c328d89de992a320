/**
 * Set up before every unit test file (jest.config.js, project `unit`): aws-cdk-lib's built-in
 * CloudFormation template validation is off, as with `cdk synth --no-validation`. The unit tests
 * assert the exact resources instead; the verification project keeps validation on.
 */
process.env.CDK_VALIDATION = 'false';
