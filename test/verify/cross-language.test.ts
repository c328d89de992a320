/**
 * The other languages, run: every jsii binding (Python, Java, .NET, Go) drives the same process,
 * `@jsii/runtime`, over its JSON protocol. This test is such a binding (./support/jsii-client.ts
 * sends what the Python binding sends): it loads the npm tarballs of aws-cdk-lib's jsii
 * dependencies, constructs, aws-cdk-lib and cdk-irsa (`npm pack` of this repository: its built
 * lib/*.js and .jsii), then builds an app through the runtime: an App, a Stack with an
 * environment, an `IrsaCluster` from a static factory, `IrsaServiceAccount`s with struct props
 * (nested structs, maps, enums, enum-like classes, `Duration`), a bucket granted to a service
 * account, an `iam.IPrincipal` and an `IAspect` implemented on the client side (the runtime calls
 * back into them), cdk-irsa's `IrsaChecks` aspect, and synthesizes. The template and the GitOps
 * YAML must equal those of the same app written in TypeScript, synthesized in this process.
 *
 * The tarball holds the built JavaScript: where lib/*.js is older than lib/*.ts the test builds
 * first (ensureBuilt, shared with the consumer test), never comparing against stale code. The runtime caches
 * extracted packages (and the published tarballs) in $TMPDIR/cdk-irsa-jsii-cache: a cold load of aws-cdk-lib takes
 * seconds and about 1 GB.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects, CfnResource, Duration, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { AddonPolicy, IdentityType, IrsaChecks, IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../../lib';
import { ensureBuilt, REPO_ROOT } from './support/assembly';
import { enumMember, fqnOf, JsiiClient, map, ObjRef, struct } from './support/jsii-client';

jest.setTimeout(600_000);

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const LOG_GROUPS = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/payments/*`;
const STACK = 'Workloads';
const CHECKED_BY = 'client-side aspect';
/** Kept between runs: the published tarballs of aws-cdk-lib and its dependencies, and the runtime's package cache. */
const CACHE = path.join(os.tmpdir(), 'cdk-irsa-jsii-cache');
const TARBALL_CACHE = path.join(CACHE, 'tarballs');

/** The jsii dependencies of aws-cdk-lib, then aws-cdk-lib: the order in which a binding imports them. */
const CDK_PACKAGES = ['@aws-cdk/asset-awscli-v1', '@aws-cdk/asset-node-proxy-agent-v6', '@aws-cdk/cloud-assembly-schema', 'constructs', 'aws-cdk-lib'];

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

