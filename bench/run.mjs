// The benchmark: `npm run bench` (full, writes bench/RESULTS.md) or `npm run bench -- --quick`
// (a smoke run for CI, writes its report to a temporary directory). See bench/README.md.
//
// Options: --quick; --runs <k>; --jobs <j> (measurements at a time, default 2); --out <file>;
// --from <results.json> (no measuring: rewrite the report from the raw measurements of a run).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReport } from './report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const quick = args.includes('--quick');
const out = path.resolve(option('--out', quick
  ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-irsa-bench-')), 'RESULTS.md')
  : path.join(here, 'RESULTS.md')));
// The raw measurements: next to the report, or under bench/.out/ (not committed) for bench/RESULTS.md.
const raw = out === path.join(here, 'RESULTS.md') ? path.join(here, '.out', 'results.json') : path.join(path.dirname(out), 'results.json');

const data = args.includes('--from') ? JSON.parse(fs.readFileSync(option('--from'), 'utf8')) : await measureAll({
  quick,
  runs: Number(option('--runs', quick ? 1 : 5)),
  // Two measurements at a time, one per core of the 2-core machines this runs on: a full run then
  // stays well within 10 minutes. `--jobs 1` measures with less interference in twice the time.
  jobs: Number(option('--jobs', 2)),
  ns: quick ? [1, 10] : [1, 10, 100, 400],
  validations: quick ? ['on'] : ['on', 'off'],
  cells: ['a', 'b', 'c', 'd', 'e', 'f'],
  baselines: { a: 'base-eks', c: 'base-eks', d: 'base-eks', e: 'base-eksv2' },
});
const report = writeReport(data);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, report.markdown);
if (!args.includes('--from')) {
  fs.mkdirSync(path.dirname(raw), { recursive: true });
  fs.writeFileSync(raw, JSON.stringify(data, null, 1));
}
process.stderr.write(`[bench] ${data.wallSeconds.toFixed(0)} s; report: ${out}; raw measurements: ${raw}\n${report.summary}\n`);
if (report.failures > 0) {
  process.stderr.write(`[bench] ${report.failures} measurement(s) failed: see the report.\n`);
  process.exitCode = 1;
}
if (report.regressions.length > 0) {
  process.stderr.write(`[bench] structural target(s) not met (a regression: fix it, or change the target in bench/report.mjs with a reason):\n  ${report.regressions.join('\n  ')}\n`);
  process.exitCode = 1;
}

async function measureAll(plan) {
  const started = new Date();
  const loadBefore = os.loadavg();
  const t0 = performance.now();

  // Every run visits every combination of cell, N and validation once (round-robin), each run
  // starting seven places further along, so that no measurement always runs next to the same one.
  const combos = [];
  for (const n of plan.ns) {
    for (const validation of plan.validations) {
      combos.push(...plan.cells.map((cell) => [cell, n, validation]));
    }
  }
  for (const base of new Set(Object.values(plan.baselines))) {
    combos.push(...plan.validations.map((validation) => [base, 0, validation]));
  }
  // What an iam.Role costs, for the synth time slopes only.
  combos.push(...plan.ns.slice(-2).map((n) => ['f-role', n, 'off']));
  const order = [];
  for (let run = 0; run < plan.runs; run++) {
    const shift = (run * 7) % combos.length;
    order.push(...[...combos.slice(shift), ...combos.slice(0, shift)].map((cellArgs) => ({ run, cellArgs })));
  }
  let done = 0;
  const progress = (r) => {
    done++;
    if (r.failed || done % 10 === 0 || done === order.length) {
      const failure = r.failed ? ` FAILED ${r.args.join(' ')}: ${r.failed}` : '';
      process.stderr.write(`[bench] ${done}/${order.length} measurements, ${((performance.now() - t0) / 1000).toFixed(0)} s${failure}\n`);
    }
  };
  const measurements = (await runAll(order.map((t) => ['cell.mjs', t.cellArgs]), plan.jobs, progress))
    .map((r, i) => ({ ...r, run: order[i].run }));

  // Not timed: whether aws-cdk-lib refuses the largest stacks (in quick mode only those over 500
  // resources), a variant without audit tags, the trust table.
  const maxN = Math.max(...plan.ns);
  const overLimit = (cell) => measurements.some((m) => m.cell === cell && m.n === maxN && m.resources > 500);
  const limitChecks = await runAll(plan.cells.filter((cell) => !plan.quick || overLimit(cell)).flatMap((cell) => [
    ['cell.mjs', [cell, maxN, 'off', 'core-limit']],
    ['cell.mjs', [cell, maxN, 'on', 'validator-limit']],
  ]), plan.jobs);
  const supplementary = await runAll(plan.ns.slice(-2).map((n) => ['cell.mjs', ['b-untagged', n, 'off']]), plan.jobs);
  const [trust] = await runAll([['trust.mjs', []]], 1);
  const { CELLS } = await import('./cell.mjs');

  return {
    plan,
    cells: Object.fromEntries(Object.entries(CELLS).map(([k, v]) => [k, v.title])),
    started: started.toISOString(),
    wallSeconds: (performance.now() - t0) / 1000,
    machine: machine(loadBefore),
    measurements,
    limitChecks,
    supplementary,
    trust,
  };
}

/** Runs the tasks (`[script, args]`), `jobs` at a time, in order. */
async function runAll(tasks, jobs, onDone = () => {}) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await measure(...tasks[i]);
      onDone(results[i]);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return results;
}

/** Runs `node bench/<script> <args>` and returns its last line of output as JSON, with its wall time. */
function measure(script, scriptArgs) {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(process.execPath, [path.join(here, script), ...scriptArgs.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const processMs = performance.now() - start;
      const line = stdout.trim().split('\n').pop();
      if (code === 0 && line?.startsWith('{')) {
        resolve({ ...JSON.parse(line), processMs });
      } else {
        resolve({ args: scriptArgs, failed: `exit ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}` });
      }
    });
  });
}

function machine(loadBefore) {
  const cpu = os.cpus();
  const version = (pkg) => JSON.parse(fs.readFileSync(path.join(here, '..', 'node_modules', pkg, 'package.json'), 'utf8')).version;
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    awsCdkLib: version('aws-cdk-lib'),
    constructs: version('constructs'),
    cdkIrsa: JSON.parse(fs.readFileSync(path.join(here, '..', 'package.json'), 'utf8')).version,
    loadBefore: loadBefore.map((l) => +l.toFixed(2)),
    loadAfter: os.loadavg().map((l) => +l.toFixed(2)),
  };
}
