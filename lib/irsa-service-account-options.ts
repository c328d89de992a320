/**
 * The options and properties of `IrsaServiceAccount`: the Pod Identity options, the options shared
 * with `IrsaServiceAccount.forAddon()`, and those of `helmValues()`.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { AddonPolicy } from './addon-policy';
import { IdentityMode } from './identity-mode';
import { IrsaCluster } from './irsa-cluster';
import { IrsaRoleOptions } from './irsa-role';
import { ManifestDelivery } from './manifest-delivery';
import { ServiceAccountManifestOptions } from './service-account-manifest';

/**
 * Options of EKS Pod Identity for an `IrsaServiceAccount`.
 */
export interface PodIdentityOptions {
  /**
   * Whether the role's trust requires the session tags that Pod Identity sends for this cluster,
   * namespace and service account (`aws:RequestTag/eks-cluster-arn`, `kubernetes-namespace`,
   * `kubernetes-service-account`), so that no other association can borrow the role. Turn it
   * off only for a role meant to be shared.
   *
   * @default - true, unless `disableSessionTags` is set (then there are no tags to pin)
   */
  readonly pinSessionTags?: boolean;

  /**
   * Whether Pod Identity leaves out its session tags. Needed for `sessionPolicy`; it turns tag
   * pinning off.
   *
   * @default false
   */
  readonly disableSessionTags?: boolean;

  /**
   * A session policy that narrows the role's permissions for these pods. EKS accepts it only
   * with `disableSessionTags: true`.
   *
   * @default - none
   */
  readonly sessionPolicy?: iam.PolicyDocument;

  /**
   * The ARN of a role, usually in another account, that Pod Identity assumes with the
   * credentials of this service account's role (role chaining). That role must trust this one.
   *
   * @default - none: pods get the credentials of this service account's role
   */
  readonly targetRoleArn?: string;

  /**
   * With `IdentityMode.POD_IDENTITY`, whether the role keeps trusting the service account
   * through IRSA as well, although the ServiceAccount is no longer annotated: the step of a
   * migration in which restarted pods move to Pod Identity while pods not yet restarted keep
   * refreshing their IRSA credentials. Drop it once every pod has restarted.
   *
   * @default false
   */
  readonly retainIrsaTrust?: boolean;

  /**
   * Tags for the Pod Identity association.
   *
   * @default - none
   */
  readonly associationTags?: { [key: string]: string };

  /**
   * Whether an EKS managed add-on makes the Pod Identity association, from its
   * `podIdentityAssociations` (set by `bindEksAddon()`), instead of cdk-irsa: EKS then owns the
   * association, and cdk-irsa makes none. The add-on must be bound (a synth error says so
   * otherwise), and such an association carries only the role and the service account's name
   * (no `targetRoleArn`, `sessionPolicy`, `disableSessionTags` or `associationTags`).
   *
   * @default false: cdk-irsa makes the association
   */
  readonly associatedByEksAddon?: boolean;
}

/**
 * Options of an `IrsaServiceAccount` other than the cluster and the ServiceAccount's name and
 * namespace, shared by `IrsaServiceAccount.forAddon()`.
 */
export interface IrsaServiceAccountBaseOptions extends IrsaRoleOptions, ServiceAccountManifestOptions, PodIdentityOptions {
  /**
   * How pods of the service account get credentials.
   *
   * @default IdentityMode.IRSA
   */
  readonly identityMode?: IdentityMode;

  /**
   * The audience of the projected token (IRSA): pinned in the role's trust, annotated on the
   * ServiceAccount, and added to the client IDs of a provider that cdk-irsa created.
   *
   * @default 'sts.amazonaws.com'
   */
  readonly audience?: string;

  /**
   * When `audience` changes, the previous audience, trusted (and accepted by a provider that
   * cdk-irsa created) for one more deploy: pods started before the change keep presenting tokens
   * for it until they restart. Deploy with it, restart the pods, then drop it.
   *
   * @default - none: only `audience` is trusted
   */
  readonly retainAudience?: string;

