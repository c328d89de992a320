import { RemovalPolicy } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { ClusterOidcProvider } from './cluster-oidc-provider';
import { attributesClusterAdapter, ClusterAdapter, eksClusterAdapter, eksV2ClusterAdapter } from './private/cluster-adapter';
import { lookUpCluster } from './private/cluster-lookup';
import { eksModuleOf, FACTORY_OF } from './private/eks-cluster-kind';
import { fail } from './private/errors';
import { optionalBoolean, optionalString, requireConstruct, requireObjectWith, requireProps, requireString } from './private/type-checks';

/**
 * Attributes of an EKS cluster made outside this app (eksctl, Terraform, the console, another
 * CDK app).
 */
export interface IrsaClusterAttributes {
  /** The name of the cluster. */
  readonly clusterName: string;

  /**
   * The cluster's OIDC issuer URL. With it, cdk-irsa creates the IAM OIDC provider (once per
   * account in this app) unless `openIdConnectProvider` is given.
   *
   * @default - taken from `openIdConnectProvider`; one of the two is needed for IAM roles for service
   * accounts, neither for EKS Pod Identity
   */
  readonly issuerUrl?: string;

  /**
   * The IAM OIDC provider that exists already for the cluster's issuer, for example one made by
   * eksctl (import it with `ClusterOidcProvider.fromOidcProviderArn()`). An account holds one
   * provider per issuer: reuse it rather than create a second.
   *
   * @default - one is created from `issuerUrl`
   */
  readonly openIdConnectProvider?: iam.IOpenIdConnectProvider;

  /**
   * The cluster's ARN, which EKS Pod Identity sends as the session tag `eks-cluster-arn`.
   *
   * @default - the ARN of a cluster of this name in the account and region of the stack that
   * uses it
   */
  readonly clusterArn?: string;

  /**
   * Whether cdk-irsa installs the EKS Pod Identity agent add-on (`eks-pod-identity-agent`) on
   * the cluster, once, for service accounts that use EKS Pod Identity.
   *
   * @default false: the agent is managed where the cluster is
   */
  readonly installPodIdentityAgent?: boolean;

  /**
   * What happens to the shared objects that cdk-irsa creates for this cluster when they leave
   * the template or their stack is deleted: the IAM OIDC provider it creates for the issuer, the
   * Pod Identity agent add-on it installs (or, for a cluster made in this app, the cluster's own
   * `eksPodIdentityAgent` that it uses), and the manifest resources that hold the
   * ServiceAccounts and namespaces it delivers with kubectl. Other stacks, apps and running pods
   * depend on them, so by default they stay (the add-on also with `preserveOnDelete`), and
   * CloudFormation never runs `kubectl delete` on a manifest that moved or went.
   * `RemovalPolicy.DESTROY` deletes them with their stack, or when an edit drops them.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether the EKS Pod Identity agent runs on the cluster already: the `eks-pod-identity-agent`
   * add-on installed where the cluster is managed, or EKS Auto Mode, which has the agent built
   * in. Pods get no EKS Pod Identity credentials where the agent does not run, and cdk-irsa
   * cannot see a cluster made outside the app: unless this or `installPodIdentityAgent` is set, a
   * service account that uses EKS Pod Identity on this cluster gets a synth warning
   * (`cdk-irsa:podIdentityAgentUnknown`). Set only one of the two: EKS refuses to install an
   * add-on that the cluster has already.
   *
   * @default false: unknown, and a service account that uses EKS Pod Identity is warned about it
   */
  readonly podIdentityAgentInstalled?: boolean;
}

/**
 * Options for looking up an EKS cluster of the stack's account and region at synth, by name
 * (`IrsaCluster.fromLookup()`).
 */
export interface IrsaClusterLookupOptions {
  /**
   * The name of the cluster, a literal string (lookups happen at synth, before tokens have a
   * value).
   */
  readonly clusterName: string;

  /**
   * Whether cdk-irsa installs the EKS Pod Identity agent add-on (`eks-pod-identity-agent`) on
   * the cluster, once, for service accounts that use EKS Pod Identity. The add-on is retained
   * when it leaves the template.
   *
   * @default false: the agent is managed where the cluster is
   */
  readonly installPodIdentityAgent?: boolean;

  /**
   * Whether the EKS Pod Identity agent runs on the cluster already (the add-on, or EKS Auto
   * Mode). Unless this or `installPodIdentityAgent` is set, a service account that uses EKS Pod
   * Identity on this cluster gets a synth warning (`cdk-irsa:podIdentityAgentUnknown`).
   *
   * @default false: unknown, and a service account that uses EKS Pod Identity is warned about it
   */
  readonly podIdentityAgentInstalled?: boolean;
}

/**
 * Options for an aws-eks or aws-eks-v2 cluster.
 */
export interface IrsaClusterOptions {
  /**
   * For an imported cluster, whether cdk-irsa installs the EKS Pod Identity agent add-on on it,
   * once, for service accounts that use EKS Pod Identity. A cluster made in this app always
   * gets its agent from aws-cdk-lib (`cluster.eksPodIdentityAgent`, retained as `removalPolicy`
   * says), or keeps the one it has.
   *
   * @default false
   */
  readonly installPodIdentityAgent?: boolean;

