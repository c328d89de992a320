import * as fs from 'fs';
import * as path from 'path';
import { App, Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { GrantsPolicyType, IdentityType, IrsaCluster, IrsaRole, IrsaServiceAccount, ManifestDelivery } from '../lib';
import { parseJoinedJson } from './util';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const CLUSTER_ARN = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';

function importedCluster(extra: { installPodIdentityAgent?: boolean; podIdentityAgentInstalled?: boolean } = {}) {
  return IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: `https://${ISSUER}`, clusterArn: CLUSTER_ARN, ...extra });
}

function newStack(app = new App()): Stack {
  return new Stack(app, 'Stack', { env: ENV });
}

function podIdentityStatement(condition?: any) {
  return {
    Effect: 'Allow',
    Principal: { Service: 'pods.eks.amazonaws.com' },
    Action: ['sts:AssumeRole', 'sts:TagSession'],
    ...(condition ? { Condition: condition } : {}),
  };
}

function ownedEksCluster(stack: Stack, id = 'Cluster', fargate = false): eks.Cluster {
  const kubectlLayer = lambda.LayerVersion.fromLayerVersionArn(stack, `${id}Kubectl`, 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1');
  return fargate
    ? new eks.FargateCluster(stack, id, { version: eks.KubernetesVersion.V1_32, kubectlLayer })
    : new eks.Cluster(stack, id, { version: eks.KubernetesVersion.V1_32, kubectlLayer, defaultCapacity: 0 });
}

/** An aws-eks-v2 cluster made in the app, with node groups (not EKS Auto Mode, which runs the agent itself). */
function ownedEksV2Cluster(stack: Stack): eksv2.Cluster {
  return new eksv2.Cluster(stack, 'Cluster', {
    version: eksv2.KubernetesVersion.V1_32, defaultCapacityType: eksv2.DefaultCapacityType.NODEGROUP, defaultCapacity: 0,
  });
}

describe('IdentityType.POD_IDENTITY', () => {
  test('makes a role trusted by pods.eks.amazonaws.com, pinned to the session tags of this service account, and the association', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', namespace: 'payments', identityType: IdentityType.POD_IDENTITY });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::EKS::Addon', 0);
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [podIdentityStatement({
        StringEquals: {
          'aws:RequestTag/eks-cluster-arn': CLUSTER_ARN,
          'aws:RequestTag/kubernetes-namespace': 'payments',
          'aws:RequestTag/kubernetes-service-account': 'api',
        },
      })],
    });
    expect(template.toJSON().Resources.ProdPaymentsApiPodIdentityAssociation882AF03B).toEqual({
      Type: 'AWS::EKS::PodIdentityAssociation',
      Properties: { ClusterName: 'prod', Namespace: 'payments', ServiceAccount: 'api', RoleArn: { 'Fn::GetAtt': ['ProdPaymentsApiRole882AF03B', 'Arn'] } },
    });
  });

  test('delivers the ServiceAccount without a role annotation', () => {
    const app = new App();
    const stack = newStack(app);

    const sa = new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', namespace: 'payments', identityType: IdentityType.POD_IDENTITY });

    expect(sa.manifest.toJson().metadata.annotations).toBeUndefined();
    expect(sa.manifestFile).toEqual('Stack.service-accounts/prod/service-accounts.yaml');
    expect(sa.podIdentityAssociation).toBeDefined();
  });

  test('derives the cluster ARN from the stack when none is given', () => {
    const stack = newStack();

    new IrsaServiceAccount(stack, 'Api', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod' }),
      name: 'api',
      identityType: IdentityType.POD_IDENTITY,
    });

    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals['aws:RequestTag/eks-cluster-arn'])
      .toEqual('arn:aws:eks:eu-west-1:123456789012:cluster/prod');
  });

  test('does not pin session tags with pinSessionTags: false, for a role meant to be shared', () => {
    const stack = newStack();

    new IrsaServiceAccount(stack, 'Api', {
      cluster: importedCluster(), name: 'api', identityType: IdentityType.POD_IDENTITY, podIdentity: { pinSessionTags: false },
    });

    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([podIdentityStatement()]);
  });

  test('shares an unpinned role between service accounts', () => {
    const stack = newStack();
    const role = new IrsaRole(stack, 'Shared', { roleName: 'shared' });

    for (const name of ['a', 'b']) {
      new IrsaServiceAccount(stack, name, {
        cluster: importedCluster(), name, role, identityType: IdentityType.POD_IDENTITY, podIdentity: { pinSessionTags: false },
      });
    }

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 2);
    expect(template.toJSON().Resources.SharedDACC02AA.Properties.AssumeRolePolicyDocument.Statement).toEqual([podIdentityStatement()]);
  });

  describe('a role shared by pinned and unpinned service accounts', () => {
    const sessionPolicy = () => new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] })],
    });
    const unpinned: Array<[string, any]> = [
      ['pinSessionTags: false', { podIdentity: { pinSessionTags: false } }],
      ['disableSessionTags: true with a sessionPolicy', { podIdentity: { disableSessionTags: true, sessionPolicy: sessionPolicy() } }],
    ];

    test.each(unpinned)('fails for a pinned service account, then one with %s', (_, options) => {
      const stack = newStack();
      const role = new IrsaRole(stack, 'Shared', { roleName: 'shared' });
      new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', role, identityType: IdentityType.POD_IDENTITY });

      expect(() => new IrsaServiceAccount(stack, 'Reports', {
        cluster: importedCluster(), name: 'reports', role, identityType: IdentityType.POD_IDENTITY, ...options,
      })).toThrow('the role Stack/Shared would trust EKS Pod Identity pinned to default/api and also unpinned or partly pinned (no pins; '
        + 'from podIdentity.pinSessionTags: false, podIdentity.disableSessionTags: true or addPodIdentityTrust() without all of clusterArn, namespace and serviceAccount). '
        + 'Such a statement admits every association in the account that matches the tags it does pin, so the pins of the others would be void. '
        + 'Pin all three, give the service accounts that cannot be pinned a role of their own, or, if the role is '
        + 'meant to be shared unpinned, create the shared role with allowUnpinnedPodIdentity: true.');
    });

    test.each(unpinned)('fails for a service account with %s, then a pinned one', (_, options) => {
      const stack = newStack();
      const role = new IrsaRole(stack, 'Shared', { roleName: 'shared' });
      new IrsaServiceAccount(stack, 'Reports', {
        cluster: importedCluster(), name: 'reports', role, identityType: IdentityType.POD_IDENTITY, ...options,
      });

      expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', role, identityType: IdentityType.POD_IDENTITY }))
        .toThrow('the role Stack/Shared would trust EKS Pod Identity pinned to default/api and also unpinned');
    });

    test('fails the same way for a plain iam.Role, in either order', () => {
      const stack = newStack();
      const pinnedFirst = new iam.Role(stack, 'PinnedFirst', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      const openFirst = new iam.Role(stack, 'OpenFirst', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      const cluster = importedCluster();
      new IrsaServiceAccount(stack, 'A', { cluster, name: 'a', role: pinnedFirst, identityType: IdentityType.POD_IDENTITY });
      new IrsaServiceAccount(stack, 'B', { cluster, name: 'b', role: openFirst, identityType: IdentityType.POD_IDENTITY, podIdentity: { pinSessionTags: false } });

      expect(() => new IrsaServiceAccount(stack, 'C', { cluster, name: 'c', role: pinnedFirst, identityType: IdentityType.POD_IDENTITY, podIdentity: { pinSessionTags: false } }))
        .toThrow('the role Stack/PinnedFirst would trust EKS Pod Identity pinned to default/a and also unpinned');
      expect(() => new IrsaServiceAccount(stack, 'D', { cluster, name: 'd', role: openFirst, identityType: IdentityType.POD_IDENTITY }))
        .toThrow('the role Stack/OpenFirst would trust EKS Pod Identity pinned to default/d and also unpinned');
    });

    test.each([
      ['only serviceAccount', { serviceAccount: 'reporter' }, 'only serviceAccount "reporter"'],
      ['only clusterArn', { clusterArn: CLUSTER_ARN }, 'only clusterArn'],
      ['clusterArn and namespace', { clusterArn: CLUSTER_ARN, namespace: 'default' }, 'only clusterArn, namespace "default"'],
    ])('fails for a pinned service account, then addPodIdentityTrust() with %s', (_, pin, described) => {
      const stack = newStack();
      const role = new IrsaRole(stack, 'Shared', { roleName: 'shared' });
      new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', role, identityType: IdentityType.POD_IDENTITY });

      expect(() => role.addPodIdentityTrust(pin))
        .toThrow(`the role Stack/Shared would trust EKS Pod Identity pinned to default/api and also unpinned or partly pinned (${described}; `);
      const shared = new IrsaRole(stack, 'Open', { roleName: 'open', allowUnpinnedPodIdentity: true });
      new IrsaServiceAccount(stack, 'Other', { cluster: importedCluster(), name: 'other', role: shared, identityType: IdentityType.POD_IDENTITY });
      expect(() => shared.addPodIdentityTrust(pin)).not.toThrow();
    });

    test('fails for a plain iam.Role whose pinned service account meets a hand-written statement pinning only the namespace', () => {
      const stack = newStack();
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      role.assumeRolePolicy!.addStatements(iam.PolicyStatement.fromJson({
        Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: { StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'default', 'aws:RequestTag/kubernetes-service-account': 'b' } },
      }));

      expect(() => new IrsaServiceAccount(stack, 'A', { cluster: importedCluster(), name: 'a', role, identityType: IdentityType.POD_IDENTITY }))
        .toThrow('the role Stack/Role would trust EKS Pod Identity pinned to default/a and also unpinned or partly pinned (only namespace "default", serviceAccount "b"; ');
    });

    test('fails for a plain iam.Role made to trust pods.eks.amazonaws.com through a ServicePrincipal (a token until resolved)', () => {
      const stack = newStack();
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });

      expect(() => new IrsaServiceAccount(stack, 'A', { cluster: importedCluster(), name: 'a', role, identityType: IdentityType.POD_IDENTITY }))
        .toThrow('the role Stack/Role would trust EKS Pod Identity pinned to default/a and also unpinned or partly pinned (no pins; ');
    });

    test('fails at synth for an unpinned statement added to a plain iam.Role after its pinned service account', () => {
      const stack = newStack();
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      new IrsaServiceAccount(stack, 'A', { cluster: importedCluster(), name: 'a', role, identityType: IdentityType.POD_IDENTITY });
      role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.ServicePrincipal('pods.eks.amazonaws.com')] }));

      expect(() => Template.fromStack(stack)).toThrow(/^\[cdk-irsa\] the role Stack\/Role would trust EKS Pod Identity pinned to default\/a and also unpinned or partly pinned \(no pins; /);
    });

    test('fails at synth for an unpinned statement added to the assumeRolePolicy of an IrsaRole, unless allowUnpinnedPodIdentity', () => {
      for (const allowUnpinnedPodIdentity of [false, true]) {
        const stack = newStack();
        const role = new IrsaRole(stack, 'Shared', { roleName: 'shared', allowUnpinnedPodIdentity });
        new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', role, identityType: IdentityType.POD_IDENTITY });
        role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.ServicePrincipal('pods.eks.amazonaws.com')] }));

        const synth = () => Template.fromStack(stack);
        if (allowUnpinnedPodIdentity) {
          expect(synth).not.toThrow();
        } else {
          expect(synth).toThrow(new RegExp('^\\[cdk-irsa\\] the role Stack/Shared would trust EKS Pod Identity pinned to default/api and also unpinned or partly pinned '
            + '\\(no pins; .*create the shared role with allowUnpinnedPodIdentity: true \\(pins in statements added to assumeRolePolicy count as well\\)'));
        }
      }
    });

    test('accepts a fully pinned hand-written statement that lists several service accounts', () => {
      const stack = newStack();
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      role.assumeRolePolicy!.addStatements(iam.PolicyStatement.fromJson({
        Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: { StringEquals: { 'aws:RequestTag/eks-cluster-arn': CLUSTER_ARN, 'aws:RequestTag/kubernetes-namespace': 'default', 'aws:RequestTag/kubernetes-service-account': ['b', 'c'] } },
      }));
      new IrsaServiceAccount(stack, 'A', { cluster: importedCluster(), name: 'a', role, identityType: IdentityType.POD_IDENTITY });

      expect(() => Template.fromStack(stack)).not.toThrow();
    });

    test('renders one unpinned statement for a role made with allowUnpinnedPodIdentity: true', () => {
      const stack = newStack();
      const role = new IrsaRole(stack, 'Shared', { roleName: 'shared', allowUnpinnedPodIdentity: true });

      new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', role, identityType: IdentityType.POD_IDENTITY });
      new IrsaServiceAccount(stack, 'Reports', {
        cluster: importedCluster(), name: 'reports', role, identityType: IdentityType.POD_IDENTITY, podIdentity: { pinSessionTags: false },
      });

      expect(Template.fromStack(stack).toJSON().Resources.SharedDACC02AA.Properties.AssumeRolePolicyDocument.Statement)
        .toEqual([podIdentityStatement()]);
    });
  });

  describe('fails for a role in another account than the cluster', () => {
    const message = (role: string) => 'Stack/Api: with EKS Pod Identity the role must be in the cluster\'s account (123456789012), but the role '
      + `${role} is in 222222222222. Make the role in a stack of 123456789012 (or leave role out), and reach 222222222222 with podIdentity.targetRoleArn (role chaining).`;

    test.each([['with', { roleName: 'shared' }], ['without', {}]])('fails for an IrsaRole %s roleName in a stack of another account', (_, roleProps) => {
      const app = new App();
      const stack = newStack(app);
      const other = new Stack(app, 'Other', { env: { account: '222222222222', region: 'eu-west-1' } });
      const role = new IrsaRole(other, 'Shared', roleProps);

      expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', role, identityType: IdentityType.POD_IDENTITY }))
        .toThrow(message('Other/Shared'));
    });

    test('fails for an imported role of another account', () => {
      const stack = newStack();
      const role = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::222222222222:role/shared');

      expect(() => new IrsaServiceAccount(stack, 'Api', {
        cluster: importedCluster(), name: 'api', role, identityType: IdentityType.IRSA_AND_POD_IDENTITY,
      })).toThrow(message('Stack/Imported'));
    });
  });

  test('fails for a cluster of another account, pointing to role chaining', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '222222222222', region: 'eu-west-1' } });

    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', identityType: IdentityType.POD_IDENTITY }))
      .toThrow('EKS Pod Identity associations belong to the cluster\'s account (123456789012), but this service account\'s stack deploys to 222222222222. '
        + 'Define it in a stack of the cluster\'s account, and reach 222222222222 with podIdentity.targetRoleArn (role chaining).');
  });

  test('lets the role assume the target role of role chaining', () => {
    const stack = newStack();

    new IrsaServiceAccount(stack, 'Api', {
      cluster: importedCluster(), name: 'api', identityType: IdentityType.POD_IDENTITY, podIdentity: { targetRoleArn: 'arn:aws:iam::210987654321:role/data-reader' },
    });

    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.Policies).toEqual([{
      PolicyName: 'Grants',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: ['sts:AssumeRole', 'sts:TagSession'], Effect: 'Allow', Resource: 'arn:aws:iam::210987654321:role/data-reader' }],
      },
    }]);
  });

  test('keeps the IRSA trust without the annotation with retainIrsaTrust, for pods not yet restarted', () => {
    const stack = newStack();

    const sa = new IrsaServiceAccount(stack, 'Api', {
      cluster: importedCluster(), name: 'api', identityType: IdentityType.POD_IDENTITY, podIdentity: { retainIrsaTrust: true },
    });

    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.AssumeRolePolicyDocument.Statement.map((s: any) => s.Action)).toEqual(['sts:AssumeRoleWithWebIdentity', ['sts:AssumeRole', 'sts:TagSession']]);
    expect(sa.manifest.toJson().metadata.annotations).toBeUndefined();
  });

  test('fails for retainIrsaTrust outside POD_IDENTITY', () => {
    const stack = newStack();
    expect(() => new IrsaServiceAccount(stack, 'Api', {
      cluster: importedCluster(), name: 'api', identityType: IdentityType.IRSA_AND_POD_IDENTITY, podIdentity: { retainIrsaTrust: true },
    })).toThrow('podIdentity.retainIrsaTrust is for IdentityType.POD_IDENTITY, the step after IRSA_AND_POD_IDENTITY in a migration; the other identity types trust IRSA anyway.');
  });

  test('renders the typed association options, with a session policy only alongside disabled session tags', () => {
    const stack = newStack();
    const sessionPolicy = new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });

    new IrsaServiceAccount(stack, 'Api', {
      cluster: importedCluster(),
      name: 'api',
      identityType: IdentityType.POD_IDENTITY,
      podIdentity: {
        disableSessionTags: true,
        sessionPolicy,
        targetRoleArn: 'arn:aws:iam::210987654321:role/data-reader',
        associationTags: { team: 'payments' },
      },
    });

    const template = Template.fromStack(stack);
    const association = Object.values(template.findResources('AWS::EKS::PodIdentityAssociation'))[0].Properties;
    expect(association).toEqual({
      ClusterName: 'prod',
      Namespace: 'default',
      ServiceAccount: 'api',
      RoleArn: { 'Fn::GetAtt': ['ProdDefaultApiRole94F8F8EA', 'Arn'] },
      TargetRoleArn: 'arn:aws:iam::210987654321:role/data-reader',
      DisableSessionTags: true,
      Tags: [{ Key: 'team', Value: 'payments' }],
      Policy: '{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}',
    });
    // no tags, so nothing to pin
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([podIdentityStatement()]);
  });

  test('installs the agent add-on for an imported cluster only when asked, and only once', () => {
    const app = new App();
    const stack = newStack(app);
    const other = new Stack(app, 'Other', { env: ENV });

    new IrsaServiceAccount(stack, 'A', { cluster: importedCluster({ installPodIdentityAgent: true }), name: 'a', identityType: IdentityType.POD_IDENTITY });
    new IrsaServiceAccount(stack, 'B', { cluster: importedCluster({ installPodIdentityAgent: true }), name: 'b', identityType: IdentityType.POD_IDENTITY });
    new IrsaServiceAccount(other, 'C', { cluster: importedCluster({ installPodIdentityAgent: true }), name: 'c', identityType: IdentityType.POD_IDENTITY });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EKS::Addon', 1);
    template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'eks-pod-identity-agent', ClusterName: 'prod' });
    Template.fromStack(other).resourceCountIs('AWS::EKS::Addon', 0);
    const associations = template.findResources('AWS::EKS::PodIdentityAssociation');
    for (const association of Object.values(associations)) {
      expect(association.DependsOn).toEqual([Object.keys(template.findResources('AWS::EKS::Addon'))[0]]);
    }
  });

  test('installs the agent on each of the clusters named alike in two accounts, once each', () => {
    const app = new App();
    const stacks = [ENV, { ...ENV, account: '210987654321' }].map((env, i) => new Stack(app, `Stack${i}`, { env }));

    for (const stack of stacks) {
      for (const name of ['a', 'b']) {
        new IrsaServiceAccount(stack, name, {
          cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', installPodIdentityAgent: true }), name, identityType: IdentityType.POD_IDENTITY,
        });
      }
    }

    for (const stack of stacks) {
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::EKS::Addon', 1);
      template.hasResourceProperties('AWS::EKS::Addon', { ClusterName: 'prod', AddonName: 'eks-pod-identity-agent' });
    }
  });

  test('fails for a cluster of another region', () => {
    const stack = newStack();
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', clusterArn: 'arn:aws:eks:us-east-1:123456789012:cluster/prod' });

    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', identityType: IdentityType.POD_IDENTITY }))
      .toThrow('[cdk-irsa] Stack/Api: EKS Pod Identity associations belong to the cluster\'s region (us-east-1), but this service account\'s stack '
        + 'deploys to eu-west-1. Define it in a stack of the cluster\'s region.');
  });

  test('uses the agent of a cluster made in the app, once, and keeps one that exists already', () => {
    // GIVEN a cluster whose agent the app added by hand
    const stack = newStack();
    const cluster = ownedEksCluster(stack);
    new eks.CfnAddon(stack, 'HandMadeAgent', { clusterName: cluster.clusterName, addonName: 'eks-pod-identity-agent' });

    // WHEN
    for (const name of ['a', 'b']) {
      new IrsaServiceAccount(stack, name, { cluster: IrsaCluster.fromCluster(cluster), name, identityType: IdentityType.POD_IDENTITY });
    }

    // THEN no second agent
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::EKS::Addon'))).toEqual(['HandMadeAgent']);
    for (const association of Object.values(template.findResources('AWS::EKS::PodIdentityAssociation'))) {
      expect(association.DependsOn).toEqual(['HandMadeAgent']);
    }
  });

  test('uses the cluster\'s own agent add-on where there is none yet', () => {
    const stack = newStack();
    const cluster = ownedEksCluster(stack);

    new IrsaServiceAccount(stack, 'A', { cluster: IrsaCluster.fromCluster(cluster), name: 'a', identityType: IdentityType.POD_IDENTITY });
    new IrsaServiceAccount(stack, 'B', { cluster: IrsaCluster.fromCluster(cluster), name: 'b', identityType: IdentityType.POD_IDENTITY });

    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::EKS::Addon'))).toEqual(['ClusterEksPodIdentityAgentAddonEF717E32']);
    expect(cluster.eksPodIdentityAgent).toBeDefined();
  });

  test.each([
    ['aws-eks', (stack: Stack) => IrsaCluster.fromCluster(ownedEksCluster(stack))],
    ['aws-eks-v2', (stack: Stack) => IrsaCluster.fromClusterV2(ownedEksV2Cluster(stack))],
  ])('retains the %s cluster\'s own agent add-on, which EKS keeps running if it is ever deleted', (_, cluster) => {
    const stack = newStack();

    new IrsaServiceAccount(stack, 'Api', { cluster: cluster(stack), name: 'api', identityType: IdentityType.POD_IDENTITY });

    // Going back to IRSA, or removing the last Pod Identity service account, must not uninstall the agent cluster-wide.
    const addons = Object.values(Template.fromStack(stack).findResources('AWS::EKS::Addon'));
    expect(addons).toEqual([{
      Type: 'AWS::EKS::Addon',
      Properties: { AddonName: 'eks-pod-identity-agent', ClusterName: { Ref: expect.any(String) }, PreserveOnDelete: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    }]);
  });

  test('retains the cluster\'s own agent add-on also where code read cluster.eksPodIdentityAgent first', () => {
    const stack = newStack();
    const cluster = ownedEksCluster(stack);
    const agent = cluster.eksPodIdentityAgent;

    new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromCluster(cluster), name: 'api', identityType: IdentityType.POD_IDENTITY });

    const template = Template.fromStack(stack).toJSON();
    expect(template.Resources[stack.resolve((agent!.node.defaultChild as eks.CfnAddon).logicalId)]).toMatchObject({
      DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { PreserveOnDelete: true },
    });
  });

  test('leaves the deletion policy and preserveOnDelete that the app set on its agent add-on', () => {
    const stack = newStack();
    const cluster = ownedEksCluster(stack);
    const addon = new eks.CfnAddon(stack, 'HandMadeAgent', { clusterName: cluster.clusterName, addonName: 'eks-pod-identity-agent', preserveOnDelete: false });
    addon.applyRemovalPolicy(RemovalPolicy.DESTROY);

    new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromCluster(cluster), name: 'api', identityType: IdentityType.POD_IDENTITY });

    expect(Template.fromStack(stack).toJSON().Resources.HandMadeAgent).toMatchObject({
      DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete', Properties: { PreserveOnDelete: false },
    });
  });

  test('lets the cluster\'s own agent add-on go, with the cluster\'s removalPolicy DESTROY', () => {
    const stack = newStack();

    new IrsaServiceAccount(stack, 'Api', {
      cluster: IrsaCluster.fromCluster(ownedEksCluster(stack), { removalPolicy: RemovalPolicy.DESTROY }), name: 'api', identityType: IdentityType.POD_IDENTITY,
    });

    const [addon] = Object.values(Template.fromStack(stack).findResources('AWS::EKS::Addon'));
    expect(addon).toEqual({
      Type: 'AWS::EKS::Addon',
      Properties: { AddonName: 'eks-pod-identity-agent', ClusterName: { Ref: expect.any(String) }, PreserveOnDelete: false },
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  test('uses an agent add-on of aws-eks-v2 that the app has already, and makes no second one', () => {
    const stack = newStack();
    const cluster = ownedEksV2Cluster(stack);
    new eksv2.Addon(stack, 'HandMadeAgent', { cluster, addonName: 'eks-pod-identity-agent' });

    new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromClusterV2(cluster), name: 'api', identityType: IdentityType.POD_IDENTITY });

    expect(Object.keys(Template.fromStack(stack).findResources('AWS::EKS::Addon'))).toEqual([expect.stringMatching(/^HandMadeAgent/)]);
  });

  describe('the agent of a cluster known only by its attributes', () => {
    const WARNING = /^Stack\/Api uses EKS Pod Identity on cluster "prod", which is known only by its attributes: cdk-irsa cannot tell whether the Pod Identity agent runs there, and without it pods get no credentials\. Say so in IrsaCluster\.fromAttributes\(\): podIdentityAgentInstalled: true .* or installPodIdentityAgent: true to install it from here\. \[ack: cdk-irsa:podIdentityAgentUnknown\]/;

    function warningsOf(stack: Stack): string[] {
      return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    }

    test('warns when nothing says whether the agent runs', () => {
      const stack = newStack();

      new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', identityType: IdentityType.POD_IDENTITY });

      expect(warningsOf(stack)).toEqual([expect.stringMatching(WARNING)]);
    });

    test.each([
      ['installed already (or EKS Auto Mode)', { podIdentityAgentInstalled: true }, 0],
      ['installed from here', { installPodIdentityAgent: true }, 1],
    ])('does not warn when the agent is %s', (_what, extra, addons) => {
      const stack = newStack();

      new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(extra), name: 'api', identityType: IdentityType.POD_IDENTITY });

      expect(warningsOf(stack)).toEqual([]);
      Template.fromStack(stack).resourceCountIs('AWS::EKS::Addon', addons);
    });

    test('warns the other stacks that the stack which installs the agent is the one declared first, and says how to pin it', () => {
      const app = new App();
      const [first, second] = ['First', 'Second'].map((id) => new Stack(app, id, { env: ENV }));

      for (const stack of [first, second]) {
        for (const name of ['api', 'worker']) {
          new IrsaServiceAccount(stack, name, {
            cluster: importedCluster({ installPodIdentityAgent: true }),
            name,
            namespace: stack.stackName.toLowerCase(),
            identityType: IdentityType.POD_IDENTITY,
          });
        }
      }

      expect(warningsOf(first)).toEqual([]);
      expect(warningsOf(second)).toEqual(['The EKS Pod Identity agent add-on of cluster prod is installed by stack First, whose service accounts come '
        + 'first in the app, and this stack uses it. Which stack installs it follows the order of the code: a stack declared before it would install '
        + 'it again, and that deploy fails as the add-on exists. Give installPodIdentityAgent: true to the cluster in one stack, and '
        + 'podIdentityAgentInstalled: true in the others. [ack: cdk-irsa:agentHomeByOrder]']);
    });

    test('does not warn for IAM roles for service accounts, which need no agent', () => {
      const stack = newStack();

      new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', manifestDelivery: ManifestDelivery.none() });

      expect(warningsOf(stack)).toEqual([]);
    });

    test('fails when the agent is said to be installed and to be installed from here', () => {
      expect(() => importedCluster({ installPodIdentityAgent: true, podIdentityAgentInstalled: true }))
        .toThrow('[cdk-irsa] cluster "prod" has both installPodIdentityAgent and podIdentityAgentInstalled: the first installs the '
          + 'eks-pod-identity-agent add-on, the second says the cluster has the agent already (as an add-on, or built into EKS Auto Mode), '
          + 'and EKS refuses a second copy of an add-on. Keep installPodIdentityAgent if nothing installs the agent yet, else podIdentityAgentInstalled.');
    });
  });

  describe('the agent of an imported aws-eks or aws-eks-v2 cluster', () => {
    const IMPORTED = [
      ['aws-eks', 'IrsaCluster.fromCluster', (stack: Stack, options = {}) =>
        IrsaCluster.fromCluster(eks.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'prod' }), options)],
      ['aws-eks-v2', 'IrsaCluster.fromClusterV2', (stack: Stack, options = {}) =>
        IrsaCluster.fromClusterV2(eksv2.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'prod' }), options)],
    ] as const;

    function warningsOf(stack: Stack): string[] {
      return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    }

    test.each(IMPORTED)('an %s cluster warns, with the same ID, when nothing says whether the agent runs', (_kind, factory, make) => {
      const stack = newStack();

      new IrsaServiceAccount(stack, 'Api', { cluster: make(stack), name: 'api', identityType: IdentityType.POD_IDENTITY, manifestDelivery: ManifestDelivery.none() });

      expect(warningsOf(stack)).toEqual([`Stack/Api uses EKS Pod Identity on cluster "prod", which is imported: cdk-irsa cannot tell whether the Pod `
        + `Identity agent runs there, and without it pods get no credentials. Say so in ${factory}(cluster, options): podIdentityAgentInstalled: true `
        + 'where the eks-pod-identity-agent add-on is installed or the cluster uses EKS Auto Mode, or installPodIdentityAgent: true to install it '
        + 'from here. [ack: cdk-irsa:podIdentityAgentUnknown]']);
    });

    test.each(IMPORTED.flatMap(([kind, , make]) => [
      [kind, 'installed already (or EKS Auto Mode)', make, { podIdentityAgentInstalled: true }, 0],
      [kind, 'installed from here', make, { installPodIdentityAgent: true }, 1],
    ] as const))('an %s cluster does not warn when the agent is %s', (_kind, _what, make, options, addons) => {
      const stack = newStack();

      new IrsaServiceAccount(stack, 'Api', { cluster: make(stack, options), name: 'api', identityType: IdentityType.POD_IDENTITY, manifestDelivery: ManifestDelivery.none() });

      expect(warningsOf(stack)).toEqual([]);
      Template.fromStack(stack).resourceCountIs('AWS::EKS::Addon', addons);
    });

    test.each(IMPORTED)('an %s cluster refuses both agent options', (_kind, _factory, make) => {
      expect(() => make(newStack(), { installPodIdentityAgent: true, podIdentityAgentInstalled: true }))
        .toThrow('[cdk-irsa] cluster "prod" has both installPodIdentityAgent and podIdentityAgentInstalled');
    });
  });

  describe('on an aws-eks-v2 cluster made in the app', () => {
    function v2Cluster(stack: Stack, props: Partial<eksv2.ClusterProps> = {}): eksv2.Cluster {
      return new eksv2.Cluster(stack, 'Cluster', {
        version: eksv2.KubernetesVersion.V1_32,
        kubectlProviderOptions: { kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1') },
        ...props,
      });
    }

    test('with EKS Auto Mode (the default), adds no agent add-on: Auto Mode runs the agent', () => {
      const stack = newStack();
      const cluster = v2Cluster(stack);

      new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromClusterV2(cluster), name: 'api', identityType: IdentityType.POD_IDENTITY });

      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::EKS::Addon', 0);
      template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 1);
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('podIdentityAgentUnknown'))).toEqual([]);
    });

    test('with nodegroups, adds the cluster\'s agent add-on', () => {
      const stack = newStack();
      const cluster = v2Cluster(stack, { defaultCapacityType: eksv2.DefaultCapacityType.NODEGROUP, defaultCapacity: 0 });

      new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromClusterV2(cluster), name: 'api', identityType: IdentityType.POD_IDENTITY });

      const template = Template.fromStack(stack);
      template.resourcePropertiesCountIs('AWS::EKS::Addon', { AddonName: 'eks-pod-identity-agent' }, 1);
    });
  });

  test('fails on a Fargate cluster', () => {
    const stack = newStack();
    const cluster = ownedEksCluster(stack, 'Cluster', true);

    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromCluster(cluster), name: 'api', identityType: IdentityType.POD_IDENTITY }))
      .toThrow('Stack/Cluster is a FargateCluster, and EKS Pod Identity is not available for pods on Fargate. Use IdentityType.IRSA.');
  });

  test('allows IRSA on a Fargate cluster', () => {
    const stack = newStack();
    const cluster = ownedEksCluster(stack, 'Cluster', true);

    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromCluster(cluster), name: 'api' })).not.toThrow();
  });

  describe('fails for conflicting options', () => {
    test('fails for a session policy without disabled session tags', () => {
      const stack = newStack();
      expect(() => new IrsaServiceAccount(stack, 'Api', {
        cluster: importedCluster(), name: 'api', identityType: IdentityType.POD_IDENTITY, podIdentity: { sessionPolicy: new iam.PolicyDocument() },
      })).toThrow('podIdentity.sessionPolicy needs disableSessionTags: true: EKS applies a session policy only to sessions without session tags.');
    });

    test.each([['irsa'], ['bogus'], [0], [true]])('fails for identityType %j from JavaScript, which is no IdentityType', (mode) => {
      const stack = newStack();
      expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', identityType: mode as any }))
        .toThrow(`Stack/Api: identityType ${JSON.stringify(mode)} is not an IdentityType: use IdentityType.IRSA, IdentityType.POD_IDENTITY or IdentityType.IRSA_AND_POD_IDENTITY`);
      expect(Template.fromStack(stack).findResources('AWS::EKS::PodIdentityAssociation')).toEqual({});
    });

    test('fails for pinned session tags that are disabled', () => {
      const stack = newStack();
      expect(() => new IrsaServiceAccount(stack, 'Api', {
        cluster: importedCluster(), name: 'api', identityType: IdentityType.POD_IDENTITY, podIdentity: { pinSessionTags: true, disableSessionTags: true },
      })).toThrow('podIdentity.pinSessionTags cannot work with disableSessionTags');
    });

    test('fails for Pod Identity options in IRSA mode', () => {
      const stack = newStack();
      expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', podIdentity: { targetRoleArn: 'arn:aws:iam::1:role/x', disableSessionTags: true } }))
        .toThrow('Stack/Api: podIdentity (targetRoleArn, disableSessionTags) is given, but identityType is left out (IdentityType.IRSA): its options apply to EKS '
          + 'Pod Identity only. Set identityType to IdentityType.POD_IDENTITY or IdentityType.IRSA_AND_POD_IDENTITY, or leave podIdentity out.');
    });

    test('fails for an audience in Pod Identity mode', () => {
      const stack = newStack();
      expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', identityType: IdentityType.POD_IDENTITY, audience: 'vault' }))
        .toThrow('audience applies to IAM roles for service accounts (the projected token); EKS Pod Identity has none.');
    });

    test('fails for IRSA on a cluster known by name only', () => {
      const stack = newStack();
      expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod' }), name: 'api' }))
        .toThrow('cluster "prod" needs issuerUrl or openIdConnectProvider for IAM roles for service accounts');
    });
  });
});

