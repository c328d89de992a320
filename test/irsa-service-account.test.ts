import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { GrantsPolicyType, IdentityType, IrsaCluster, IrsaRole, IrsaServiceAccount, IrsaServiceAccountOptions, ManifestDelivery, ManifestDeliveryKind } from '../lib';
import { parseJoinedJson } from './util';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const ISSUER_URL = `https://${ISSUER}`;
const OTHER_ISSUER_URL = 'https://oidc.eks.eu-west-1.amazonaws.com/id/0THER000000000000000000000000000';
const KUBECTL_LAYER_ARN = 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1';
/** The logical ID of the provider that cdk-irsa creates for ISSUER_URL. */
const PROVIDER_ID = 'IrsaOidcProvider0720465B829363C7';
const PROVIDER_ARN = { 'Fn::GetAtt': [PROVIDER_ID, 'Arn'] };

function prod(): IrsaCluster {
  return IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL });
}

function newStack(app = new App(), id = 'Stack'): Stack {
  return new Stack(app, id, { env: ENV });
}

function eksCluster(stack: Stack): eks.Cluster {
  return new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_32,
    defaultCapacity: 0,
    kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', KUBECTL_LAYER_ARN),
  });
}

function eksV2Cluster(stack: Stack, id: string): eksv2.Cluster {
  return new eksv2.Cluster(stack, id, {
    version: eksv2.KubernetesVersion.V1_32,
    kubectlProviderOptions: { kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, `${id}Kubectl`, KUBECTL_LAYER_ARN) },
  });
}

/** How many resources of each type the stack's template holds. */
function countByType(stack: Stack): { [type: string]: number } {
  const counts: { [type: string]: number } = {};
  for (const resource of Object.values<any>(Template.fromStack(stack).toJSON().Resources ?? {})) {
    counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  }
  return counts;
}

function roleOf(sa: IrsaServiceAccount): any {
  const stack = Stack.of(sa);
  return Template.fromStack(stack).toJSON().Resources[roleIdOf(sa)].Properties;
}

function roleIdOf(sa: IrsaServiceAccount): string {
  return Stack.of(sa).resolve((sa.role.node.defaultChild as iam.CfnRole).logicalId);
}

