/**
 * examples/helm, synthesized as `cdk synth` runs it: the AWS Load Balancer Controller chart gets
 * exactly the values that make its ServiceAccount the one the role trusts, and the role trusts
 * exactly that ServiceAccount. Intrinsics are resolved as CloudFormation would (./support/intrinsics.ts),
 * with made-up values for what only a deploy knows (the VPC ID, the cluster's issuer).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AssemblyStack, stacksOf, synthesizeExample } from './support/assembly';
import { IntrinsicValues, placeholderIssuers, resolvedTrustPolicy, resolveIntrinsics, rolesOf, templateValues } from './support/intrinsics';

const VPC_ID = 'vpc-0123456789abcdef0';
const SERVICE_ACCOUNT = 'system:serviceaccount:kube-system:aws-load-balancer-controller';
const CHART_KEYS = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'helm-chart-keys.json'), 'utf8'))
  .charts['aws-load-balancer-controller'];

let outdir: string;
let stack: AssemblyStack;
let chart: any;
let roleId: string;
let roleArn: string;
let values: IntrinsicValues;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-irsa-helm-example-'));
  synthesizeExample('helm', outdir);
  const stacks = stacksOf(outdir);
  expect(stacks.map((s) => s.artifactId)).toEqual(['IrsaHelm']);
  stack = stacks[0];
  const resources = Object.entries<any>(stack.template.Resources);

  const webIdentityRoles = Object.entries(rolesOf(stack.template))
    .filter(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('sts:AssumeRoleWithWebIdentity'));
  expect(webIdentityRoles).toHaveLength(1);
  const [id, role] = webIdentityRoles[0];
  expect(typeof role.Properties.RoleName).toBe('string');
  roleId = id;
  roleArn = `arn:aws:iam::${stack.env.account}:role${role.Properties.Path ?? '/'}${role.Properties.RoleName}`;

  const vpcs = resources.filter(([, r]) => r.Type === 'AWS::EC2::VPC');
  expect(vpcs).toHaveLength(1);
  values = templateValues(stack.template, stack.env, {
    refs: { [vpcs[0][0]]: VPC_ID },
    attributes: { ...placeholderIssuers(stack.template, stack.env.region), [`${roleId}.Arn`]: roleArn },
  });

  const charts = resources.filter(([, r]) => r.Type === 'Custom::AWSCDK-EKS-HelmChart');
  expect(charts).toHaveLength(1);
  chart = charts[0][1].Properties;
}, 120_000);

afterAll(() => {
  if (outdir) {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

/** The chart's values as the kubectl provider receives them: the Values string resolved and parsed. */
function chartValues(): any {
  const resolved = resolveIntrinsics(chart.Values, values);
  expect(typeof resolved).toBe('string');
  return JSON.parse(resolved);
}

test('the chart is the AWS Load Balancer Controller of eks-charts, pinned, released into kube-system', () => {
  expect({
    Chart: chart.Chart,
    Repository: chart.Repository,
    Version: chart.Version,
    Release: chart.Release,
    Namespace: chart.Namespace,
  }).toEqual({
    Chart: 'aws-load-balancer-controller',
    Repository: 'https://aws.github.io/eks-charts',
    Version: '1.13.4',
    Release: 'aws-load-balancer-controller',
    Namespace: 'kube-system',
  });
});

test('the chart gets exactly: its ServiceAccount created, named and annotated with the role ARN, and the cluster name, region and VPC', () => {
  expect(roleArn).toMatch(/^arn:aws:iam::123456789012:role\/[\w+=,.@-]+$/);

  expect(chartValues()).toEqual({
    clusterName: 'prod',
    region: 'eu-west-1',
    vpcId: VPC_ID,
    serviceAccount: {
      create: true,
      name: 'aws-load-balancer-controller',
      annotations: { 'eks.amazonaws.com/role-arn': roleArn },
    },
  });
});

test('the ServiceAccount values sit at the key paths the upstream chart reads (test/fixtures/helm-chart-keys.json)', () => {
  const serviceAccount = chartValues()[CHART_KEYS.serviceAccountKey];

  expect(Object.keys(serviceAccount).sort().map((leaf) => `${CHART_KEYS.serviceAccountKey}.${leaf}`)).toEqual(CHART_KEYS.keyPaths);
  expect(serviceAccount.name).toEqual(CHART_KEYS.defaultServiceAccountName);
});

test('the role trusts the cluster\'s provider for kube-system/aws-load-balancer-controller only', () => {
  const providers = Object.entries<any>(stack.template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::OIDCProvider');
  expect(providers).toHaveLength(1);
  const [providerId, provider] = providers[0];
  const issuer = String(resolveIntrinsics(provider.Properties.Url, values)).slice('https://'.length);
  expect(issuer).toMatch(/^oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);

  expect(resolvedTrustPolicy(stack.template, roleId, values)).toEqual({
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Federated: values.refs![providerId] },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${issuer}:sub`]: SERVICE_ACCOUNT, [`${issuer}:aud`]: 'sts.amazonaws.com' } },
    }],
  });
});

test('cdk-irsa delivers no ServiceAccount: the chart creates it', () => {
  const manifests = Object.values<any>(stack.template.Resources)
    .filter((r) => r.Type === 'Custom::AWSCDK-EKS-KubernetesResource')
    .map((r) => JSON.stringify(r.Properties.Manifest));

  expect(manifests.filter((m) => m.includes('ServiceAccount'))).toEqual([]);
  expect(fs.readdirSync(outdir).filter((f) => f.endsWith('.service-accounts'))).toEqual([]);
});
