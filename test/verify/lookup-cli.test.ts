/**
 * IrsaCluster.fromLookup() through the real CDK CLI (aws-cdk, a devDependency): `cdk synth` of a
 * small app that requires the built library, against a loopback stand-in for AWS on 127.0.0.1.
 *
 * - REAL: the CDK CLI, its bundled AWS SDK (credential chain, STS and Cloud Control clients,
 *   protocol code, retries), its context-provider loop (missing context, the Cloud Control
 *   provider, cdk.context.json) and aws-cdk-lib's ContextProvider; cdk-irsa as built (lib/*.js).
 * - STAND-IN (ours, below): STS (GetCallerIdentity, AssumeRole of the bootstrap lookup role, AWS
 *   query protocol, XML) and Cloud Control GetResource (JSON 1.0 protocol), answering from a fixed
 *   account: a cluster and, or not, its IAM OIDC provider. The CLI reaches it through
 *   AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL_CLOUDCONTROL (the SDK's documented service-endpoint
 *   settings) with fake keys; HOME, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point into a
 *   scratch directory, so no local profile leaks in, and instance metadata is off.
 * What real Cloud Control returns beyond its documented shapes is not covered.
 */
import { spawn } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { ensureBuilt, REPO_ROOT } from './support/assembly';

jest.setTimeout(120_000);

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const ISSUER_URL = `https://${ISSUER}`;
const CLUSTER_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod`;
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`;
const LOOKUP_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-lookup-role-${ACCOUNT}-${REGION}`;
const CDK_CLI = path.join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');

/** One request the stand-in answered. */
interface Call {
  readonly service: 'sts' | 'cloudcontrol';
  readonly action: string;
  readonly params: Record<string, string>;
  /** The access key the request was signed with (from its Authorization header). */
  readonly accessKeyId?: string;
}

/** The account the stand-in answers for. */
interface FakeAccount {
  readonly clusters: Record<string, { Arn: string; Name: string; OpenIdConnectIssuerUrl: string; Endpoint: string }>;
  readonly providers: Record<string, { Arn: string; Url: string; ClientIdList: string[] }>;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The loopback stand-in for STS and Cloud Control. */
class FakeAws {
  public readonly calls: Call[] = [];
  private server?: http.Server;

  constructor(private readonly account: FakeAccount) {}

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  public async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  public async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const accessKeyId = /Credential=([A-Z0-9]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    const target = String(req.headers['x-amz-target'] ?? '');
    const requestId = randomUUID();
    if (target.startsWith('CloudApiService.')) {
      const params = JSON.parse(body);
      const action = target.slice('CloudApiService.'.length);
      this.calls.push({ service: 'cloudcontrol', action, params, accessKeyId });
      const resource = action === 'GetResource' ? this.resource(params.TypeName, params.Identifier) : undefined;
      if (!resource) {
        const message = action === 'GetResource' ? `Resource of type '${params.TypeName}' with identifier '${params.Identifier}' was not found.`
          : `${action} is not served here`;
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId })
          .end(JSON.stringify({ __type: action === 'GetResource' ? 'ResourceNotFoundException' : 'UnsupportedActionException', Message: message }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId }).end(JSON.stringify({
        TypeName: params.TypeName,
        ResourceDescription: { Identifier: params.Identifier, Properties: JSON.stringify(resource) },
      }));
      return;
    }
    const params = Object.fromEntries(new URLSearchParams(body));
    this.calls.push({ service: 'sts', action: params.Action ?? `(unknown: ${target || req.url})`, params, accessKeyId });
    if (params.Action === 'GetCallerIdentity') {
      const arn = accessKeyId?.startsWith('ASIA')
        ? `arn:aws:sts::${ACCOUNT}:assumed-role/cdk-hnb659fds-lookup-role-${ACCOUNT}-${REGION}/aws-cdk`
        : `arn:aws:iam::${ACCOUNT}:user/ci`;
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).end(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${arn}</Arn>`
        + `<UserId>AIDAEXAMPLE</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult>`
        + `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`);
      return;
    }
    if (params.Action === 'AssumeRole' && params.RoleArn === LOOKUP_ROLE_ARN) {
      const expiration = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).end(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><AssumedRoleUser>`
        + `<Arn>arn:aws:sts::${ACCOUNT}:assumed-role/cdk-hnb659fds-lookup-role-${ACCOUNT}-${REGION}/${xml(params.RoleSessionName)}</Arn>`
        + `<AssumedRoleId>AROAEXAMPLE:${xml(params.RoleSessionName)}</AssumedRoleId></AssumedRoleUser><Credentials>`
        + '<AccessKeyId>ASIALOOKUPROLE000001</AccessKeyId><SecretAccessKey>fakeLookupRoleSecret</SecretAccessKey>'
        + `<SessionToken>fakeLookupRoleSessionToken</SessionToken><Expiration>${expiration}</Expiration></Credentials>`
        + `</AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`);
      return;
    }
    res.writeHead(403, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).end(
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>`
      + `<Message>not served here</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
  }

  private resource(typeName: string, identifier: string): object | undefined {
    if (typeName === 'AWS::EKS::Cluster') {
      return this.account.clusters[identifier];
    }
    if (typeName === 'AWS::IAM::OIDCProvider') {
      return this.account.providers[identifier];
    }
    return undefined;
  }
}

const CLUSTERS: FakeAccount['clusters'] = {
  prod: { Arn: CLUSTER_ARN, Name: 'prod', OpenIdConnectIssuerUrl: ISSUER_URL, Endpoint: 'https://EXAMPLE.gr7.eu-west-1.eks.amazonaws.com' },
};

/** The consumer app: one IRSA service account on the looked-up cluster. */
function writeApp(dir: string, clusterName: string): void {
  const requireFrom = (name: string) => JSON.stringify(require.resolve(name, { paths: [path.join(REPO_ROOT, 'lib')] }));
  fs.writeFileSync(path.join(dir, 'app.js'), [
    `const { App, Stack } = require(${requireFrom('aws-cdk-lib')});`,
    `const { IrsaCluster, IrsaServiceAccount, ManifestDelivery } = require(${JSON.stringify(path.join(REPO_ROOT, 'lib', 'index.js'))});`,
    'const app = new App();',
    `const stack = new Stack(app, 'LookupStack', { env: { account: '${ACCOUNT}', region: '${REGION}' } });`,
    "new IrsaServiceAccount(stack, 'Api', {",
    `  cluster: IrsaCluster.fromLookup(stack, 'Prod', { clusterName: '${clusterName}' }),`,
    "  namespace: 'payments',",
    "  name: 'api',",
    '  manifestDelivery: ManifestDelivery.none(),',
    '});',
    'app.synth();',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'node app.js' }));
}

interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: Call[];
  readonly dir: string;
}

/** `cdk synth` in a fresh directory, against a fresh stand-in for `account`. */
async function cdkSynth(root: string, name: string, account: FakeAccount, clusterName = 'prod'): Promise<CliRun> {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  writeApp(dir, clusterName);
  const aws = new FakeAws(account);
  await aws.start();
  try {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      AWS_CONFIG_FILE: path.join(dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-aws-credentials'),
      AWS_ACCESS_KEY_ID: 'AKIAFAKECIUSER000001',
      AWS_SECRET_ACCESS_KEY: 'fakeSecretAccessKeyForTheLoopbackOnly',
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL_STS: aws.endpoint,
      AWS_ENDPOINT_URL_CLOUDCONTROL: aws.endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
    };
    const child = spawn(process.execPath, [CDK_CLI, 'synth', '--no-notices', '--ci', '--quiet', '--no-version-reporting', '--output', 'cdk.out'],
      { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => stdout += d);
    child.stderr.on('data', (d) => stderr += d);
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    return { status, stdout, stderr, calls: aws.calls, dir };
  } finally {
    await aws.stop();
  }
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const templateOf = (run: CliRun) => readJson(path.join(run.dir, 'cdk.out', 'LookupStack.template.json'));

/** What the CLI asked Cloud Control, in order, and with which credentials. */
function cloudControlCalls(run: CliRun): Array<Record<string, string | undefined>> {
  return run.calls.filter((c) => c.service === 'cloudcontrol').map((c) => ({ action: c.action, ...c.params, accessKeyId: c.accessKeyId }));
}

function roleTrust(template: any): any {
  const roles = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
  expect(roles).toHaveLength(1);
  return roles[0].Properties.AssumeRolePolicyDocument;
}

function trustOf(federated: unknown) {
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Federated: federated },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:payments:api', [`${ISSUER}:aud`]: 'sts.amazonaws.com' } },
    }],
  };
}

describe('cdk synth of an app with IrsaCluster.fromLookup(), the CLI answering from a loopback AWS', () => {
  let root: string;
  let withProvider: CliRun;
  let withoutProvider: CliRun;
  let noCluster: CliRun;

  beforeAll(async () => {
    ensureBuilt();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-irsa-lookup-'));
    // Three independent CLI runs at once: each waits mostly on its own synth passes.
    [withProvider, withoutProvider, noCluster] = await Promise.all([
      cdkSynth(root, 'with-provider', { clusters: CLUSTERS, providers: { [PROVIDER_ARN]: { Arn: PROVIDER_ARN, Url: ISSUER, ClientIdList: ['sts.amazonaws.com'] } } }),
      cdkSynth(root, 'without-provider', { clusters: CLUSTERS, providers: {} }),
      cdkSynth(root, 'no-cluster', { clusters: CLUSTERS, providers: {} }, 'staging'),
    ]);
  });

  afterAll(() => {
    if (root) {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('the provider exists: the CLI looks up the cluster, then the provider, through the lookup role, and caches both answers', () => {
    expect({ status: withProvider.status, stderr: withProvider.status === 0 ? '' : withProvider.stderr }).toEqual({ status: 0, stderr: '' });
    expect(withProvider.calls.filter((c) => c.service === 'sts' && c.action === 'AssumeRole').map((c) => c.params.RoleArn))
      .toEqual(expect.arrayContaining([LOOKUP_ROLE_ARN]));
    expect(withProvider.calls.filter((c) => !['GetCallerIdentity', 'AssumeRole', 'GetResource'].includes(c.action))).toEqual([]);
    expect(cloudControlCalls(withProvider)).toEqual([
      { action: 'GetResource', TypeName: 'AWS::EKS::Cluster', Identifier: 'prod', accessKeyId: 'ASIALOOKUPROLE000001' },
      { action: 'GetResource', TypeName: 'AWS::IAM::OIDCProvider', Identifier: PROVIDER_ARN, accessKeyId: 'ASIALOOKUPROLE000001' },
    ]);
    const context = readJson(path.join(withProvider.dir, 'cdk.context.json'));
    expect(Object.values(context)).toEqual([
      [{ Arn: CLUSTER_ARN, OpenIdConnectIssuerUrl: ISSUER_URL, Identifier: 'prod' }],
      [{ Arn: PROVIDER_ARN, Identifier: PROVIDER_ARN }],
    ]);
  });

  test('the provider exists: the template reuses it, creating no provider and no custom resource', () => {
    const template = templateOf(withProvider);
    const types = Object.values<any>(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::IAM::OIDCProvider' || t.startsWith('Custom::') || t === 'AWS::Lambda::Function')).toEqual([]);
    expect(roleTrust(template)).toEqual(trustOf(PROVIDER_ARN));
  });

  test('the provider is missing: the CLI caches "none", and the template creates it, retained', () => {
    expect({ status: withoutProvider.status, stderr: withoutProvider.status === 0 ? '' : withoutProvider.stderr }).toEqual({ status: 0, stderr: '' });
    expect(cloudControlCalls(withoutProvider).map((c) => [c.TypeName, c.Identifier])).toEqual([
      ['AWS::EKS::Cluster', 'prod'],
      ['AWS::IAM::OIDCProvider', PROVIDER_ARN],
    ]);
    expect(Object.values(readJson(path.join(withoutProvider.dir, 'cdk.context.json')))).toEqual([
      [{ Arn: CLUSTER_ARN, OpenIdConnectIssuerUrl: ISSUER_URL, Identifier: 'prod' }],
      [],
    ]);
    const template = templateOf(withoutProvider);
    const providers = Object.entries<any>(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::OIDCProvider');
    expect(providers).toEqual([[expect.stringMatching(/^IrsaOidcProvider/), {
      Type: 'AWS::IAM::OIDCProvider',
      Properties: { Url: ISSUER_URL, ClientIdList: ['sts.amazonaws.com'] },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Metadata: { 'aws:cdk:path': 'LookupStack/IrsaOidcProvider0720465B/Resource' },
    }]]);
    expect(roleTrust(template)).toEqual(trustOf({ 'Fn::GetAtt': [providers[0][0], 'Arn'] }));
  });

  test('no cluster of that name: cdk synth fails with cdk-irsa\'s message after one lookup, and caches nothing', () => {
    expect(noCluster.status).not.toBe(0);
    expect(noCluster.stderr).toContain('[cdk-irsa] LookupStack/Prod: IrsaCluster.fromLookup(): the CDK CLI found no EKS cluster named "staging" '
      + 'in account 123456789012, region eu-west-1');
    expect(cloudControlCalls(noCluster).map((c) => [c.TypeName, c.Identifier])).toEqual([['AWS::EKS::Cluster', 'staging']]);
    expect(noCluster.stderr).toContain('node app.js: Subprocess exited with error 1');
    const contextFile = path.join(noCluster.dir, 'cdk.context.json');
    expect(fs.existsSync(contextFile) ? readJson(contextFile) : {}).toEqual({});
  });
});
