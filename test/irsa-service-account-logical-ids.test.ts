import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ClusterOidcProvider, IdentityType, IrsaCluster, IrsaServiceAccount, IrsaServiceAccountOptions, ManifestDelivery } from '../lib';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const ISSUER_URL = `https://${ISSUER}`;
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;

const prod = (_stack?: Stack) => IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL });

/** The IDs of the template's resources, by type. */
function idsByType(stack: Stack): { [type: string]: string[] } {
  const byType: { [type: string]: string[] } = {};
  for (const [id, resource] of Object.entries<any>(Template.fromStack(stack).toJSON().Resources ?? {})) {
    (byType[resource.Type] ??= []).push(id);
  }
  return byType;
}

/** The template of one stack with one service account, made under `parent` (a path below the stack) with construct ID `id`. */
type Describe = (stack: Stack) => IrsaCluster;

function templateWith(parents: string[], id: string, options: Partial<IrsaServiceAccountOptions> = {}, cluster: Describe = prod): any {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  let scope: Construct = stack;
  for (const parent of parents) {
    scope = new Construct(scope, parent);
  }
  new IrsaServiceAccount(scope, id, { cluster: cluster(stack), name: 'api', namespace: 'payments', manifestDelivery: ManifestDelivery.none(), ...options });
  return Template.fromStack(stack).toJSON();
}

