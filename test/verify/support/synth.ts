import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';

/** A scratch directory for this test file's cloud assemblies, removed by `cleanupScratch()`. */
let scratch: string | undefined;

export function scratchDir(prefix = 'cdk-irsa-verify-'): string {
  scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return scratch;
}

export function cleanupScratch(): void {
  if (scratch) {
    fs.rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  }
}

let counter = 0;

/** A fresh App that synthesizes into the scratch directory. */
export function newApp(): App {
  const outdir = path.join(scratchDir(), `assembly-${++counter}`);
  return new App({ outdir });
}

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/** A stack with an explicit environment, in a fresh App. */
export function newStack(id = 'Verify'): Stack {
  return new Stack(newApp(), id, { env: { account: ACCOUNT, region: REGION } });
}

/** Synthesizes the stack's App (as `cdk synth` does) and returns the stack's template. */
export function synthesize(stack: Stack): any {
  const app = stack.node.root as App;
  return app.synth().getStackByName(stack.stackName).template;
}
