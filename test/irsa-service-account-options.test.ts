import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { GrantsPolicyType, IdentityType, IrsaCluster, IrsaRole, IrsaServiceAccount, ManifestDelivery } from '../lib';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER_URL = 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const CLUSTER_ARN = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';

function cluster(extra: { installPodIdentityAgent?: boolean } = {}): IrsaCluster {
  return IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL, clusterArn: CLUSTER_ARN, ...extra });
}

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: ENV });
}

/** The DeletionPolicy and UpdateReplacePolicy of every resource of the template, by type. */
function policiesByType(stack: Stack): Array<[string, string | undefined, string | undefined]> {
  const resources = Template.fromStack(stack).toJSON().Resources as { [id: string]: any };
  return Object.values(resources).map((r) => [r.Type, r.DeletionPolicy, r.UpdateReplacePolicy] as [string, string | undefined, string | undefined])
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe('IdentityType', () => {
  test('has the values of aws-eks-v2\'s IdentityType, and IRSA_AND_POD_IDENTITY besides', () => {
    expect(IdentityType.IRSA).toBe(eksv2.IdentityType.IRSA);
    expect(IdentityType.POD_IDENTITY).toBe(eksv2.IdentityType.POD_IDENTITY);
    expect(Object.values(IdentityType)).toEqual(['IRSA', 'POD_IDENTITY', 'IRSA_AND_POD_IDENTITY']);
  });
});

describe('podIdentity', () => {
  test('with only undefined options is accepted in IRSA mode, and changes nothing', () => {
    // GIVEN
    const plain = newStack();
    const withEmpty = newStack();

    // WHEN
    new IrsaServiceAccount(plain, 'Api', { cluster: cluster(), name: 'api' });
    new IrsaServiceAccount(withEmpty, 'Api', { cluster: cluster(), name: 'api', podIdentity: { retainIrsaTrust: undefined } });

    // THEN
    expect(Template.fromStack(withEmpty).toJSON()).toEqual(Template.fromStack(plain).toJSON());
  });

  test('fails with options given and identityType IdentityType.IRSA, naming it', () => {
    const stack = newStack();
    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: cluster(), name: 'api', identityType: IdentityType.IRSA, podIdentity: { pinSessionTags: false } }))
      .toThrow('[cdk-irsa] Stack/Api: podIdentity (pinSessionTags) is given, but identityType is IdentityType.IRSA: its options apply to EKS Pod Identity only. '
        + 'Set identityType to IdentityType.POD_IDENTITY or IdentityType.IRSA_AND_POD_IDENTITY, or leave podIdentity out.');
  });
});

describe('roleOptions', () => {
  test('shape the role that cdk-irsa creates', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new IrsaServiceAccount(stack, 'Api', {
      cluster: cluster(),
      name: 'api',
      roleOptions: { roleName: 'payments-api', path: '/workloads/', description: 'the API', grantsPolicyType: GrantsPolicyType.CUSTOMER_MANAGED },
    });

    // THEN
    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect([role.RoleName, role.Path, role.Description]).toEqual(['payments-api', '/workloads/', 'the API']);
  });

  test('that are all undefined may go with role', () => {
    const stack = newStack();
    const role = new IrsaRole(stack, 'Shared', { roleName: 'shared' });
    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: cluster(), name: 'api', role, roleOptions: { roleName: undefined } })).not.toThrow();
  });
});

describe('removalPolicy', () => {
  test('by default leaves the role and the association to CloudFormation\'s default (deleted)', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new IrsaServiceAccount(stack, 'Api', { cluster: cluster(), name: 'api', identityType: IdentityType.IRSA_AND_POD_IDENTITY });

    // THEN
    expect(policiesByType(stack).filter(([type]) => type !== 'AWS::IAM::OIDCProvider')).toEqual([
      ['AWS::EKS::PodIdentityAssociation', undefined, undefined],
      ['AWS::IAM::Role', undefined, undefined],
    ]);
  });

  test.each([
    [RemovalPolicy.RETAIN, 'Retain', 'Retain'],
    [RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, 'RetainExceptOnCreate', 'Retain'],
    [RemovalPolicy.DESTROY, 'Delete', 'Delete'],
  ])('%s applies to the role, its grants policy and the association, never to the shared provider, agent or manifests', (policy, deletion, replace) => {
    // GIVEN
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket', { removalPolicy: RemovalPolicy.DESTROY });
    new IrsaServiceAccount(stack, 'Other', { cluster: cluster(), name: 'other', manifestDelivery: ManifestDelivery.gitOps() });

    // WHEN
    const api = new IrsaServiceAccount(stack, 'Api', {
      cluster: cluster({ installPodIdentityAgent: true }),
      name: 'api',
      identityType: IdentityType.IRSA_AND_POD_IDENTITY,
      roleOptions: { grantsPolicyType: GrantsPolicyType.CUSTOMER_MANAGED },
      removalPolicy: policy,
    });
    bucket.grantRead(api);

    // THEN
    expect(policiesByType(stack)).toEqual([
      ['AWS::EKS::Addon', 'Retain', 'Retain'],
      ['AWS::EKS::PodIdentityAssociation', deletion, replace],
      ['AWS::IAM::ManagedPolicy', deletion, replace],
      ['AWS::IAM::OIDCProvider', 'Retain', 'Retain'],
      ...[['AWS::IAM::Role', deletion, replace], ['AWS::IAM::Role', undefined, undefined]]
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      ['AWS::S3::Bucket', 'Delete', 'Delete'],
    ]);
  });

  test('leaves a role given with role as it is', () => {
    // GIVEN
    const stack = newStack();
    const role = new iam.Role(stack, 'Given', { assumedBy: new iam.AccountRootPrincipal() });

    // WHEN
    new IrsaServiceAccount(stack, 'Api', { cluster: cluster(), name: 'api', role, identityType: IdentityType.POD_IDENTITY, removalPolicy: RemovalPolicy.RETAIN });

    // THEN
    expect(policiesByType(stack)).toEqual([
      ['AWS::EKS::PodIdentityAssociation', 'Retain', 'Retain'],
      ['AWS::IAM::Role', undefined, undefined],
    ]);
  });

  test('fails for RemovalPolicy.SNAPSHOT, which neither a role nor an association supports', () => {
    const stack = newStack();
    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: cluster(), name: 'api', removalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow('[cdk-irsa] Stack/Api: removalPolicy RemovalPolicy.SNAPSHOT does not apply to an IAM role or a Pod Identity association. '
        + 'Use RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE or RemovalPolicy.DESTROY, or leave it out.');
  });
});
