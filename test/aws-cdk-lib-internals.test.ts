/**
 * What cdk-irsa relies on in aws-cdk-lib beyond its public API (lib/private/aws-cdk-lib-internals.ts),
 * checked against aws-cdk-lib itself. This file runs in the unit and floor projects, on the newest
 * and the lowest aws-cdk-lib of the peer range: a failure here means aws-cdk-lib changed, and the
 * module must follow.
 */
import { App, CfnResource, Errors, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  addClientIdToNativeProvider, addStackDependency, eksClusterOwnProvider, kubectlPruneLabel, markAsValidationError, rawOverridesOf, renderedResource,
  useAsEksClusterProvider,
} from '../lib/private/aws-cdk-lib-internals';
import { IrsaError } from '../lib/private/errors';

const KUBECTL_LAYER_ARN = 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1';
const NATIVE_OIDC_FLAG = '@aws-cdk/aws-eks:useNativeOidcProvider';

function stack(context: { [key: string]: any } = {}): Stack {
  return new Stack(new App({ context }), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function eksCluster(scope: Stack): eks.Cluster {
  return new eks.Cluster(scope, 'Cluster', {
    version: eks.KubernetesVersion.V1_32,
    defaultCapacity: 0,
    kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(scope, 'Kubectl', KUBECTL_LAYER_ARN),
  });
}

function eksV2Cluster(scope: Stack): eksv2.Cluster {
  return new eksv2.Cluster(scope, 'Cluster', {
    version: eksv2.KubernetesVersion.V1_32,
    kubectlProviderOptions: { kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(scope, 'Kubectl', KUBECTL_LAYER_ARN) },
  });
}

describe('renderedResource: one resource rendered as the template will hold it', () => {
  test('includes raw overrides and deletion overrides, resolved', () => {
    const s = stack();
    const resource = new CfnResource(s, 'Thing', { type: 'AWS::Test::Thing', properties: { Keep: 'a', Drop: 'b' } });
    resource.addPropertyOverride('Nested.Value', s.region);
    resource.addPropertyDeletionOverride('Drop');

    expect(renderedResource(resource)).toEqual({ Type: 'AWS::Test::Thing', Properties: { Keep: 'a', Nested: { Value: 'eu-west-1' } } });
  });
});

describe('rawOverridesOf: the raw overrides of a resource', () => {
  test('is the override tree with CloudFormation names, a deletion being undefined', () => {
    const s = stack();
    const resource = new CfnResource(s, 'Thing', { type: 'AWS::Test::Thing', properties: { Keep: 'a' } });
    expect(rawOverridesOf(resource)).toEqual({});

    resource.addPropertyOverride('A.B', 1);
    resource.addPropertyDeletionOverride('C');
    resource.addOverride('Type', 'AWS::Test::Other');

    const overrides = rawOverridesOf(resource);
    expect(overrides).toEqual({ Type: 'AWS::Test::Other', Properties: { A: { B: 1 }, C: undefined } });
    expect('C' in overrides.Properties).toBe(true);
  });
});

describe.each([
  ['aws-eks', eksCluster, {}],
  ['aws-eks with the native OIDC provider flag', eksCluster, { [NATIVE_OIDC_FLAG]: true }],
  ['aws-eks-v2', eksV2Cluster, {}],
])('the OIDC provider of an %s cluster', (_, make, context) => {
  test('eksClusterOwnProvider finds the provider the cluster made for itself, and only once it is made', () => {
    const cluster = make(stack(context));
    expect(eksClusterOwnProvider(cluster)).toBeUndefined();

    const provider = cluster.openIdConnectProvider;

    expect(eksClusterOwnProvider(cluster)).toBe(provider);
  });

  test('useAsEksClusterProvider makes the cluster return the provider given instead of making one', () => {
    const s = stack(context);
    const cluster = make(s);
    const given = iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(s, 'Given',
      'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC');

    useAsEksClusterProvider(cluster, given);

    expect(cluster.openIdConnectProvider).toBe(given);
    expect(eksClusterOwnProvider(cluster)).toBeUndefined();
  });
});

describe('addClientIdToNativeProvider', () => {
  test('adds an audience to a native provider aws-cdk-lib made, once', () => {
    const s = stack({ [NATIVE_OIDC_FLAG]: true });
    const provider = eksCluster(s).openIdConnectProvider;

    expect(addClientIdToNativeProvider(provider, 'vault')).toBe(true);
    expect(addClientIdToNativeProvider(provider, 'vault')).toBe(true);

    expect(Object.values(Template.fromStack(s).findResources('AWS::IAM::OIDCProvider')).map((r: any) => r.Properties.ClientIdList))
      .toEqual([['sts.amazonaws.com', 'vault']]);
  });

  test('leaves a Lambda-backed provider alone and says so', () => {
    const provider = eksCluster(stack()).openIdConnectProvider;

    expect(addClientIdToNativeProvider(provider, 'vault')).toBe(false);
  });
});

describe.each([
  ['aws-eks', eksCluster],
  ['aws-eks-v2', eksV2Cluster],
])('kubectlPruneLabel for an %s cluster', (_, make) => {
  test('is the label aws-cdk-lib puts on the objects of a manifest and passes to its kubectl handler', () => {
    const s = stack();
    const cluster = make(s);

    const manifest = cluster.addManifest('Manifest', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm', namespace: 'default' } });

    const rendered = renderedResource(manifest.node.defaultChild as CfnResource);
    const label = kubectlPruneLabel(manifest);
    expect(rendered.Properties.PruneLabel).toEqual(label);
    expect(JSON.parse(rendered.Properties.Manifest)[0].metadata.labels).toEqual({ [label]: '' });
  });
});

describe('addStackDependency', () => {
  test('makes one stack depend on another', () => {
    const app = new App();
    const producer = new Stack(app, 'Producer');
    const consumer = new Stack(app, 'Consumer');

    addStackDependency(consumer, producer, 'test');

    expect(consumer.dependencies).toEqual([producer]);
  });
});

describe('markAsValidationError', () => {
  test('makes Errors.isValidationError() recognise an error, as it does aws-cdk-lib\'s own', () => {
    const error = new Error('bad input');
    expect(Errors.isValidationError(error)).toBe(false);

    markAsValidationError(error);

    expect(Errors.isValidationError(error)).toBe(true);
    expect(Errors.isConstructError(error)).toBe(true);
  });

  test('every cdk-irsa error is one', () => {
    const stack = new Stack(new App(), 'Stack');
    expect(Errors.isValidationError(new IrsaError('bad input', stack))).toBe(true);
    expect(Errors.isValidationError(new IrsaError('bad input'))).toBe(true);
  });
});
