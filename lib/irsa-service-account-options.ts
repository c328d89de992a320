/**
 * The options and properties of `IrsaServiceAccount`: the Pod Identity options, the options shared
 * with `IrsaServiceAccount.forAddon()`, and those of `helmValues()`.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AddonPolicy } from './addon-policy';
import { IdentityType } from './identity-type';
import { IrsaCluster } from './irsa-cluster';
import { IrsaRoleOptions } from './irsa-role';
import { ManifestDelivery } from './manifest-delivery';
import { ServiceAccountManifestOptions } from './service-account-manifest';

/**
 * Options of EKS Pod Identity for an `IrsaServiceAccount`: its `podIdentity`, which applies
 * only with `IdentityType.POD_IDENTITY` or `IdentityType.IRSA_AND_POD_IDENTITY`.
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
   * With `IdentityType.POD_IDENTITY`, whether the role keeps trusting the service account
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
   * association, and cdk-irsa makes none (so `removalPolicy` does not reach it). The add-on must
   * be bound (a synth error says so otherwise), and such an association carries only the role and
   * the service account's name (no `targetRoleArn`, `sessionPolicy`, `disableSessionTags` or
   * `associationTags`).
   *
   * @default false: cdk-irsa makes the association
   */
  readonly associatedByEksAddon?: boolean;
}

/**
 * Options of an `IrsaServiceAccount` other than the cluster and the ServiceAccount's name and
 * namespace, shared by `IrsaServiceAccount.forAddon()`.
 *
 * Options that apply only in some cases are grouped: `podIdentity` for EKS Pod Identity, and
 * `roleOptions` for the role that cdk-irsa creates, which cannot be combined with `role`.
 * `identityType`, `overwriteServiceAccount` and `removalPolicy` mean what they mean on
 * aws-eks-v2's `ServiceAccount`.
 */
export interface IrsaServiceAccountBaseOptions extends ServiceAccountManifestOptions {
  /**
   * How pods of the service account get credentials. The same option as aws-eks-v2
   * `ServiceAccount`'s, with one more value, `IdentityType.IRSA_AND_POD_IDENTITY`.
   *
   * @default IdentityType.IRSA
   */
  readonly identityType?: IdentityType;

  /**
   * The options of EKS Pod Identity. Give them only with `IdentityType.POD_IDENTITY` or
   * `IdentityType.IRSA_AND_POD_IDENTITY` (a synth error says so otherwise).
   *
   * @default - the role's trust pins the session tags of this cluster, namespace and service
   * account, and cdk-irsa makes an association without target role, session policy or tags
   */
  readonly podIdentity?: PodIdentityOptions;

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
   * where it is defined, and a synth warning shows the statement it needs. It cannot be combined
   * with `roleOptions`, which shape the role that cdk-irsa creates.
   *
   * @default - an `IrsaRole` is created, shaped by `roleOptions`
   */
  readonly role?: iam.IRole;

  /**
   * The options of the role that cdk-irsa creates when `role` is not given: its name, path,
   * policies and limits, as `IrsaRole` takes them. They are one struct rather than options of
   * their own beside `role` because none of them applies to a role given with `role`: so the
   * conflict is one rule (`role` or `roleOptions`), and the options are listed once, in
   * `IrsaRoleOptions`. aws-eks-v2's `ServiceAccount` has no such options.
   *
   * @default - a role named from the region, cluster, namespace and name where they are known at
   * synth, at path `/`, with no policies but what is granted to the service account
   */
  readonly roleOptions?: IrsaRoleOptions;

  /**
   * What CloudFormation does with the resources that cdk-irsa creates for this service account,
   * the role (with its customer-managed grants policy) and the Pod Identity association, when
   * they leave the template, are replaced, or their stack is deleted. As with aws-eks-v2's
   * `ServiceAccount`, it applies to the resources within this construct: a role given with
   * `role` is not changed, and the shared OIDC provider, Pod Identity agent, namespaces and
   * manifest resource of the ServiceAccount keep their own retention (see `IrsaCluster`). A role
   * retained keeps its name: a new stack with the same service account then needs the old role
   * deleted first. `RemovalPolicy.SNAPSHOT` does not apply to these resources.
   *
   * @default - the resources are deleted (CloudFormation's default, `RemovalPolicy.DESTROY`)
   */
  readonly removalPolicy?: RemovalPolicy;

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
   * take over. The same option as aws-eks-v2 `ServiceAccount`'s, which it extends to the
   * namespace and to the other service accounts of the cluster in the same stack (they share
   * one manifest resource).
   *
   * @default false
   */
  readonly overwriteServiceAccount?: boolean;

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
