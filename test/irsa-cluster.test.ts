import { App, CfnParameter, CfnResource, NestedStack, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ClusterOidcProvider, IdentityType, IrsaCluster, IrsaRole, IrsaServiceAccount, ManifestDelivery, ManifestDeliveryKind, ServiceAccountSubject } from '../lib';
import { parseJoinedJson } from './util';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const ISSUER_URL = `https://${ISSUER}`;
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
const KUBECTL_LAYER_ARN = 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1';
const KUBECTL_ROLE_ARN = 'arn:aws:iam::123456789012:role/kubectl';
const NATIVE_OIDC_FLAG = '@aws-cdk/aws-eks:useNativeOidcProvider';

/** Logical IDs of an aws-eks cluster with ID 'Cluster' at the root of a stack, and of the provider cdk-irsa makes for it. */
const CLUSTER_ID = 'Cluster9EE0221C';
const CLUSTER_PROVIDER_ID = 'ClusterIrsaOidcProvider393B6E2C';
/** The `Fn::Select`/`Fn::Split` of the owned cluster's issuer URL, as `parseJoinedJson` writes it. */
const TOKEN_ISSUER = `\${Issuer:GetAtt:${CLUSTER_ID}.OpenIdConnectIssuerUrl}`;

function eksCluster(stack: Stack): eks.Cluster {
  return new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_32,
    defaultCapacity: 0,
    kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', KUBECTL_LAYER_ARN),
  });
}

