/**
 * Small helpers shared by the scripts in this directory (no dependencies beyond Node).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Environment for the jsii tools. On Node 20 they print a large end-of-life banner on every
 * run; Node 20 is a supported runtime of this package, so the banner is noise here.
 */
export const JSII_ENV = {
  ...process.env,
  JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1',
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0],
  FORCE_COLOR: '0',
};

/** The path of a binary installed in node_modules/.bin. */
export function bin(name) {
  return path.join(ROOT, 'node_modules', '.bin', name);
}

/**
 * Runs a command from the repository root with inherited output. Exits the process with a
 * message when it fails, unless `allowFailure` is set (then the result is returned).
 */
export function run(command, args, { env = process.env, cwd = ROOT, allowFailure = false, capture = false } = {}) {
  console.log(`$ ${[path.relative(ROOT, command).startsWith('node_modules') ? path.basename(command) : command, ...args].join(' ')}`);
  const result = spawnSync(command, args, {
    cwd,
    env,
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) {
    fail(`could not start ${command}: ${result.error.message}`);
  }
  if (result.status !== 0 && !allowFailure) {
    if (capture) {
      process.stdout.write(result.stdout ?? '');
      process.stderr.write(result.stderr ?? '');
    }
    fail(`${path.basename(command)} ${args[0] ?? ''} failed (exit ${result.status ?? result.signal})`);
  }
  return result;
}

/** Prints an error and exits with status 1. */
export function fail(message) {
  console.error(`\nERROR: ${message}`);
  process.exit(1);
}

/** A fresh temporary directory. */
export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cdk-irsa-${prefix}-`));
}

/** Whether an executable is on PATH (or exists, for an absolute path). */
export function haveCommand(command) {
  if (path.isAbsolute(command)) {
    return fs.existsSync(command);
  }
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, command)));
}

/** The names of the directories `examples/<name>/` that contain an `app.ts`. */
export function exampleNames() {
  const dir = path.join(ROOT, 'examples');
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'app.ts')))
    .map((entry) => entry.name)
    .sort();
}

/**
 * The context the CDK CLI gives an example's app: the `context` of its cdk.json, then its
 * cdk.context.json (the cached answers of lookups), as the CLI passes them in CDK_CONTEXT_JSON.
 */
export function exampleContext(name) {
  const read = (file) => {
    const full = path.join(ROOT, 'examples', name, file);
    return fs.existsSync(full) ? JSON.parse(fs.readFileSync(full, 'utf8')) : {};
  };
  return { ...read('cdk.json').context, ...read('cdk.context.json') };
}

/**
 * Synthesizes `examples/<name>/app.ts` with tsx into `outdir` (aws-cdk-lib's App reads
 * CDK_OUTDIR), with the context the CDK CLI would give it. Resolves with the exit status and
 * output; `ok` means a manifest.json was written.
 */
export function synthesizeExample(name, outdir) {
  return new Promise((resolve) => {
    const child = spawn(bin('tsx'), [path.join('examples', name, 'app.ts')], {
      cwd: ROOT,
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(exampleContext(name)) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (data) => {
      output += data;
    });
    child.stderr.on('data', (data) => {
      output += data;
    });
    const manifest = path.join(outdir, 'manifest.json');
    child.once('error', (error) => resolve({ ok: false, status: null, output, error, manifest }));
    child.once('close', (status, signal) => {
      resolve({ ok: status === 0 && fs.existsSync(manifest), status: status ?? signal, output, manifest });
    });
  });
}