  /**
   * For an imported cluster, that the EKS Pod Identity agent runs on it already (the add-on is
   * installed elsewhere, or the cluster uses EKS Auto Mode). cdk-irsa cannot see the agent of a
   * cluster made outside the app: unless this or `installPodIdentityAgent` is set, a service
   * account that uses EKS Pod Identity warns (`cdk-irsa:podIdentityAgentUnknown`). A cluster made
   * in this app needs neither.
   *
   * @default false
   */
  readonly podIdentityAgentInstalled?: boolean;

  /**
   * What happens to the shared objects that cdk-irsa creates for this cluster when they leave
   * the template or their stack is deleted: the IAM OIDC provider it creates for the issuer, the
   * Pod Identity agent add-on it installs (or, for a cluster made in this app, the cluster's own
   * `eksPodIdentityAgent` that it uses), and the manifest resources that hold the
   * ServiceAccounts and namespaces it delivers with kubectl. Other stacks, apps and running pods
   * depend on them, so by default they stay (the add-on also with `preserveOnDelete`), and
   * CloudFormation never runs `kubectl delete` on a manifest that moved or went.
   * `RemovalPolicy.DESTROY` deletes them with their stack, or when an edit drops them.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * What IAM roles for service accounts need from an EKS cluster: its name, its issuer and IAM
 * OIDC provider, and, where the cluster can apply manifests, the way to apply them.
 *
 * The provider is the cluster's own where it has one, else the `ClusterOidcProvider` that the app
 * has for the issuer and account; otherwise cdk-irsa creates a native `AWS::IAM::OIDCProvider`,
 * once per issuer and account in the app (never a Lambda-backed one).
 *
 * @example
 * declare const cluster: eks.Cluster;
 * const fromCluster = IrsaCluster.fromCluster(cluster);
 * const imported = IrsaCluster.fromAttributes({
 *   clusterName: 'prod',
 *   issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
 * });
 */
export class IrsaCluster {
  /**
   * A cluster of aws-cdk-lib's `aws-eks` module, made in this app or imported. Manifests can
   * be applied where the cluster has a kubectl provider or role.
   *
   * @param cluster the cluster
   * @param options how to treat the cluster
   */
  public static fromCluster(cluster: eks.ICluster, options: IrsaClusterOptions = {}): IrsaCluster {
    requireEksCluster(cluster, 'fromCluster', 'an aws-eks Cluster, for example eks.Cluster.fromClusterAttributes(this, "Cluster", { clusterName })');
    optionalBoolean(options.installPodIdentityAgent, 'installPodIdentityAgent');
    optionalBoolean(options.podIdentityAgentInstalled, 'podIdentityAgentInstalled');
    return new IrsaCluster(eksClusterAdapter(cluster, options));
  }

  /**
   * A cluster of aws-cdk-lib's `aws-eks-v2` module, made in this app or imported. Manifests can
   * be applied where the cluster has a kubectl provider.
   *
   * @param cluster the cluster
   * @param options how to treat the cluster
   */
  public static fromClusterV2(cluster: eksv2.ICluster, options: IrsaClusterOptions = {}): IrsaCluster {
    requireEksCluster(cluster, 'fromClusterV2', 'an aws-eks-v2 Cluster, for example eksv2.Cluster.fromClusterAttributes(this, "Cluster", { clusterName })');
    optionalBoolean(options.installPodIdentityAgent, 'installPodIdentityAgent');
    optionalBoolean(options.podIdentityAgentInstalled, 'podIdentityAgentInstalled');
    return new IrsaCluster(eksV2ClusterAdapter(cluster, options));
  }

  /**
   * A cluster made outside this app, known by its name and issuer or provider. cdk-irsa cannot
   * apply manifests to it: deliver its service accounts with `ManifestDelivery.gitOps()` or
   * `ManifestDelivery.none()`. IAM roles for service accounts need the issuer URL or the OIDC
   * provider; EKS Pod Identity alone needs neither.
   *
   * @param attrs the cluster's name and its issuer URL or OIDC provider
   */
  public static fromAttributes(attrs: IrsaClusterAttributes): IrsaCluster {
    if (attrs !== undefined && attrs !== null) {
      optionalString(attrs.clusterName, 'clusterName', 'a string, the name of the EKS cluster');
      optionalString(attrs.issuerUrl, 'issuerUrl', 'a string, for example "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"');
      optionalString(attrs.clusterArn, 'clusterArn', 'a string, the ARN of the EKS cluster');
      if (attrs.openIdConnectProvider !== undefined) {
        requireObjectWith(attrs.openIdConnectProvider, ['openIdConnectProviderArn'], 'openIdConnectProvider',
          'an iam.IOpenIdConnectProvider, for example ClusterOidcProvider.fromOidcProviderArn(this, "Provider", providerArn)');
      }
    }
    return new IrsaCluster(attributesClusterAdapter(attrs));
  }

