import { FeatureFlags, Reference, RemovalPolicy, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct, IDependable } from 'constructs';
import { ClusterOidcProvider } from '../cluster-oidc-provider';
import type { IrsaClusterAttributes, IrsaClusterOptions } from '../irsa-cluster';
import { eksClusterOwnProvider, kubectlPruneLabel, useAsEksClusterProvider } from './aws-cdk-lib-internals';
import { v2ClusterResource } from './eks-v2-cluster-resource';
import { fail, q } from './errors';
import { requireValue, validateClusterArn, validateEksClusterName } from './input-checks';
import { issuerFromProviderArn, issuerRegion, validateIssuerUrl } from './issuer';
import { agentOfCluster, installAgent, warnAgentUnknown } from './pod-identity-agent';
import { indexedProvider } from './provider-index';
import { providerForIssuer } from './provider-registry';
import { partitionOf } from './regions';
import { validateRemovalPolicy } from './removal';

/** aws-cdk-lib's feature flag that makes clusters create a native OIDC provider (named literally: older versions lack the constant). */
const NATIVE_OIDC_FLAG = '@aws-cdk/aws-eks:useNativeOidcProvider';
/** The ID under a cluster of the provider that cdk-irsa creates for it. */
const OWN_PROVIDER_ID = 'IrsaOidcProvider';

/** A manifest resource made for a batch, with the prune label its objects must carry. */
export interface CreatedManifest {
  readonly resource: Construct;
  readonly pruneLabel?: string;
}

/**
 * How a cluster applies Kubernetes manifests through its kubectl provider. The manifest resources
 * are retained unless the cluster's `removalPolicy` says otherwise: CloudFormation then never sends
 * them Delete, so the kubectl handler never runs `kubectl delete` on objects that moved to another
 * batch, delivery or stack, or that the stack's deletion would take with it.
 */
export interface ManifestTarget {
  /** The cluster construct: one batch per cluster per stack. */
  readonly cluster: IConstruct;
  /** Creates one manifest resource holding `objects` (which may grow until synth); `overwrite` applies rather than creates. */
  create(scope: Construct, id: string, objects: any[], overwrite: boolean): CreatedManifest;
}

/** What cdk-irsa needs from a cluster, whatever made it. */
export interface ClusterAdapter {
  readonly clusterName: string;
  /**
   * The cluster's name where it is known at synth although `clusterName` is a token: an aws-eks-v2
   * cluster made in the app with a `clusterName` (its L1's literal `name`). Role names and logical
   * IDs use it, so that describing the same cluster by its attributes later keeps them.
   */
  readonly nameAtSynth?: string;
  /** The cluster's account, where it is known at synth. */
  readonly account?: string;
  /** The cluster's region, where it is known at synth. */
  readonly region?: string;
  /** Why Pod Identity cannot work on this cluster, if the cluster says so. */
  readonly podIdentityUnavailable?: string;
  /** The issuer URL, where it is known. */
  readonly issuerUrl?: string;
  /** What happens to the shared objects cdk-irsa creates for the cluster when they go: retained unless the user says otherwise. */
  readonly removalPolicy: RemovalPolicy;
  /** A string that names the same cluster in every synth: never a token. Construct IDs and role names derive from it. */
  readonly identity: string;
  /** Where the cluster can apply manifests, how. */
  readonly manifests?: ManifestTarget;
  /**
   * Whether the cluster is made in this app and cannot apply manifests (an aws-eks-v2 cluster
   * without a kubectl provider): its service accounts default to GitOps output, as an imported
   * cluster's are expected to, but for a cluster made here that is worth a warning.
   */
  readonly madeInAppWithoutKubectl?: boolean;
  /**
   * A string that tells this cluster from every other in the app, as seen from `scope`: its
   * account, region and name (the region implies the partition), or its construct path where
   * the name is a token. Registries of service accounts and agents key on it.
   */
  key(scope: IConstruct): string;
  /** The cluster's ARN as seen from `scope` (the `eks-cluster-arn` session tag of Pod Identity). */
  clusterArn(scope: IConstruct): string;
  /** The EKS Pod Identity agent add-on, installed once, for pods of this cluster (`undefined` where not managed here). */
  podIdentityAgent(scope: IConstruct): IDependable | undefined;
  /** The IAM OIDC provider for the cluster's issuer, as seen from `scope`. */
  provider(scope: IConstruct): iam.IOpenIdConnectProvider;
}

