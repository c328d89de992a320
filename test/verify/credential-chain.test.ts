/**
 * The IRSA credential chain end to end, offline, on 127.0.0.1 only.
 *
 * What is real code and what is a stand-in:
 * - REAL, cdk-irsa: the app (examples/quickstart/app.ts, synthesized as `cdk synth` runs it, and an
 *   app with a custom audience built here) and what it emits: the template (OIDC provider, role and
 *   trust policy) and the GitOps ServiceAccount YAML.
 * - REAL, AWS: `fromTokenFile()` of @aws-sdk/credential-provider-web-identity (with the SDK's own STS
 *   client, protocol code and XML parsing), configured only from the mutated pod's environment. The
 *   one addition is AWS_ENDPOINT_URL_STS (the SDK's documented service-endpoint setting) pointing
 *   at the loopback STS, plus AWS_CONFIG_FILE/AWS_SHARED_CREDENTIALS_FILE pointing nowhere so no
 *   local profile can leak in.
 * - REAL, others: `jose` (RS256 signing and verification, JWKS), `kubernetes-models` (Kubernetes
 *   OpenAPI schema), @cloud-copilot/iam-simulate (trust policy evaluation).
 * - STAND-INS (ours): the EKS pod identity webhook (./support/pod-webhook.ts, after its handler and
 *   cache sources), the cluster's OIDC issuer and token signer, and STS AssumeRoleWithWebIdentity
 *   (./support/local-aws-server.mjs), the kubelet writing the token file (here: a file under a temp
 *   directory standing for the container's root), and CloudFormation/IAM deploying the template
 *   (./support/intrinsics.ts, ./support/assembly.ts).
 * No real STS, no API server, no deploy: what AWS does beyond its documented behaviour is not covered.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fromTokenFile } from '@aws-sdk/credential-provider-web-identity';
import { Duration } from 'aws-cdk-lib';
import { IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../../lib';
import { deployedAccount, DeployedAccount, exampleApps, gitOpsObjects, stacksOf, synthesizeExample } from './support/assembly';
import { validateKubernetesObjects } from './support/kubernetes';
import { LocalAws } from './support/local-aws';
import { containerEnv, mutatePod, projectedToken, TOKEN_FILE, VOLUME_NAME } from './support/pod-webhook';
import { cleanupScratch, newStack, scratchDir } from './support/synth';

jest.setTimeout(180_000);

/** Another cluster of the same account: its provider exists, but no role of the app trusts it. */
const OTHER_CLUSTER_ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/0THER000000000000000000000000C1A';
/** An issuer no provider of the account is registered for. */
const UNREGISTERED_ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/NOTREGISTERED0000000000000000000';

interface ChainFixture {
  readonly account: DeployedAccount;
  readonly region: string;
  readonly serviceAccounts: any[];
  readonly local: LocalAws;
}

/** Starts the local issuer + STS for an account as deploying the stack would leave it. */
async function startFixture(assemblyDir: string): Promise<ChainFixture> {
  const [stack, ...others] = stacksOf(assemblyDir);
  expect(others).toEqual([]);
  const account = deployedAccount(stack);
  const serviceAccounts = gitOpsObjects(assemblyDir).filter((o) => o.kind === 'ServiceAccount');
  const local = await LocalAws.start({
    account: account.account,
    providers: [
      ...account.providers,
      { arn: `arn:aws:iam::${account.account}:oidc-provider/${OTHER_CLUSTER_ISSUER.slice(8)}`, url: OTHER_CLUSTER_ISSUER, clientIds: ['sts.amazonaws.com'] },
    ],
    roles: account.roles,
    issuers: [...account.providers.map((p) => p.url), OTHER_CLUSTER_ISSUER, UNREGISTERED_ISSUER],
  });
  return { account, region: stack.env.region, serviceAccounts, local };
}

