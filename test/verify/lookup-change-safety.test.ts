/**
 * Change safety of IrsaCluster.fromLookup() (docs/looking-up-a-cluster.md, "Changing a deployed
 * app"): each edit is synthesized before and after, the lookups answered as the CDK CLI would
 * (from the queries the synth records under the assembly's `missing`), and the deployment planned
 * the way CloudFormation runs it (./support/change-plan.ts).
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../../lib';
import { plan, Version, versionOf } from './support/change-plan';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const ISSUER_URL = `https://${ISSUER}`;
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
const CLUSTER = { Arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod', OpenIdConnectIssuerUrl: ISSUER_URL };

type Describe = (stack: Stack) => IrsaCluster;

const lookup: Describe = (stack) => IrsaCluster.fromLookup(stack, 'Prod', { clusterName: 'prod' });
const attributes = (removalPolicy?: RemovalPolicy): Describe => () =>
  IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL, removalPolicy });

/** One version of the app: the service account payments/api on the cluster as described. */
function build(context: Record<string, unknown>, describe: Describe): App {
  const app = new App({ context });
  const stack = new Stack(app, 'App', { env: ENV });
  new IrsaServiceAccount(stack, 'Api', { cluster: describe(stack), namespace: 'payments', name: 'api', manifestDelivery: ManifestDelivery.none() });
  return app;
}

/** Synthesizes as `cdk synth` does, the account holding the cluster and, or not, its provider. */
function synth(describe: Describe, providerExists: boolean): Version {
  const context: Record<string, unknown> = {};
  for (;;) {
    const missing = (build(context, describe).synth().manifest.missing ?? []).filter((m) => !(m.key in context));
    if (missing.length === 0) {
      return versionOf(build(context, describe));
    }
    for (const m of missing) {
      const props = m.props as any;
      context[m.key] = props.typeName === 'AWS::EKS::Cluster'
        ? [{ ...CLUSTER, Identifier: 'prod' }]
        : providerExists ? [{ Arn: PROVIDER_ARN, Identifier: PROVIDER_ARN }] : props.dummyValue;
    }
  }
}

describe('change safety of IrsaCluster.fromLookup()', () => {
  test('from fromAttributes({ issuerUrl }), which created the provider: no provider deleted or created twice, the role kept', () => {
    const outcome = plan(synth(attributes(), false), synth(lookup, true));

    expect(outcome).toEqual({ failure: undefined, deletedShared: [], deletedObjects: [], missingDeclared: [], newRoleArn: [], cutOff: [] });
  });

  test('a refreshed answer after the app created the provider: the app imports it, and it stays', () => {
    const outcome = plan(synth(lookup, false), synth(lookup, true));

    expect(outcome).toEqual({ failure: undefined, deletedShared: [], deletedObjects: [], missingDeclared: [], newRoleArn: [], cutOff: [] });
  });

  test('from fromAttributes({ issuerUrl, removalPolicy: DESTROY }): the switch deletes the provider, as the page warns', () => {
    const outcome = plan(synth(attributes(RemovalPolicy.DESTROY), false), synth(lookup, true));

    expect(outcome.deletedShared).toEqual(['AWS::IAM::OIDCProvider App/IrsaOidcProvider0720465B829363C7']);
  });
});