/** The members that aws-eks and aws-eks-v2 clusters share and that cdk-irsa uses. */
type AnyCluster = eks.ICluster | eksv2.ICluster;

/** Owned clusters (not imported ones) have a token issuer URL and may create a provider. */
function ownedIssuerUrl(cluster: AnyCluster): string | undefined {
  return 'clusterOpenIdConnectIssuerUrl' in cluster ? (cluster as eks.Cluster).clusterOpenIdConnectIssuerUrl : undefined;
}

function clusterIdentity(cluster: AnyCluster): string {
  return Token.isUnresolved(cluster.clusterName) ? `path:${cluster.node.path}` : `name:${cluster.clusterName}`;
}

/** The literal `name` of the L1 of an aws-eks-v2 cluster made in this app, where it has one. */
function literalNameOfV2Cluster(cluster: eksv2.ICluster): string | undefined {
  const name = v2ClusterResource(cluster)?.name;
  return typeof name === 'string' && !Token.isUnresolved(name) ? name : undefined;
}

/** The key of a cluster by account, region and name; tokens (environment-agnostic stacks) stand as they are. */
function locationKey(account: string, region: string, clusterName: string): string {
  return `cluster:${account}:${region}:${clusterName}`;
}

function ownedClusterKey(cluster: AnyCluster): string {
  return Token.isUnresolved(cluster.clusterName)
    ? clusterIdentity(cluster)
    : locationKey(cluster.env.account, cluster.env.region, cluster.clusterName);
}

/**
 * The provider of an aws-eks or aws-eks-v2 cluster: the one it has, or the native one that
 * aws-cdk-lib makes under its `useNativeOidcProvider` flag; else, for a cluster made in this app,
 * a native one made once and shared with aws-cdk-lib, so that its own service accounts reuse it
 * rather than make a second (Lambda-backed) provider for the same issuer.
 */
function clusterProvider(cluster: AnyCluster, kind: string, removalPolicy: RemovalPolicy): iam.IOpenIdConnectProvider {
  const issuerUrl = ownedIssuerUrl(cluster);
  if (issuerUrl === undefined) {
    try {
      return cluster.openIdConnectProvider;
    } catch {
      return fail(`the imported ${kind} cluster ${cluster.node.path} has no OIDC provider. Pass openIdConnectProvider when importing it, `
        + 'or use IrsaCluster.fromAttributes({ clusterName, issuerUrl }) to have cdk-irsa create or import one.');
    }
  }
  const existing = eksClusterOwnProvider(cluster);
  if (existing
    // With this flag aws-cdk-lib makes a native provider itself: use it, so that its logical ID
    // does not depend on whether cdk-irsa or aws-cdk-lib asks first.
    || FeatureFlags.of(cluster).isEnabled(NATIVE_OIDC_FLAG)) {
    return cluster.openIdConnectProvider;
  }
  const own = cluster.node.tryFindChild(OWN_PROVIDER_ID) as ClusterOidcProvider | undefined;
  if (own) {
    return own;
  }
  // A ClusterOidcProvider of the user's for this cluster's issuer (a token): one provider per issuer.
  const indexed = indexedProvider(cluster, issuerUrl);
  if (indexed) {
    return indexed;
  }
  const created = new ClusterOidcProvider(cluster as unknown as Construct, OWN_PROVIDER_ID, { issuerUrl, removalPolicy });
  // So that aws-cdk-lib's own uses of `cluster.openIdConnectProvider` get ours, not a duplicate.
  useAsEksClusterProvider(cluster, created);
  return created;
}

