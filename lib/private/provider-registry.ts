import { createHash } from 'crypto';
import { Annotations, Aws, RemovalPolicy, Resource, Stack, Stage, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { ClusterOidcProvider } from '../cluster-oidc-provider';
import { addClientIdToNativeProvider, addStackDependency } from './aws-cdk-lib-internals';
import { fail, q } from './errors';
import { DEFAULT_AUDIENCE, issuerHostPath } from './issuer';
import { importedProvider, indexedProvider } from './provider-index';
import { partitionOf } from './regions';

/** Providers that stand for one created by cdk-irsa in another stack. */
const createdElsewhere = new WeakMap<iam.IOpenIdConnectProvider, ClusterOidcProvider>();

/** A short, stable hash: construct IDs that must not move when unrelated code changes. */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8).toUpperCase();
}

/** Providers that cdk-irsa created itself, in the stack of the first service account that needed one. */
const madeHere = new WeakSet<iam.IOpenIdConnectProvider>();

/** Whether `stack` is a nested stack of `parent`, at any depth. */
function nestedIn(stack: Stack, parent: Stack): boolean {
  for (let s = stack.nestedStackParent; s; s = s.nestedStackParent) {
    if (s === parent) {
      return true;
    }
  }
  return false;
}

/** Whether `stack` depends on `other` already, directly or through other stacks. */
function dependsOn(stack: Stack, other: Stack, seen = new Set<Stack>()): boolean {
  if (seen.has(stack)) {
    return false;
  }
  seen.add(stack);
  return stack.dependencies.some((d) => d === other || dependsOn(d, other, seen));
}

/** Construct IDs of providers by cluster identity: asked for once per service account. */
const providerIds = new Map<string, string>();

function providerId(identity: string): string {
  let id = providerIds.get(identity);
  if (id === undefined) {
    id = `IrsaOidcProvider${shortHash(identity)}`;
    providerIds.set(identity, id);
  }
  return id;
}

/** A provider made by cdk-irsa in another stack, known by its ARN and its literal issuer. */
class ProviderOfAnotherStack extends Resource implements iam.IOpenIdConnectProvider {
  constructor(scope: Stack, id: string, public readonly openIdConnectProviderArn: string, public readonly openIdConnectProviderIssuer: string) {
    super(scope, id);
  }

  public get oidcProviderRef(): iam.OIDCProviderReference {
    return { oidcProviderArn: this.openIdConnectProviderArn };
  }
}

/**
 * The provider for an issuer URL, as seen from `scope`: the one this app has for the issuer and
 * the scope's account (made by cdk-irsa or the user), else one created in the scope's stack;
 * in other stacks of the same account imported by ARN where the issuer is literal.
 */