function trustOf(namespace: string, name: string, audience = 'sts.amazonaws.com') {
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Federated: PROVIDER_ARN },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${ISSUER}:sub`]: `system:serviceaccount:${namespace}:${name}`,
          [`${ISSUER}:aud`]: audience,
        },
      },
    }],
  };
}

/** The batched manifest resources of a stack, with their objects read back from the Fn::Join. */
function batches(stack: Stack): Array<{ id: string; pruneLabel: string; objects: any[] }> {
  const found = Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource');
  return Object.entries(found).map(([id, r]) => ({ id, pruneLabel: r.Properties.PruneLabel, objects: parseJoinedJson(r.Properties.Manifest) }));
}

function synthFile(app: App, sa: IrsaServiceAccount): string {
  const assembly = app.synth();
  return fs.readFileSync(path.join(assembly.directory, sa.manifestFile!), 'utf8');
}

describe('IrsaServiceAccount resources', () => {
  test('adds exactly one AWS::IAM::Role per service account and nothing else (GitOps)', () => {
    // GIVEN
    const one = newStack(new App());
    const three = newStack(new App());

    // WHEN
    new IrsaServiceAccount(one, 'A', { cluster: prod(), name: 'a' });
    for (const name of ['a', 'b', 'c']) {
      new IrsaServiceAccount(three, name, { cluster: prod(), name });
    }

    // THEN
    expect(countByType(one)).toEqual({ 'AWS::IAM::OIDCProvider': 1, 'AWS::IAM::Role': 1 });
    expect(countByType(three)).toEqual({ 'AWS::IAM::OIDCProvider': 1, 'AWS::IAM::Role': 3 });
  });

  test('adds exactly one AWS::IAM::Role per service account and nothing else (kubectl)', () => {
    // GIVEN
    const one = newStack(new App());
    const three = newStack(new App());
    const clusterOfOne = IrsaCluster.fromCluster(eksCluster(one));
    const clusterOfThree = IrsaCluster.fromCluster(eksCluster(three));

    // WHEN
    new IrsaServiceAccount(one, 'A', { cluster: clusterOfOne, name: 'a' });
    for (const name of ['a', 'b', 'c']) {
      new IrsaServiceAccount(three, name, { cluster: clusterOfThree, name });
    }

    // THEN the two extra service accounts add two roles and nothing more
    const countsOfOne = countByType(one);
    const countsOfThree = countByType(three);
    expect(countsOfThree).toEqual({ ...countsOfOne, 'AWS::IAM::Role': countsOfOne['AWS::IAM::Role'] + 2 });
    expect(countsOfOne['Custom::AWSCDK-EKS-KubernetesResource']).toBe(1);
  });

  test('trusts exactly its own service account and the default audience', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const api = new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', namespace: 'payments' });

    // THEN
    expect(roleOf(api).AssumeRolePolicyDocument).toEqual(trustOf('payments', 'api'));
    expect(api.serviceAccountName).toBe('api');
    expect(api.serviceAccountNamespace).toBe('payments');
  });

  test('puts the service account in the namespace "default" unless told otherwise', () => {
    const stack = newStack();

    const api = new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api' });

    expect(api.serviceAccountNamespace).toBe('default');
    expect(api.manifest.toJson().metadata.namespace).toBe('default');
    expect(roleOf(api).AssumeRolePolicyDocument).toEqual(trustOf('default', 'api'));
  });

  test('pins a custom audience in the trust, annotates it, and adds it to the client IDs of the provider it made', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const api = new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', namespace: 'payments', audience: 'vault' });

    // THEN
    expect(roleOf(api).AssumeRolePolicyDocument).toEqual(trustOf('payments', 'api', 'vault'));
    expect(api.manifest.toJson().metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/prod-payments-api-15156dd7',
      'eks.amazonaws.com/audience': 'vault',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::OIDCProvider', { ClientIdList: ['sts.amazonaws.com', 'vault'] });
  });

  test('keeps trusting and accepting the previous audience with retainAudience, for pods started before the change', () => {
    const stack = newStack();

    const api = new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', namespace: 'payments', audience: 'vault', retainAudience: 'sts.amazonaws.com' });

    expect(roleOf(api).AssumeRolePolicyDocument.Statement).toEqual([
      ...trustOf('payments', 'api', 'vault').Statement,
      ...trustOf('payments', 'api', 'sts.amazonaws.com').Statement,
    ]);
    expect(api.manifest.toJson().metadata.annotations['eks.amazonaws.com/audience']).toBe('vault');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::OIDCProvider', { ClientIdList: ['sts.amazonaws.com', 'vault'] });
  });

  test.each([
    ['the audience itself', { audience: 'vault', retainAudience: 'vault' }],
    ['the default audience unchanged', { retainAudience: 'sts.amazonaws.com' }],
  ])('fails for retainAudience naming %s', (_, options) => {
    expect(() => new IrsaServiceAccount(newStack(), 'Api', { cluster: prod(), name: 'api', ...options }))
      .toThrow(/^\[cdk-irsa\] Stack\/Api: retainAudience "[a-z.]+" is for the deploy after audience changed: give the previous audience, other than audience/);
  });

  test('puts grants in the role\'s inline policy "Grants", not in an AWS::IAM::Policy', () => {
    // GIVEN
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const api = new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api' });

    // WHEN
    bucket.grantRead(api);

    // THEN
    const bucketArn = { 'Fn::GetAtt': [stack.resolve((bucket.node.defaultChild as s3.CfnBucket).logicalId), 'Arn'] };
    expect(roleOf(api).Policies).toEqual([{
      PolicyName: 'Grants',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
          Resource: [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }],
        }],
      },
    }]);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('puts grants in a customer-managed policy attached to its role with grantsPolicyType CUSTOMER_MANAGED', () => {
    // GIVEN
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const api = new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', roleOptions: { grantsPolicyType: GrantsPolicyType.CUSTOMER_MANAGED } });

    // WHEN
    bucket.grantRead(api);

    // THEN
    const template = Template.fromStack(stack);
    const roleId = stack.resolve((api.role.node.defaultChild as iam.CfnRole).logicalId);
    const bucketArn = { 'Fn::GetAtt': [stack.resolve((bucket.node.defaultChild as s3.CfnBucket).logicalId), 'Arn'] };
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'], Resource: [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }] }],
      },
    });
    expect(roleOf(api).Policies).toBeUndefined();
  });

  test('is a principal that stands for its role', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const api = new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api' });
    api.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-west-1:123456789012:q'] }));

    // THEN
    expect(api.role).toBeInstanceOf(IrsaRole);
    expect(api.grantPrincipal).toBe(api.role);
    expect(api.assumeRoleAction).toBe(api.role.assumeRoleAction);
    expect(api.principalAccount).toBe(api.role.principalAccount);
    expect(stack.resolve(api.policyFragment.principalJson)).toEqual({ AWS: [{ 'Fn::GetAtt': [roleIdOf(api), 'Arn'] }] });
    expect(roleOf(api).Policies).toEqual([{
      PolicyName: 'Grants',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:123456789012:q' }],
      },
    }]);
  });

  test('keeps the logical ID of the provider stable', () => {
    // GIVEN
    const stack = newStack();
    const team = new Construct(stack, 'Team');

    // WHEN
    new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api' });
    new IrsaServiceAccount(team, 'Worker', { cluster: prod(), name: 'worker' });

    // THEN (the roles' IDs: test/irsa-service-account-logical-ids.test.ts)
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::IAM::OIDCProvider'))).toEqual([PROVIDER_ID]);
  });
});

describe('ManifestDelivery.kubectl()', () => {
  test('applies all service accounts of one cluster in one stack through ONE manifest resource, each labelled for pruning', () => {
    // GIVEN
    const stack = newStack();
    const cluster = IrsaCluster.fromCluster(eksCluster(stack));

    // WHEN
    const accounts = [
      new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', namespace: 'payments' }),
      new IrsaServiceAccount(stack, 'Worker', { cluster, name: 'worker', namespace: 'payments', tokenExpiration: Duration.hours(12) }),
      new IrsaServiceAccount(stack, 'Report', { cluster, name: 'report', namespace: 'reports', labels: { team: 'finance' } }),
    ];

    // THEN
    const found = batches(stack);
    expect(found).toHaveLength(1);
    const [batch] = found;
    expect(batch.id).toBe('IrsaServiceAccountManifestsCluster1A83CC3CCAA9DBC5');
    expect(batch.pruneLabel).toMatch(/^aws\.cdk\.eks\/prune-c8[0-9a-f]{40}$/);
    const serviceAccount = (sa: IrsaServiceAccount, labels: { [key: string]: string }, annotations: { [key: string]: string } = {}) => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: sa.serviceAccountName,
        namespace: sa.serviceAccountNamespace,
        labels: {
          [batch.pruneLabel]: '',
          'app.kubernetes.io/managed-by': 'cdk-irsa',
          'app.kubernetes.io/name': sa.serviceAccountName,
          ...labels,
        },
        annotations: { 'eks.amazonaws.com/role-arn': `\${GetAtt:${roleIdOf(sa)}.Arn}`, ...annotations },
      },
    });
    expect(batch.objects).toEqual([
      serviceAccount(accounts[0], {}),
      serviceAccount(accounts[1], {}, { 'eks.amazonaws.com/token-expiration': '43200' }),
      serviceAccount(accounts[2], { team: 'finance' }),
    ]);
  });

  test('makes one batch per cluster', () => {
    // GIVEN
    const stack = newStack();
    const blue = IrsaCluster.fromClusterV2(eksV2Cluster(stack, 'Blue'));
    const green = IrsaCluster.fromClusterV2(eksV2Cluster(stack, 'Green'));

    // WHEN
    new IrsaServiceAccount(stack, 'BlueApi', { cluster: blue, name: 'api' });
    new IrsaServiceAccount(stack, 'GreenApi', { cluster: green, name: 'api' });
    new IrsaServiceAccount(stack, 'GreenWorker', { cluster: green, name: 'worker' });

    // THEN
    expect(batches(stack).map((b) => b.objects.map((o) => o.metadata.name))).toEqual([['api'], ['api', 'worker']]);
  });
});

describe('the default delivery for a cluster made in the app without a kubectl provider', () => {
  const WARNING = 'The cluster of Stack/Api is made in this app without a kubectl provider, so its ServiceAccount is written to the cloud '
    + 'assembly (cdk.out) for GitOps and reaches the cluster only if a pipeline applies it from there. If that is the plan, say so: '
    + 'manifestDelivery: ManifestDelivery.gitOps(). Otherwise give the cluster a kubectl provider (kubectlProviderOptions) to have it applied '
    + 'at deploy. [ack: cdk-irsa:gitOpsByDefault]';

  function warningsOf(stack: Stack): string[] {
    return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-irsa:gitOpsByDefault')).map((w) => String(w.entry.data));
  }

  test('is GitOps output, with a warning that says how to acknowledge or avoid it', () => {
    const stack = newStack();
    const cluster = new eksv2.Cluster(stack, 'Cluster', { version: eksv2.KubernetesVersion.V1_32 });

    const sa = new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromClusterV2(cluster), name: 'api' });

    expect(sa.manifestDelivery.kind).toEqual(ManifestDeliveryKind.GITOPS);
    expect(warningsOf(stack)).toEqual([WARNING]);
  });

  test.each([
    ['gitOps() is given', () => ManifestDelivery.gitOps()],
    ['none() is given', () => ManifestDelivery.none()],
  ])('does not warn when %s', (_what, delivery) => {
    const stack = newStack();
    const cluster = new eksv2.Cluster(stack, 'Cluster', { version: eksv2.KubernetesVersion.V1_32 });

    new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromClusterV2(cluster), name: 'api', manifestDelivery: delivery() });

    expect(warningsOf(stack)).toEqual([]);
  });

  test.each([
    ['an aws-eks-v2 cluster with a kubectl provider (kubectl())', (stack: Stack) => IrsaCluster.fromClusterV2(eksV2Cluster(stack, 'Cluster'))],
    ['an imported aws-eks-v2 cluster without one (GitOps, expected)', (stack: Stack) =>
      IrsaCluster.fromClusterV2(eksv2.Cluster.fromClusterAttributes(stack, 'Imported', {
        clusterName: 'prod',
        openIdConnectProvider: iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(stack, 'Provider', `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`),
      }))],
    ['a cluster known by its attributes (GitOps, expected)', () => prod()],
  ])('does not warn for %s', (_what, cluster) => {
    const stack = newStack();

    new IrsaServiceAccount(stack, 'Api', { cluster: cluster(stack), name: 'api' });

    expect(warningsOf(stack)).toEqual([]);
  });
});

describe('ManifestDelivery.gitOps()', () => {
  const ROLE_NAME = 'prod-payments-api-15156dd7';

  test('adds nothing to the template but the roles and the provider: no Lambda, no CfnJson, no custom resource', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', manifestDelivery: ManifestDelivery.gitOps() });
    new IrsaServiceAccount(stack, 'Worker', { cluster: prod(), name: 'worker', manifestDelivery: ManifestDelivery.gitOps() });

    // THEN
    const types = Object.values<any>(Template.fromStack(stack).toJSON().Resources).map((r) => r.Type);
    expect(types.sort()).toEqual(['AWS::IAM::OIDCProvider', 'AWS::IAM::Role', 'AWS::IAM::Role']);
    expect(types.filter((t) => t.startsWith('Custom::') || t === 'AWS::Lambda::Function' || t === 'AWS::CloudFormation::CustomResource')).toEqual([]);
  });

  test('writes the service accounts of the stack and cluster to one multi-document YAML file in the cluster\'s folder', () => {
    // GIVEN
    const app = new App();
    const stack = newStack(app);

    // WHEN
    const api = new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', namespace: 'payments' });
    const worker = new IrsaServiceAccount(stack, 'Worker', {
      cluster: prod(), name: 'worker', namespace: 'jobs', stsRegionalEndpoints: true, automountServiceAccountToken: false,
    });

    // THEN
    expect(api.manifestFile).toBe('Stack.service-accounts/prod/service-accounts.yaml');
    expect(worker.manifestFile).toBe('Stack.service-accounts/prod/service-accounts.yaml');
    expect(synthFile(app, api)).toBe([
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata:',
      '  name: api',
      '  namespace: payments',
      '  labels:',
      '    app.kubernetes.io/managed-by: cdk-irsa',
      '    app.kubernetes.io/name: api',
      '  annotations:',
      `    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/${ROLE_NAME}`,
      '---',
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata:',
      '  name: worker',
      '  namespace: jobs',
      '  labels:',
      '    app.kubernetes.io/managed-by: cdk-irsa',
      '    app.kubernetes.io/name: worker',
      '  annotations:',
      '    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/prod-jobs-worker-d22ca0c7',
      '    eks.amazonaws.com/sts-regional-endpoints: "true"',
      'automountServiceAccountToken: false',
      '',
    ].join('\n'));
  });

  test('separates the clusters of a stack: one folder each, with a kustomization.yaml for Argo CD and Flux', () => {
    // GIVEN the same service account on two clusters of one stack
    const app = new App();
    const stack = newStack(app);
    const blue = IrsaCluster.fromAttributes({ clusterName: 'blue', issuerUrl: ISSUER_URL });
    const green = IrsaCluster.fromAttributes({ clusterName: 'green', issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/0F9E8D7C6B5A49382716F5E4D3C2B1A0' });

    // WHEN
    const onBlue = new IrsaServiceAccount(stack, 'Blue', { cluster: blue, name: 'exporter', namespace: 'billing', createNamespace: true });
    const onGreen = new IrsaServiceAccount(stack, 'Green', { cluster: green, name: 'exporter', namespace: 'billing' });

    // THEN each cluster's folder holds its own ServiceAccount (and namespace) only
    const directory = app.synth().directory;
    expect([onBlue.manifestFile, onGreen.manifestFile]).toEqual([
      'Stack.service-accounts/blue/service-accounts.yaml',
      'Stack.service-accounts/green/service-accounts.yaml',
    ]);
    const objectsIn = (cluster: string) => YAML.parseAllDocuments(fs.readFileSync(path.join(directory, `Stack.service-accounts/${cluster}/service-accounts.yaml`), 'utf8'))
      .map((d) => d.toJS()).map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name} ${o.metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? ''}`.trim());
    expect(objectsIn('blue')).toEqual(['Namespace /billing', `ServiceAccount billing/exporter arn:aws:iam::123456789012:role/${roleOf(onBlue).RoleName}`]);
    expect(objectsIn('green')).toEqual([`ServiceAccount billing/exporter arn:aws:iam::123456789012:role/${roleOf(onGreen).RoleName}`]);
    expect(roleOf(onBlue).RoleName).not.toEqual(roleOf(onGreen).RoleName);
    for (const cluster of ['blue', 'green']) {
      expect(fs.readFileSync(path.join(directory, `Stack.service-accounts/${cluster}/kustomization.yaml`), 'utf8')).toBe([
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        '  - service-accounts.yaml',
        '',
      ].join('\n'));
    }
    expect(fs.readdirSync(path.join(directory, 'Stack.service-accounts')).sort()).toEqual(['blue', 'green']);
    expect(fs.readdirSync(directory).filter((f) => f.endsWith('.yaml'))).toEqual([]);
  });

  test('fails when two different clusters of a stack share a name', () => {
    const stack = newStack();
    new IrsaServiceAccount(stack, 'A', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'a' });
    const other = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/0F9E8D7C6B5A49382716F5E4D3C2B1A0' });

    expect(() => new IrsaServiceAccount(stack, 'B', { cluster: other, name: 'b' }))
      .toThrow(/\[cdk-irsa\] Stack\/B: two clusters of stack Stack would share the GitOps folder "Stack.service-accounts\/prod": .* put the service accounts of clusters that share a name \(in other regions or accounts\) in separate stacks\./);
  });

  test('fails when two clusters of a stack have names that differ only in case (one folder on macOS and Windows)', () => {
    const stack = newStack();
    new IrsaServiceAccount(stack, 'A', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'a' });
    const other = IrsaCluster.fromAttributes({ clusterName: 'Prod', issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/0F9E8D7C6B5A49382716F5E4D3C2B1A0' });

    expect(() => new IrsaServiceAccount(stack, 'B', { cluster: other, name: 'b' }))
      .toThrow('[cdk-irsa] Stack/B: clusters "prod" and "Prod" of stack Stack would get GitOps folders whose names differ only in case, which are one '
        + 'folder on case-insensitive file systems (macOS, Windows): put their service accounts in separate stacks.');
  });

  test('names the role deterministically from cluster, namespace and name, the same in every synth', () => {
    // GIVEN two separate apps with the same service account
    const names = [new App(), new App()].map((app) => {
      const stack = newStack(app);

      // WHEN
      const api = new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', namespace: 'payments' });
      return { roleName: roleOf(api).RoleName, yaml: synthFile(app, api) };
    });

    // THEN
    expect(names[0].roleName).toBe(ROLE_NAME);
    expect(names[1]).toEqual(names[0]);
  });

  test('keeps a role name derived from a long namespace and name within 64 characters', () => {
    // GIVEN
    const stack = newStack();
    const namespace = 'n'.repeat(63);
    const name = 'a'.repeat(200);

    // WHEN
    const sa = new IrsaServiceAccount(stack, 'Long', { cluster: prod(), name, namespace });

    // THEN
    const roleName = roleOf(sa).RoleName;
    expect(roleName).toBe(`prod-${'n'.repeat(50)}-b1746668`);
    expect(roleName).toHaveLength(64);
    expect(sa.manifest.roleArn).toBe(`arn:aws:iam::123456789012:role/${roleName}`);
  });

  test('uses a given roleName and path for the literal role ARN', () => {
    const stack = newStack();

    const sa = new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', roleOptions: { roleName: 'payments-api', path: '/workloads/' } });

    expect(roleOf(sa).RoleName).toBe('payments-api');
    expect(sa.manifest.roleArn).toBe('arn:aws:iam::123456789012:role/workloads/payments-api');
  });

  test.each([
    ['no environment', undefined, /^\[cdk-irsa\] Stack\/Api: the account of stack Stack is not known at synth, so the role ARN for the GitOps manifest cannot be written\. .*env: \{ account: "123456789012", region: "eu-west-1" \}/],
    ['no region', { account: '123456789012' }, /^\[cdk-irsa\] Stack\/Api: the region of stack Stack is not known at synth \(or not known to aws-cdk-lib\), so the partition of the role ARN for the GitOps manifest cannot be written\./],
  ])('fails for a stack with %s', (_, env, message) => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env });

    // WHEN / THEN
    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', manifestDelivery: ManifestDelivery.gitOps() })).toThrow(message);
  });
});