function manifestTarget(cluster: AnyCluster, make: (scope: Construct, id: string, objects: any[], overwrite: boolean) => Construct): ManifestTarget {
  return {
    cluster,
    create: (scope, id, objects, overwrite) => {
      const resource = make(scope, id, objects, overwrite);
      return { resource, pruneLabel: cluster.prune ? kubectlPruneLabel(resource) : undefined };
    },
  };
}

/** The Pod Identity facts of an aws-eks or aws-eks-v2 cluster. */
function podIdentityOf(cluster: AnyCluster, fargate: boolean, options: ClusterOptions, factory: string, removalPolicy: RemovalPolicy):
Pick<ClusterAdapter, 'clusterArn' | 'account' | 'region' | 'podIdentityUnavailable' | 'podIdentityAgent'> {
  const owned = ownedIssuerUrl(cluster) !== undefined;
  checkAgentOptions(options, cluster.clusterName);
  return {
    account: accountOf(cluster),
    region: Token.isUnresolved(cluster.env.region) ? undefined : cluster.env.region,
    clusterArn: () => cluster.clusterArn,
    podIdentityUnavailable: fargate
      ? `${cluster.node.path} is a FargateCluster, and EKS Pod Identity is not available for pods on Fargate. Use IdentityType.IRSA.`
      : undefined,
    podIdentityAgent: (scope) => {
      if (owned) {
        return agentOfCluster(cluster, removalPolicy);
      }
      if (options.installPodIdentityAgent) {
        return installAgent(scope, cluster.clusterName, ownedClusterKey(cluster), clusterIdentity(cluster), removalPolicy);
      }
      if (!options.podIdentityAgentInstalled) {
        warnAgentUnknown(scope, cluster.clusterName, 'imported', `${factory}(cluster, options)`);
      }
      return undefined;
    },
  };
}

/** Refuses both installing the agent and saying it is installed. */
function checkAgentOptions(options: { installPodIdentityAgent?: boolean; podIdentityAgentInstalled?: boolean }, clusterName: string): void {
  if (options.installPodIdentityAgent && options.podIdentityAgentInstalled) {
    fail(`cluster ${q(clusterName)} has both installPodIdentityAgent and podIdentityAgentInstalled: the first installs the `
      + 'eks-pod-identity-agent add-on, the second says the cluster has the agent already (as an add-on, or built into EKS Auto Mode), '
      + 'and EKS refuses a second copy of an add-on. Keep installPodIdentityAgent if nothing installs the agent yet, else podIdentityAgentInstalled.');
  }
}

/** The cluster's account: that of a literal ARN (an imported cluster may be in another account), else its stack's where known. */
function accountOf(cluster: AnyCluster): string | undefined {
  const arn = Token.isUnresolved(cluster.clusterArn) ? undefined : /^arn:[^:]+:eks:[^:]*:(\d{12}):/.exec(cluster.clusterArn);
  if (arn) {
    return arn[1];
  }
  return Token.isUnresolved(cluster.env.account) ? undefined : cluster.env.account;
}

/** An aws-eks cluster. */
export function eksClusterAdapter(cluster: eks.ICluster, options: ClusterOptions): ClusterAdapter {
  const removalPolicy = validateRemovalPolicy(options.removalPolicy);
  const canApply = ownedIssuerUrl(cluster) !== undefined || cluster.kubectlRole !== undefined || cluster.kubectlProvider !== undefined;
  return {
    ...podIdentityOf(cluster, cluster instanceof eks.FargateCluster, options, 'IrsaCluster.fromCluster', removalPolicy),
    removalPolicy,
    clusterName: cluster.clusterName,
    issuerUrl: ownedIssuerUrl(cluster),
    identity: clusterIdentity(cluster),
    key: () => ownedClusterKey(cluster),
    manifests: canApply
      ? manifestTarget(cluster, (scope, id, objects, overwrite) =>
          new eks.KubernetesManifest(scope, id, { cluster, manifest: objects, overwrite: overwrite || undefined, removalPolicy }))
      : undefined,
    provider: () => clusterProvider(cluster, 'aws-eks', removalPolicy),
  };
}

