/**
 * A consumer installs the package: `npm pack` of the repository (its built lib/*.js, *.d.ts and
 * .jsii, as published), `npm install <tarball>` into a scratch TypeScript CDK app outside the
 * repository, `tsc` of ./consumer/app.cts against the packed declarations, and the real CDK CLI
 * (aws-cdk, `cdk synth`) on it. The app uses every public class of the package.
 *
 * Hermetic: whatever npm's cache holds (nothing, a stale copy, everything), the install needs no
 * registry and no cache. The tarball is installed by npm, for real (never linked), `--offline`:
 * its only dependency, `yaml`, is bundled. Its peers aws-cdk-lib and constructs (and the app's
 * @types/node) are the repository's own copies, linked into the app's node_modules, as a
 * monorepo or `npm link` would provide them; so the app and the library load the one same
 * aws-cdk-lib, which a test below checks.
 *
 * It tests the built JavaScript: when lib/*.js is older than lib/*.ts it runs `npm run build`
 * first, and fails with jsii's output if that fails. It never skips.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureBuilt, REPO_ROOT } from './support/assembly';

jest.setTimeout(300_000);

const CONSUMER_APP = path.join(__dirname, 'consumer', 'app.cts');
/** What the app takes from the repository's node_modules instead of the registry. */
const LINKED_FROM_REPOSITORY = ['aws-cdk-lib', 'constructs', '@types/node'];
const repoPackage = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}, timeout = 180_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout });
}

