/**
 * `npm run package`: checks what is published. Run after `npm run build` (it reads .jsii).
 * a. jsii-rosetta extract --strict: README and @example snippets compile (fixture in rosetta/,
 *    whose import of cdk-irsa must list every type: `node scripts/fixture.mjs` rewrites it); so do
 *    the code blocks of docs/*.md (scripts/docs-snippets.mjs).
 * b. API.md equals what `npm run docgen` (scripts/docgen.mjs: jsii-docgen, struct properties required
 *    first) generates now.
 * c. jsii-pacmak --code-only generates Python, Java, .NET and Go into dist/.
 * d. The generated Go parses with gofmt, and is left gofmt-formatted.
 * e. The generated Python compiles; a wheel and an sdist build from dist/python and pass
 *    `twine check --strict`.
 * f. The npm tarball holds what users need, `yaml` bundled, and no compiled file without source.
 *
 * Steps c-e need Debian's golang-go, python3-build and twine. A missing tool fails the run;
 * CDK_IRSA_SKIP_PACKAGING=1 skips c-e instead (for a machine without those tools).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkPrerequisites, PYTHON } from './prerequisites.mjs';
import { bin, fail, JSII_ENV, ROOT, run, tempDir } from './util.mjs';

const TARGETS = ['python', 'java', 'dotnet', 'go'];
const DIST = path.join(ROOT, 'dist');
const skipPackaging = process.env.CDK_IRSA_SKIP_PACKAGING === '1';

if (!fs.existsSync(path.join(ROOT, '.jsii'))) {
  fail('.jsii not found: run `npm run build` first');
}
if (!skipPackaging) {
  checkPrerequisites();
}

step('a. jsii-rosetta extract --strict (README, @example and docs/ snippets)');
run('node', ['scripts/fixture.mjs', '--check']);
run(bin('jsii-rosetta'), ['extract', '--strict'], { env: JSII_ENV });
run('node', ['scripts/docs-snippets.mjs']);

step('b. API.md is up to date (scripts/docgen.mjs)');
checkApiDoc();

if (skipPackaging) {
  console.log('\n' + '!'.repeat(100));
  console.log('SKIPPED c-e (jsii-pacmak, gofmt, Python wheel/sdist + twine): CDK_IRSA_SKIP_PACKAGING=1 is set');
  console.log('!'.repeat(100));
} else {
  step(`c. jsii-pacmak --code-only (${TARGETS.join(', ')}) into dist/`);
  fs.rmSync(DIST, { recursive: true, force: true });
  run(bin('jsii-pacmak'), [
    '--code-only', '--no-npmignore', '--force',
    '--rosetta-tablet', '.jsii.tabl.json',
    '--outdir', 'dist', '--targets', ...TARGETS,
  ], { env: JSII_ENV });
  checkGenerated();

  step('d. gofmt on the generated Go');
  checkGo();

  step('e. Python wheel and sdist from dist/python, twine check');
  const pythonDist = path.join(DIST, 'python', 'dist');
  run(PYTHON, ['-m', 'compileall', '-q', path.join(DIST, 'python', 'src')]);
  const build = run(PYTHON, ['-m', 'build', '--no-isolation', '--skip-dependency-check', '--outdir', pythonDist, path.join(DIST, 'python')], { capture: true });
  console.log(build.stdout.trim().split('\n').at(-1));
  const built = fs.readdirSync(pythonDist).map((file) => path.join(pythonDist, file));
  if (!built.some((file) => file.endsWith('.whl')) || !built.some((file) => file.endsWith('.tar.gz'))) {
    fail(`expected a wheel and an sdist in ${pythonDist}, found: ${built.join(', ') || 'nothing'}`);
  }
  run('twine', ['--no-color', 'check', '--strict', ...built]);
}

step('f. npm package contents');
checkNpmPackage();

console.log('\npackage: all checks passed');

function step(title) {
  console.log(`\n--- ${title}`);
}

function checkApiDoc() {
  const committed = path.join(ROOT, 'API.md');
  const generated = path.join(tempDir('docgen'), 'API.md');
  run('node', ['scripts/docgen.mjs', generated], { env: JSII_ENV });
  if (!fs.existsSync(committed)) {
    fail('API.md does not exist: run `npm run docgen` and commit API.md');
  }
  const want = fs.readFileSync(generated, 'utf8');
  const have = fs.readFileSync(committed, 'utf8');
  if (want !== have) {
    const wantLines = want.split('\n');
    const haveLines = have.split('\n');
    const line = wantLines.findIndex((text, index) => text !== haveLines[index]);
    fail(`API.md is out of date (first difference at line ${line + 1}: `
      + `committed ${JSON.stringify(haveLines[line] ?? '<end of file>')}, generated ${JSON.stringify(wantLines[line] ?? '<end of file>')}).\n`
      + `  See it all with: diff API.md ${generated}\n`
      + '  Fix: run `npm run docgen` and commit API.md');
  }
  fs.rmSync(path.dirname(generated), { recursive: true, force: true });
  console.log('API.md matches scripts/docgen.mjs');
}

/** Each target must have produced its project file. */
function checkGenerated() {
  const expected = {
    python: 'python/setup.py',
    java: 'java/pom.xml',
    dotnet: 'dotnet/CdkIrsa/CdkIrsa.csproj',
    go: 'go/cdkirsa/go.mod',
  };
  for (const [target, file] of Object.entries(expected)) {
    if (!fs.existsSync(path.join(DIST, file))) {
      fail(`jsii-pacmak did not generate dist/${file} for ${target}`);
    }
    console.log(`ok    ${target}: dist/${file}`);
  }
}