/** A plain pod of a service account, before admission. */
function samplePod(namespace: string, serviceAccountName: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${serviceAccountName}-0`, namespace, labels: { app: serviceAccountName } },
    spec: {
      serviceAccountName,
      containers: [{ name: 'app', image: 'public.ecr.aws/aws-cli/aws-cli:2.17.0', command: ['aws', 'sts', 'get-caller-identity'] }],
    },
  };
}

/** The issuer URL of the provider that a role's trust names. */
function issuerOfRole(fixture: ChainFixture, roleArn: string): string {
  const role = fixture.account.roles.find((r) => r.arn === roleArn);
  if (!role) {
    throw new Error(`no role ${roleArn} in the template (roles: ${fixture.account.roles.map((r) => r.arn).join(', ')})`);
  }
  const federated = role.trustPolicy.Statement.map((s: any) => s.Principal?.Federated).find(Boolean);
  return fixture.account.providers.find((p) => p.arn === federated)!.url;
}

interface TokenOverrides {
  readonly issuer?: string;
  readonly expiresIn?: number;
  readonly foreignKey?: boolean;
}

/**
 * Runs the pod: the kubelet stand-in writes the projected token (from the pod's volume: audience
 * and expiration) under a temp root, then the real SDK provider runs with the container's env.
 */
async function podCredentials(fixture: ChainFixture, pod: any, issuer: string, overrides: TokenOverrides = {}) {
  const projected = projectedToken(pod);
  const token = await fixture.local.token({
    issuer: overrides.issuer ?? issuer,
    namespace: pod.metadata.namespace,
    serviceAccount: pod.spec.serviceAccountName,
    audience: projected.audience,
    expiresIn: overrides.expiresIn ?? projected.expirationSeconds,
    foreignKey: overrides.foreignKey,
  });
  const root = fs.mkdtempSync(path.join(scratchDir(), 'pod-'));
  const env = containerEnv(pod, 'app');
  const tokenFile = path.join(root, env.AWS_WEB_IDENTITY_TOKEN_FILE);
  fs.mkdirSync(path.dirname(tokenFile), { recursive: true });
  fs.writeFileSync(tokenFile, token);
  return withEnv({
    ...env,
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    AWS_ENDPOINT_URL_STS: fixture.local.stsEndpoint,
    AWS_CONFIG_FILE: path.join(root, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(root, 'no-credentials'),
  }, () => fromTokenFile()());
}

/** The variables the SDK's credential chain reads; not the SDK's own notice switch (test/verify/support/setup.ts). */
const SDK_ENV = /^AWS_(?!SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED$)/;

/** Runs `fn` with exactly `env` as the process's AWS_* variables, restoring them afterwards. */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.entries(process.env).filter(([k]) => SDK_ENV.test(k)));
  for (const key of Object.keys(saved)) {
    delete process.env[key];
  }
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(process.env).filter((k) => SDK_ENV.test(k))) {
      delete process.env[key];
    }
    Object.assign(process.env, saved);
  }
}

/** A copy of a ServiceAccount with other metadata: what anyone allowed to create one could apply. */
function forged(serviceAccount: any, metadata: { name?: string; namespace?: string; annotations?: Record<string, string> }): any {
  const copy = JSON.parse(JSON.stringify(serviceAccount));
  copy.metadata.name = metadata.name ?? copy.metadata.name;
  copy.metadata.namespace = metadata.namespace ?? copy.metadata.namespace;
  copy.metadata.annotations = { ...copy.metadata.annotations, ...metadata.annotations };
  return copy;
}

afterAll(cleanupScratch);

const QUICKSTART = exampleApps().includes('quickstart');

(QUICKSTART ? describe : describe.skip)('examples/quickstart: the ServiceAccount it writes gets credentials, and only it', () => {
  let fixture: ChainFixture;
  let serviceAccount: any;
  let roleArn: string;
  let issuer: string;

  beforeAll(async () => {
    const outdir = path.join(scratchDir(), 'quickstart.out');
    synthesizeExample('quickstart', outdir);
    fixture = await startFixture(outdir);
    serviceAccount = fixture.serviceAccounts.find((sa) => sa.metadata.annotations?.['eks.amazonaws.com/role-arn']);
    expect(serviceAccount).toBeDefined();
    roleArn = serviceAccount.metadata.annotations['eks.amazonaws.com/role-arn'];
    issuer = issuerOfRole(fixture, roleArn);
  });

  afterAll(async () => {
    await fixture?.local.stop();
  });

  const admitted = (sa = serviceAccount) => mutatePod(samplePod(sa.metadata.namespace, sa.metadata.name), sa, { region: fixture.region });

  test('the ServiceAccount and the mutated pod are valid Kubernetes objects, mutated as the webhook does', () => {
    const pod = admitted();

    expect(validateKubernetesObjects([serviceAccount, pod])).toEqual([
      { kind: 'ServiceAccount', name: serviceAccount.metadata.name, errors: [] },
      { kind: 'Pod', name: pod.metadata.name, errors: [] },
    ]);
    expect(containerEnv(pod, 'app')).toEqual({
      AWS_STS_REGIONAL_ENDPOINTS: 'regional',
      AWS_DEFAULT_REGION: fixture.region,
      AWS_REGION: fixture.region,
      AWS_ROLE_ARN: roleArn,
      AWS_WEB_IDENTITY_TOKEN_FILE: TOKEN_FILE,
    });
    expect(pod.spec.containers[0].volumeMounts).toEqual([{ name: VOLUME_NAME, readOnly: true, mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount' }]);
    expect(projectedToken(pod)).toEqual({ audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' });
  });

  test('the real SDK provider gets credentials for the right service account', async () => {
    const credentials = await podCredentials(fixture, admitted(), issuer);

    const { sessions, issuerFetches } = await fixture.local.log();
    const session = sessions.find((s) => s.accessKeyId === credentials.accessKeyId);
    expect(session).toEqual(expect.objectContaining({
      roleArn,
      sub: `system:serviceaccount:${serviceAccount.metadata.namespace}:${serviceAccount.metadata.name}`,
      aud: 'sts.amazonaws.com',
      issuer,
    }));
    expect(credentials.secretAccessKey).toBeTruthy();
    expect(credentials.sessionToken).toBeTruthy();
    expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now());
    expect(issuerFetches).toBeGreaterThanOrEqual(2); // discovery and JWKS were fetched and used
  });

  test.each([
    ['another service account of the namespace, annotated with the same role', { name: 'other' }, 'AccessDenied'],
    ['the same name in another namespace, annotated with the same role', { namespace: 'other-team' }, 'AccessDenied'],
    ['another audience', { annotations: { 'eks.amazonaws.com/audience': 'other.example.com' } }, 'InvalidIdentityTokenException'],
  ])('refused: %s', async (_what, metadata, error) => {
    const sa = forged(serviceAccount, metadata);
    await expect(podCredentials(fixture, admitted(sa), issuer)).rejects.toMatchObject({
      name: error,
      message: error === 'AccessDenied' ? 'Not authorized to perform sts:AssumeRoleWithWebIdentity' : 'Incorrect token audience',
    });
  });

  test.each([
    ['a token signed by a foreign key (with the issuer\'s key ID)', { foreignKey: true }, 'InvalidIdentityTokenException', /signature/],
    ['an expired token', { expiresIn: -120 }, 'ExpiredTokenException', /Token expired/],
    ['another cluster\'s issuer (its provider is in the account)', { issuer: OTHER_CLUSTER_ISSUER }, 'AccessDenied', /Not authorized/],
    ['an issuer with no provider in the account', { issuer: UNREGISTERED_ISSUER }, 'InvalidIdentityTokenException', /No OpenIDConnect provider/],
  ])('refused: %s', async (_what, overrides, error, message) => {
    await expect(podCredentials(fixture, admitted(), issuer, overrides))
      .rejects.toMatchObject({ name: error, message: expect.stringMatching(message) });
  });

  test('a deliberately wrong manifest fails the chain: role-arn of a role that does not trust it', async () => {
    const wrong = forged(serviceAccount, { annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${fixture.account.account}:role/someone-elses-role` } });
    await expect(podCredentials(fixture, admitted(wrong), issuer)).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('a service account with a custom audience: annotation, provider client IDs and trust agree', () => {
  let fixture: ChainFixture;

  beforeAll(async () => {
    const stack = newStack('CustomAudience');
    new IrsaServiceAccount(stack, 'Reports', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/A0D1E2C3E4F5A6B7C8D9E0F1A2B3C4D5' }),
      namespace: 'reports',
      name: 'generator',
      audience: 'reports.example.com',
      tokenExpiration: Duration.hours(6),
      stsRegionalEndpoints: false,
      manifestDelivery: ManifestDelivery.gitOps(),
    });
    const assembly = (stack.node.root as any).synth();
    fixture = await startFixture(assembly.directory);
  });

  afterAll(async () => {
    await fixture?.local.stop();
  });

  test('the pod is mutated with the audience and expiration of the annotations and gets credentials', async () => {
    const [serviceAccount] = fixture.serviceAccounts;
    const pod = mutatePod(samplePod('reports', 'generator'), serviceAccount, { region: fixture.region });
    expect(validateKubernetesObjects([serviceAccount, pod]).flatMap((r) => r.errors)).toEqual([]);
    expect(projectedToken(pod)).toEqual({ audience: 'reports.example.com', expirationSeconds: 21600, path: 'token' });
    expect(containerEnv(pod, 'app')).not.toHaveProperty('AWS_STS_REGIONAL_ENDPOINTS');

    const roleArn = serviceAccount.metadata.annotations['eks.amazonaws.com/role-arn'];
    const credentials = await podCredentials(fixture, pod, issuerOfRole(fixture, roleArn));

    const { sessions } = await fixture.local.log();
    expect(sessions.find((s) => s.accessKeyId === credentials.accessKeyId)).toEqual(expect.objectContaining({
      roleArn, sub: 'system:serviceaccount:reports:generator', aud: 'reports.example.com',
    }));
  });

  test('a token with the default audience is refused by the trust (the provider accepts both audiences)', async () => {
    const [serviceAccount] = fixture.serviceAccounts;
    const provider = fixture.account.providers[0];
    expect(provider.clientIds).toEqual(['sts.amazonaws.com', 'reports.example.com']);
    const pod = mutatePod(samplePod('reports', 'generator'), serviceAccount, { region: fixture.region });
    pod.spec.volumes[0].projected.sources[0].serviceAccountToken.audience = 'sts.amazonaws.com';
    const roleArn = serviceAccount.metadata.annotations['eks.amazonaws.com/role-arn'];
    await expect(podCredentials(fixture, pod, issuerOfRole(fixture, roleArn))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('kubernetes-models and the name rules catch deliberately broken manifests', () => {
  test('schema types and names', () => {
    const results = validateKubernetesObjects([
      // token-expiration written as a YAML number instead of a string
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: 'payments', annotations: { 'eks.amazonaws.com/token-expiration': 3600 } } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'Payments_API', namespace: 'payments' } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: 'team.a', labels: { 'app.kubernetes.io/name': 'x'.repeat(64) } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'payments' }, spec: { containers: [{ name: 'app', env: [{ name: 'AWS_REGION', value: 1 }] }] } },
    ]);

    expect(results.map((r) => r.errors.length > 0)).toEqual([true, true, true, true]);
    expect(results[0].errors.join()).toMatch(/annotations.*must be string/);
    expect(results[1].errors.join()).toMatch(/metadata.name/);
    expect(results[2].errors.join()).toMatch(/metadata.namespace.*label value|namespace/);
    expect(results[3].errors.join()).toMatch(/must be string/);
  });
});