function eksV2Cluster(stack: Stack, withKubectl: boolean): eksv2.Cluster {
  return new eksv2.Cluster(stack, 'Cluster', {
    version: eksv2.KubernetesVersion.V1_32,
    kubectlProviderOptions: withKubectl
      ? { kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', KUBECTL_LAYER_ARN) }
      : undefined,
  });
}

function webIdentityStatement(providerArn: any, issuer: string, namespace: string, name: string) {
  return {
    Effect: 'Allow',
    Principal: { Federated: providerArn },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${name}`,
        [`${issuer}:aud`]: 'sts.amazonaws.com',
      },
    },
  };
}

/** The role of a service account (cdk-irsa's or aws-cdk-lib's), as its template shows it. */
function roleOf(sa: { readonly role: iam.IRole }): any {
  const stack = Stack.of(sa.role);
  const logicalId = stack.resolve((sa.role.node.defaultChild as iam.CfnRole).logicalId);
  return Template.fromStack(stack).toJSON().Resources[logicalId].Properties;
}

function resourcesOfType(stack: Stack, type: string): string[] {
  return Object.keys(Template.fromStack(stack).findResources(type));
}

describe('IrsaCluster.fromCluster, an aws-eks cluster made in this app', () => {
  test('creates one native AWS::IAM::OIDCProvider for the cluster, shared by its service accounts, with no Lambda-backed provider', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack');
    const cluster = IrsaCluster.fromCluster(eksCluster(stack));

    // WHEN
    const api = new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', namespace: 'payments' });
    const worker = new IrsaServiceAccount(stack, 'Worker', { cluster, name: 'worker', namespace: 'payments' });

    // THEN
    const template = Template.fromStack(stack);
    expect(resourcesOfType(stack, 'AWS::IAM::OIDCProvider')).toEqual([CLUSTER_PROVIDER_ID]);
    expect(template.toJSON().Resources[CLUSTER_PROVIDER_ID].Properties).toEqual({
      Url: { 'Fn::GetAtt': [CLUSTER_ID, 'OpenIdConnectIssuerUrl'] },
      ClientIdList: ['sts.amazonaws.com'],
    });
    template.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
    template.resourceCountIs('Custom::AWSCDKCfnJson', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    const federated = [api, worker].map((sa) => parseJoinedJson(roleOf(sa).AssumeRolePolicyDocument).Statement[0].Principal.Federated);
    expect(federated).toEqual([`\${GetAtt:${CLUSTER_PROVIDER_ID}.Arn}`, `\${GetAtt:${CLUSTER_PROVIDER_ID}.Arn}`]);
  });

  test('trusts the service account in one JSON string (Fn::Join) because the issuer is a token', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack');
    const cluster = IrsaCluster.fromCluster(eksCluster(stack));

    // WHEN
    const api = new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', namespace: 'payments' });

    // THEN
    const document = roleOf(api).AssumeRolePolicyDocument;
    expect(Object.keys(document)).toEqual(['Fn::Join']);
    expect(parseJoinedJson(document)).toEqual({
      Version: '2012-10-17',
      Statement: [webIdentityStatement(`\${GetAtt:${CLUSTER_PROVIDER_ID}.Arn}`, TOKEN_ISSUER, 'payments', 'api')],
    });
  });

  test("lets aws-cdk-lib's own addServiceAccount() reuse the provider rather than create a second one", () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack');
    const eksClusterOfApp = eksCluster(stack);
    const cluster = IrsaCluster.fromCluster(eksClusterOfApp);
    new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api' });

    // WHEN
    const own = eksClusterOfApp.addServiceAccount('Own', { name: 'own' });

    // THEN
    expect(eksClusterOfApp.openIdConnectProvider).toBe(cluster.findOrCreateOidcProvider(stack));
    expect(resourcesOfType(stack, 'AWS::IAM::OIDCProvider')).toEqual([CLUSTER_PROVIDER_ID]);
    Template.fromStack(stack).resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
    expect(roleOf(own).AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Federated: { 'Fn::GetAtt': [CLUSTER_PROVIDER_ID, 'Arn'] },
    });
  });

  test('uses the cluster\'s own native provider where the useNativeOidcProvider feature flag is set', () => {
    // GIVEN
    const stack = new Stack(new App({ context: { [NATIVE_OIDC_FLAG]: true } }), 'Stack');
    const eksClusterOfApp = eksCluster(stack);
    const cluster = IrsaCluster.fromCluster(eksClusterOfApp);

    // WHEN a service account comes first, and aws-cdk-lib's own after it
    new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api' });
    eksClusterOfApp.addServiceAccount('Own', { name: 'own' });

    // THEN there is one provider, the one aws-cdk-lib makes with the flag, whatever the order of the calls
    const providers = resourcesOfType(stack, 'AWS::IAM::OIDCProvider');
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatch(/^ClusterOidcProviderNative[0-9A-F]{8}$/);
    expect(eksClusterOfApp.node.tryFindChild('IrsaOidcProvider')).toBeUndefined();
    expect(cluster.findOrCreateOidcProvider(stack)).toBe(eksClusterOfApp.openIdConnectProvider);
  });

  test('reuses a Lambda-backed provider that the cluster has already, rather than create a second one for the issuer', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack');
    const eksClusterOfApp = eksCluster(stack);
    const existing = eksClusterOfApp.openIdConnectProvider;

    // WHEN
    const api = new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromCluster(eksClusterOfApp), name: 'api' });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    template.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 1);
    const existingId = stack.getLogicalId(existing.node.defaultChild as CfnResource);
    expect(parseJoinedJson(roleOf(api).AssumeRolePolicyDocument).Statement[0].Principal.Federated).toEqual(`\${Ref:${existingId}}`);
  });

  test('reuses a native provider that the cluster has already', () => {
    // GIVEN
    const stack = new Stack(new App({ context: { [NATIVE_OIDC_FLAG]: true } }), 'Stack');
    const eksClusterOfApp = eksCluster(stack);
    const existing = eksClusterOfApp.openIdConnectProvider;

    // WHEN
    const cluster = IrsaCluster.fromCluster(eksClusterOfApp);
    new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api' });

    // THEN
    expect(cluster.findOrCreateOidcProvider(stack)).toBe(existing);
    expect(resourcesOfType(stack, 'AWS::IAM::OIDCProvider')).toEqual([stack.getLogicalId(existing.node.defaultChild as CfnResource)]);
  });

  test('can apply manifests, so service accounts are delivered by kubectl by default', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack');
    const eksClusterOfApp = eksCluster(stack);

    // WHEN
    const cluster = IrsaCluster.fromCluster(eksClusterOfApp);
    const api = new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api' });

    // THEN
    expect(cluster.canApplyManifests).toBe(true);
    expect(cluster.clusterName).toBe(eksClusterOfApp.clusterName);
    expect(api.manifestDelivery.kind).toBe(ManifestDeliveryKind.KUBECTL);
    expect(api.manifestFile).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('Custom::AWSCDK-EKS-KubernetesResource', 1);
  });
});

describe('IrsaCluster.fromClusterV2, an aws-eks-v2 cluster made in this app', () => {
  test('with kubectlProviderOptions can apply manifests: kubectl delivery by default, and one native provider', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: ENV });

    const eksV2ClusterOfApp = eksV2Cluster(stack, true);

    // WHEN
    const cluster = IrsaCluster.fromClusterV2(eksV2ClusterOfApp);
    const api = new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', namespace: 'payments' });

    // THEN
    expect(cluster.canApplyManifests).toBe(true);
    expect(api.manifestDelivery.kind).toBe(ManifestDeliveryKind.KUBECTL);
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::AWSCDK-EKS-KubernetesResource', 1);
    template.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
    template.resourceCountIs('Custom::AWSCDKCfnJson', 0);
    expect(resourcesOfType(stack, 'AWS::IAM::OIDCProvider')).toEqual([CLUSTER_PROVIDER_ID]);
    const clusterId = stack.resolve((eksV2ClusterOfApp.node.defaultChild as CfnResource).logicalId);
    expect(template.toJSON().Resources[CLUSTER_PROVIDER_ID].Properties.Url).toEqual({ 'Fn::GetAtt': [clusterId, 'OpenIdConnectIssuerUrl'] });
    expect(parseJoinedJson(roleOf(api).AssumeRolePolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [webIdentityStatement(`\${GetAtt:${CLUSTER_PROVIDER_ID}.Arn}`, `\${Issuer:GetAtt:${clusterId}.OpenIdConnectIssuerUrl}`, 'payments', 'api')],
    });
  });

  test('without kubectlProviderOptions cannot apply manifests: GitOps delivery by default', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: ENV });

    // WHEN
    const cluster = IrsaCluster.fromClusterV2(eksV2Cluster(stack, false));
    const api = new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', namespace: 'payments' });

    // THEN
    expect(cluster.canApplyManifests).toBe(false);
    expect(api.manifestDelivery.kind).toBe(ManifestDeliveryKind.GITOPS);
    expect(api.manifestFile).toBe('Stack.service-accounts/cluster-44b4e09e/service-accounts.yaml');
    Template.fromStack(stack).resourceCountIs('Custom::AWSCDK-EKS-KubernetesResource', 0);
  });

  test('with a clusterName writes GitOps output into a folder of that name, as for the cluster described by its attributes', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const named = new eksv2.Cluster(stack, 'Cluster', { version: eksv2.KubernetesVersion.V1_32, clusterName: 'green' });

    const api = new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromClusterV2(named), name: 'api', namespace: 'payments',
      manifestDelivery: ManifestDelivery.gitOps() });

    expect(api.manifestFile).toBe('Stack.service-accounts/green/service-accounts.yaml');
  });
});

describe('IrsaCluster.fromCluster, an imported aws-eks cluster', () => {
  function importCluster(stack: Stack, attrs: Partial<eks.ClusterAttributes> = {}): eks.ICluster {
    return eks.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'prod', ...attrs });
  }

  test('reuses the openIdConnectProvider it was imported with, and can apply manifests with a kubectl role', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN);
    const imported = importCluster(stack, {
      openIdConnectProvider: provider,
      kubectlRoleArn: KUBECTL_ROLE_ARN,
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', KUBECTL_LAYER_ARN),
    });

    // WHEN
    const cluster = IrsaCluster.fromCluster(imported);
    const api = new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', namespace: 'payments' });

    // THEN
    expect(cluster.findOrCreateOidcProvider(stack)).toBe(provider);
    expect(cluster.canApplyManifests).toBe(true);
    expect(api.manifestDelivery.kind).toBe(ManifestDeliveryKind.KUBECTL);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(roleOf(api).AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [webIdentityStatement(PROVIDER_ARN, ISSUER, 'payments', 'api')],
    });
  });

  test('fails when imported without openIdConnectProvider, naming the two ways to give one', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const cluster = IrsaCluster.fromCluster(importCluster(stack));

    // WHEN / THEN
    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', manifestDelivery: ManifestDelivery.none() })).toThrow(
      '[cdk-irsa] the imported aws-eks cluster Stack/Imported has no OIDC provider. Pass openIdConnectProvider when importing it, '
      + 'or use IrsaCluster.fromAttributes({ clusterName, issuerUrl }) to have cdk-irsa create or import one.',
    );
  });

  test('without kubectlRoleArn cannot apply manifests: GitOps delivery by default', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const imported = importCluster(stack, { openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN) });

    // WHEN
    const cluster = IrsaCluster.fromCluster(imported);
    const api = new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api' });

    // THEN
    expect(cluster.canApplyManifests).toBe(false);
    expect(cluster.clusterName).toBe('prod');
    expect(api.manifestDelivery.kind).toBe(ManifestDeliveryKind.GITOPS);
    Template.fromStack(stack).resourceCountIs('Custom::AWSCDK-EKS-KubernetesResource', 0);
  });

  test('fails when kubectl delivery is asked for a cluster without a kubectl role or provider', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const cluster = IrsaCluster.fromCluster(importCluster(stack, {
      openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN),
    }));

    // WHEN / THEN
    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', manifestDelivery: ManifestDelivery.kubectl() })).toThrow(
      '[cdk-irsa] Stack/Api: ManifestDelivery.kubectl() needs a cluster that can apply manifests, and "prod" cannot (an imported cluster '
      + 'without a kubectl provider or role, or one known only by its attributes). Use ManifestDelivery.gitOps() or ManifestDelivery.none().',
    );
  });
});

describe('IrsaCluster.fromAttributes', () => {
  const PROVIDER_ID = 'IrsaOidcProvider0720465B829363C7';

  function prod(): IrsaCluster {
    return IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL });
  }

  test('creates the provider from a literal issuer once per account, shared by the service accounts of the stack', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: ENV });

    // WHEN
    const api = new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', namespace: 'payments' });
    const worker = new IrsaServiceAccount(stack, 'Worker', { cluster: prod(), name: 'worker', namespace: 'payments' });

    // THEN
    const template = Template.fromStack(stack);
    expect(resourcesOfType(stack, 'AWS::IAM::OIDCProvider')).toEqual([PROVIDER_ID]);
    expect(template.toJSON().Resources[PROVIDER_ID].Properties).toEqual({ Url: ISSUER_URL, ClientIdList: ['sts.amazonaws.com'] });
    const providerArn = { 'Fn::GetAtt': [PROVIDER_ID, 'Arn'] };
    expect(roleOf(api).AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [webIdentityStatement(providerArn, ISSUER, 'payments', 'api')],
    });
    expect(roleOf(worker).AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [webIdentityStatement(providerArn, ISSUER, 'payments', 'worker')],
    });
  });

  test('imports the provider by ARN in another stack of the same account, which deploys after the stack that creates it', () => {
    // GIVEN
    const app = new App();
    const first = new Stack(app, 'First', { env: ENV });
    const second = new Stack(app, 'Second', { env: ENV });
    new IrsaServiceAccount(first, 'Api', { cluster: prod(), name: 'api' });

    // WHEN
    const worker = new IrsaServiceAccount(second, 'Worker', { cluster: prod(), name: 'worker' });

    // THEN
    expect(resourcesOfType(first, 'AWS::IAM::OIDCProvider')).toEqual([PROVIDER_ID]);
    Template.fromStack(second).resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(roleOf(worker).AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [webIdentityStatement(PROVIDER_ARN, ISSUER, 'default', 'worker')],
    });
    expect(second.dependencies).toEqual([first]);
    expect(first.dependencies).toEqual([]);
  });

  test('creates a provider of its own in a stack of another account', () => {
    // GIVEN
    const app = new App();
    const first = new Stack(app, 'First', { env: ENV });
    const other = new Stack(app, 'Other', { env: { account: '210987654321', region: 'eu-west-1' } });
    new IrsaServiceAccount(first, 'Api', { cluster: prod(), name: 'api' });

    // WHEN
    new IrsaServiceAccount(other, 'Worker', { cluster: prod(), name: 'worker', manifestDelivery: ManifestDelivery.none() });

    // THEN
    expect(resourcesOfType(first, 'AWS::IAM::OIDCProvider')).toEqual([PROVIDER_ID]);
    expect(resourcesOfType(other, 'AWS::IAM::OIDCProvider')).toEqual([PROVIDER_ID]);
    expect(other.dependencies).toEqual([]);
  });

  test('reuses the openIdConnectProvider given and creates none', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN);

    // WHEN
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', openIdConnectProvider: provider });
    const api = new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api' });

    // THEN
    expect(cluster.findOrCreateOidcProvider(stack)).toBe(provider);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(roleOf(api).AssumeRolePolicyDocument.Statement).toEqual([webIdentityStatement(PROVIDER_ARN, ISSUER, 'default', 'api')]);
  });

  test('uses a provider that the app imports by its literal ARN for the issuer and account, in any stack, rather than create a second', () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const other = new Stack(app, 'Other', { env: ENV });
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN);
    new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', openIdConnectProvider: provider }), name: 'api' });

    // WHEN
    const reports = new IrsaServiceAccount(other, 'Reports', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'reports' });

    // THEN
    Template.fromStack(stack).resourceCountIs('AWS::IAM::OIDCProvider', 0);
    Template.fromStack(other).resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(roleOf(reports).AssumeRolePolicyDocument.Statement).toEqual([webIdentityStatement(PROVIDER_ARN, ISSUER, 'default', 'reports')]);
    expect(other.dependencies).toEqual([]);
  });

  test('creates a provider where the imported one is of another account', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN.replace('123456789012', '222222222222'));

    new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'api' });

    Template.fromStack(stack).resourceCountIs('AWS::IAM::OIDCProvider', 1);
  });

  test('cannot apply manifests: GitOps delivery by default', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: ENV });

    // WHEN
    const cluster = prod();
    const api = new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api' });

    // THEN
    expect(cluster.canApplyManifests).toBe(false);
    expect(cluster.clusterName).toBe('prod');
    expect(api.manifestDelivery.kind).toBe(ManifestDeliveryKind.GITOPS);
  });

  test('fails when the issuer URL and the provider name different issuers', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN);
    const otherIssuerUrl = 'https://oidc.eks.eu-west-1.amazonaws.com/id/0THER000000000000000000000000000';

    // WHEN / THEN
    expect(() => IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: otherIssuerUrl, openIdConnectProvider: provider })).toThrow(
      `[cdk-irsa] issuerUrl "${otherIssuerUrl}" does not match openIdConnectProvider "${PROVIDER_ARN}", which trusts "${ISSUER_URL}". `
      + 'Give the provider of this cluster, or leave one of the two out.',
    );
  });

  test('fails when a service account needs a provider and neither issuerUrl nor openIdConnectProvider is given', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod' });

    // WHEN / THEN
    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api' })).toThrow(
      '[cdk-irsa] Stack/Api: cluster "prod" needs issuerUrl or openIdConnectProvider for IAM roles for service accounts: cdk-irsa cannot find the '
      + 'cluster\'s issuer otherwise.',
    );
  });

  test('fails on an empty cluster name', () => {
    expect(() => IrsaCluster.fromAttributes({ clusterName: '', issuerUrl: ISSUER_URL })).toThrow('[cdk-irsa] clusterName is empty. Name the EKS cluster.');
  });

  test.each([
    ['http', `http://${ISSUER}`, /^\[cdk-irsa\] issuerUrl "http:\/\/oidc[^"]+" must start with "https:\/\/": IAM only trusts HTTPS issuers\./],
    ['a trailing slash', `${ISSUER_URL}/`, /^\[cdk-irsa\] issuerUrl "https:\/\/oidc[^"]+EXAMPLE\/" must not end with "\/"/],
    ['a query', `${ISSUER_URL}?x=1`, /^\[cdk-irsa\] issuerUrl "https:\/\/oidc[^"]+\?x=1" must not contain a query \("\?"\) or fragment \("#"\)/],
  ])('fails on an issuer URL with %s', (_, issuerUrl, message) => {
    expect(() => IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl })).toThrow(message);
  });
});