function check(result: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (result.status !== 0) {
    throw new Error(`${what} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}${result.error ?? ''}`);
  }
  return result;
}

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('a consumer installs the npm tarball and runs cdk synth', () => {
  let work: string;
  let consumer: string;
  let tarball: string;
  let packedFiles: string[];
  let synth: SpawnSyncReturns<string>;

  beforeAll(() => {
    // 0. The tarball must hold what lib/*.ts says: build when the JavaScript is stale.
    ensureBuilt();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-irsa-consumer-'));
    consumer = path.join(work, 'app');
    fs.mkdirSync(consumer);
    // A cache of its own, empty: the install below must not depend on what npm has cached.
    const npmEnv = { npm_config_cache: path.join(work, 'npm-cache'), npm_config_update_notifier: 'false' };

    // 1. npm pack, as `npm publish` would.
    const pack = check(run(NPM, ['pack', '--pack-destination', work, '--ignore-scripts', '--json'], REPO_ROOT, npmEnv), 'npm pack');
    const [packed] = JSON.parse(pack.stdout);
    tarball = path.join(work, packed.filename);
    packedFiles = packed.files.map((f: any) => f.path);

    // 2. A scratch TypeScript CDK app; `npm install <tarball>` as a user would, offline.
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'cdk-irsa-consumer', private: true, version: '0.0.0' }, undefined, 2));
    check(run(NPM, ['install', tarball, '--offline', '--legacy-peer-deps', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
      consumer, npmEnv), 'npm install of the tarball');
    for (const name of LINKED_FROM_REPOSITORY) {
      fs.mkdirSync(path.dirname(path.join(consumer, 'node_modules', name)), { recursive: true });
      fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', name), path.join(consumer, 'node_modules', name), 'dir');
    }

    // 3. The app, compiled against the packed declarations, and synthesized by the CDK CLI.
    fs.copyFileSync(CONSUMER_APP, path.join(consumer, 'app.cts'));
    fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'es2022', lib: ['es2022'], module: 'node16', moduleResolution: 'node16',
        strict: true, skipLibCheck: true, types: ['node'], outDir: '.',
      },
      files: ['app.cts'],
    }, undefined, 2));
    fs.writeFileSync(path.join(consumer, 'cdk.json'), JSON.stringify({ app: 'node app.cjs' }));
    // What a first `cdk synth` with credentials would have looked up (the VPC's availability zones).
    fs.writeFileSync(path.join(consumer, 'cdk.context.json'), JSON.stringify({
      'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    }));
    check(run(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], consumer), 'tsc of the consumer app');
    synth = run(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'),
      'synth', '--no-notices', '--ci', '--quiet', '--output', 'cdk.out'], consumer, { CDK_DISABLE_CLI_TELEMETRY: 'true' });
  });

  afterAll(() => {
    if (work) {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('the tarball holds the built library, its declarations, the jsii assembly and the bundled yaml, and no sources or tests', () => {
    expect(packedFiles).toEqual(expect.arrayContaining([
      'package.json', 'README.md', 'LICENSE', '.jsii', 'lib/index.js', 'lib/index.d.ts', 'node_modules/yaml/package.json',
    ]));
    const unexpected = packedFiles.filter((f) => (/\.ts$/.test(f) && !/\.d\.ts$/.test(f))
      || /^(test|examples|scripts|rosetta|bench|\.ci)\//.test(f) || /^tsconfig/.test(f));
    expect(unexpected).toEqual([]);
  });

  test('npm installed the tarball, not a link, at the repository\'s version', () => {
    const installed = path.join(consumer, 'node_modules', 'cdk-irsa');
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).version).toBe(repoPackage.version);
    expect(fs.existsSync(path.join(installed, 'lib', 'irsa-role.ts'))).toBe(false);
  });

  test('cdk synth succeeds with one copy of aws-cdk-lib', () => {
    expect({ status: synth.status, errors: /finished with errors|Error/.test(synth.stderr) ? synth.stderr : '' }).toEqual({ status: 0, errors: '' });
    const [, fromApp, fromLibrary] = /@@aws-cdk-lib (\S+) (\S+)/.exec(synth.stderr) ?? [];
    expect(fromApp).toBeDefined();
    expect(fs.realpathSync(fromLibrary)).toBe(fs.realpathSync(fromApp));
    expect(synth.stderr).toContain('@@iam-role-instance true');
  });

  test('the template holds what the app asked for, and no Lambda-backed CfnJson', () => {
    const out = path.join(consumer, 'cdk.out');
    const template = JSON.parse(fs.readFileSync(path.join(out, 'ConsumerStack.template.json'), 'utf8'));
    const types = Object.values<any>(template.Resources).map((r) => r.Type);
    const count = (type: string) => types.filter((t) => t === type).length;
    expect(count('AWS::IAM::OIDCProvider')).toBe(2); // the one made, and the aws-eks-v2 cluster's
    expect(count('AWS::EKS::PodIdentityAssociation')).toBe(2);
    expect(count('AWS::EKS::Addon')).toBe(1); // the Pod Identity agent on the imported cluster
    expect(count('Custom::AWSCDK-EKS-KubernetesResource')).toBe(1); // one manifest for the cluster
    const allTypes = fs.readdirSync(out).filter((f) => f.endsWith('.template.json'))
      .flatMap((f) => Object.values<any>(JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')).Resources).map((r) => r.Type));
    expect(allTypes).not.toContain('Custom::AWSCDK-CfnJson');
    const yaml = fs.readFileSync(path.join(out, 'ConsumerStack.service-accounts', 'prod', 'service-accounts.yaml'), 'utf8');
    expect(yaml).toContain('eks.amazonaws.com/audience: consumer.example.com');
    expect(yaml).toContain('eks.amazonaws.com/token-expiration: "21600"');
  });

  test('the same checkers refuse a deliberately wrong consumer: a type error, and an app that fails at synth', () => {
    fs.writeFileSync(path.join(consumer, 'wrong-types.cts'), [
      "import { App, Stack } from 'aws-cdk-lib';",
      "import { IrsaRole, ServiceAccountSubject } from 'cdk-irsa';",
      "new IrsaRole(new Stack(new App(), 'S'), 'R', { subjects: ServiceAccountSubject.exact('payments', 'api') });",
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(consumer, 'tsconfig.wrong.json'), JSON.stringify({
      extends: './tsconfig.json', compilerOptions: { noEmit: true }, files: ['wrong-types.cts'],
    }));
    const tsc = run(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.wrong.json'], consumer);
    expect(tsc.status).not.toBe(0);
    expect(tsc.stdout).toMatch(/wrong-types\.cts.*error TS/);

    fs.writeFileSync(path.join(consumer, 'fails-at-synth.cjs'), [
      "const { App, Stack } = require('aws-cdk-lib');",
      "const { ClusterOidcProvider, IrsaRole, ServiceAccountSubject } = require('cdk-irsa');",
      "const stack = new Stack(new App(), 'S');",
      "const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'P', 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB');",
      "new IrsaRole(stack, 'R', { provider, subjects: [ServiceAccountSubject.exact('Payments_NS', 'api')] });",
      '',
    ].join('\n'));
    const failed = run(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'),
      'synth', '--app', 'node fails-at-synth.cjs', '--no-notices', '--ci', '--quiet', '--output', 'cdk.out.wrong'], consumer,
    { CDK_DISABLE_CLI_TELEMETRY: 'true' });
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toMatch(/Payments_NS.*not a valid Kubernetes namespace/);
  });

  test('the app uses every public class the package exports', () => {
    const script = [
      'const m = require("cdk-irsa");',
      'const isClass = (v) => typeof v === "function" && /^class\\b/.test(Function.prototype.toString.call(v));',
      'process.stdout.write(JSON.stringify(Object.keys(m).filter((k) => isClass(m[k]))));',
    ].join('\n');
    const listed = check(run(process.execPath, ['-e', script], consumer), 'listing the exports');
    const classes: string[] = JSON.parse(listed.stdout);
    const source = fs.readFileSync(CONSUMER_APP, 'utf8');
    expect(classes.length).toBeGreaterThan(5);
    expect(classes.filter((name) => !new RegExp(`\\b${name}\\b`).test(source))).toEqual([]);
  });
});
