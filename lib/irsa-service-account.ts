import { Stack, Tags, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { AddonPolicy } from './addon-policy';
import { DEFAULT_AUDIENCE } from './cluster-oidc-provider';
import { IdentityMode } from './identity-mode';
import { IrsaCluster } from './irsa-cluster';
import { IrsaRole, IrsaRoleOptions } from './irsa-role';
import { ManifestDelivery, ManifestDeliveryKind } from './manifest-delivery';
import { ClusterAdapter } from './private/cluster-adapter';
import { checkedFor, fail, q } from './private/errors';
import { GitOpsFile } from './private/gitops-file';
import { validateRoleOptions } from './private/iam-names';
import { requireValue, validateSessionPolicy, validateTags, validateTargetRoleArn } from './private/input-checks';
import { ManifestBatch } from './private/manifest-batch';
import { acceptAudience, shortHash } from './private/provider-registry';
import { trustPodIdentity, trustWebIdentity } from './private/role-trust';
import { registerServiceAccount } from './private/service-account-registry';
import { ServiceAccountManifest, ServiceAccountManifestOptions } from './service-account-manifest';
import { ServiceAccountSubject } from './service-account-subject';

/** Namespaces that every cluster has: never created (taken over) by cdk-irsa. */
const PRESET_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const MAX_ROLE_NAME_LENGTH = 64;

/** The options of `IrsaRoleOptions`, which apply only to a role that cdk-irsa creates. */
const ROLE_OPTIONS: Array<keyof IrsaRoleOptions> = [
  'roleName', 'path', 'description', 'maxSessionDuration', 'permissionsBoundary', 'managedPolicies', 'inlinePolicies', 'trustPolicySizeLimit',
];

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
   * create it. GitOps tools always take over.
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
   * kubectl is deleted with the stack, with everything in it; it is never pruned.
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

/**
 * A Kubernetes ServiceAccount whose pods get AWS credentials of their own: through IAM roles
 * for service accounts (IRSA, the default), EKS Pod Identity, or both during a migration.
 *
 * With IRSA it makes (or reuses) the cluster's IAM OIDC provider, an IAM role trusted by exactly
 * this service account and audience, and the ServiceAccount annotated with the role. With Pod
 * Identity it makes the role trusted by `pods.eks.amazonaws.com`, pinned to this service
 * account's session tags, and the association. The ServiceAccount is delivered by kubectl, as
 * GitOps YAML, or not at all.
 *
 * It is a principal: grant it what its pods need (`bucket.grantRead(serviceAccount)`); grants
 * land in the role's inline policy. Per service account the template gains one
 * `AWS::IAM::Role` (plus the association with Pod Identity) and no Lambda or custom resource;
 * with kubectl delivery, one manifest resource per cluster and stack holds all service accounts.
 *
 * @example
 * declare const cluster: eks.Cluster;
 * declare const bucket: s3.IBucket;
 * const serviceAccount = new IrsaServiceAccount(this, 'Api', {
 *   cluster: IrsaCluster.fromCluster(cluster),
 *   name: 'api',
 *   namespace: 'payments',
 * });
 * bucket.grantRead(serviceAccount);
 */
export class IrsaServiceAccount extends Construct implements iam.IPrincipal {
  /**
   * The service account of an add-on, with the add-on's permissions: its default name and
   * namespace unless given, and its scoped policy (or the AWS managed one).
   *
   * The add-on's Helm chart or EKS add-on usually creates the ServiceAccount itself: so unless
   * `manifestDelivery` says otherwise, only the role is made (`ManifestDelivery.none()`). Give
   * the chart the role's ARN, or the EKS add-on `serviceAccountRoleArn`.
   *
   * @example
   * declare const cluster: IrsaCluster;
   * const ebs = IrsaServiceAccount.forAddon(this, 'EbsCsi', { cluster, addon: AddonPolicy.ebsCsiDriver() });
   * new eks.CfnAddon(this, 'EbsCsiAddon', {
   *   clusterName: cluster.clusterName,
   *   addonName: 'aws-ebs-csi-driver',
   *   serviceAccountRoleArn: ebs.role.roleArn,
   * });
   *
   * @param scope the parent construct
   * @param id the construct ID
   * @param props the cluster, the add-on and the usual options
   */
  public static forAddon(scope: Construct, id: string, props: AddonServiceAccountProps): IrsaServiceAccount {
    const serviceAccount = new IrsaServiceAccount(scope, id, {
      ...props,
      name: props.name ?? props.addon.serviceAccountName,
      namespace: props.namespace ?? props.addon.namespace,
      manifestDelivery: props.manifestDelivery ?? ManifestDelivery.none(),
    });
    props.addon.attachTo(serviceAccount, { useManagedPolicy: props.useManagedPolicy });
    return serviceAccount;
  }

  /** The IAM role that the service account's pods assume. */
  public readonly role: iam.IRole;

  /** The name of the ServiceAccount. */
  public readonly serviceAccountName: string;

  /** The namespace of the ServiceAccount. */
  public readonly serviceAccountNamespace: string;

  /** The ServiceAccount object, whatever the delivery. */
  public readonly manifest: ServiceAccountManifest;

  /** How the ServiceAccount is delivered. */
  public readonly manifestDelivery: ManifestDelivery;

  /** How pods of the service account get credentials. */
  public readonly identityMode: IdentityMode;

  /**
   * With GitOps delivery, the YAML file holding the ServiceAccount, relative to the cloud
   * assembly directory: `<stack artifact ID>.service-accounts/<cluster name>/service-accounts.yaml`.
   *
   * @default - none: the ServiceAccount is not delivered as a file
   */
  public readonly manifestFile?: string;

  /**
   * With EKS Pod Identity, the association of the service account with the role.
   *
   * @default - none: IRSA only
   */
  public readonly podIdentityAssociation?: eks.CfnPodIdentityAssociation;

  /** The principal to grant permissions to: the role. */
  public readonly grantPrincipal: iam.IPrincipal;

  /** The action that assumes the role. */
  public readonly assumeRoleAction: string;

  constructor(scope: Construct, id: string, props: IrsaServiceAccountProps) {
    super(scope, id);
    requireValue(props, 'props', 'give the cluster and name of the service account.', this);
    requireValue(props.cluster, 'cluster', 'give the cluster of the service account, for example IrsaCluster.fromAttributes({ clusterName, issuerUrl }).', this);
    requireValue(props.name, 'name', 'give the name of the Kubernetes ServiceAccount.', this);
    const cluster = props.cluster._adapter;
    const namespace = props.namespace ?? 'default';
    const mode = props.identityMode ?? IdentityMode.IRSA;
    const annotated = mode !== IdentityMode.POD_IDENTITY;
    const usesIrsa = annotated || props.retainIrsaTrust === true;
    const usesPodIdentity = mode !== IdentityMode.IRSA;
    const delivery = props.manifestDelivery ?? (cluster.manifests ? ManifestDelivery.kubectl() : ManifestDelivery.gitOps());
    // Every check before anything is made or registered; errors name this construct.
    const subject = checkedFor(this, () => {
      this.validateOptions(props, cluster, mode, delivery);
      if (!props.role) {
        validateRoleOptions(props);
      }
      new ServiceAccountManifest({ ...props, namespace });
      return ServiceAccountSubject.exact(namespace, props.name);
    });
    registerServiceAccount(this, cluster.identity, namespace, props.name);

    this.role = props.role ?? new IrsaRole(this, 'Role', {
      ...props,
      provider: undefined,
      subjects: undefined,
      // Named alike in every mode, so that switching modes never replaces a role in use.
      roleName: props.roleName ?? (delivery.kind === ManifestDeliveryKind.GITOPS
        ? deterministicRoleName(cluster.identity, cluster.clusterName, namespace, props.name)
        : undefined),
    });
    if (!props.role && (props.auditTags ?? true)) {
      Tags.of(this.role).add('cdk-irsa:cluster', cluster.clusterName);
      Tags.of(this.role).add('cdk-irsa:namespace', namespace);
      Tags.of(this.role).add('cdk-irsa:service-account', props.name);
    }
    if (usesIrsa) {
      const audience = props.audience ?? DEFAULT_AUDIENCE;
      const provider = cluster.provider(this);
      acceptAudience(this, provider, audience);
      trustWebIdentity(this, this.role, provider, subject, audience);
    }
    if (usesPodIdentity) {
      const pin = (props.pinSessionTags ?? true) && !props.disableSessionTags;
      trustPodIdentity(this, this.role, pin ? { clusterArn: cluster.clusterArn(this), namespace, serviceAccount: props.name } : {});
      this.podIdentityAssociation = this.associate(props, cluster, namespace);
    }

    const roleArn = !annotated ? undefined
      : delivery.kind === ManifestDeliveryKind.GITOPS ? literalRoleArn(this, this.role) : this.role.roleArn;
    this.manifest = new ServiceAccountManifest({ ...props, namespace, roleArn });
    this.serviceAccountName = props.name;
    this.serviceAccountNamespace = namespace;
    this.manifestDelivery = delivery;
    this.identityMode = mode;
    this.grantPrincipal = this.role;
    this.assumeRoleAction = this.role.assumeRoleAction;
    this.manifestFile = this.deliver(props, cluster, delivery, namespace);
  }

  /** The policy fragment that names the role as principal. */
  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.policyFragment;
  }

  /** The account of the role. */
  public get principalAccount(): string | undefined {
    return this.role.principalAccount;
  }

  /**
   * Adds a statement to the role's policy.
   *
   * @deprecated use `addToPrincipalPolicy`
   */
  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.role.addToPrincipalPolicy(statement).statementAdded;
  }

  /** Adds a statement to the role's policy: its inline policy where cdk-irsa made the role. */
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    return this.role.addToPrincipalPolicy(statement);
  }

  private validateOptions(props: IrsaServiceAccountProps, cluster: ClusterAdapter, mode: IdentityMode, delivery: ManifestDelivery): void {
    if (delivery.kind === ManifestDeliveryKind.KUBECTL && !cluster.manifests) {
      fail(`ManifestDelivery.kubectl() needs a cluster that can apply manifests, and ${q(cluster.clusterName)} cannot (an imported cluster `
        + 'without a kubectl provider or role, or one known only by its attributes). Use ManifestDelivery.gitOps() or ManifestDelivery.none().', this);
    }
    if (props.createNamespace && !Token.isUnresolved(props.namespace ?? 'default') && PRESET_NAMESPACES.includes(props.namespace ?? 'default')) {
      fail(`createNamespace is set for namespace ${q(props.namespace ?? 'default')}, which every cluster has already: delivering it would take it `
        + 'over (and kubectl delivery could prune it). Leave createNamespace out.', this);
    }
    if (props.role) {
      const given = ROLE_OPTIONS.filter((option) => props[option] !== undefined);
      if (given.length > 0) {
        fail(`${given.join(', ')} shape the role that cdk-irsa creates, but role is given. Set them where that role is made, or leave role out.`, this);
      }
    }
    if (mode === IdentityMode.IRSA) {
      const podIdentityOnly = (['pinSessionTags', 'disableSessionTags', 'sessionPolicy', 'targetRoleArn', 'associationTags', 'retainIrsaTrust'] as const)
        .filter((option) => props[option] !== undefined);
      if (podIdentityOnly.length > 0) {
        fail(`${podIdentityOnly.join(', ')} apply to EKS Pod Identity only. Set identityMode to IdentityMode.POD_IDENTITY `
          + 'or IdentityMode.IRSA_AND_POD_IDENTITY, or leave them out.', this);
      }
      return;
    }
    if (cluster.podIdentityUnavailable) {
      fail(cluster.podIdentityUnavailable, this);
    }
    const account = Stack.of(this).account;
    if (cluster.account !== undefined && !Token.isUnresolved(account) && cluster.account !== account) {
      fail(`EKS Pod Identity associations belong to the cluster's account (${cluster.account}), but this service account's stack deploys to `
        + `${account}. Define it in a stack of the cluster's account, and reach ${account} with targetRoleArn (role chaining).`, this);
    }
    if (props.retainIrsaTrust !== undefined && mode !== IdentityMode.POD_IDENTITY) {
      fail('retainIrsaTrust is for IdentityMode.POD_IDENTITY, the step after IRSA_AND_POD_IDENTITY in a migration; the other modes trust IRSA anyway.', this);
    }
    if (mode === IdentityMode.POD_IDENTITY && props.audience !== undefined && !props.retainIrsaTrust) {
      fail('audience applies to IAM roles for service accounts (the projected token); EKS Pod Identity has none. Leave it out.', this);
    }
    if (props.targetRoleArn !== undefined) {
      checkedFor(this, () => validateTargetRoleArn(props.targetRoleArn!));
    }
    if (props.associationTags !== undefined) {
      checkedFor(this, () => validateTags(props.associationTags!, 'associationTags'));
    }
    if (props.sessionPolicy) {
      checkedFor(this, () => validateSessionPolicy(this, props.sessionPolicy!));
    }
    if (props.sessionPolicy && !props.disableSessionTags) {
      fail('sessionPolicy needs disableSessionTags: true: EKS applies a session policy only to sessions without session tags.', this);
    }
    if (props.pinSessionTags === true && props.disableSessionTags) {
      fail('pinSessionTags cannot work with disableSessionTags: without session tags there is nothing to pin the trust to. Leave pinSessionTags out.', this);
    }
  }

  private associate(props: IrsaServiceAccountProps, cluster: ClusterAdapter, namespace: string): eks.CfnPodIdentityAssociation {
    const association = new eks.CfnPodIdentityAssociation(this, 'PodIdentityAssociation', {
      clusterName: cluster.clusterName,
      namespace,
      serviceAccount: props.name,
      roleArn: this.role.roleArn,
      targetRoleArn: props.targetRoleArn,
      disableSessionTags: props.disableSessionTags,
      tags: props.associationTags ? Object.entries(props.associationTags).map(([key, value]) => ({ key, value })) : undefined,
    });
    if (props.targetRoleArn) {
      // Pod Identity assumes the target role with this role's credentials, passing session tags.
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [props.targetRoleArn] }));
    }
    if (props.sessionPolicy) {
      // Set as an override: the typed property exists only in newer aws-cdk-lib versions.
      association.addPropertyOverride('Policy', Stack.of(this).toJsonString(props.sessionPolicy));
    }
    const agent = cluster.podIdentityAgent(this);
    if (agent) {
      association.node.addDependency(agent);
    }
    return association;
  }

  private deliver(props: IrsaServiceAccountProps, cluster: ClusterAdapter, delivery: ManifestDelivery, namespace: string): string | undefined {
    switch (delivery.kind) {
      case ManifestDeliveryKind.KUBECTL: {
        const batch = ManifestBatch.of(this, cluster.manifests!, props.overwrite ?? false);
        if (props.createNamespace) {
          batch.createNamespace(namespace);
        }
        batch.add(this.manifest.toJson());
        return undefined;
      }
      case ManifestDeliveryKind.GITOPS: {
        const file = GitOpsFile.of(this, cluster);
        if (props.createNamespace) {
          file.createNamespace(namespace);
        }
        file.add(this.manifest.toJson());
        return file.fileName;
      }
      case ManifestDeliveryKind.NONE:
        return undefined;
    }
  }
}