describe('IdentityType.IRSA_AND_POD_IDENTITY', () => {
  test('trusts one role both ways, with the association and the annotation', () => {
    const stack = newStack();

    const sa = new IrsaServiceAccount(stack, 'Api', {
      cluster: importedCluster(), name: 'api', namespace: 'payments', identityType: IdentityType.IRSA_AND_POD_IDENTITY,
    });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 1);
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Federated: { 'Fn::GetAtt': ['IrsaOidcProvider0720465B829363C7', 'Arn'] } },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:payments:api', [`${ISSUER}:aud`]: 'sts.amazonaws.com' } },
      },
      podIdentityStatement({
        StringEquals: {
          'aws:RequestTag/eks-cluster-arn': CLUSTER_ARN,
          'aws:RequestTag/kubernetes-namespace': 'payments',
          'aws:RequestTag/kubernetes-service-account': 'api',
        },
      }),
    ]);
    expect(sa.manifest.toJson().metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': `arn:aws:iam::123456789012:role/${role.RoleName}` });
  });

  test('renders a JSON string when the issuer is a token', () => {
    const stack = newStack();
    const cluster = ownedEksCluster(stack);

    const sa = new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromCluster(cluster), name: 'api', identityType: IdentityType.IRSA_AND_POD_IDENTITY });

    const role = Template.fromStack(stack).toJSON().Resources[stack.resolve((sa.role.node.defaultChild as iam.CfnRole).logicalId)].Properties;
    expect(parseJoinedJson(role.AssumeRolePolicyDocument).Statement[1]).toEqual(podIdentityStatement({
      StringEquals: {
        'aws:RequestTag/eks-cluster-arn': '${GetAtt:Cluster9EE0221C.Arn}',
        'aws:RequestTag/kubernetes-namespace': 'default',
        'aws:RequestTag/kubernetes-service-account': 'api',
      },
    }));
  });
});