describe('removalPolicy: what cdk-irsa creates for a cluster and others depend on', () => {
  /** DeletionPolicy and UpdateReplacePolicy of each resource of a type. */
  function policies(stack: Stack, type: string): any[] {
    return Object.values(Template.fromStack(stack).findResources(type)).map((r: any) => [r.DeletionPolicy, r.UpdateReplacePolicy]);
  }

  test('retains the provider, the agent add-on (kept running by EKS too) and the manifest resources by default', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const imported = eks.Cluster.fromClusterAttributes(stack, 'Imported', {
      clusterName: 'imported', kubectlRoleArn: KUBECTL_ROLE_ARN,
      openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn(stack, 'Existing', PROVIDER_ARN),
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'ImportedKubectl', KUBECTL_LAYER_ARN),
    });
    new IrsaServiceAccount(stack, 'Kubectl', {
      cluster: IrsaCluster.fromCluster(imported, { installPodIdentityAgent: true }), name: 'api', createNamespace: true, namespace: 'payments',
      identityType: IdentityType.IRSA_AND_POD_IDENTITY,
    });
    // Another issuer than the imported provider's, which cdk-irsa would use rather than create one.
    const otherIssuerUrl = 'https://oidc.eks.eu-west-1.amazonaws.com/id/0THER000000000000000000000000000';
    new IrsaServiceAccount(stack, 'Attributes', { cluster: IrsaCluster.fromAttributes({ clusterName: 'other', issuerUrl: otherIssuerUrl }), name: 'api' });
    const owner = new Stack(stack.node.root as App, 'Owner', { env: ENV });
    new IrsaServiceAccount(owner, 'Owned', { cluster: IrsaCluster.fromCluster(eksCluster(owner)), name: 'api', createNamespace: true, namespace: 'payments' });

    expect(policies(stack, 'Custom::AWSCDK-EKS-KubernetesResource')).toEqual([['Retain', 'Retain']]);
    expect(policies(owner, 'Custom::AWSCDK-EKS-KubernetesResource')).toEqual([['Retain', 'Retain']]);
    expect(policies(stack, 'AWS::IAM::OIDCProvider')).toEqual([['Retain', 'Retain']]);
    expect(policies(owner, 'AWS::IAM::OIDCProvider')).toEqual([['Retain', 'Retain']]);
    expect(policies(stack, 'AWS::EKS::Addon')).toEqual([['Retain', 'Retain']]);
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::Addon', { AddonName: 'eks-pod-identity-agent', PreserveOnDelete: true });
  });

  test('deletes them with RemovalPolicy.DESTROY, and the add-on no longer preserves the agent', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const cluster = IrsaCluster.fromCluster(eksCluster(stack), { removalPolicy: RemovalPolicy.DESTROY });
    new IrsaServiceAccount(stack, 'Owned', { cluster, name: 'api' });
    new IrsaServiceAccount(stack, 'Attributes', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'other', issuerUrl: ISSUER_URL, installPodIdentityAgent: true, removalPolicy: RemovalPolicy.DESTROY }),
      name: 'api', identityType: IdentityType.IRSA_AND_POD_IDENTITY, manifestDelivery: ManifestDelivery.none(),
    });

    expect(policies(stack, 'Custom::AWSCDK-EKS-KubernetesResource')).toEqual([['Delete', 'Delete']]);
    expect(policies(stack, 'AWS::IAM::OIDCProvider')).toEqual([['Delete', 'Delete'], ['Delete', 'Delete']]);
    expect(policies(stack, 'AWS::EKS::Addon')).toEqual([['Delete', 'Delete']]);
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::Addon', { PreserveOnDelete: false });
  });

  test('says, where it creates a provider for a literal issuer, how to adopt one that exists already', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });

    new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'api' });

    Annotations.fromStack(stack).hasInfo('*', Match.stringLikeRegexp(
      `If the deploy fails with EntityAlreadyExists.*openIdConnectProvider: ClusterOidcProvider\\.fromOidcProviderArn\\(this, 'Provider', '${PROVIDER_ARN}'\\), or with cdk import\\.$`));
  });

  test('fails for RemovalPolicy.SNAPSHOT', () => {
    expect(() => IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL, removalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow(/^\[cdk-irsa\] removalPolicy RemovalPolicy.SNAPSHOT does not apply/);
  });
});

