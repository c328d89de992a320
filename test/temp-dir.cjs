/**
 * Jest's globalSetup and globalTeardown (jest.config.js): every temporary directory of a run (each
 * `new App()` without an outdir synthesizes into a new `cdk.out…` under os.tmpdir(), with copies of
 * aws-cdk-lib's asset zips, and tests make scratch directories) goes under one directory, removed at
 * the end, so that runs do not fill the disk.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-irsa-jest-'));
  process.env.CDK_IRSA_JEST_TMPDIR = dir;
  // Read by os.tmpdir() in the test workers, which start after this, and in their child processes.
  process.env.TMPDIR = dir;
};

module.exports.teardown = async function teardown() {
  const dir = process.env.CDK_IRSA_JEST_TMPDIR;
  if (dir && path.basename(dir).startsWith('cdk-irsa-jest-')) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