/**
 * A role name that is the same in every synth, readable, unique per cluster, namespace and
 * name, and within IAM's 64 characters.
 */
function deterministicRoleName(identity: string, clusterName: string, namespace: string, name: string): string {
  const hash = shortHash(`${identity}\n${namespace}\n${name}`).toLowerCase();
  const parts = Token.isUnresolved(clusterName) ? [namespace, name] : [clusterName, namespace, name];
  const readable = parts.join('-').replace(/[^\w+=,.@-]/g, '-');
  return `${readable.slice(0, MAX_ROLE_NAME_LENGTH - hash.length - 1)}-${hash}`;
}

/** The role's ARN as a literal, for YAML that must not hold tokens. */
function literalRoleArn(scope: Construct, role: iam.IRole): string {
  if (!Token.isUnresolved(role.roleArn)) {
    return role.roleArn;
  }
  const stack = Stack.of(role);
  const fix = 'GitOps YAML holds the role ARN literally. Give the role\'s stack an explicit environment: '
    + 'new Stack(app, id, { env: { account: "123456789012", region: "eu-west-1" } }).';
  const roleName = role instanceof IrsaRole ? role._givenName : undefined;
  if (roleName === undefined || Token.isUnresolved(roleName)) {
    fail(`the ARN of role ${role.node.path} is known only at deploy, and GitOps YAML holds it literally. Give the role a literal roleName `
      + '(an IrsaRole), import it by ARN, or use another ManifestDelivery.', scope);
  }
  if (Token.isUnresolved(stack.account)) {
    fail(`the account of stack ${stack.stackName} is not known at synth, so the role ARN for the GitOps manifest cannot be written. ${fix}`, scope);
  }
  const partition = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
  if (!partition) {
    fail(`the region of stack ${stack.stackName} is not known at synth (or not known to aws-cdk-lib), so the partition of the role ARN `
      + `for the GitOps manifest cannot be written. ${fix}`, scope);
  }
  const path = role instanceof IrsaRole ? role._givenPath ?? '/' : '/';
  return `arn:${partition}:iam::${stack.account}:role${path}${roleName}`;
}