describe('switching identity modes', () => {
  test.each([ManifestDelivery.gitOps(), ManifestDelivery.none()])('keeps the role\'s logical ID and name in every mode (%#)', (manifestDelivery) => {
    const roles = [IdentityType.IRSA, IdentityType.IRSA_AND_POD_IDENTITY, IdentityType.POD_IDENTITY].map((identityType) => {
      const stack = newStack();
      new IrsaServiceAccount(stack, 'Api', { cluster: importedCluster(), name: 'api', namespace: 'payments', identityType, manifestDelivery });
      const found = Template.fromStack(stack).findResources('AWS::IAM::Role');
      return Object.entries(found).map(([id, r]) => `${id} ${r.Properties.RoleName}`);
    });

    expect(roles[0]).toHaveLength(1);
    expect(roles[1]).toEqual(roles[0]);
    expect(roles[2]).toEqual(roles[0]);
  });
});

describe('adopting a role', () => {
  test('adds the service account\'s trust to an IrsaRole shared by several service accounts', () => {
    const stack = newStack();
    const role = new IrsaRole(stack, 'Shared', { roleName: 'shared' });
    const cluster = importedCluster();

    new IrsaServiceAccount(stack, 'A', { cluster, name: 'a', role });
    new IrsaServiceAccount(stack, 'B', { cluster, name: 'b', role, identityType: IdentityType.POD_IDENTITY });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    const statements = template.toJSON().Resources.SharedDACC02AA.Properties.AssumeRolePolicyDocument.Statement;
    expect(statements[0].Condition.StringEquals[`${ISSUER}:sub`]).toEqual('system:serviceaccount:default:a');
    expect(statements[1].Condition.StringEquals['aws:RequestTag/kubernetes-service-account']).toEqual('b');
    expect(statements).toHaveLength(2);
  });

  test('writes the literal ARN of an adopted IrsaRole with a literal name into GitOps YAML', () => {
    const stack = newStack();
    const role = new IrsaRole(stack, 'Shared', { roleName: 'shared', path: '/workloads/' });

    const sa = new IrsaServiceAccount(stack, 'A', { cluster: importedCluster(), name: 'a', role, manifestDelivery: ManifestDelivery.gitOps() });

    expect(sa.manifest.roleArn).toEqual('arn:aws:iam::123456789012:role/workloads/shared');
  });

  test('fails for GitOps with an adopted role whose ARN is known only at deploy', () => {
    const stack = newStack();
    const role = new IrsaRole(stack, 'Shared');

    expect(() => new IrsaServiceAccount(stack, 'A', { cluster: importedCluster(), name: 'a', role, manifestDelivery: ManifestDelivery.gitOps() }))
      .toThrow('the ARN of role Stack/Shared is known only at deploy, and GitOps YAML holds it literally: the ARN of a role made in the app '
        + 'is known at synth only where its roleName (and path) are literal. Give it a literal roleName (an IrsaRole, or an iam.Role, with '
        + 'roleName: "api"), or import the role with a literal ARN: iam.Role.fromRoleArn(this, "Role", "arn:aws:iam::123456789012:role/api"); '
        + 'or use another ManifestDelivery.');
  });

  test.each([
    ['a literal roleName', { roleName: 'plain' }, 'arn:aws:iam::123456789012:role/plain'],
    ['a literal roleName and path', { roleName: 'plain', path: '/workloads/' }, 'arn:aws:iam::123456789012:role/workloads/plain'],
  ])('writes the literal ARN of a plain iam.Role with %s for GitOps, as IAM names it', (_what, props, arn) => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Plain', { ...props, assumedBy: new iam.AccountRootPrincipal() });

    const sa = new IrsaServiceAccount(stack, 'A', { cluster: importedCluster(), name: 'a', role, manifestDelivery: ManifestDelivery.gitOps() });

    expect(sa.manifest.roleArn).toEqual(arn);
  });

  test('fails for GitOps with a plain iam.Role without a literal roleName, and says how to give its ARN', () => {
    const stack = newStack();
    const unnamed = new iam.Role(stack, 'Unnamed', { assumedBy: new iam.AccountRootPrincipal() });
    const tokenName = new iam.Role(stack, 'TokenName', { roleName: Aws.STACK_NAME, assumedBy: new iam.AccountRootPrincipal() });

    for (const [id, role] of [['A', unnamed], ['B', tokenName]] as const) {
      const options = { cluster: importedCluster(), name: id.toLowerCase(), role, manifestDelivery: ManifestDelivery.gitOps() };
      expect(() => new IrsaServiceAccount(stack, id, options))
        .toThrow(`[cdk-irsa] Stack/${id}: the ARN of role ${role.node.path} is known only at deploy, and GitOps YAML holds it literally: the ARN of a role `
          + 'made in the app is known at synth only where its roleName (and path) are literal.');
    }
  });

  test('adds statements to a plain iam.Role of the app when the issuer is literal', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Plain', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });

    new IrsaServiceAccount(stack, 'A', { cluster: importedCluster(), name: 'a', role, manifestDelivery: ManifestDelivery.none() });

    const statements = Template.fromStack(stack).findResources('AWS::IAM::Role', {})[Object.keys(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0]]
      .Properties.AssumeRolePolicyDocument.Statement;
    expect(statements[1]).toEqual({
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:default:a', [`${ISSUER}:aud`]: 'sts.amazonaws.com' } },
      Effect: 'Allow',
      Principal: { Federated: { 'Fn::GetAtt': ['IrsaOidcProvider0720465B829363C7', 'Arn'] } },
    });
  });

  test('fails for a plain iam.Role when the issuer is a token', () => {
    const stack = newStack();
    const cluster = ownedEksCluster(stack);
    const role = new iam.Role(stack, 'Plain', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });

    expect(() => new IrsaServiceAccount(stack, 'A', { cluster: IrsaCluster.fromCluster(cluster), name: 'a', role }))
      .toThrow('the role Stack/Plain is a plain iam.Role, and the cluster\'s issuer is known only at deploy');
  });

  test('warns, showing the statement needed, for an imported role', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::123456789012:role/existing');

    const sa = new IrsaServiceAccount(stack, 'A', { cluster: importedCluster(), name: 'a', role });

    const warnings = Template.fromStack(stack) && stack.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === 'aws:cdk:warning');
    expect(warnings.map((w) => String(w.data))).toEqual([expect.stringContaining(
      'The role Stack/Imported is imported, so cdk-irsa cannot add this service account to its trust policy. Add this statement where the role is defined, '
      + `or pods will be refused: [{"Effect":"Allow","Principal":{"Federated":{"Fn::GetAtt":["IrsaOidcProvider0720465B829363C7","Arn"]}},`
      + `"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"${ISSUER}:sub":"system:serviceaccount:default:a","${ISSUER}:aud":"sts.amazonaws.com"}}}]`)]);
    expect(sa.manifest.roleArn).toEqual('arn:aws:iam::123456789012:role/existing');
  });

  test('fails for role options alongside a role', () => {
    const stack = newStack();
    const role = new IrsaRole(stack, 'Shared');
    expect(() => new IrsaServiceAccount(stack, 'A', { cluster: importedCluster(), name: 'a', role, roleOptions: { roleName: 'x', description: 'y' } }))
      .toThrow('Stack/A: roleOptions (roleName, description) shape the role that cdk-irsa creates, but role is given. Set them where that role is made, or leave roleOptions out.');
    expect(() => new IrsaServiceAccount(stack, 'B', {
      cluster: importedCluster(), name: 'b', role, roleOptions: { grantsPolicyType: GrantsPolicyType.CUSTOMER_MANAGED },
    })).toThrow('roleOptions (grantsPolicyType) shape the role that cdk-irsa creates, but role is given.');
  });
});

