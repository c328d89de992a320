/**
 * Keeps the `import { ... } from 'cdk-irsa'` block of rosetta/default.ts-fixture equal to the
 * list of types in .jsii, so README and @example snippets can use any of them.
 *   node scripts/fixture.mjs           rewrites the block (after `npm run build`)
 *   node scripts/fixture.mjs --check   fails if the block is out of date (used by `npm run package`)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail, ROOT } from './util.mjs';

const FIXTURE = path.join(ROOT, 'rosetta', 'default.ts-fixture');
const BLOCK = /import \{[^}]*\} from 'cdk-irsa';/;

const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8'));
const names = Object.keys(assembly.types)
  .filter((fqn) => fqn.split('.').length === 2)
  .map((fqn) => fqn.split('.')[1])
  .sort();
const block = `import {\n${names.map((name) => `  ${name},`).join('\n')}\n} from '${assembly.name}';`;

const text = fs.readFileSync(FIXTURE, 'utf8');
if (!BLOCK.test(text)) {
  fail(`${path.relative(ROOT, FIXTURE)} has no "import { ... } from 'cdk-irsa';" block`);
}
const current = text.match(BLOCK)[0];
if (process.argv.includes('--check')) {
  if (current !== block) {
    const missing = names.filter((name) => !new RegExp(`\\b${name},`).test(current));
    fail(`rosetta/default.ts-fixture does not import exactly the types of .jsii${missing.length ? ` (missing: ${missing.join(', ')})` : ''}.\n`
      + '  Fix: run `node scripts/fixture.mjs` and commit rosetta/default.ts-fixture');
  }
  console.log(`rosetta/default.ts-fixture imports all ${names.length} types of cdk-irsa`);
} else {
  fs.writeFileSync(FIXTURE, text.replace(BLOCK, block));
  console.log(`rosetta/default.ts-fixture: imports ${names.length} types of cdk-irsa`);
}