describe('one IAM OIDC provider per issuer and account, whichever way the cluster is named', () => {
  function providers(stack: Stack): string[] {
    return Object.keys(Template.fromStack(stack).findResources('AWS::IAM::OIDCProvider'));
  }

  test('reuses a ClusterOidcProvider of the user for the same literal issuer, in its stack and, by ARN, in another', () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const other = new Stack(app, 'Other', { env: ENV });
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: ISSUER_URL });
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL });

    // WHEN
    const api = new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', audience: 'vault' });
    const worker = new IrsaServiceAccount(other, 'Worker', { cluster, name: 'worker' });

    // THEN
    expect(providers(stack)).toEqual([stack.resolve((provider.node.defaultChild as iam.CfnOIDCProvider).logicalId)]);
    expect(providers(other)).toEqual([]);
    expect(provider.clientIds).toEqual(['sts.amazonaws.com', 'vault']);
    expect(roleOf(api).AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Federated: { 'Fn::GetAtt': ['Provider2281708E', 'Arn'] } });
    expect(roleOf(worker).AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Federated: PROVIDER_ARN });
  });

  test('warns where it cannot tell: an import by ARN of the issuer after cdk-irsa created its provider, and Lambda-backed providers', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'api' });
    ClusterOidcProvider.fromOidcProviderArn(stack, 'Existing', PROVIDER_ARN);
    new iam.OpenIdConnectProvider(stack, 'GitHub', { url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'] });

    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/^this app creates the IAM OIDC provider for https:\/\/oidc\.eks[^ ]+ here and also imports one for it by ARN at Stack\/Existing\. If the account has that provider already, this one fails at deploy with EntityAlreadyExists/),
      expect.stringMatching(/^the app also has aws-cdk-lib Lambda-backed IAM OIDC providers \(Stack\/GitHub\/Resource\/Default\), whose URL cdk-irsa cannot read at synth/),
    ]));
  });

  test('does not warn where the import comes first (cdk-irsa uses it) and no Lambda-backed provider exists', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    ClusterOidcProvider.fromOidcProviderArn(stack, 'Existing', PROVIDER_ARN);
    new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'api' });

    expect(providers(stack)).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('provider'))).toEqual([]);
  });

  test('shares the provider between Stages of one account by ARN, with a warning on the order, instead of a cross-Stage dependency', () => {
    const app = new App();
    const beta = new Stack(new Stage(app, 'Beta'), 'Workloads', { env: ENV });
    const prod = new Stack(new Stage(app, 'Prod'), 'Workloads', { env: ENV });
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL });

    new IrsaServiceAccount(beta, 'Api', { cluster, name: 'api', namespace: 'beta' });
    const prodApi = new IrsaServiceAccount(prod, 'Api', { cluster, name: 'api', namespace: 'prod' });

    expect(() => app.synth()).not.toThrow();
    expect(providers(beta)).toHaveLength(1);
    expect(providers(prod)).toEqual([]);
    expect(roleOf(prodApi).AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Federated: PROVIDER_ARN });
    expect(prod.dependencies).toEqual([]);
    expect(Annotations.fromStack(prod).findWarning('*', Match.stringLikeRegexp('is created by Beta/Workloads/IrsaOidcProvider[0-9A-F]+, in another Stage: '
      + 'this stack imports it by ARN, and cannot be made to deploy after it'))).toHaveLength(1);
  });

  test('warns the other stacks that the stack which creates the provider is the one declared first, and says how to pin it', () => {
    const app = new App();
    const [first, second] = ['First', 'Second'].map((id) => new Stack(app, id, { env: ENV }));
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL });

    new IrsaServiceAccount(first, 'Api', { cluster, name: 'api', manifestDelivery: ManifestDelivery.none() });
    new IrsaServiceAccount(second, 'Worker', { cluster, name: 'worker', manifestDelivery: ManifestDelivery.none() });
    new IrsaServiceAccount(second, 'Batch', { cluster, name: 'batch', manifestDelivery: ManifestDelivery.none() });

    const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings(first)).toEqual([]);
    expect(warnings(second)).toEqual([`The IAM OIDC provider for ${ISSUER_URL} is created in stack First, whose service accounts come first in the app, `
      + 'and this stack uses it. Which stack creates it follows the order of the code: a stack with a service account of this cluster declared '
      + 'before it would create it again, and that deploy fails with EntityAlreadyExists. Make it yourself in First, before its first service '
      + 'account, under the construct ID cdk-irsa gave it, which keeps the deployed provider: const provider = new ClusterOidcProvider(stack, '
      + '"IrsaOidcProvider0720465B", { issuerUrl }); and give it to the cluster in every stack: IrsaCluster.fromAttributes({ clusterName, '
      + 'openIdConnectProvider: provider }). [ack: cdk-irsa:providerHomeByOrder]']);
  });

  test('shares the provider with a nested stack of the stack that creates it, by reference', () => {
    const stack = new Stack(new App(), 'App', { env: ENV });
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL });
    new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', manifestDelivery: ManifestDelivery.none() });
    const inner = new NestedStack(stack, 'Inner');

    const worker = new IrsaServiceAccount(inner, 'Worker', { cluster, name: 'worker', manifestDelivery: ManifestDelivery.none() });

    expect(providers(inner)).toEqual([]);
    expect(Object.keys(roleOf(worker).AssumeRolePolicyDocument.Statement[0].Principal.Federated)).toEqual(['Ref']);
    expect(() => App.of(stack)!.synth()).not.toThrow();
  });

  test('fails with the way out where the stack that creates the provider deploys after one that uses it', () => {
    const app = new App();
    const [first, second] = ['First', 'Second'].map((id) => new Stack(app, id, { env: ENV }));
    first.addDependency(second);
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL });
    new IrsaServiceAccount(first, 'Api', { cluster, name: 'api', manifestDelivery: ManifestDelivery.none() });

    expect(() => new IrsaServiceAccount(second, 'Worker', { cluster, name: 'worker', manifestDelivery: ManifestDelivery.none() })).toThrow(
      `[cdk-irsa] Second/Worker: the IAM OIDC provider for ${ISSUER_URL} is created in stack First, whose service accounts come first in the app, `
      + 'but that stack deploys after stack Second, which uses it (a dependency of the app). Make the provider yourself in Second, before the '
      + 'first service account of the app: const provider = new ClusterOidcProvider(stack, "Provider", { issuerUrl }); and give it to the cluster '
      + 'in every stack: IrsaCluster.fromAttributes({ clusterName, openIdConnectProvider: provider }).');
  });

  test('does not warn where the app makes the provider in one stack and gives it to the cluster in every stack', () => {
    const app = new App();
    const [first, second] = ['First', 'Second'].map((id) => new Stack(app, id, { env: ENV }));
    const provider = new ClusterOidcProvider(first, 'Provider', { issuerUrl: ISSUER_URL });
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', openIdConnectProvider: provider });

    new IrsaServiceAccount(second, 'Worker', { cluster, name: 'worker', manifestDelivery: ManifestDelivery.none() });
    new IrsaServiceAccount(first, 'Api', { cluster, name: 'api', manifestDelivery: ManifestDelivery.none() });

    // (aws-cdk-lib's own warning on cross-stack reference strength aside)
    expect([first, second].flatMap((stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-irsa:')))).toEqual([]);
    expect(providers(first)).toHaveLength(1);
    expect(providers(second)).toEqual([]);
  });

  test('fails for a ClusterOidcProvider made after cdk-irsa made one for the same issuer and account', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'api' });

    new ClusterOidcProvider(stack, 'Late', { issuerUrl: ISSUER_URL });

    expect(() => Template.fromStack(stack)).toThrow(`[Stack/Late] [cdk-irsa] the app has another IAM OIDC provider for the issuer URL ${ISSUER_URL} at `
      + 'Stack/IrsaOidcProvider0720465B/Resource. IAM holds one provider per issuer and account: the second fails at deploy with '
      + 'EntityAlreadyExists. Keep one, and pass it where the other is used (IrsaCluster.fromAttributes({ openIdConnectProvider }), IrsaRole provider).');
  });

  test('warns for two providers of one issuer in environment-agnostic stacks, which may deploy to one account', () => {
    const app = new App();
    const first = new Stack(app, 'First');
    new ClusterOidcProvider(first, 'Provider', { issuerUrl: ISSUER_URL });
    new ClusterOidcProvider(new Stack(app, 'Second'), 'Provider', { issuerUrl: ISSUER_URL });

    Annotations.fromStack(first).hasWarning('/First/Provider', Match.stringLikeRegexp(
      '^If these stacks deploy to one account, the app has another IAM OIDC provider for the issuer URL .* at Second/Provider/Resource\\.'));
  });

  test.each([['fromAttributes first', true], ['fromClusterV2 first', false]])(
    'uses the provider of a cluster made in the app for fromAttributes with its issuer URL attribute (%s)', (_, attributesFirst) => {
      // GIVEN
      const stack = new Stack(new App(), 'Stack', { env: ENV });
      const cluster = eksV2Cluster(stack, false);
      const byAttributes = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: cluster.clusterOpenIdConnectIssuerUrl });
      const byCluster = IrsaCluster.fromClusterV2(cluster);

      // WHEN
      const [first, second] = attributesFirst ? [byAttributes, byCluster] : [byCluster, byAttributes];
      const a = new IrsaServiceAccount(stack, 'A', { cluster: first, name: 'a' });
      const b = new IrsaServiceAccount(stack, 'B', { cluster: second, name: 'b' });

      // THEN
      expect(providers(stack)).toHaveLength(1);
      expect(first.findOrCreateOidcProvider(stack)).toBe(second.findOrCreateOidcProvider(stack));
      const principal = (sa: IrsaServiceAccount) => parseJoinedJson(roleOf(sa).AssumeRolePolicyDocument).Statement[0].Principal;
      expect(principal(a)).toEqual(principal(b));
    });

  test('uses a ClusterOidcProvider of the user for the issuer of a cluster made in the app', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const cluster = eksV2Cluster(stack, false);
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: cluster.clusterOpenIdConnectIssuerUrl });

    new IrsaServiceAccount(stack, 'A', { cluster: IrsaCluster.fromClusterV2(cluster), name: 'a' });

    expect(providers(stack)).toEqual([stack.resolve((provider.node.defaultChild as iam.CfnOIDCProvider).logicalId)]);
  });

  test('warns where the issuer URL is a token that names no cluster of the app', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const issuerUrl = new CfnParameter(stack, 'IssuerUrl').valueAsString;

    new IrsaServiceAccount(stack, 'A', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl }), name: 'a', manifestDelivery: ManifestDelivery.none() });

    Annotations.fromStack(stack).hasWarning('/Stack/A', Match.stringLikeRegexp(
      '^The issuer URL of cluster prod is known only at deploy, so cdk-irsa cannot tell whether another provider'));
  });
});