describe('role names that outlive edits', () => {
  /** The role's logical ID and RoleName, for one way of describing the cluster and delivering. */
  function roleOfVariant(describe: (stack: Stack) => IrsaCluster, manifestDelivery?: ManifestDelivery, path?: string): string {
    const stack = newStack();
    const sa = new IrsaServiceAccount(stack, 'Api', { cluster: describe(stack), name: 'api', namespace: 'payments', manifestDelivery, roleOptions: { path } });
    return `${roleIdOf(sa)} ${roleOf(sa).RoleName}`;
  }
  const imported = (kubectlRoleArn?: string) => (stack: Stack) => IrsaCluster.fromCluster(eks.Cluster.fromClusterAttributes(stack, 'Imported', {
    clusterName: 'prod', kubectlRoleArn, openIdConnectProvider: prod().findOrCreateOidcProvider(stack),
    kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', KUBECTL_LAYER_ARN),
  }));

  test('keeps the role (logical ID and name, so its ARN) whatever the delivery and however the cluster is described', () => {
    const variants = [
      roleOfVariant(() => prod()),
      roleOfVariant(() => prod(), ManifestDelivery.none()),
      roleOfVariant(imported('arn:aws:iam::123456789012:role/kubectl')),
      roleOfVariant(imported('arn:aws:iam::123456789012:role/kubectl'), ManifestDelivery.gitOps()),
      roleOfVariant(imported()),
    ];

    expect(new Set(variants)).toEqual(new Set([variants[0]]));
    expect(variants[0]).toMatch(/ prod-payments-api-15156dd7$/);
  });

  test('gives the role a new name with a new path, so that its replacement does not collide with the role it replaces', () => {
    const before = roleOfVariant(() => prod());
    const after = roleOfVariant(() => prod(), undefined, '/workloads/');

    expect(after.split(' ')[1]).toMatch(/^prod-payments-api-[0-9a-f]{8}$/);
    expect(after.split(' ')[1]).not.toEqual(before.split(' ')[1]);
  });
});

