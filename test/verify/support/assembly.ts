/**
 * Reading cloud assemblies, and synthesizing the apps of examples/ the way `cdk synth` runs them
 * (`npx tsx app.ts` in the example's directory, with CDK_OUTDIR set), in a child process.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { IntrinsicValues, resolvedTrustPolicy, resolveIntrinsics, rolesOf, StackEnvironment, templateValues } from './intrinsics';

export const REPO_ROOT = path.join(__dirname, '..', '..', '..');
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

/**
 * Builds lib/ (`npm run build`) when its JavaScript is older than its sources, so that a test of the
 * packed library tests what lib/*.ts says; throws with jsii's output if the build fails. Test files
 * run in parallel: a lock directory under .tmp/ makes the others wait for one build.
 */
export function ensureBuilt(): void {
  const lock = path.join(REPO_ROOT, '.tmp', 'build.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error: any) {
      if (error.code !== 'EEXIST' || Date.now() > deadline) {
        throw new Error(`cannot take the build lock ${lock}: ${error.message} (remove it if no build runs)`);
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    const stale = staleSources();
    if (stale.length > 0) {
      const build = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000 });
      if (build.status !== 0) {
        throw new Error(`npm run build failed (lib/*.js is older than ${stale.join(', ')}):\n${build.stdout}\n${build.stderr}`);
      }
    }
  } finally {
    fs.rmdirSync(lock);
  }
}

/** lib/**\/*.ts files whose compiled .js is missing or older: what a test of the built package must build first. */
export function staleSources(dir = path.join(REPO_ROOT, 'lib')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return staleSources(file);
    }
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) {
      return [];
    }
    const js = file.replace(/\.ts$/, '.js');
    return !fs.existsSync(js) || fs.statSync(js).mtimeMs < fs.statSync(file).mtimeMs ? [path.relative(REPO_ROOT, file)] : [];
  });
}

/** The examples that have an app.ts, by directory name. */
export function exampleApps(): string[] {
  if (!fs.existsSync(EXAMPLES_DIR)) {
    return [];
  }
  return fs.readdirSync(EXAMPLES_DIR).filter((name) => fs.existsSync(path.join(EXAMPLES_DIR, name, 'app.ts'))).sort();
}

/**
 * The context the CDK CLI gives an example's app (in CDK_CONTEXT_JSON): the `context` of its
 * cdk.json, then its cdk.context.json, the cached answers of lookups.
 */
export function exampleContext(name: string): Record<string, unknown> {
  const read = (file: string) => {
    const full = path.join(EXAMPLES_DIR, name, file);
    return fs.existsSync(full) ? JSON.parse(fs.readFileSync(full, 'utf8')) : {};
  };
  return { ...read('cdk.json').context, ...read('cdk.context.json') };
}

/**
 * Synthesizes examples/<name>/app.ts into `outdir` in a child Node process (tsx), with its
 * context as the CDK CLI gives it and extra
 * environment (for example NODE_OPTIONS to preload a hook). Throws with the output on failure.
 */