/** An aws-eks-v2 cluster. */
export function eksV2ClusterAdapter(cluster: eksv2.ICluster, options: ClusterOptions): ClusterAdapter {
  const removalPolicy = validateRemovalPolicy(options.removalPolicy);
  return {
    ...podIdentityOf(cluster, cluster instanceof eksv2.FargateCluster, options, 'IrsaCluster.fromClusterV2', removalPolicy),
    removalPolicy,
    clusterName: cluster.clusterName,
    nameAtSynth: literalNameOfV2Cluster(cluster),
    issuerUrl: ownedIssuerUrl(cluster),
    identity: clusterIdentity(cluster),
    key: () => ownedClusterKey(cluster),
    manifests: cluster.kubectlProvider !== undefined
      ? manifestTarget(cluster, (scope, id, objects, overwrite) =>
          new eksv2.KubernetesManifest(scope, id, { cluster, manifest: objects, overwrite: overwrite || undefined, removalPolicy }))
      : undefined,
    madeInAppWithoutKubectl: cluster.kubectlProvider === undefined && ownedIssuerUrl(cluster) !== undefined,
    provider: () => clusterProvider(cluster, 'aws-eks-v2', removalPolicy),
  };
}

/** How cdk-irsa treats an aws-eks or aws-eks-v2 cluster: the public options, one definition. */
export type ClusterOptions = IrsaClusterOptions;

/** What is known of a cluster made outside the app: the public attributes, and the factory the user called, for messages. */
export interface ClusterAttributes extends IrsaClusterAttributes {
  /** `IrsaCluster.fromAttributes()` unless given. */
  readonly factory?: string;
}

