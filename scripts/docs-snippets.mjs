/**
 * Compiles every TypeScript code block of the pages in docs/ with jsii-rosetta, strict, against
 * the same fixture as the README (rosetta/default.ts-fixture): `npm run package` runs it after
 * `jsii-rosetta extract --strict`, which covers the README and the `@example`s of the assembly.
 *
 * jsii-rosetta reads snippets from an assembly only, so this writes a copy of .jsii under .tmp/
 * whose README is the pages joined (each page's blocks keep their own fixture directives), with
 * no `@example`s (already compiled), and lib/ linked so that `cdk-irsa` resolves to this build. A failure names
 * the page and the line of the block.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bin, fail, JSII_ENV, ROOT, run } from './util.mjs';

const DOCS = path.join(ROOT, 'docs');
const pages = fs.existsSync(DOCS) ? fs.readdirSync(DOCS).filter((name) => name.endsWith('.md')).sort() : [];
if (pages.length === 0) {
  console.log('docs/: no pages');
  process.exit(0);
}

const work = path.join(ROOT, '.tmp', 'docs-snippets');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
// rosetta compiles snippets against the assembly's own directory: give it the fixture and lib/.
for (const dir of ['rosetta', 'lib']) {
  fs.symlinkSync(path.join(ROOT, dir), path.join(work, dir), 'dir');
}

// The pages, joined; where each starts, to name the page of a failing line.
const starts = [];
let markdown = '';
for (const page of pages) {
  starts.push({ page, line: markdown.split('\n').length });
  markdown += `${fs.readFileSync(path.join(DOCS, page), 'utf8').trimEnd()}\n\n`;
}
const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8'));
assembly.readme = { markdown };
delete assembly.fingerprint;
withoutExamples(assembly.types);
fs.writeFileSync(path.join(work, '.jsii'), JSON.stringify(assembly));
fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(work, 'package.json'));

const result = run(bin('jsii-rosetta'), ['extract', '--strict', '--output', path.join(work, 'docs.tabl.json'), work],
  { env: JSII_ENV, capture: true, allowFailure: true });
const output = `${result.stdout}${result.stderr}`.split('\n').filter((line) => !line.startsWith('!!')).join('\n');
if (result.status !== 0) {
  // Snippets are named cdk-irsa-README-L<line>: say which page that line is in.
  console.error(output.replace(/cdk-irsa-README-L(\d+)/g, (_, line) => {
    const start = [...starts].reverse().find((s) => s.line <= Number(line));
    return `docs/${start.page} (block at line ${Number(line) - start.line + 1})`;
  }));
  fail('a code block in docs/ does not compile (above)');
}
fs.rmSync(work, { recursive: true, force: true });
console.log(`docs/: the code blocks of ${pages.length} page(s) compile (${pages.join(', ')})`);

function withoutExamples(value) {
  if (Array.isArray(value)) {
    value.forEach(withoutExamples);
  } else if (value && typeof value === 'object') {
    if (value.docs && typeof value.docs === 'object') {
      delete value.docs.example;
    }
    Object.values(value).forEach(withoutExamples);
  }
}
