import { ContextProvider, Stack, Token } from 'aws-cdk-lib';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { fail, q } from './errors';
import { validateClusterArn, validateEksClusterName } from './input-checks';
import { issuerHostPath, validateIssuerUrl } from './issuer';
import { shortHash } from './provider-registry';
import { regionFacts } from './regions';

/**
 * Looking up a cluster and its IAM OIDC provider at synth, through aws-cdk-lib's context
 * providers (the Cloud Control API provider of the CDK CLI), as `iam.Role.fromLookup` does:
 *
 * 1. The first synth finds no value in the context: `ContextProvider.getValue` records the query
 *    in the assembly's `missing` list and returns a dummy, the CLI asks Cloud Control
 *    (`GetResource`), writes the answer to `cdk.context.json`, and synthesizes again.
 * 2. The cluster (`AWS::EKS::Cluster`, by name) must exist: where the CLI could not find it (or
 *    not ask), the context holds its error, and the synth fails naming the cluster.
 * 3. The provider (`AWS::IAM::OIDCProvider`, by the ARN it must have) may be missing: the query
 *    says so (`mustExist: false`), and the CLI then caches the dummy, an empty list: no provider.
 */

/** The context provider of the CDK CLI that answers Cloud Control queries. */
const CC_API = cxschema.ContextProvider.CC_API_PROVIDER;
const CLUSTER_TYPE = 'AWS::EKS::Cluster';
const PROVIDER_TYPE = 'AWS::IAM::OIDCProvider';

/** What the lookup found: literal values, dummies before the CLI answered. */
export interface LookedUpCluster {
  readonly clusterArn: string;
  readonly issuerUrl: string;
  /** The account's provider for the issuer; `undefined` where it has none (or the CLI has not looked yet). */
  readonly providerArn?: string;
}

/** The query of the cluster, as the context key and the CLI see it. */
export function clusterQuery(clusterName: string) {
  return {
    provider: CC_API,
    props: { typeName: CLUSTER_TYPE, exactIdentifier: clusterName, propertiesToReturn: ['Arn', 'OpenIdConnectIssuerUrl'] },
  };
}

/** The query of the IAM OIDC provider for an issuer in the stack's account. */
export function providerQuery(providerArn: string) {
  return {
    provider: CC_API,
    props: { typeName: PROVIDER_TYPE, exactIdentifier: providerArn, propertiesToReturn: ['Arn'] },
  };
}

/** The ARN that IAM gives the provider of an issuer in an account. */
export function providerArnFor(partition: string, account: string, issuerUrl: string): string {
  return `arn:${partition}:iam::${account}:oidc-provider/${issuerHostPath(issuerUrl)}`;
}

/**
 * Looks up a cluster of the scope's account and region by name, and the IAM OIDC provider of
 * its issuer in the account.
 */