  /**
   * A cluster of the stack's account and region, looked up by name at synth through the CDK
   * CLI's Cloud Control context provider, as `iam.Role.fromLookup()` does: its ARN and OIDC issuer
   * URL, and whether the account has an IAM OIDC provider for that issuer. That provider is
   * imported by ARN and never created; where the account has none, cdk-irsa creates one
   * as `fromAttributes({ issuerUrl })` does (retained when it leaves the template).
   *
   * The answers are cached in `cdk.context.json`: commit it, so that every synth sees the same
   * cluster and provider. Before the CLI has answered (the first synth, or `app.synth()` without
   * the CLI), the cluster has dummy values and the query is recorded in the assembly's missing
   * context. A cluster that the CLI cannot find fails the synth. The stack needs a literal account
   * and region; `clusterName` must be a literal. Like `fromAttributes()`, cdk-irsa cannot apply
   * manifests to the cluster: deliver its service accounts with `ManifestDelivery.gitOps()` or
   * `ManifestDelivery.none()`.
   *
   * @param scope a construct in the stack whose account and region hold the cluster
   * @param id the construct ID under which the lookup imports the provider
   * @param options the cluster's name, and how to treat it
   * @see https://docs.aws.amazon.com/cdk/v2/guide/context.html
   *
   * @example
   * // In a stack with env: { account, region }: `cdk synth` looks the cluster up.
   * const cluster = IrsaCluster.fromLookup(this, 'Prod', { clusterName: 'prod' });
   * new IrsaServiceAccount(this, 'PaymentsApi', {
   *   cluster,
   *   namespace: 'payments',
   *   name: 'api',
   *   manifestDelivery: ManifestDelivery.gitOps(),
   * });
   */
  public static fromLookup(scope: Construct, id: string, options: IrsaClusterLookupOptions): IrsaCluster {
    requireConstruct(scope, 'the scope given to IrsaCluster.fromLookup()', 'a construct, for example the stack (this)');
    requireString(id, 'the id given to IrsaCluster.fromLookup()', 'a string, the construct ID of the lookup');
    requireProps(options, 'IrsaCluster.fromLookup() options', 'give at least the clusterName, for example { clusterName: "prod" }.');
    requireString(options.clusterName, 'clusterName', 'a string, the name of the EKS cluster');
    optionalBoolean(options.installPodIdentityAgent, 'installPodIdentityAgent');
    optionalBoolean(options.podIdentityAgentInstalled, 'podIdentityAgentInstalled');
    const lookup = new Construct(scope, id);
    const found = lookUpCluster(lookup, options.clusterName);
    return new IrsaCluster(attributesClusterAdapter({
      clusterName: options.clusterName,
      clusterArn: found.clusterArn,
      issuerUrl: found.issuerUrl,
      openIdConnectProvider: found.providerArn !== undefined ? ClusterOidcProvider.fromOidcProviderArn(lookup, 'OidcProvider', found.providerArn) : undefined,
      installPodIdentityAgent: options.installPodIdentityAgent,
      podIdentityAgentInstalled: options.podIdentityAgentInstalled,
      factory: 'IrsaCluster.fromLookup()',
    }));
  }

  /** The name of the cluster. */
  public readonly clusterName: string;

  /** Whether cdk-irsa can apply manifests to this cluster (`ManifestDelivery.kubectl()`). */
  public readonly canApplyManifests: boolean;

  /** @internal */
  public readonly _adapter: ClusterAdapter;

  private constructor(adapter: ClusterAdapter) {
    this._adapter = adapter;
    this.clusterName = adapter.clusterName;
    this.canApplyManifests = adapter.manifests !== undefined;
  }

  /**
   * The IAM OIDC provider for the cluster's issuer, as used from `scope`: the cluster's own,
   * the one given, or the one cdk-irsa creates once for the issuer and account (in the stack
   * of the first construct that asks), which this call may create.
   *
   * @param scope a construct in the stack that will use the provider
   */
  public findOrCreateOidcProvider(scope: IConstruct): iam.IOpenIdConnectProvider {
    return this._adapter.provider(scope);
  }
}

/** A cluster construct of aws-eks or aws-eks-v2, not something a JavaScript caller passed by mistake. */
function requireEksCluster(cluster: unknown, factory: 'fromCluster' | 'fromClusterV2', expected: string): void {
  const module = eksModuleOf(cluster);
  if (module !== undefined && FACTORY_OF[module] !== factory) {
    fail(`IrsaCluster.${factory}() takes an ${factory === 'fromCluster' ? 'aws-eks' : 'aws-eks-v2'} cluster, but ${(cluster as Construct).node.path} `
      + `is an ${module} cluster: use IrsaCluster.${FACTORY_OF[module]}(cluster).`);
  }
  requireConstruct(cluster, `the cluster given to IrsaCluster.${factory}()`, expected);
  requireObjectWith(cluster, ['clusterName', 'clusterArn'], `the cluster given to IrsaCluster.${factory}()`, expected);
}
