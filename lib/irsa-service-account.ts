import { Annotations, CfnResource, RemovalPolicies, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { AddonPolicy } from './addon-policy';
import { IdentityType } from './identity-type';
import { IrsaRole, PodIdentityTrustOptions } from './irsa-role';
import { AddonServiceAccountProps, HelmValuesOptions, IrsaServiceAccountProps, PodIdentityOptions } from './irsa-service-account-options';
import { ManifestDelivery } from './manifest-delivery';
import { ClusterAdapter } from './private/cluster-adapter';
import { checkedFor, fail, q, validateAtSynth } from './private/errors';
import { mergeHelmValues } from './private/helm-values';
import { validateRoleOptions } from './private/iam-names';
import { identityStrategy, IdentityStrategy } from './private/identity-strategies';
import { requireValue } from './private/input-checks';
import { DEFAULT_AUDIENCE } from './private/issuer';
import { acceptAudience } from './private/provider-registry';
import { trustPodIdentity, trustWebIdentity } from './private/role-trust';
import { checkPropTypes, givenOptions } from './private/service-account-checks';
import { registerServiceAccount } from './private/service-account-registry';
import { deterministicRoleName, inAnotherAccount, literalRoleArn } from './private/service-account-role';
import { pinLogicalId } from './private/stable-logical-ids';
import { ServiceAccountManifest } from './service-account-manifest';
import { ServiceAccountSubject } from './service-account-subject';

/** Namespaces that every cluster has: never created (taken over) by cdk-irsa. */
const PRESET_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
/** The priority that `Tags.of(scope).add()` gives a tag by default. */
const AUDIT_TAG_PRIORITY = 100;

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
 * land in the role's inline policy (or a customer-managed one: `roleOptions.grantsPolicyType`). Per service account the template gains one
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
   * the chart the role's ARN, or bind the EKS add-on with `bindEksAddon()`.
   *
   * @example
   * declare const cluster: IrsaCluster;
   * const ebs = IrsaServiceAccount.forAddon(this, 'EbsCsi', { cluster, addon: AddonPolicy.ebsCsiDriver() });
   * ebs.bindEksAddon(new eks.CfnAddon(this, 'EbsCsiAddon', {
   *   clusterName: cluster.clusterName,
   *   addonName: 'aws-ebs-csi-driver',
   * }));
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
    serviceAccount.addon = props.addon;
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
  public readonly identityType: IdentityType;

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

  private readonly boundEksAddons: eks.CfnAddon[] = [];
  private readonly clusterName: string;
  private addon?: AddonPolicy;
  private readonly associatedByEksAddon: boolean;
  /** How `identityType` gets pods their credentials. */
  private readonly identity: IdentityStrategy;

  /** The action that assumes the role. */
  public readonly assumeRoleAction: string;

  constructor(scope: Construct, id: string, props: IrsaServiceAccountProps) {
    super(scope, id);
    requireValue(props, 'props', 'give the cluster and name of the service account.', this);
    requireValue(props.cluster, 'cluster', 'give the cluster of the service account, for example IrsaCluster.fromAttributes({ clusterName, issuerUrl }).', this);
    requireValue(props.name, 'name', 'give the name of the Kubernetes ServiceAccount.', this);
    checkedFor(this, () => checkPropTypes(props));
    const cluster = props.cluster._adapter;
    const namespace = props.namespace ?? 'default';
    const mode = props.identityType ?? IdentityType.IRSA;
    const identity = identityStrategy(mode, this);
    const podIdentity: PodIdentityOptions = props.podIdentity ?? {};
    const roleOptions = props.roleOptions ?? {};
    const annotated = identity.annotates;
    const usesIrsa = identity.trustsProvider(podIdentity);
    const usesPodIdentity = identity.associates;
    const delivery = props.manifestDelivery ?? (cluster.manifests ? ManifestDelivery.kubectl() : ManifestDelivery.gitOps());
    if (props.manifestDelivery === undefined && cluster.madeInAppWithoutKubectl) {
      Annotations.of(this).addWarningV2('cdk-irsa:gitOpsByDefault', `The cluster of ${this.node.path} is made in this app without a kubectl `
        + 'provider, so its ServiceAccount is written to the cloud assembly (cdk.out) for GitOps and reaches the cluster only if a pipeline '
        + 'applies it from there. If that is the plan, say so: manifestDelivery: ManifestDelivery.gitOps(). Otherwise give the cluster a kubectl '
        + 'provider (kubectlProviderOptions) to have it applied at deploy.');
    }
    // Every check before anything is made or registered; errors name this construct.
    const subject = checkedFor(this, () => {
      this.validateOptions(props, podIdentity, cluster, identity, delivery);
      validateRoleOptions(roleOptions);
      new ServiceAccountManifest({ ...props, namespace });
      return ServiceAccountSubject.exact(namespace, props.name);
    });
    registerServiceAccount(this, cluster.key(this), namespace, props.name);

    // A role made here gets its trust when it is made, so that it is in the role's document from
    // the start (what aws-cdk-lib's report of pre-created roles reads); a role given is added to.
    const pin = usesPodIdentity && (podIdentity.pinSessionTags ?? true) && !podIdentity.disableSessionTags;
    const podIdentityTrust: PodIdentityTrustOptions | undefined = !usesPodIdentity ? undefined
      : pin ? { clusterArn: cluster.clusterArn(this), namespace, serviceAccount: props.name } : {};
    const audiences = usesIrsa ? [props.audience ?? DEFAULT_AUDIENCE, ...props.retainAudience !== undefined ? [props.retainAudience] : []] : [];
    // The provider of the role's account: where the role is in another account than this stack, the one there.
    const provider = !usesIrsa ? undefined : cluster.provider(props.role && inAnotherAccount(this, props.role) ? props.role : this);
    for (const audience of audiences) {
      acceptAudience(this, provider!, audience);
    }
    this.role = props.role ?? checkedFor(this, () => new IrsaRole(this, 'Role', {
      ...roleOptions,
      provider,
      subjects: provider ? [subject] : undefined,
      audience: audiences[0],
      podIdentityTrust,
      // Named alike in every identity mode and delivery, however the cluster is described, so
      // that none of these edits replaces a role in use. The IAM path is part of the hash: a new
      // path (a replacement) then comes with a new name, which IAM accepts while the old role exists.
      roleName: roleOptions.roleName ?? (delivery._strategy.writesLiteralRoleArn || !Token.isUnresolved(Stack.of(this).region)
        ? deterministicRoleName(this, Stack.of(this).region, cluster, namespace, props.name, roleOptions.path ?? '/')
        : undefined),
    }));
    const roleResource = props.role ? undefined : this.role.node.defaultChild;
    if (roleResource instanceof iam.CfnRole) {
      pinLogicalId(this, roleResource, 'Role', cluster, namespace, props.name, roleOptions.roleName);
    }
    if (roleResource instanceof iam.CfnRole && (props.auditTags ?? true)) {
      // Set on the role's L1 directly rather than through Tags.of(), whose aspect would cost a
      // visit of the role's subtree per service account at synth. The priority is that of Tags.of(),
      // so a user's Tags.of(...).add() of the same key (at the default priority) or .remove() wins.
      // A pre-created role (iam.Role.customizeRoles) has no L1 to tag.
      roleResource.tags.setTag('cdk-irsa:cluster', cluster.clusterName, AUDIT_TAG_PRIORITY);
      roleResource.tags.setTag('cdk-irsa:namespace', namespace, AUDIT_TAG_PRIORITY);
      roleResource.tags.setTag('cdk-irsa:service-account', props.name, AUDIT_TAG_PRIORITY);
    }
    if (usesPodIdentity) {
      this.checkRoleInClusterAccount(cluster);
    }
    if (props.role) {
      for (const audience of audiences) {
        checkedFor(this, () => trustWebIdentity(this, this.role, provider!, subject, audience));
      }
      if (podIdentityTrust) {
        trustPodIdentity(this, this.role, podIdentityTrust);
      }
    } else {
      // Only the audience kept for one more deploy is added after the role is made.
      for (const audience of audiences.slice(1)) {
        checkedFor(this, () => trustWebIdentity(this, this.role, provider!, subject, audience));
      }
    }
    if (usesPodIdentity) {
      if (podIdentity.associatedByEksAddon) {
        validateAtSynth(this, () => this.boundEksAddons.length > 0 ? [] : ['podIdentity.associatedByEksAddon is set, but no EKS add-on is bound, '
          + `so the pods of ${namespace}/${props.name} get no association. Call bindEksAddon() with the add-on, or leave associatedByEksAddon out.`]);
      } else {
        this.podIdentityAssociation = this.associate(props.name, podIdentity, cluster, namespace);
      }
    }
    if (props.removalPolicy !== undefined) {
      // As aws-eks-v2's ServiceAccount does: every resource of this construct, including a grants
      // policy made on a later grant. Shared objects live elsewhere and keep their own retention.
      RemovalPolicies.of(this).apply(props.removalPolicy);
    }

    const roleArn = !annotated ? undefined
      : delivery._strategy.writesLiteralRoleArn ? literalRoleArn(this, this.role) : this.role.roleArn;
    this.manifest = new ServiceAccountManifest({ ...props, namespace, roleArn });
    this.serviceAccountName = props.name;
    this.serviceAccountNamespace = namespace;
    this.manifestDelivery = delivery;
    this.identityType = mode;
    this.identity = identity;
    this.grantPrincipal = this.role;
    this.assumeRoleAction = this.role.assumeRoleAction;
    this.manifestFile = this.deliver(props, cluster, delivery, namespace);
    this.associatedByEksAddon = podIdentity.associatedByEksAddon ?? false;
    this.clusterName = cluster.clusterName;
  }

  /**
   * The Helm values that make a chart's ServiceAccount this one: `create` (true where cdk-irsa
   * does not deliver the ServiceAccount itself, `ManifestDelivery.none()`), `name`, and the
   * `annotations` of the manifest (the role ARN with IRSA, and the other webhook annotations),
   * nested under the chart's service-account key. Pass them as the `values` of an aws-eks
   * `HelmChart` (`cluster.addHelmChart`), or write them to a values file. With EKS Pod Identity,
   * the chart needs no annotation: the association (made here) does the work.
   *
   * @example
   * declare const cluster: eks.Cluster;
   * const lbc = IrsaServiceAccount.forAddon(this, 'Lbc', {
   *   cluster: IrsaCluster.fromCluster(cluster),
   *   addon: AddonPolicy.awsLoadBalancerController({ clusterName: 'prod' }),
   * });
   * cluster.addHelmChart('LoadBalancerController', {
   *   chart: 'aws-load-balancer-controller',
   *   repository: 'https://aws.github.io/eks-charts',
   *   namespace: 'kube-system',
   *   values: lbc.helmValues({ values: { clusterName: 'prod' } }),
   * });
   *
   * @param options where the chart keeps the ServiceAccount's values, and the chart's other values
   */
  public helmValues(options: HelmValuesOptions = {}): { [key: string]: any } {
    const key = options.serviceAccountKey ?? (this.addon ? this.addon.helmServiceAccountKey : 'serviceAccount');
    if (key === undefined) {
      fail(`the Helm chart of ${this.addon!.addonName} has no values for this service account known to cdk-irsa. `
        + 'Install it as an EKS add-on (bindEksAddon()), or name the chart\'s key with serviceAccountKey.', this);
    }
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(key)) {
      fail(`serviceAccountKey ${q(key)} is not a dotted path of Helm value names, such as "controller.serviceAccount".`, this);
    }
    const annotations = this.manifest.toJson().metadata.annotations;
    let values: { [key: string]: any } = {
      create: this.manifestDelivery._strategy.leftToOthers,
      name: this.serviceAccountName,
      ...(annotations && Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
    };
    for (const segment of key.split('.').reverse()) {
      values = { [segment]: values };
    }
    return mergeHelmValues(options.values ?? {}, values, [], this);
  }

  /**
   * Gives an EKS managed add-on this service account's role, the way EKS expects it: the role
   * ARN as `serviceAccountRoleArn` with IRSA (EKS annotates the add-on's ServiceAccount), an
   * entry `{ roleArn, serviceAccount }` in `podIdentityAssociations` with EKS Pod Identity (EKS
   * makes the association; the service account needs `podIdentity.associatedByEksAddon`), both with
   * `IdentityType.IRSA_AND_POD_IDENTITY`. The service account's name and namespace must be those
   * the add-on runs with.
   *
   * @example
   * declare const cluster: IrsaCluster;
   * const ebs = IrsaServiceAccount.forAddon(this, 'EbsCsi', {
   *   cluster,
   *   addon: AddonPolicy.ebsCsiDriver(),
   *   identityType: IdentityType.POD_IDENTITY,
   *   podIdentity: { associatedByEksAddon: true },
   * });
   * ebs.bindEksAddon(new eks.CfnAddon(this, 'EbsCsiAddon', { clusterName: cluster.clusterName, addonName: 'aws-ebs-csi-driver' }));
   *
   * @param addon an `eks.CfnAddon`, or a construct whose default child is one (aws-eks-v2 `Addon`)
   */
  public bindEksAddon(addon: IConstruct): void {
    const resource = CfnResource.isCfnResource(addon) ? addon : addon.node.defaultChild;
    if (!resource || !CfnResource.isCfnResource(resource) || resource.cfnResourceType !== 'AWS::EKS::Addon') {
      fail(`bindEksAddon() needs an EKS add-on: an eks.CfnAddon or an aws-eks-v2 Addon, and ${addon.node.path} is neither.`, this);
    }
    const cfnAddon = resource as eks.CfnAddon;
    const addonCluster = cfnAddon.clusterName;
    if (!Token.isUnresolved(addonCluster) && !Token.isUnresolved(this.clusterName) && addonCluster !== this.clusterName) {
      fail(`the add-on ${addon.node.path} is for cluster ${q(addonCluster)}, but this service account is in cluster ${q(this.clusterName)}: `
        + 'the add-on\'s pods would run with a role trusted for another cluster\'s service account. Bind an add-on of the same cluster.', this);
    }
    if (this.boundEksAddons.includes(cfnAddon)) {
      fail(`the add-on ${addon.node.path} is bound to this service account already. Bind it once.`, this);
    }
    const identity = this.identity;
    if (identity.associates && !this.associatedByEksAddon) {
      fail(`this service account uses EKS Pod Identity and cdk-irsa made its association, so ${addon.node.path} would make a second one `
        + 'for the same service account. Set podIdentity: { associatedByEksAddon: true } to let the add-on make it.', this);
    }
    if (identity.annotates) {
      if (cfnAddon.serviceAccountRoleArn !== undefined) {
        fail(`the add-on ${addon.node.path} has a serviceAccountRoleArn already. An add-on runs with one role: bind one service account.`, this);
      }
      cfnAddon.serviceAccountRoleArn = this.role.roleArn;
    }
    if (identity.associates) {
      const existing = cfnAddon.podIdentityAssociations ?? [];
      if (!Array.isArray(existing)) {
        fail(`the podIdentityAssociations of ${addon.node.path} are a token, so this service account cannot be added to them.`, this);
      }
      cfnAddon.podIdentityAssociations = [...existing, { roleArn: this.role.roleArn, serviceAccount: this.serviceAccountName }];
    }
    this.boundEksAddons.push(cfnAddon);
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

  /**
   * Adds a statement to the role's policy: where cdk-irsa made the role, its inline policy `Grants`
   * (or its customer-managed policy, with `GrantsPolicyType.CUSTOMER_MANAGED`).
   */
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    return this.role.addToPrincipalPolicy(statement);
  }

  private validateOptions(props: IrsaServiceAccountProps, podIdentity: PodIdentityOptions, cluster: ClusterAdapter, identity: IdentityStrategy,
    delivery: ManifestDelivery): void {
    delivery._strategy.check(cluster, this);
    if (props.createNamespace && !Token.isUnresolved(props.namespace ?? 'default') && PRESET_NAMESPACES.includes(props.namespace ?? 'default')) {
      fail(`createNamespace is set for namespace ${q(props.namespace ?? 'default')}, which every cluster has already: delivering it would take it `
        + 'over (and kubectl delivery could prune it). Leave createNamespace out.', this);
    }
    const roleOptionsGiven = givenOptions(props.roleOptions);
    if (props.role && roleOptionsGiven.length > 0) {
      fail(`roleOptions (${roleOptionsGiven.join(', ')}) shape the role that cdk-irsa creates, but role is given. `
        + 'Set them where that role is made, or leave roleOptions out.', this);
    }
    if (props.removalPolicy === RemovalPolicy.SNAPSHOT) {
      fail('removalPolicy RemovalPolicy.SNAPSHOT does not apply to an IAM role or a Pod Identity association. '
        + 'Use RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE or RemovalPolicy.DESTROY, or leave it out.', this);
    }
    const sameAudience = props.retainAudience === (props.audience ?? DEFAULT_AUDIENCE);
    if (props.retainAudience !== undefined && (sameAudience || !identity.trustsProvider(podIdentity))) {
      fail(`retainAudience ${q(props.retainAudience)} is for the deploy after audience changed: give the previous audience, other than audience `
        + `${q(props.audience ?? DEFAULT_AUDIENCE)}, with IAM roles for service accounts. Leave it out otherwise.`, this);
    }
    identity.check(props, podIdentity, cluster, this);
  }

  /**
   * EKS refuses an association whose role is in another account than the cluster (and aws-cdk-lib
   * cannot even name a generated role name across accounts): say so, with the fix.
   */
  private checkRoleInClusterAccount(cluster: ClusterAdapter): void {
    const clusterAccount = cluster.account ?? Stack.of(this).account;
    const roleAccount = this.role.env?.account;
    if (Token.isUnresolved(clusterAccount) || roleAccount === undefined || Token.isUnresolved(roleAccount) || roleAccount === clusterAccount) {
      return;
    }
    fail(`with EKS Pod Identity the role must be in the cluster's account (${clusterAccount}), but the role ${this.role.node.path} is in `
      + `${roleAccount}. Make the role in a stack of ${clusterAccount} (or leave role out), and reach ${roleAccount} with podIdentity.targetRoleArn (role chaining).`, this);
  }

  private associate(name: string, podIdentity: PodIdentityOptions, cluster: ClusterAdapter, namespace: string): eks.CfnPodIdentityAssociation {
    const association = new eks.CfnPodIdentityAssociation(this, 'PodIdentityAssociation', {
      clusterName: cluster.clusterName,
      namespace,
      serviceAccount: name,
      roleArn: this.role.roleArn,
      targetRoleArn: podIdentity.targetRoleArn,
      disableSessionTags: podIdentity.disableSessionTags,
      tags: podIdentity.associationTags ? Object.entries(podIdentity.associationTags).map(([key, value]) => ({ key, value })) : undefined,
    });
    pinLogicalId(this, association, 'PodIdentityAssociation', cluster, namespace, name);
    if (podIdentity.targetRoleArn) {
      // Pod Identity assumes the target role with this role's credentials, passing session tags.
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [podIdentity.targetRoleArn] }));
    }
    if (podIdentity.sessionPolicy) {
      // Set as an override: the typed property exists only in newer aws-cdk-lib versions.
      association.addPropertyOverride('Policy', Stack.of(this).toJsonString(podIdentity.sessionPolicy));
    }
    const agent = cluster.podIdentityAgent(this);
    if (agent) {
      association.node.addDependency(agent);
    }
    return association;
  }

  private deliver(props: IrsaServiceAccountProps, cluster: ClusterAdapter, delivery: ManifestDelivery, namespace: string): string | undefined {
    return delivery._strategy.deliver({
      scope: this,
      cluster,
      manifest: this.manifest.toJson(),
      namespace,
      createNamespace: props.createNamespace ?? false,
      overwrite: props.overwriteServiceAccount ?? false,
    });
  }
}