export function lookUpCluster(scope: Construct, clusterName: string): LookedUpCluster {
  if (Token.isUnresolved(clusterName)) {
    fail(`clusterName ${q(clusterName)} is a token, which has no value at synth, when IrsaCluster.fromLookup() looks the cluster up. `
      + 'Give the name as a literal string, or use IrsaCluster.fromAttributes() for a name known only at deploy.', scope);
  }
  validateEksClusterName(clusterName);
  const stack = Stack.of(scope);
  const unknown = [
    ...Token.isUnresolved(stack.account) ? ['account'] : [],
    ...Token.isUnresolved(stack.region) ? ['region'] : [],
  ];
  if (unknown.length > 0) {
    fail(`IrsaCluster.fromLookup() looks cluster ${q(clusterName)} up in the account and region of stack ${q(stack.stackName)}, but the stack's `
      + `${unknown.join(' and ')} ${unknown.length > 1 ? 'are' : 'is'} not known at synth (an environment-agnostic stack). Give the stack an env: `
      + '{ env: { account: \'123456789012\', region: \'eu-west-1\' } }, or { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: '
      + 'process.env.CDK_DEFAULT_REGION } } for the account and region of the CDK CLI\'s credentials.', scope);
  }
  const facts = regionFacts(stack.region);
  const partition = facts?.partition ?? 'aws';

  const cluster = clusterQuery(clusterName);
  const answer = cachedAnswer(scope, cluster);
  if (answer.error !== undefined && /No resource of type/.test(answer.error)) {
    fail(`IrsaCluster.fromLookup(): the CDK CLI found no EKS cluster named ${q(clusterName)} in account ${stack.account}, region ${stack.region} (${answer.error}). Check clusterName, and the `
      + 'account and region of the stack (its env), then synthesize again: the CLI does not cache a failed lookup.', scope);
  }
  if (answer.error !== undefined) {
    fail(`IrsaCluster.fromLookup(): the CDK CLI could not look up EKS cluster ${q(clusterName)} in account ${stack.account}, region ${stack.region}: ${answer.error}. Fix the cause (credentials, `
      + 'the lookup role of the bootstrap stack, network), then synthesize again: the CLI does not cache a failed lookup.', scope);
  }
  const dummy = {
    Arn: `arn:${partition}:eks:${stack.region}:${stack.account}:cluster/${clusterName}`,
    OpenIdConnectIssuerUrl: `https://oidc.eks.${stack.region}.${facts?.domainSuffix ?? 'amazonaws.com'}/id/DUMMY${shortHash(clusterName)}`,
  };
  const value = ContextProvider.getValue(scope, { ...cluster, dummyValue: [dummy] }).value;
  if (!answer.answered) {
    // Before the CLI looked up: the dummy cluster, and no provider lookup for its dummy issuer.
    return { clusterArn: dummy.Arn, issuerUrl: dummy.OpenIdConnectIssuerUrl };
  }
  const found = Array.isArray(value) && value.length === 1 ? value[0] : undefined;
  if (typeof found?.Arn !== 'string' || typeof found?.OpenIdConnectIssuerUrl !== 'string') {
    return fail(`the context holds ${q(value)} for EKS cluster ${q(clusterName)} in account ${stack.account}, region ${stack.region}, not one cluster with an Arn and an `
      + `OpenIdConnectIssuerUrl. Remove it with \`cdk context --reset ${q(ContextProvider.getKey(scope, cluster).key)}\` and synthesize again.`, scope);
  }
  validateClusterArn(found.Arn, clusterName);
  validateIssuerUrl(found.OpenIdConnectIssuerUrl);

  const expectedArn = providerArnFor(partition, stack.account, found.OpenIdConnectIssuerUrl);
  const provider = providerQuery(expectedArn);
  const providerAnswer = cachedAnswer(scope, provider);
  if (providerAnswer.error !== undefined) {
    fail(`IrsaCluster.fromLookup(): the CDK CLI could not look up the IAM OIDC provider ${q(expectedArn)} of cluster ${q(clusterName)}: `
      + `${providerAnswer.error}. Fix the cause (credentials, the lookup role of the bootstrap stack, network), then synthesize again.`, scope);
  }
  // Not found is an answer: the CLI caches the dummy, an empty list.
  const providers = ContextProvider.getValue(scope, { ...provider, dummyValue: [], mustExist: false }).value;
  if (!providerAnswer.answered || !Array.isArray(providers) || providers.length === 0) {
    return { clusterArn: found.Arn, issuerUrl: found.OpenIdConnectIssuerUrl };
  }
  const providerArn = providers[0]?.Arn;
  if (providers.length !== 1 || providerArn !== expectedArn) {
    return fail(`the context holds ${q(providers)} for the IAM OIDC provider ${q(expectedArn)} of cluster ${q(clusterName)}, not that provider. `
      + `Remove it with \`cdk context --reset ${q(ContextProvider.getKey(scope, provider).key)}\` and synthesize again.`, scope);
  }
  return { clusterArn: found.Arn, issuerUrl: found.OpenIdConnectIssuerUrl, providerArn };
}

/**
 * Whether the context holds the CLI's answer to a query, and the CLI's error where it answered
 * with one (it does not save those to `cdk.context.json`).
 */
function cachedAnswer(scope: Construct, query: { provider: string; props: Record<string, unknown> }): { answered: boolean; error?: string } {
  const cached = scope.node.tryGetContext(ContextProvider.getKey(scope, query).key);
  if (cached !== null && typeof cached === 'object' && !Array.isArray(cached) && cxapi.PROVIDER_ERROR_KEY in cached) {
    return { answered: true, error: String(cached[cxapi.PROVIDER_ERROR_KEY]) };
  }
  return { answered: cached !== undefined };
}