export function synthesizeExample(name: string, outdir: string, env: Record<string, string> = {}, timeoutMs = 120_000):
{ stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'app.ts'], {
    cwd: path.join(EXAMPLES_DIR, name),
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(exampleContext(name)), ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (result.status !== 0) {
    throw new Error(`examples/${name}/app.ts failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}${result.error ?? ''}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

export interface ExampleRun {
  readonly name: string;
  readonly outdir: string;
  /** The error the app threw, if any (an app throws when a validation plugin reports errors). */
  readonly error?: string;
  readonly ms: number;
}

/**
 * Synthesizes several examples in one child Node process (./synth-examples.ts; aws-cdk-lib and
 * tsx load once), each into <outroot>/<name>. `nodeOptions` are given to that process (for example
 * `--require` of a hook). Resolves with one run per example; rejects if the process fails.
 */
export function synthesizeExamples(names: string[], outroot: string, nodeOptions: string[] = [], env: Record<string, string> = {},
  timeoutMs = 240_000): Promise<ExampleRun[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', path.join(__dirname, 'synth-examples.ts'), outroot, ...names], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`synthesizing ${names.join(', ')} timed out after ${timeoutMs} ms`)); }, timeoutMs);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('exit', (status) => {
      clearTimeout(timer);
      const runs: ExampleRun[] = stdout.split('\n').filter((l) => l.startsWith('@@example-result ')).map((l) => JSON.parse(l.slice('@@example-result '.length)));
      if (status !== 0 || runs.length !== names.length) {
        reject(new Error(`synth-examples.ts exited with ${status} after ${runs.length} of ${names.length} examples:\n${stderr}`));
      } else {
        resolve(runs);
      }
    });
  });
}

export interface AssemblyStack {
  readonly artifactId: string;
  readonly template: any;
  readonly env: StackEnvironment;
}

/** The stacks of a cloud assembly directory, with their templates and environments. */
export function stacksOf(dir: string): AssemblyStack[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  return Object.entries<any>(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([artifactId, a]) => {
      const [, account, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(a.environment) ?? [];
      if (!/^\d{12}$/.test(account ?? '') || !/^[a-z0-9-]+$/.test(region ?? '')) {
        throw new Error(`stack ${artifactId} has no explicit environment (${a.environment}); give it one to resolve its ARNs`);
      }
      return {
        artifactId,
        template: JSON.parse(fs.readFileSync(path.join(dir, a.properties.templateFile), 'utf8')),
        env: { account, region },
      };
    });
}

/** Nested stack templates of an assembly (`*.nested.template.json`), with the environment given. */
export function nestedStacksOf(dir: string, env: StackEnvironment): AssemblyStack[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.nested.template.json')).map((f) => ({
    artifactId: f.replace(/\.template\.json$/, ''),
    template: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')),
    env,
  }));
}

/** Every Kubernetes object of the GitOps YAML files (`<stack>.service-accounts/<cluster>/service-accounts.yaml`) of an assembly. */
export function gitOpsObjects(dir: string): any[] {
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith('.service-accounts') && fs.statSync(path.join(dir, f)).isDirectory())
    .flatMap((f) => fs.readdirSync(path.join(dir, f)).map((cluster) => path.join(f, cluster, 'service-accounts.yaml')))
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => {
      if (d.errors.length > 0) {
        throw new Error(`${f}: ${d.errors.map((e) => e.message).join('; ')}`);
      }
      return d.toJS();
    }))
    .filter((o) => o);
}

/** An account as IAM would hold it after deploying the stacks: OIDC providers and roles. */
export interface DeployedAccount {
  readonly account: string;
  readonly providers: Array<{ arn: string; url: string; clientIds: string[] }>;
  readonly roles: Array<{ arn: string; logicalId: string; trustPolicy: any; maxSessionDuration?: number }>;
}

/**
 * What deploying a stack would put into IAM: providers (URL, client IDs, ARN) and roles (ARN from
 * RoleName and Path where given, trust policy resolved).
 */
export function deployedAccount(stack: AssemblyStack, given: IntrinsicValues = {}): DeployedAccount {
  const values = templateValues(stack.template, stack.env, given);
  const partition = stack.env.partition ?? 'aws';
  const providers = Object.entries<any>(stack.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::OIDCProvider')
    .map(([id, r]) => ({
      arn: values.refs![id] as string,
      url: resolveIntrinsics(r.Properties.Url, values),
      clientIds: resolveIntrinsics(r.Properties.ClientIdList ?? [], values),
    }));
  const roles = Object.entries(rolesOf(stack.template)).map(([logicalId, r]) => {
    const props = resolveIntrinsics({ RoleName: r.Properties.RoleName, Path: r.Properties.Path, Max: r.Properties.MaxSessionDuration }, values);
    const name = props.RoleName ?? `${stack.artifactId}-${logicalId}-GENERATED`;
    return {
      arn: `arn:${partition}:iam::${stack.env.account}:role${props.Path ?? '/'}${name}`,
      logicalId,
      trustPolicy: resolvedTrustPolicy(stack.template, logicalId, values),
      maxSessionDuration: props.Max ?? 3600,
    };
  });
  return { account: stack.env.account, providers, roles };
}