describe('namespaces and take-over', () => {
  function kubectlSetup() {
    const stack = newStack();
    const cluster = IrsaCluster.fromCluster(ownedEksCluster(stack));
    return { stack, cluster };
  }

  function manifests(stack: Stack): Array<{ id: string; objects: any[]; overwrite?: boolean; dependsOn?: string[] }> {
    const found = Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource');
    return Object.entries(found)
      .filter(([id]) => id.startsWith('IrsaServiceAccountManifests'))
      .map(([id, r]) => ({ id, objects: parseJoinedJson(r.Properties.Manifest), overwrite: r.Properties.Overwrite, dependsOn: r.DependsOn }));
  }

  test('delivers each namespace once, ahead of every ServiceAccount, never labelled for pruning', () => {
    const { stack, cluster } = kubectlSetup();

    new IrsaServiceAccount(stack, 'A', { cluster, name: 'a', namespace: 'one', createNamespace: true });
    new IrsaServiceAccount(stack, 'B', { cluster, name: 'b', namespace: 'two', createNamespace: true });
    new IrsaServiceAccount(stack, 'C', { cluster, name: 'c', namespace: 'one', createNamespace: true });

    const [batch] = manifests(stack);
    expect(batch.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`))
      .toEqual(['Namespace//one', 'Namespace//two', 'ServiceAccount/one/a', 'ServiceAccount/two/b', 'ServiceAccount/one/c']);
    expect(batch.objects[0]).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'one', labels: { 'app.kubernetes.io/managed-by': 'cdk-irsa' } } });
  });

  test('keeps service accounts with overwriteServiceAccount in the one batch, which is then created with kubectl apply', () => {
    const { stack, cluster } = kubectlSetup();

    new IrsaServiceAccount(stack, 'A', { cluster, name: 'a', namespace: 'one', createNamespace: true });
    new IrsaServiceAccount(stack, 'B', { cluster, name: 'b', namespace: 'one', createNamespace: true, overwriteServiceAccount: true });

    const batches = manifests(stack);
    expect(batches.map((b) => [b.overwrite, b.objects.map((o) => o.metadata.name)])).toEqual([[true, ['one', 'a', 'b']]]);
  });

  test('writes namespaces ahead of ServiceAccounts in GitOps YAML', () => {
    const app = new App();
    const stack = newStack(app);

    new IrsaServiceAccount(stack, 'A', { cluster: importedCluster(), name: 'a', namespace: 'one', createNamespace: true });
    new IrsaServiceAccount(stack, 'B', { cluster: importedCluster(), name: 'b', namespace: 'two', createNamespace: true });

    const directory = app.synth().directory;
    const yaml = fs.readFileSync(path.join(directory, 'Stack.service-accounts/prod/service-accounts.yaml'), 'utf8');
    const kinds = yaml.split('---\n').map((doc) => /kind: (\w+)/.exec(doc)![1] + '/' + /name: ([\w-]+)/.exec(doc)![1]);
    expect(kinds).toEqual(['Namespace/one', 'Namespace/two', 'ServiceAccount/a', 'ServiceAccount/b']);
  });

  test('fails when two stacks create the same namespace of one cluster', () => {
    const app = new App();
    const clusterStack = newStack(app);
    const cluster = IrsaCluster.fromCluster(ownedEksCluster(clusterStack));
    const other = new Stack(app, 'Other', { env: ENV });

    new IrsaServiceAccount(clusterStack, 'A', { cluster, name: 'a', namespace: 'one', createNamespace: true });

    expect(() => new IrsaServiceAccount(other, 'B', { cluster, name: 'b', namespace: 'one', createNamespace: true }))
      .toThrow(/namespace one of this cluster is created by Stack\/IrsaServiceAccountManifests\/Cluster\w+ already/);
  });
});