function installedVersion(name: string): string {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/**
 * The published tarball of an installed package, from npm's cache (`npm pack name@version`), or
 * packed from its installed directory where the cache lacks it.
 */
function tarballOf(name: string, version: string, destination: string): string {
  const cached = path.join(destination, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`);
  if (fs.existsSync(cached)) {
    return cached;
  }
  let packed: string;
  try {
    packed = run('npm', ['pack', `${name}@${version}`, '--offline', '--json', '--pack-destination', destination], destination);
  } catch {
    packed = run('npm', ['pack', path.join(REPO_ROOT, 'node_modules', name), '--ignore-scripts', '--json', '--pack-destination', destination], destination);
  }
  return path.join(destination, JSON.parse(packed)[0].filename);
}

interface Synthesized {
  readonly template: any;
  readonly yaml: string;
}

function readAssembly(outdir: string): Synthesized {
  return {
    template: JSON.parse(fs.readFileSync(path.join(outdir, `${STACK}.template.json`), 'utf8')),
    yaml: fs.readFileSync(path.join(outdir, `${STACK}.service-accounts`, 'prod', 'service-accounts.yaml'), 'utf8'),
  };
}

/** The app, in TypeScript. */
function typescriptApp(outdir: string): { addedThroughPrincipal: number; visitedRoles: number } {
  const app = new App({ outdir });
  const stack = new Stack(app, STACK, { env: { account: ACCOUNT, region: REGION } });
  const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER });
  const api = new IrsaServiceAccount(stack, 'Api', {
    cluster,
    name: 'api',
    namespace: 'payments',
    createNamespace: true,
    manifestDelivery: ManifestDelivery.gitOps(),
    labels: { team: 'payments' },
    stsRegionalEndpoints: true,
    tokenExpiration: Duration.hours(2),
    roleOptions: {
      maxSessionDuration: Duration.hours(2),
      inlinePolicies: {
        Logs: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({
            actions: ['logs:PutLogEvents'],
            resources: [LOG_GROUPS],
            conditions: { StringEquals: { 'aws:RequestedRegion': REGION } },
          })],
        }),
      },
    },
  });
  const worker = new IrsaServiceAccount(stack, 'Worker', {
    cluster,
    name: 'worker',
    namespace: 'payments',
    identityType: IdentityType.IRSA_AND_POD_IDENTITY,
    manifestDelivery: ManifestDelivery.gitOps(),
    podIdentity: {
      associationTags: { team: 'payments' },
    },
  });
  const bucket = new s3.Bucket(stack, 'Data', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    lifecycleRules: [{ expiration: Duration.days(30) }],
  });
  bucket.grantRead(api);

  let addedThroughPrincipal = 0;
  const audited: iam.IPrincipal = {
    get grantPrincipal() {
      return audited;
    },
    assumeRoleAction: worker.assumeRoleAction,
    policyFragment: worker.policyFragment,
    principalAccount: worker.principalAccount,
    addToPrincipalPolicy(statement) {
      addedThroughPrincipal++;
      return worker.addToPrincipalPolicy(statement);
    },
  };
  AddonPolicy.ebsCsiDriver({ kmsKeys: [kms.Key.fromKeyArn(stack, 'VolumeKey', KEY_ARN)] }).attachTo(audited);
  bucket.grantWrite(audited);

  let visitedRoles = 0;
  const aspect: IAspect = {
    visit(node: IConstruct) {
      if (CfnResource.isCfnResource(node) && node.cfnResourceType === 'AWS::IAM::Role') {
        visitedRoles++;
        node.addMetadata('checked-by', CHECKED_BY);
      }
    },
  };
  Aspects.of(app).add(new IrsaChecks());
  Aspects.of(stack).add(aspect);
  app.synth();
  return { addedThroughPrincipal, visitedRoles };
}

/** The same app, through the jsii runtime, as a Python program would build it. */
async function jsiiApp(jsii: JsiiClient, outdir: string): Promise<{ addedThroughPrincipal: number; visitedRoles: number }> {
  const app = await jsii.create('aws-cdk-lib.App', [struct('aws-cdk-lib.AppProps', { outdir })]);
  const stack = await jsii.create('aws-cdk-lib.Stack', [app, STACK,
    struct('aws-cdk-lib.StackProps', { env: struct('aws-cdk-lib.Environment', { account: ACCOUNT, region: REGION }) })]);
  const cluster = await jsii.sinvoke('cdk-irsa.IrsaCluster', 'fromAttributes',
    [struct('cdk-irsa.IrsaClusterAttributes', { clusterName: 'prod', issuerUrl: ISSUER })]);
  const gitOps = () => jsii.sinvoke('cdk-irsa.ManifestDelivery', 'gitOps');
  const hours = (n: number) => jsii.sinvoke('aws-cdk-lib.Duration', 'hours', [n]);

  const statement = await jsii.create('aws-cdk-lib.aws_iam.PolicyStatement', [struct('aws-cdk-lib.aws_iam.PolicyStatementProps', {
    actions: ['logs:PutLogEvents'],
    resources: [LOG_GROUPS],
    conditions: map({ StringEquals: map({ 'aws:RequestedRegion': REGION }) }),
  })]);
  const logs = await jsii.create('aws-cdk-lib.aws_iam.PolicyDocument', [struct('aws-cdk-lib.aws_iam.PolicyDocumentProps', { statements: [statement] })]);
  const api = await jsii.create('cdk-irsa.IrsaServiceAccount', [stack, 'Api', struct('cdk-irsa.IrsaServiceAccountProps', {
    cluster,
    name: 'api',
    namespace: 'payments',
    createNamespace: true,
    manifestDelivery: await gitOps(),
    labels: map({ team: 'payments' }),
    stsRegionalEndpoints: true,
    tokenExpiration: await hours(2),
    roleOptions: struct('cdk-irsa.IrsaRoleOptions', {
      maxSessionDuration: await hours(2),
      inlinePolicies: map({ Logs: logs }),
    }),
  })]);
  const worker = await jsii.create('cdk-irsa.IrsaServiceAccount', [stack, 'Worker', struct('cdk-irsa.IrsaServiceAccountProps', {
    cluster,
    name: 'worker',
    namespace: 'payments',
    identityType: enumMember('cdk-irsa.IdentityType', 'IRSA_AND_POD_IDENTITY'),
    manifestDelivery: await gitOps(),
    podIdentity: struct('cdk-irsa.PodIdentityOptions', {
      associationTags: map({ team: 'payments' }),
    }),
  })]);
  const bucket = await jsii.create('aws-cdk-lib.aws_s3.Bucket', [stack, 'Data', struct('aws-cdk-lib.aws_s3.BucketProps', {
    encryption: enumMember('aws-cdk-lib.aws_s3.BucketEncryption', 'S3_MANAGED'),
    lifecycleRules: [struct('aws-cdk-lib.aws_s3.LifecycleRule', { expiration: await jsii.sinvoke('aws-cdk-lib.Duration', 'days', [30]) })],
  })]);
  await jsii.invoke(bucket, 'grantRead', [api]);

  // An iam.IPrincipal implemented here: the runtime calls back for each member it uses.
  let addedThroughPrincipal = 0;
  const audited: ObjRef = await jsii.implement(['aws-cdk-lib.aws_iam.IPrincipal'], {
    properties: {
      grantPrincipal: async () => audited,
      assumeRoleAction: () => jsii.get(worker, 'assumeRoleAction'),
      policyFragment: () => jsii.get(worker, 'policyFragment'),
      principalAccount: () => jsii.get(worker, 'principalAccount'),
    },
    methods: {
      addToPrincipalPolicy: async (added: ObjRef) => {
        addedThroughPrincipal++;
        return jsii.invoke(worker, 'addToPrincipalPolicy', [added]);
      },
    },
  });
  const key = await jsii.sinvoke('aws-cdk-lib.aws_kms.Key', 'fromKeyArn', [stack, 'VolumeKey', KEY_ARN]);
  const ebs = await jsii.sinvoke('cdk-irsa.AddonPolicy', 'ebsCsiDriver', [struct('cdk-irsa.EbsCsiDriverPolicyOptions', { kmsKeys: [key] })]);
  await jsii.invoke(ebs, 'attachTo', [audited]);
  await jsii.invoke(bucket, 'grantWrite', [audited]);

  // An IAspect implemented here, beside cdk-irsa's own.
  let visitedRoles = 0;
  const aspect = await jsii.implement(['aws-cdk-lib.IAspect'], {
    methods: {
      visit: async (node: ObjRef) => {
        if (await jsii.sinvoke('aws-cdk-lib.CfnResource', 'isCfnResource', [node])
          && await jsii.get(node, 'cfnResourceType') === 'AWS::IAM::Role') {
          visitedRoles++;
          await jsii.invoke(node, 'addMetadata', ['checked-by', CHECKED_BY]);
        }
        return undefined;
      },
    },
  });
  await jsii.invoke(await jsii.sinvoke('aws-cdk-lib.Aspects', 'of', [app]), 'add', [await jsii.create('cdk-irsa.IrsaChecks')]);
  await jsii.invoke(await jsii.sinvoke('aws-cdk-lib.Aspects', 'of', [stack]), 'add', [aspect]);
  const assembly = await jsii.invoke(app, 'synth');
  expect(fqnOf(assembly)).toBe('aws-cdk-lib.cx_api.CloudAssembly');
  return { addedThroughPrincipal, visitedRoles };
}

describe('an app built through the jsii runtime, as the Python, Java, .NET and Go bindings build it', () => {
  let work: string;
  let jsii: JsiiClient;
  let loaded: Array<{ assembly: string; types: number }>;
  let throughJsii: Synthesized;
  let inTypeScript: Synthesized;
  let jsiiCounts: { addedThroughPrincipal: number; visitedRoles: number };
  let typescriptCounts: { addedThroughPrincipal: number; visitedRoles: number };

  beforeAll(async () => {
    // The packed cdk-irsa must be what lib/*.ts says.
    ensureBuilt();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-irsa-jsii-'));
    fs.mkdirSync(TARBALL_CACHE, { recursive: true });
    const tarballs = CDK_PACKAGES.map((name) => {
      const version = installedVersion(name);
      return { name, version, tarball: tarballOf(name, version, TARBALL_CACHE) };
    });
    const ownPack = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO_ROOT))[0];
    tarballs.push({ name: ownPack.name, version: ownPack.version, tarball: path.join(work, ownPack.filename) });

    jsii = await JsiiClient.start({ JSII_RUNTIME_PACKAGE_CACHE_ROOT: path.join(CACHE, 'runtime') });
    loaded = [];
    for (const { name, version, tarball } of tarballs) {
      loaded.push(await jsii.load(name, version, tarball));
    }
    const jsiiOut = path.join(work, 'jsii.out');
    jsiiCounts = await jsiiApp(jsii, jsiiOut);
    throughJsii = readAssembly(jsiiOut);

    const typescriptOut = path.join(work, 'typescript.out');
    typescriptCounts = typescriptApp(typescriptOut);
    inTypeScript = readAssembly(typescriptOut);
  });

  afterAll(async () => {
    await jsii?.close();
    if (work) {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('the runtime loads aws-cdk-lib and the cdk-irsa tarball', () => {
    expect(jsii.runtimeVersion).toMatch(/^@jsii\/runtime@1\./);
    expect(loaded.map((l) => l.assembly)).toEqual([...CDK_PACKAGES, 'cdk-irsa']);
    expect(loaded[loaded.length - 1].types).toBeGreaterThan(20);
  });

  test('the template equals the TypeScript one', () => {
    expect(throughJsii.template).toEqual(inTypeScript.template);
    // What the app asked for is there: the grants, the add-on statements, the association and the aspect's mark.
    const resources = Object.values(throughJsii.template.Resources) as any[];
    const roles = resources.filter((r) => r.Type === 'AWS::IAM::Role');
    expect(roles).toHaveLength(2);
    expect(roles.every((r) => r.Metadata?.['checked-by'] === CHECKED_BY)).toBe(true);
    expect(resources.filter((r) => r.Type === 'AWS::EKS::PodIdentityAssociation')).toHaveLength(1);
    const actions = JSON.stringify(roles.map((r) => r.Properties.Policies));
    expect(actions).toContain('ec2:CreateVolume');
    expect(actions).toContain('s3:GetObject*');
    expect(actions).toContain('s3:PutObject');
    expect(actions).toContain('logs:PutLogEvents');
    expect(roles.map((r) => r.Properties.MaxSessionDuration)).toContain(7200);
  });

  test('the GitOps YAML equals the TypeScript one', () => {
    expect(throughJsii.yaml).toEqual(inTypeScript.yaml);
    expect(throughJsii.yaml).toContain('eks.amazonaws.com/token-expiration: "7200"');
    expect(throughJsii.yaml).toContain('kind: Namespace');
  });

  test('the runtime called back into the principal and the aspect implemented on the client side', () => {
    expect(jsiiCounts).toEqual(typescriptCounts);
    expect(jsiiCounts.addedThroughPrincipal).toBeGreaterThan(1);
    expect(jsiiCounts.visitedRoles).toBe(2);
    expect(jsii.callbacks.get('grantPrincipal')).toBeGreaterThan(0);
    expect(jsii.callbacks.get('visit')).toBeGreaterThan(0);
  });
});
