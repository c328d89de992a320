/**
 * `npm run examples`: every `examples/<name>/app.ts` must type-check and synthesize.
 * 1. `tsc -p tsconfig.dev.json --noEmit` type-checks lib/, test/, examples/ and rosetta/ at once.
 * 2. Each app runs with tsx (as many at a time as there are CPUs), CDK_OUTDIR pointing at a fresh
 *    temporary directory, and must exit 0 and leave a cloud assembly (manifest.json) there.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bin, exampleNames, fail, run, synthesizeExample, tempDir } from './util.mjs';

const names = exampleNames();
if (names.length === 0) {
  fail('no examples/<name>/app.ts found');
}

run(bin('tsc'), ['-p', 'tsconfig.dev.json', '--noEmit']);
console.log(`type-check: ok (lib, test and ${names.length} example apps)\n`);

const root = tempDir('examples');
const queue = [...names];
const failures = [];
async function worker() {
  for (let name = queue.shift(); name; name = queue.shift()) {
    const started = Date.now();
    const result = await synthesizeExample(name, path.join(root, name));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const manifest = result.ok ? JSON.parse(fs.readFileSync(result.manifest, 'utf8')) : undefined;
    // A lookup without its answer in the example's cdk.context.json synthesizes dummy values.
    const missing = (manifest?.missing ?? []).map((m) => m.key);
    if (result.ok && missing.length > 0) {
      failures.push(name);
      console.log(`FAIL  examples/${name}: synthesized with context it lacks (dummy values), add it to examples/${name}/cdk.context.json: `
        + missing.join(', '));
    } else if (result.ok) {
      const stacks = Object.values(manifest.artifacts ?? {}).filter((artifact) => artifact.type === 'aws:cloudformation:stack');
      console.log(`ok    examples/${name}: ${stacks.length} stack(s) in ${seconds}s`);
    } else {
      failures.push(name);
      const why = result.error?.message ?? (result.status === 0 ? 'exited 0 but wrote no manifest.json' : `exit ${result.status}`);
      console.log(`FAIL  examples/${name}: ${why} after ${seconds}s\n${indent(result.output)}`);
    }
  }
}
await Promise.all(Array.from({ length: Math.min(os.availableParallelism(), names.length) }, worker));
fs.rmSync(root, { recursive: true, force: true });

if (failures.length > 0) {
  fail(`${failures.length} of ${names.length} examples failed to synthesize: ${failures.sort().join(', ')}`);
}
console.log(`\nexamples: all ${names.length} type-checked and synthesized`);

function indent(text) {
  return text.trimEnd().split('\n').map((line) => `      ${line}`).join('\n');
}