/**
 * jsii-pacmak writes Go that is valid but not gofmt-formatted (it never runs gofmt), and
 * `go build` needs modules from the network. So: every file must parse (`gofmt -e`, which
 * reports all syntax errors); then the code is formatted in place and must come out clean.
 */
function checkGo() {
  const goDir = path.join(DIST, 'go');
  const parse = run('gofmt', ['-e', '-l', goDir], { capture: true, allowFailure: true });
  if (parse.status !== 0 || parse.stderr.trim() !== '') {
    console.error(parse.stderr);
    fail('gofmt could not parse the generated Go code (above)');
  }
  const unformatted = parse.stdout.split('\n').filter(Boolean).length;
  console.log(`generated Go parses; ${unformatted} file(s) not in gofmt layout (jsii-pacmak does not run gofmt): formatting them`);
  run('gofmt', ['-w', goDir]);
  const after = run('gofmt', ['-l', goDir], { capture: true });
  if (after.stdout.trim() !== '') {
    fail(`gofmt -l still lists files after gofmt -w:\n${after.stdout}`);
  }
  console.log('gofmt -l: clean');
}

/** Packs the npm tarball and checks its contents. */
function checkNpmPackage() {
  const destination = tempDir('pack');
  const result = run('npm', ['pack', '--json', '--pack-destination', destination], { capture: true });
  const [pack] = JSON.parse(result.stdout);
  const files = pack.files.map((file) => file.path);
  const problems = [];
  for (const required of ['.jsii', 'API.md', 'README.md', 'LICENSE', 'package.json', 'lib/index.js', 'lib/index.d.ts']) {
    if (!files.includes(required)) {
      problems.push(`missing ${required}`);
    }
  }
  if (!pack.bundled?.includes('yaml') || !files.some((file) => file.startsWith('node_modules/yaml/'))) {
    problems.push('the `yaml` dependency is not bundled');
  }
  for (const file of files.filter((name) => /^lib\/.*\.(js|d\.ts)$/.test(name))) {
    const source = file.replace(/(\.d\.ts|\.js)$/, '.ts');
    if (!fs.existsSync(path.join(ROOT, source))) {
      problems.push(`${file} has no source ${source} (stale build output: delete it)`);
    }
  }
  fs.rmSync(destination, { recursive: true, force: true });
  if (problems.length > 0) {
    fail(`npm package ${pack.filename}:\n  ${problems.join('\n  ')}`);
  }
  const libFiles = files.filter((file) => file.startsWith('lib/')).length;
  console.log(`${pack.filename}: ${files.length} files (${libFiles} in lib/, yaml bundled), ${(pack.size / 1024).toFixed(0)} kB`);
}