/** A cluster known by its attributes. */
export function attributesClusterAdapter(attrs: ClusterAttributes): ClusterAdapter {
  requireValue(attrs, 'attributes', 'give at least the clusterName of IrsaCluster.fromAttributes().');
  const { clusterName, issuerUrl, openIdConnectProvider } = attrs;
  requireValue(clusterName, 'clusterName', 'give the name of the EKS cluster, as `aws eks list-clusters` prints it.');
  const removalPolicy = validateRemovalPolicy(attrs.removalPolicy);
  if (Token.isUnresolved(clusterName) === false && clusterName.length === 0) {
    fail('clusterName is empty. Name the EKS cluster.');
  }
  validateEksClusterName(clusterName);
  const arnAccount = attrs.clusterArn !== undefined ? validateClusterArn(attrs.clusterArn, clusterName) : undefined;
  if (issuerUrl !== undefined) {
    validateIssuerUrl(issuerUrl);
  }
  checkAgentOptions(attrs, clusterName);
  if (issuerUrl !== undefined && openIdConnectProvider !== undefined) {
    const fromArn = issuerFromProviderArn(openIdConnectProvider.openIdConnectProviderArn);
    if (!Token.isUnresolved(issuerUrl) && !Token.isUnresolved(fromArn) && `https://${fromArn}` !== issuerUrl) {
      fail(`issuerUrl ${q(issuerUrl)} does not match openIdConnectProvider ${q(openIdConnectProvider.openIdConnectProviderArn)}, which trusts "https://${fromArn}". `
        + 'Give the provider of this cluster, or leave one of the two out.');
    }
  }
  let identity: string;
  if (issuerUrl !== undefined && !Token.isUnresolved(issuerUrl)) {
    identity = `issuer:${issuerUrl}`;
  } else if (!Token.isUnresolved(clusterName)) {
    identity = `name:${clusterName}`;
  } else if (openIdConnectProvider !== undefined) {
    identity = `provider:${openIdConnectProvider.node.path}`;
  } else {
    return fail('clusterName and issuerUrl are both tokens: give at least one of them literally, or pass openIdConnectProvider, so that cdk-irsa can '
      + 'name the provider it creates the same way in every synth.');
  }
  const arnParts = attrs.clusterArn && !Token.isUnresolved(attrs.clusterArn) ? attrs.clusterArn.split(':') : undefined;
  // A literal issuer names its region: clusters named alike in two regions are two clusters.
  const regionOfIssuer = issuerUrl !== undefined ? issuerRegion(issuerUrl) : undefined;
  const key = (scope: IConstruct) => {
    if (arnParts) {
      return locationKey(arnParts[4], arnParts[3], arnParts[5]?.replace(/^cluster\//, '') ?? clusterName);
    }
    if (Token.isUnresolved(clusterName)) {
      return identity;
    }
    const stack = Stack.of(scope);
    return locationKey(stack.account, regionOfIssuer ?? stack.region, clusterName);
  };
  return {
    clusterName,
    issuerUrl,
    identity,
    removalPolicy,
    key,
    clusterArn: (scope) => attrs.clusterArn ?? clusterArnIn(Stack.of(scope), clusterName),
    account: arnAccount,
    region: arnParts?.[3],
    podIdentityAgent: (scope) => {
      if (attrs.installPodIdentityAgent) {
        return installAgent(scope, clusterName, key(scope), identity, removalPolicy);
      }
      if (!attrs.podIdentityAgentInstalled) {
        warnAgentUnknown(scope, clusterName, 'known only by its attributes', attrs.factory ?? 'IrsaCluster.fromAttributes()');
      }
      return undefined;
    },
    provider: (scope) => {
      if (openIdConnectProvider) {
        return openIdConnectProvider;
      }
      if (issuerUrl === undefined) {
        return fail(`cluster ${q(clusterName)} needs issuerUrl or openIdConnectProvider for IAM roles for service accounts: cdk-irsa cannot find the `
          + 'cluster\'s issuer otherwise. Give issuerUrl (`aws eks describe-cluster --name <cluster> --query cluster.identity.oidc.issuer`), '
          + 'or openIdConnectProvider to reuse an existing provider. (EKS Pod Identity alone needs neither.)', scope);
      }
      // The issuer of a cluster made in this app (fromAttributes({ issuerUrl: cluster.clusterOpenIdConnectIssuerUrl })):
      // that cluster's provider, whichever way the cluster is named.
      const owner = Token.isUnresolved(issuerUrl) ? clusterOfIssuer(issuerUrl) : undefined;
      if (owner) {
        return clusterProvider(owner, 'aws-eks', removalPolicy);
      }
      return providerForIssuer(scope, issuerUrl, identity, removalPolicy);
    },
  };
}

/** The aws-eks or aws-eks-v2 cluster of this app whose issuer URL attribute a token stands for, if any. */
function clusterOfIssuer(issuerUrl: string): AnyCluster | undefined {
  const token = Tokenization.reverseString(issuerUrl).firstToken;
  if (!(token instanceof Reference)) {
    return undefined;
  }
  return [...token.target.node.scopes].reverse().find((c): c is eks.Cluster | eksv2.Cluster =>
    (c instanceof eks.Cluster || c instanceof eksv2.Cluster) && c.clusterOpenIdConnectIssuerUrl === issuerUrl);
}

/** The ARN of a cluster of this name in the stack's account and region, literal where they are. */
function clusterArnIn(stack: Stack, clusterName: string): string {
  const partition = partitionOf(stack);
  if (partition && !Token.isUnresolved(stack.account)) {
    return `arn:${partition}:eks:${stack.region}:${stack.account}:cluster/${clusterName}`;
  }
  return stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: clusterName });
}