describe('a role in another account than the service account\'s stack', () => {
  const OTHER_ENV = { account: '210987654321', region: 'eu-west-1' };

  test('trusts the provider of the role\'s account, created there for a cluster known by its issuer', () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const roleStack = new Stack(app, 'Roles', { env: OTHER_ENV });
    const role = new IrsaRole(roleStack, 'Role', { roleName: 'api' });

    // WHEN
    new IrsaServiceAccount(stack, 'Api', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'api', role, manifestDelivery: ManifestDelivery.none(),
    });

    // THEN
    const providerIds = Object.keys(Template.fromStack(roleStack).findResources('AWS::IAM::OIDCProvider'));
    expect(providerIds).toHaveLength(1);
    expect(Template.fromStack(roleStack).toJSON().Resources[stack.resolve((role.node.defaultChild as iam.CfnRole).logicalId)]
      .Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Federated: { 'Fn::GetAtt': [providerIds[0], 'Arn'] } });
    Template.fromStack(stack).resourceCountIs('AWS::IAM::OIDCProvider', 0);
  });

  test('warns for a role of an environment-agnostic stack that trusts a provider of a literal account', () => {
    const stack = new Stack(new App(), 'Stack');
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Other', `arn:aws:iam::210987654321:oidc-provider/${ISSUER}`);

    new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('payments', 'api')] });

    expect(Annotations.fromStack(stack).findWarning('/Stack/Role', Match.stringLikeRegexp('the role Stack/Role is in an environment-agnostic stack, '
      + 'and the OIDC provider Stack/Other it trusts is in account 210987654321: .* Give the stack env: \\{ account: \'210987654321\' \\}'))).toHaveLength(1);
  });

  test('fails for a cluster made in the app, whose provider is in the cluster\'s account', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const cluster = eksV2Cluster(stack, false);
    const role = new IrsaRole(new Stack(app, 'Roles', { env: OTHER_ENV }), 'Role');

    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromClusterV2(cluster), name: 'api', role })).toThrow(
      '[cdk-irsa] Stack/Api: the role Roles/Role is in account 210987654321, but the OIDC provider Stack/Cluster/IrsaOidcProvider it would trust '
      + 'is in account 123456789012: STS in 210987654321 accepts a service account\'s token only through an OIDC provider of 210987654321, so the '
      + 'role could never be assumed. Register the cluster\'s issuer in 210987654321: IrsaCluster.fromAttributes({ clusterName, issuerUrl }) with the '
      + 'literal issuer URL creates (or reuses) the provider there, or pass openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn() of the provider '
      + 'that 210987654321 has.');
  });

  test('fails for an imported role of another account, and for addTrust() with a provider of another account', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const imported = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::210987654321:role/api');
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL });

    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', role: imported, manifestDelivery: ManifestDelivery.none() }))
      .toThrow(/the role Stack\/Imported is in account 210987654321, but the OIDC provider Stack\/IrsaOidcProvider0720465B it would trust is in account 123456789012/);
    const otherProvider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Other', `arn:aws:iam::210987654321:oidc-provider/${ISSUER}`);
    expect(() => new IrsaRole(stack, 'Role', { provider: otherProvider, subjects: [ServiceAccountSubject.exact('payments', 'api')] }))
      .toThrow(/the role Stack\/Role is in account 123456789012, but the OIDC provider Stack\/Other it would trust is in account 210987654321/);
  });
});
