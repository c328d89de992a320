import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  ClusterOidcProvider, IdentityMode, IrsaCheckRule, IrsaChecks, IrsaCluster, IrsaRole, IrsaServiceAccount, ServiceAccountSubject,
} from '../lib';

const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
const ENV = { account: '123456789012', region: 'eu-west-1' };

function setup() {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: ENV });
  Aspects.of(app).add(new IrsaChecks());
  return { app, stack };
}

/** A hand-written role with the given web-identity condition, as people write them. */
function handWrittenRole(stack: Stack, id: string, condition: any) {
  return new iam.CfnRole(stack, id, {
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }],
    },
  });
}

function findings(stack: Stack) {
  const annotations = Annotations.fromStack(stack);
  const messages = (type: 'error' | 'warning') => (type === 'error'
    ? annotations.findError('*', Match.stringLikeRegexp('cdk-irsa'))
    : annotations.findWarning('*', Match.stringLikeRegexp('cdk-irsa')))
    .map((m) => `${m.id} ${String(m.entry.data)}`).sort();
  return { errors: messages('error'), warnings: messages('warning') };
}

describe('IrsaChecks', () => {
  test('finds nothing to report on cdk-irsa service accounts of every mode', () => {
    const { stack } = setup();
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: `https://${ISSUER}`, podIdentityAgentInstalled: true });
    new IrsaServiceAccount(stack, 'A', { cluster, name: 'a' });
    new IrsaServiceAccount(stack, 'B', { cluster, name: 'b', identityMode: IdentityMode.POD_IDENTITY });
    new IrsaServiceAccount(stack, 'C', { cluster, name: 'c', identityMode: IdentityMode.IRSA_AND_POD_IDENTITY });

    expect(findings(stack)).toEqual({ errors: [], warnings: [] });
  });

  test('reads the trust of aws-cdk-lib\'s ServiceAccount through its CfnJson, and finds it pinned', () => {
    const { stack } = setup();
    const cluster = new eks.Cluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_32,
      defaultCapacity: 0,
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1'),
    });
    cluster.addServiceAccount('Legacy', { name: 'legacy', namespace: 'apps' });
    cluster.addServiceAccount('Again', { name: 'legacy', namespace: 'apps' }); // the same service account in a second role

    const { errors, warnings } = findings(stack);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(/^\/Stack\/Cluster\/Again\/Role .*SERVICE_ACCOUNT_IN_SEVERAL_ROLES/),
      expect.stringMatching(/^\/Stack\/Cluster\/Legacy\/Role .*\[cdk-irsa SERVICE_ACCOUNT_IN_SEVERAL_ROLES\] role Stack\/Cluster\/Legacy\/Role: system:serviceaccount:apps:legacy is trusted by 2 roles \(Stack\/Cluster\/Legacy\/Role, Stack\/Cluster\/Again\/Role\)/),
    ]);
  });

  test('reports a web-identity trust with neither sub nor aud pinned', () => {
    const { stack } = setup();
    handWrittenRole(stack, 'Open', undefined);

    expect(findings(stack).errors).toEqual([
      '/Stack/Open [cdk-irsa NO_AUDIENCE_PIN] role Stack/Open: a web-identity trust statement has no ":aud" condition, so tokens minted for any '
      + 'audience the provider accepts are taken. Pin the audience ("<issuer>:aud": "sts.amazonaws.com"). To accept it for this role: '
      + 'IrsaChecks.acknowledge(role, IrsaCheckRule.NO_AUDIENCE_PIN, reason).',
      '/Stack/Open [cdk-irsa NO_SUBJECT_PIN] role Stack/Open: a web-identity trust statement has no ":sub" condition, so every service account of '
      + 'the cluster can assume the role. Pin the service accounts (cdk-irsa: ServiceAccountSubject.exact(namespace, name)). To accept it for this '
      + 'role: IrsaChecks.acknowledge(role, IrsaCheckRule.NO_SUBJECT_PIN, reason).',
    ]);
  });

  test('reports a wildcard under StringEquals', () => {
    const { stack } = setup();
    handWrittenRole(stack, 'Literal', { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:*', [`${ISSUER}:aud`]: 'sts.amazonaws.com' } });

    expect(findings(stack).errors).toEqual([expect.stringContaining(
      '[cdk-irsa WILDCARD_UNDER_STRING_EQUALS] role Stack/Literal: StringEquals compares "system:serviceaccount:apps:*" (sub) literally, so it never matches')]);
  });

  test.each([
    ['system:serviceaccount:*', 'ANY_NAMESPACE'],
    ['system:serviceaccount:*:api', 'ANY_NAMESPACE'],
    ['system:*', 'ANY_NAMESPACE'],
    ['system:serviceaccount:apps:*', 'NAMESPACE_WIDE'],
  ])('reports the subject pattern %j as %s', (pattern, rule) => {
    const { stack } = setup();
    handWrittenRole(stack, 'Wide', { StringLike: { [`${ISSUER}:sub`]: pattern }, StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' } });

    expect(findings(stack).errors).toEqual([expect.stringContaining(`[cdk-irsa ${rule}] role Stack/Wide: the subject pattern ${JSON.stringify(pattern)} matches`)]);
  });

  test('accepts a pattern with a fixed part', () => {
    const { stack } = setup();
    handWrittenRole(stack, 'Scoped', { StringLike: { [`${ISSUER}:sub`]: 'system:serviceaccount:team-*:runner-*' }, StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' } });

    expect(findings(stack)).toEqual({ errors: [], warnings: [] });
  });

  test('reports anyInNamespace() unless acknowledged, recording the reason', () => {
    const { stack } = setup();
    const provider = ClusterOidcProvider.fromProviderArn(stack, 'Provider', PROVIDER_ARN);
    new IrsaRole(stack, 'Batch', { provider, subjects: [ServiceAccountSubject.anyInNamespace('batch')] });
    const acknowledged = new IrsaRole(stack, 'Jobs', { provider, subjects: [ServiceAccountSubject.anyInNamespace('jobs')] });

    IrsaChecks.acknowledge(acknowledged, IrsaCheckRule.NAMESPACE_WIDE, 'every job of the namespace reads the same bucket');

    expect(findings(stack).errors).toEqual([expect.stringMatching(/^\/Stack\/Batch .*NAMESPACE_WIDE/)]);
    expect(acknowledged.node.metadata.find((m) => m.type === 'cdk-irsa:acknowledged')?.data)
      .toEqual({ rule: 'NAMESPACE_WIDE', reason: 'every job of the namespace reads the same bucket' });
  });

  test('reads token issuers rendered as a JSON string', () => {
    const { stack } = setup();
    const cluster = new eks.Cluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_32,
      defaultCapacity: 0,
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1'),
    });
    const role = new IrsaRole(stack, 'Role', { provider: IrsaCluster.fromCluster(cluster).oidcProvider(stack), subjects: [ServiceAccountSubject.anyInNamespace('jobs')] });
    role.addTrust(IrsaCluster.fromCluster(cluster).oidcProvider(stack), [ServiceAccountSubject.exact('apps', 'api')]);

    expect(findings(stack).errors).toEqual([expect.stringMatching(/^\/Stack\/Role .*NAMESPACE_WIDE.*"system:serviceaccount:jobs:\*"/)]);
  });

  test('warns for a trust policy within 10 % of its limit', () => {
    const { stack } = setup();
    const provider = ClusterOidcProvider.fromProviderArn(stack, 'Provider', PROVIDER_ARN);
    const subjects = Array.from({ length: 30 }, (_, i) => ServiceAccountSubject.exact('payments', `checkout-worker-${i}`));
    const role = new IrsaRole(stack, 'Full', { provider, subjects });
    expect(role.trustPolicySize).toBeGreaterThan(0.9 * 2048);
    expect(role.trustPolicySize).toBeLessThanOrEqual(2048);

    expect(findings(stack).warnings).toEqual([
      expect.stringContaining(`[cdk-irsa TRUST_POLICY_NEAR_LIMIT] role Stack/Full: the trust policy is ${role.trustPolicySize} of 2048 characters`),
    ]);
  });

  test('warns for Pod Identity trust without tag pinning', () => {
    const { stack } = setup();
    new IrsaServiceAccount(stack, 'Shared', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', podIdentityAgentInstalled: true }), name: 'shared', identityMode: IdentityMode.POD_IDENTITY, pinSessionTags: false,
    });
    new iam.Role(stack, 'Plain', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });

    expect(findings(stack).warnings).toEqual([
      expect.stringContaining('[cdk-irsa POD_IDENTITY_NOT_PINNED] role Stack/Plain:'),
      expect.stringContaining('[cdk-irsa POD_IDENTITY_NOT_PINNED] role Stack/Shared/Role: the EKS Pod Identity trust does not pin '
        + 'aws:RequestTag/eks-cluster-arn, aws:RequestTag/kubernetes-namespace, aws:RequestTag/kubernetes-service-account'),
    ]);
  });

  test('ignores roles that are not assumed by Kubernetes workloads', () => {
    const { stack } = setup();
    new iam.Role(stack, 'Lambda', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new iam.Role(stack, 'Cognito', {
      assumedBy: new iam.FederatedPrincipal('cognito-identity.amazonaws.com', {}, 'sts:AssumeRoleWithWebIdentity'),
    });

    expect(findings(stack)).toEqual({ errors: [], warnings: [] });
  });

  test('fails to acknowledge without a reason', () => {
    const { stack } = setup();
    expect(() => IrsaChecks.acknowledge(stack, IrsaCheckRule.NAMESPACE_WIDE, ' '))
      .toThrow('acknowledging NAMESPACE_WIDE needs a reason, for whoever reviews the role later.');
  });
});