export function providerForIssuer(scope: IConstruct, issuerUrl: string, identity: string, removalPolicy: RemovalPolicy): iam.IOpenIdConnectProvider {
  const stack = Stack.of(scope);
  // One provider per issuer and account in the app, whoever made it (cdk-irsa or the user).
  const existing = indexedProvider(scope, issuerUrl);
  const id = providerId(identity);
  // A provider that the app imports by its literal ARN for this issuer and account: it exists.
  const adopted = existing ? undefined : importedProvider(scope, issuerUrl);
  if (adopted) {
    return adopted;
  }
  if (!existing) {
    if (Token.isUnresolved(issuerUrl)) {
      Annotations.of(scope).addWarningV2('cdk-irsa:issuerUnknownAtSynth',
        `The issuer URL of cluster ${identity.replace(/^\w+:/, '')} is known only at deploy, so cdk-irsa cannot tell whether another provider `
        + 'of this app or account trusts it already; a second one fails at deploy with EntityAlreadyExists. Give issuerUrl literally, pass '
        + 'openIdConnectProvider, or use IrsaCluster.fromCluster()/fromClusterV2() for a cluster made in this app.');
    }
    const created = new ClusterOidcProvider(stack, id, { issuerUrl, removalPolicy });
    madeHere.add(created);
    if (!Token.isUnresolved(issuerUrl)) {
      // The account may hold a provider for this issuer already: made elsewhere, or retained from an earlier deploy.
      const arn = Token.isUnresolved(stack.account) ? 'arn:aws:iam::<account>:oidc-provider/' : `arn:${partitionOf(stack) ?? 'aws'}:iam::${stack.account}:oidc-provider/`;
      Annotations.of(created).addInfo(`cdk-irsa creates the IAM OIDC provider for ${issuerUrl} here and retains it. If the deploy fails with `
        + 'EntityAlreadyExists, the account has one already (made by another tool, or retained from an earlier deploy): adopt it with '
        + `openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn(this, 'Provider', '${arn}${issuerHostPath(issuerUrl)}'), or with cdk import.`);
    }
    return created;
  }
  const owner = Stack.of(existing);
  // The same stack, or a nested stack and one of its parents: CDK passes the reference (a nested
  // stack cannot depend on its parent).
  if (owner === stack || nestedIn(stack, owner) || nestedIn(owner, stack)) {
    return existing;
  }
  // Another stack of the same account made it. With a literal account and issuer its ARN is
  // known without a cross-stack reference (which would fail across regions); deploy after it.
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(issuerUrl)) {
    return existing;
  }
  const found = stack.node.tryFindChild(id) as iam.IOpenIdConnectProvider | undefined;
  if (found) {
    return found;
  }
  if (Stage.of(owner) === Stage.of(stack)) {
    if (dependsOn(owner, stack)) {
      fail(`the IAM OIDC provider for ${issuerUrl} is created in stack ${owner.node.path}, whose service accounts come first in the app, `
        + `but that stack deploys after stack ${stack.node.path}, which uses it (a dependency of the app). Make the provider yourself in `
        + `${stack.node.path}, before the first service account of the app: const provider = new ClusterOidcProvider(stack, "Provider", `
        + '{ issuerUrl }); and give it to the cluster in every stack: IrsaCluster.fromAttributes({ clusterName, openIdConnectProvider: provider }).', scope);
    }
    addStackDependency(stack, owner, 'cdk-irsa: the IAM OIDC provider for this cluster is created there');
    if (madeHere.has(existing)) {
      // Which stack creates it follows the order of the code: a stack declared earlier with a
      // service account of this issuer would create it next time, and fail as the provider exists.
      Annotations.of(stack).addWarningV2('cdk-irsa:providerHomeByOrder', `The IAM OIDC provider for ${issuerUrl} is created in stack `
        + `${owner.node.path}, whose service accounts come first in the app, and this stack uses it. Which stack creates it follows the `
        + 'order of the code: a stack with a service account of this cluster declared before it would create it again, and that deploy '
        + `fails with EntityAlreadyExists. Make it yourself in ${owner.node.path}, before its first service account, under the construct ID `
        + `cdk-irsa gave it, which keeps the deployed provider: const provider = new ClusterOidcProvider(stack, "${existing.node.id}", { issuerUrl }); and `
        + 'give it to the cluster in every stack: IrsaCluster.fromAttributes({ clusterName, openIdConnectProvider: provider }).');
    }
  } else {
    // Stacks of different Stages cannot depend on each other: the order is the pipeline's.
    Annotations.of(scope).addWarningV2('cdk-irsa:providerInAnotherStage', `The IAM OIDC provider for ${issuerUrl} in account `
      + `${stack.account} is created by ${existing.node.path}, in another Stage: this stack imports it by ARN, and cannot be made to deploy `
      + 'after it. Deploy that Stage first (an earlier pipeline wave), or give every Stage the provider with '
      + 'IrsaCluster.fromAttributes({ openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn(...) }) where the account has it already.');
  }
  const issuer = issuerHostPath(issuerUrl);
  const partition = partitionOf(stack) ?? Aws.PARTITION;
  const imported = new ProviderOfAnotherStack(stack, id, `arn:${partition}:iam::${stack.account}:oidc-provider/${issuer}`, issuer);
  createdElsewhere.set(imported, existing);
  return imported;
}

/**
 * Makes sure the provider accepts an audience: added to its client IDs where cdk-irsa made
 * it; otherwise a warning, since only its owner can change it.
 */
export function acceptAudience(scope: IConstruct, provider: iam.IOpenIdConnectProvider, audience: string): void {
  const managed = provider instanceof ClusterOidcProvider ? provider : createdElsewhere.get(provider);
  if (audience === DEFAULT_AUDIENCE) {
    if (provider instanceof ClusterOidcProvider && !provider.clientIds.some((id) => Token.isUnresolved(id) || id === audience)) {
      fail(`ClusterOidcProvider ${provider.node.path} does not list the audience ${q(audience)} in its clientIds (${q(provider.clientIds)}), `
        + `so STS would refuse the tokens of this service account. Add ${q(audience)} to clientIds, or give the service account the audience `
        + 'the provider lists (audience).', scope);
    }
    return;
  }
  if (managed) {
    managed.addClientId(audience);
    return;
  }
  // A native provider that aws-cdk-lib made in this app (OidcProviderNative): its L1 takes the audience.
  if (addClientIdToNativeProvider(provider, audience)) {
    return;
  }
  Annotations.of(scope).addWarningV2('cdk-irsa:audienceNotManaged',
    `The OIDC provider ${provider.node.path} is not managed by cdk-irsa, which cannot add the audience "${audience}" to its client IDs. `
    + 'Make sure its client ID list includes it, or STS refuses the tokens.');
}