  /**
   * A role to use instead of creating one. An `IrsaRole` or `iam.Role` of this app gets this
   * service account's trust added. An imported role cannot be changed: its trust must be set
   * where it is defined, and a synth warning shows the statement it needs. The role options
   * (`roleName`, `path`, ...) cannot be combined with it.
   *
   * @default - an `IrsaRole` is created
   */
  readonly role?: iam.IRole;

  /**
   * How the ServiceAccount reaches the cluster.
   *
   * @default - `ManifestDelivery.kubectl()` where the cluster can apply manifests, otherwise
   * `ManifestDelivery.gitOps()`
   */
  readonly manifestDelivery?: ManifestDelivery;

  /**
   * Whether kubectl delivery takes over a ServiceAccount (and a namespace, with
   * `createNamespace`) that exists already, made by Helm or by hand, instead of failing to
   * create it: the stack's manifest resource for the cluster is then created with `kubectl
   * apply`. Its later deploys apply anyway (aws-cdk-lib's kubectl handler). GitOps tools always
   * take over.
   *
   * @default false
   */
  readonly overwrite?: boolean;

  /**
   * Whether the role that cdk-irsa creates is tagged with the cluster, namespace and service
   * account (`cdk-irsa:cluster`, `cdk-irsa:namespace`, `cdk-irsa:service-account`), so that IAM
   * listings and CloudTrail events lead back to the workload. A role given with `role` is never
   * tagged: it may serve several workloads.
   *
   * @default true
   */
  readonly auditTags?: boolean;

  /**
   * Whether the namespace is delivered too, ahead of the ServiceAccount. A namespace delivered by
   * kubectl is never pruned, and stays when the stack is deleted unless the cluster's
   * `removalPolicy` is `RemovalPolicy.DESTROY`.
   *
   * @default false: the namespace must exist
   */
  readonly createNamespace?: boolean;
}

/**
 * Options of an `IrsaServiceAccount`: everything but the cluster.
 */
export interface IrsaServiceAccountOptions extends IrsaServiceAccountBaseOptions {
  /** The name of the Kubernetes ServiceAccount. */
  readonly name: string;

  /**
   * The namespace of the ServiceAccount. It must exist before the ServiceAccount is applied,
   * unless `createNamespace` is set.
   *
   * @default 'default'
   */
  readonly namespace?: string;
}

/**
 * Properties of an `IrsaServiceAccount`.
 */
export interface IrsaServiceAccountProps extends IrsaServiceAccountOptions {
  /** The cluster whose pods use the service account. */
  readonly cluster: IrsaCluster;
}

/**
 * Options of `IrsaServiceAccount.helmValues()`.
 */
export interface HelmValuesOptions {
  /**
   * Where the chart keeps the ServiceAccount's values, as a dotted path
   * (`controller.serviceAccount`): `create`, `name` and `annotations` are set below it.
   *
   * @default - the add-on's `helmServiceAccountKey` for a service account made by `forAddon()`,
   * otherwise `serviceAccount`
   */
  readonly serviceAccountKey?: string;

  /**
   * The chart's other values, merged with the service account's (nested objects are merged; a
   * value the service account sets may not be given here).
   *
   * @default - only the service account's values
   */
  readonly values?: { [key: string]: any };
}

/**
 * Properties of `IrsaServiceAccount.forAddon()`.
 */
export interface AddonServiceAccountProps extends IrsaServiceAccountBaseOptions {
  /** The cluster that runs the add-on. */
  readonly cluster: IrsaCluster;

  /** The add-on and its permissions. */
  readonly addon: AddonPolicy;

  /**
   * The name of the ServiceAccount, where the add-on is installed with another than its default.
   *
   * @default - the add-on's default, `addon.serviceAccountName`
   */
  readonly name?: string;

  /**
   * The namespace of the ServiceAccount, where the add-on is installed in another than its default.
   *
   * @default - the add-on's default, `addon.namespace`
   */
  readonly namespace?: string;

  /**
   * Whether to attach the AWS managed policy of the add-on instead of the scoped statements.
   *
   * @default false
   */
  readonly useManagedPolicy?: boolean;
}