describe('ManifestDelivery.none()', () => {
  test('makes the role only, and keeps the manifest object available', () => {
    // GIVEN
    const app = new App();
    const stack = newStack(app);

    // WHEN
    const api = new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', namespace: 'payments', manifestDelivery: ManifestDelivery.none() });

    // THEN
    expect(api.manifestDelivery.kind).toBe(ManifestDeliveryKind.NONE);
    expect(api.manifestFile).toBeUndefined();
    expect(countByType(stack)).toEqual({ 'AWS::IAM::OIDCProvider': 1, 'AWS::IAM::Role': 1 });
    expect(roleOf(api).AssumeRolePolicyDocument).toEqual(trustOf('payments', 'api'));
    expect(stack.resolve(api.manifest.toJson())).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'api',
        namespace: 'payments',
        labels: { 'app.kubernetes.io/managed-by': 'cdk-irsa', 'app.kubernetes.io/name': 'api' },
        annotations: { 'eks.amazonaws.com/role-arn': { 'Fn::GetAtt': [roleIdOf(api), 'Arn'] } },
      },
    });
    expect(fs.readdirSync(app.synth().directory).filter((f) => f.endsWith('.yaml'))).toEqual([]);
  });
});

describe('IrsaServiceAccount bad input', () => {
  function create(options: Partial<IrsaServiceAccountOptions>, stack = newStack()): IrsaServiceAccount {
    return new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', manifestDelivery: ManifestDelivery.none(), ...options });
  }

  test('fails on a second service account of the same cluster, namespace and name in one stack', () => {
    const stack = newStack();
    new IrsaServiceAccount(stack, 'First', { cluster: prod(), name: 'api', namespace: 'payments' });

    expect(() => new IrsaServiceAccount(stack, 'Second', { cluster: prod(), name: 'api', namespace: 'payments' })).toThrow(
      '[cdk-irsa] Stack/Second: service account payments/api of this cluster is already defined at Stack/First. '
      + 'One Kubernetes object can have only one definition: reuse that IrsaServiceAccount (grant its role more), or give this one another name or namespace.',
    );
  });

  test('fails on a second service account of the same cluster, namespace and name in another stack of the app', () => {
    const app = new App();
    new IrsaServiceAccount(newStack(app, 'First'), 'Api', { cluster: prod(), name: 'api' });

    expect(() => new IrsaServiceAccount(newStack(app, 'Second'), 'Api', { cluster: prod(), name: 'api' }))
      .toThrow(/^\[cdk-irsa\] Second\/Api: service account default\/api of this cluster is already defined at First\/Api\./);
  });

  test('accepts the same service account of clusters named alike in other regions or accounts', () => {
    // GIVEN clusters named "prod" in two regions of one account and in a second account
    const app = new App();
    const envs = [ENV, { ...ENV, region: 'us-east-1' }, { ...ENV, account: '210987654321' }];

    // WHEN each gets payments/api, by attributes and as an imported aws-eks cluster
    const create = () => envs.forEach((env, i) => {
      const stack = new Stack(app, `Stack${i}`, { env });
      const imported = eks.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'prod' });
      for (const [id, cluster] of [['ByAttributes', IrsaCluster.fromAttributes({ clusterName: 'prod' })], ['ByImport', IrsaCluster.fromCluster(imported)]] as const) {
        new IrsaServiceAccount(stack, id, {
          cluster, name: 'api', namespace: id === 'ByImport' ? 'reports' : 'payments', identityType: IdentityType.POD_IDENTITY,
          manifestDelivery: ManifestDelivery.none(),
        });
      }
    });

    // THEN no cluster is mistaken for another
    expect(create).not.toThrow();
  });

  test('accepts the same service account of clusters named alike whose literal issuers are in two regions, in one stack', () => {
    const stack = newStack();
    const usEast = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE' });
    // Role names and GitOps folders derive from the stack and the cluster name: such clusters need a roleName each and no shared folder.
    const options = { name: 'a', manifestDelivery: ManifestDelivery.none() };
    new IrsaServiceAccount(stack, 'UsEast', { cluster: usEast, ...options, roleOptions: { roleName: 'prod-a-us-east-1' } });

    new IrsaServiceAccount(stack, 'EuWest', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), ...options, roleOptions: { roleName: 'prod-a-eu-west-1' } });

    expect(Object.keys(Template.fromStack(stack).findResources('AWS::IAM::Role'))).toHaveLength(2);
    expect(() => new IrsaServiceAccount(stack, 'Again', { cluster: usEast, ...options, roleOptions: { roleName: 'prod-a-again' } }))
      .toThrow('[cdk-irsa] Stack/Again: service account default/a of this cluster is already defined at Stack/UsEast.');
  });

  test('gives service accounts of clusters named alike in two regions of one account different role names', () => {
    const app = new App();
    const options = { name: 'api', identityType: IdentityType.POD_IDENTITY, manifestDelivery: ManifestDelivery.gitOps() };
    const first = new IrsaServiceAccount(new Stack(app, 'First', { env: ENV }), 'Api', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod' }), ...options });
    const second = new IrsaServiceAccount(new Stack(app, 'Second', { env: { ...ENV, region: 'us-east-1' } }), 'Api', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod' }), ...options,
    });

    const names = [first, second].map((sa) => (sa.role.node.defaultChild as iam.CfnRole).roleName);
    expect(names[0]).toMatch(/^prod-default-api-[0-9a-f]{8}$/);
    expect(names[1]).toMatch(/^prod-default-api-[0-9a-f]{8}$/);
    expect(names[0]).not.toEqual(names[1]);
  });

  test('fails where two roles of one account are given the same roleName in two regions', () => {
    const app = new App();
    const options = { name: 'api', identityType: IdentityType.POD_IDENTITY, manifestDelivery: ManifestDelivery.gitOps(), roleOptions: { roleName: 'prod-api' } };
    new IrsaServiceAccount(new Stack(app, 'First', { env: ENV }), 'Api', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod' }), ...options });

    expect(() => new IrsaServiceAccount(new Stack(app, 'Second', { env: { ...ENV, region: 'us-east-1' } }), 'Api', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod' }), ...options,
    })).toThrow('[cdk-irsa] Second/Api/Role: role name "prod-api" is already used in account 123456789012 by First/Api/Role: IAM role names are unique '
      + 'in an account, across regions, so the second would fail at deploy. Give one of them another roleName');
  });

  test('fails on a second service account of one cluster known by name and by ARN', () => {
    const stack = newStack();
    new IrsaServiceAccount(stack, 'First', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod' }), name: 'api', identityType: IdentityType.POD_IDENTITY });
    const byArn = IrsaCluster.fromAttributes({ clusterName: 'prod', clusterArn: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod' });

    expect(() => new IrsaServiceAccount(stack, 'Second', { cluster: byArn, name: 'api', identityType: IdentityType.POD_IDENTITY }))
      .toThrow('[cdk-irsa] Stack/Second: service account default/api of this cluster is already defined at Stack/First.');
  });

  test('accepts the same name in another namespace or another cluster', () => {
    const stack = newStack();
    const other = IrsaCluster.fromAttributes({ clusterName: 'other', issuerUrl: OTHER_ISSUER_URL });

    new IrsaServiceAccount(stack, 'Api', { cluster: prod(), name: 'api', namespace: 'payments' });
    new IrsaServiceAccount(stack, 'ApiElsewhere', { cluster: prod(), name: 'api', namespace: 'reports' });
    new IrsaServiceAccount(stack, 'ApiOther', { cluster: other, name: 'api', namespace: 'payments' });

    expect(countByType(stack)).toEqual({ 'AWS::IAM::OIDCProvider': 2, 'AWS::IAM::Role': 3 });
  });

  test.each([
    ['upper case', 'Payments', /namespace "Payments" is not a valid Kubernetes namespace: .* Did you mean "payments"\?$/],
    ['an underscore', 'pay_ments', /namespace "pay_ments" is not a valid Kubernetes namespace: use 1 to 63 lower-case letters/],
    ['64 characters', 'n'.repeat(64), /namespace "n{64}" is not a valid Kubernetes namespace: use 1 to 63 /],
    ['nothing', '', /namespace is empty\./],
    ['a leading dash', '-payments', /namespace "-payments" is not a valid Kubernetes namespace: .*starting and ending with a letter or digit/],
  ])('fails on a namespace with %s', (_, namespace, message) => {
    expect(() => create({ namespace })).toThrow(message);
  });

  test.each([
    ['upper case', 'Api', /service account name "Api" is not a valid Kubernetes ServiceAccount name: .* Did you mean "api"\?$/],
    ['an underscore', 'my_api', /service account name "my_api" is not a valid Kubernetes ServiceAccount name: use 1 to 253 /],
    ['254 characters', 'a'.repeat(254), /service account name "a{254}" is not a valid Kubernetes ServiceAccount name: use 1 to 253 /],
    ['nothing', '', /service account name is empty\./],
    ['a leading dash', '-api', /service account name "-api" is not a valid Kubernetes ServiceAccount name: .*starting and ending with a letter or digit/],
  ])('fails on a name with %s', (_, name, message) => {
    expect(() => create({ name })).toThrow(message);
  });

  test.each([
    ['59 minutes', Duration.minutes(59), /tokenExpiration is 59 minutes \(3540 seconds\); EKS accepts 1 to 24 hours \(3600 to 86400 seconds\)\./],
    ['25 hours', Duration.hours(25), /tokenExpiration is .+ \(90000 seconds\); EKS accepts 1 to 24 hours \(3600 to 86400 seconds\)\./],
  ])('fails on a tokenExpiration of %s', (_, tokenExpiration, message) => {
    expect(() => create({ tokenExpiration })).toThrow(message);
  });

  test('accepts a tokenExpiration of exactly 1 and 24 hours', () => {
    const stack = newStack();

    const short = new IrsaServiceAccount(stack, 'Short', { cluster: prod(), name: 'short', tokenExpiration: Duration.hours(1) });
    const long = new IrsaServiceAccount(stack, 'Long', { cluster: prod(), name: 'long', tokenExpiration: Duration.hours(24) });

    expect(short.manifest.toJson().metadata.annotations['eks.amazonaws.com/token-expiration']).toBe('3600');
    expect(long.manifest.toJson().metadata.annotations['eks.amazonaws.com/token-expiration']).toBe('86400');
  });

  test.each([
    ['a space', 'payments api'],
    ['65 characters', 'r'.repeat(65)],
  ])('fails on a roleName with %s', (_, roleName) => {
    expect(() => create({ roleOptions: { roleName } })).toThrow(
      `roleName "${roleName}" is not a valid IAM role name: use 1 to 64 letters, digits and "+=,.@_-".`,
    );
  });

  test.each([
    ['eks.amazonaws.com/role-arn', 'the role (roleArn)'],
    ['eks.amazonaws.com/audience', 'audience'],
    ['eks.amazonaws.com/sts-regional-endpoints', 'stsRegionalEndpoints'],
    ['eks.amazonaws.com/token-expiration', 'tokenExpiration'],
  ])('fails on the annotation %s, which clashes with %s', (key, owner) => {
    expect(() => create({ annotations: { [key]: 'x' } })).toThrow(
      `annotation "${key}" is set through ${owner}, not through annotations. Remove it from annotations and use that option.`,
    );
  });

  test('fails on bad input before it creates the role or the provider, so that nothing half-made is left behind', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    expect(() => create({ tokenExpiration: Duration.minutes(10) }, stack)).toThrow(/tokenExpiration is 10 minutes/);

    // THEN the stack holds no resource, and the service account may be defined again, correctly
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toEqual([]);
    expect(() => new IrsaServiceAccount(stack, 'Again', { cluster: prod(), name: 'api', manifestDelivery: ManifestDelivery.none() })).not.toThrow();
  });
});

describe('scale', () => {
  test('400 service accounts in one stack synthesize to 400 roles and one provider', () => {
    // GIVEN
    const app = new App();
    const stack = newStack(app);
    const cluster = prod();

    // WHEN
    const accounts: IrsaServiceAccount[] = [];
    for (let i = 0; i < 400; i++) {
      accounts.push(new IrsaServiceAccount(stack, `Sa${i}`, { cluster, name: `sa-${i}`, namespace: 'apps', manifestDelivery: ManifestDelivery.gitOps() }));
    }

    // THEN
    expect(countByType(stack)).toEqual({ 'AWS::IAM::OIDCProvider': 1, 'AWS::IAM::Role': 400 });
    expect(synthFile(app, accounts[0]).split('---\n')).toHaveLength(400);
  });
});