describe('IrsaServiceAccount logical IDs', () => {
  test('name the role and the association after the cluster, the namespace and the name, not the construct path', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    new IrsaServiceAccount(new Construct(stack, 'Team'), 'Api', {
      cluster: prod(), name: 'api', namespace: 'payments', identityType: IdentityType.IRSA_AND_POD_IDENTITY, manifestDelivery: ManifestDelivery.none(),
    });
    new IrsaServiceAccount(stack, 'Worker', { cluster: prod(), name: 'batch-worker.v2', namespace: 'kube-system', manifestDelivery: ManifestDelivery.none() });

    const ids = idsByType(stack);
    expect(ids['AWS::IAM::Role'].sort()).toEqual(['ProdKubeSystemBatchWorkerV2Role1D9517D8', 'ProdPaymentsApiRole882AF03B']);
    expect(ids['AWS::EKS::PodIdentityAssociation']).toEqual(['ProdPaymentsApiPodIdentityAssociation882AF03B']);
  });

  test.each([
    ['renamed', [], 'PaymentsApi'],
    ['moved under another construct', ['Payments', 'Services'], 'Api'],
  ])('leave the template as it was when the construct is %s inside its stack', (_, parents, id) => {
    const options = { identityType: IdentityType.IRSA_AND_POD_IDENTITY };

    expect(templateWith(parents, id, options)).toEqual(templateWith([], 'Api', options));
  });

  test('stay when the same cluster is described another way', () => {
    const imported = (stack: Stack) => IrsaCluster.fromCluster(eks.Cluster.fromClusterAttributes(stack, 'Prod', {
      clusterName: 'prod',
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Layer', 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1'),
      openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN),
    }));
    const byArn = (stack: Stack) => IrsaCluster.fromAttributes({
      clusterName: 'prod', openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn(stack, 'P', PROVIDER_ARN),
    });
    const roleIds = [prod, byArn, imported]
      .map((cluster) => Object.entries<any>(templateWith([], 'Api', {}, cluster).Resources)
        .filter(([, r]) => r.Type === 'AWS::IAM::Role').map(([logicalId]) => logicalId));

    expect(roleIds).toEqual([['ProdPaymentsApiRole882AF03B'], ['ProdPaymentsApiRole882AF03B'], ['ProdPaymentsApiRole882AF03B']]);
  });

  test('stay when an aws-eks-v2 cluster made in the app with a name is described by its attributes instead', () => {
    const named = (stack: Stack) => new eksv2.Cluster(stack, 'Prod', {
      clusterName: 'prod', version: eksv2.KubernetesVersion.V1_32, defaultCapacityType: eksv2.DefaultCapacityType.NODEGROUP, defaultCapacity: 0,
    });
    const roles = (describe: Describe) => {
      const template = templateWith([], 'Api', { identityType: IdentityType.POD_IDENTITY }, describe);
      return Object.entries<any>(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName?.startsWith?.('prod-'))
        .map(([logicalId, r]) => `${logicalId} ${r.Properties.RoleName}`);
    };

    const made = roles((stack) => IrsaCluster.fromClusterV2(named(stack)));
    const byAttributes = roles(() => IrsaCluster.fromAttributes({ clusterName: 'prod', podIdentityAgentInstalled: true }));

    expect(made).toEqual(['ProdPaymentsApiRole882AF03B prod-payments-api-15156dd7']);
    expect(byAttributes).toEqual(made);
  });

  test('change with a role name the user gives (a new name replaces the role anyway)', () => {
    const roles = (template: any) => Object.keys(template.Resources).filter((id) => template.Resources[id].Type === 'AWS::IAM::Role');

    expect(roles(templateWith([], 'Api', { roleOptions: { roleName: 'payments-api' } }))).toEqual(['ProdPaymentsApiRole17EB3875']);
  });

  test('tell apart the roles of clusters named alike in two regions, in one stack, by the role names they need', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const usEast = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE' });
    const options = { name: 'a', manifestDelivery: ManifestDelivery.none() };
    new IrsaServiceAccount(stack, 'UsEast', { cluster: usEast, ...options, roleOptions: { roleName: 'prod-a-us-east-1' } });
    new IrsaServiceAccount(stack, 'EuWest', { cluster: prod(), ...options, roleOptions: { roleName: 'prod-a-eu-west-1' } });

    expect(idsByType(stack)['AWS::IAM::Role']).toHaveLength(2);
  });

  test('refuse two service accounts whose role would take one ID, and say how to tell them apart', () => {
    // An environment-agnostic stack: no deterministic role names, so no role name conflict first.
    const stack = new Stack(new App(), 'Stack');
    const usEast = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE' });
    const options = { name: 'a', manifestDelivery: ManifestDelivery.none() };
    new IrsaServiceAccount(stack, 'UsEast', { cluster: usEast, ...options });

    expect(() => new IrsaServiceAccount(stack, 'EuWest', { cluster: prod(), ...options })).toThrow(
      '[cdk-irsa] Stack/EuWest: service account default/a of a cluster named "prod" is defined twice in stack Stack (also at Stack/UsEast), '
      + 'for two clusters of that name: its role would have one logical ID twice. Give each a roleOptions.roleName of its own, or define the '
      + 'service accounts of each cluster in a stack of their own.');
  });

  test('refuse two Pod Identity service accounts whose association would take one ID, and say to split the stack', () => {
    const stack = new Stack(new App(), 'Stack');
    const usEast = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE' });
    const options = {
      name: 'a', manifestDelivery: ManifestDelivery.none(), identityType: IdentityType.IRSA_AND_POD_IDENTITY, podIdentity: { pinSessionTags: false },
    };
    new IrsaServiceAccount(stack, 'UsEast', { cluster: usEast, ...options, roleOptions: { roleName: 'prod-a-us-east-1' } });

    expect(() => new IrsaServiceAccount(stack, 'EuWest', { cluster: prod(), ...options, roleOptions: { roleName: 'prod-a-eu-west-1' } })).toThrow(
      '[cdk-irsa] Stack/EuWest: service account default/a of a cluster named "prod" is defined twice in stack Stack (also at Stack/UsEast), '
      + 'for two clusters of that name: its Pod Identity association would have one logical ID twice. Define the service accounts of each '
      + 'cluster in a stack of their own.');
  });

  test('are path-based where the namespace is known only at deploy', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const namespace = new Construct(stack, 'Ns');
    const sa = new IrsaServiceAccount(stack, 'Api', {
      cluster: prod(), name: 'api', namespace: new CfnParameter(namespace, 'Namespace').valueAsString, manifestDelivery: ManifestDelivery.none(),
    });

    expect(stack.resolve((sa.role.node.defaultChild as iam.CfnRole).logicalId)).toEqual(stack.getLogicalId(sa.role.node.defaultChild as iam.CfnRole));
  });

  describe('role name where the namespace or the name is known only at deploy', () => {
    /** The role name of service account `api` whose namespace is a parameter, after `unrelated` other parameters. */
    function roleNameAfter(unrelated: number, options: { id?: string; name?: string; mode?: IdentityType } = {}): string {
      const stack = new Stack(new App(), 'Stack', { env: ENV });
      for (let i = 0; i < unrelated; i++) {
        new CfnParameter(stack, `Unrelated${i}`);
      }
      const sa = new IrsaServiceAccount(stack, options.id ?? 'Api', {
        cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL, podIdentityAgentInstalled: true }),
        name: options.name ?? 'api', namespace: new CfnParameter(stack, 'Namespace').valueAsString,
        identityType: options.mode, manifestDelivery: ManifestDelivery.none(),
      });
      return stack.resolve((sa.role.node.defaultChild as iam.CfnRole).roleName);
    }

    test('leaves the token out and hashes the construct path instead, so that unrelated tokens do not rename the role', () => {
      expect(roleNameAfter(0)).toMatch(/^prod-api-[0-9a-f]{8}$/);
      expect(roleNameAfter(3)).toEqual(roleNameAfter(0));
      expect(roleNameAfter(3, { mode: IdentityType.POD_IDENTITY })).toEqual(roleNameAfter(0));
    });

    test('tells apart service accounts of one name by their construct path', () => {
      expect(roleNameAfter(0, { id: 'Other' })).toMatch(/^prod-api-[0-9a-f]{8}$/);
      expect(roleNameAfter(0, { id: 'Other' })).not.toEqual(roleNameAfter(0));
    });

    test('is the hash alone where the cluster name, the namespace and the name are all tokens', () => {
      const stack = new Stack(new App(), 'Stack', { env: ENV });
      const sa = new IrsaServiceAccount(stack, 'Api', {
        cluster: IrsaCluster.fromAttributes({ clusterName: new CfnParameter(stack, 'Cluster').valueAsString, issuerUrl: ISSUER_URL }),
        name: new CfnParameter(stack, 'Name').valueAsString, namespace: new CfnParameter(stack, 'Namespace').valueAsString,
        manifestDelivery: ManifestDelivery.none(),
      });
      expect(stack.resolve((sa.role.node.defaultChild as iam.CfnRole).roleName)).toMatch(/^[0-9a-f]{8}$/);
    });

    test('keeps the name of a literal namespace and name as it was (no path in the hash)', () => {
      const first = templateWith([], 'Api');
      const moved = templateWith(['Team'], 'Renamed');
      const names = (template: any) => Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role').map((r) => r.Properties.RoleName);
      expect(names(moved)).toEqual(names(first));
      expect(names(first)).toEqual([expect.stringMatching(/^prod-payments-api-[0-9a-f]{8}$/)]);
    });
  });

  test('give way to the user\'s overrideLogicalId()', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const sa = new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', manifestDelivery: ManifestDelivery.none() });

    (sa.role.node.defaultChild as iam.CfnRole).overrideLogicalId('ApiRoleDE7A08EC');

    expect(idsByType(stack)['AWS::IAM::Role']).toEqual(['ApiRoleDE7A08EC']);
  });
});
