/**
 * Synthesizes several example apps in one Node process (so aws-cdk-lib and tsx load once):
 * for each name, with CDK_OUTDIR=<outroot>/<name>, its context as the CDK CLI gives it and the
 * example's directory as working directory, imports examples/<name>/app.ts, which synthesizes itself as under `cdk synth`.
 * Prints one `@@example-result {json}` line per example. Run by ./assembly.ts:
 *
 *   node [--require cfn-guard-hook.cjs] --import tsx synth-examples.ts <outroot> <name>...
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import { exampleContext } from './assembly';

const EXAMPLES_DIR = path.join(__dirname, '..', '..', '..', 'examples');

async function main(): Promise<void> {
  const [outroot, ...names] = process.argv.slice(2);
  for (const name of names) {
    const started = Date.now();
    process.env.CDK_OUTDIR = path.join(outroot, name);
    process.env.CDK_CONTEXT_JSON = JSON.stringify(exampleContext(name));
    process.chdir(path.join(EXAMPLES_DIR, name));
    let error: string | undefined;
    try {
      await import(pathToFileURL(path.join(EXAMPLES_DIR, name, 'app.ts')).href);
    } catch (e) {
      error = String((e as Error)?.stack ?? e);
    }
    process.stdout.write(`\n@@example-result ${JSON.stringify({ name, outdir: process.env.CDK_OUTDIR, error, ms: Date.now() - started })}\n`);
  }
  // Apps made with CDK_OUTDIR set would synthesize again on 'beforeExit': exit now instead.
  process.exit(0);
}

void main();
