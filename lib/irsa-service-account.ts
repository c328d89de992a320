import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { DEFAULT_AUDIENCE } from './cluster-oidc-provider';
import { IrsaCluster } from './irsa-cluster';
import { IrsaRole, IrsaRoleOptions } from './irsa-role';
import { ManifestDelivery, ManifestDeliveryKind } from './manifest-delivery';
import { fail, q } from './private/errors';
import { GitOpsFile } from './private/gitops-file';
import { ManifestBatch } from './private/manifest-batch';
import { acceptAudience, shortHash } from './private/provider-registry';
import { registerServiceAccount } from './private/service-account-registry';
import { ServiceAccountManifest, ServiceAccountManifestOptions } from './service-account-manifest';
import { ServiceAccountSubject } from './service-account-subject';

const MAX_ROLE_NAME_LENGTH = 64;

/**
 * Options of an `IrsaServiceAccount`: everything but the cluster.
 */
export interface IrsaServiceAccountOptions extends IrsaRoleOptions, ServiceAccountManifestOptions {
  /** The name of the Kubernetes ServiceAccount. */
  readonly name: string;

  /**
   * The namespace of the ServiceAccount. It must exist in the cluster before the ServiceAccount
   * is applied.
   *
   * @default 'default'
   */
  readonly namespace?: string;

  /**
   * The audience of the projected token: pinned in the role's trust, annotated on the
   * ServiceAccount, and added to the client IDs of a provider that cdk-irsa created.
   *
   * @default 'sts.amazonaws.com'
   */
  readonly audience?: string;

  /**
   * How the ServiceAccount reaches the cluster.
   *
   * @default - `ManifestDelivery.kubectl()` where the cluster can apply manifests, otherwise
   * `ManifestDelivery.gitOps()`
   */
  readonly manifestDelivery?: ManifestDelivery;
}

/**
 * Properties of an `IrsaServiceAccount`.
 */
export interface IrsaServiceAccountProps extends IrsaServiceAccountOptions {
  /** The cluster whose pods use the service account. */
  readonly cluster: IrsaCluster;
}

/**
 * A Kubernetes ServiceAccount whose pods get AWS credentials of their own through IAM roles
 * for service accounts (IRSA): the cluster's IAM OIDC provider (reused or created once), an
 * IAM role trusted by exactly this service account and audience, and the annotated
 * ServiceAccount, delivered by kubectl, as GitOps YAML or not at all.
 *
 * It is a principal: grant it what its pods need (`bucket.grantRead(serviceAccount)`); grants
 * land in the role's inline policy. Per service account the template gains one
 * `AWS::IAM::Role` and no Lambda or custom resource (with kubectl delivery, one manifest
 * resource per cluster and stack holds all service accounts).
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
  /** The IAM role that the service account's pods assume. */
  public readonly role: IrsaRole;

  /** The name of the ServiceAccount. */
  public readonly serviceAccountName: string;

  /** The namespace of the ServiceAccount. */
  public readonly serviceAccountNamespace: string;

  /** The ServiceAccount object, whatever the delivery. */
  public readonly manifest: ServiceAccountManifest;

  /** How the ServiceAccount is delivered. */
  public readonly manifestDelivery: ManifestDelivery;

  /**
   * With GitOps delivery, the YAML file holding the ServiceAccount, relative to the cloud
   * assembly directory.
   *
   * @default - none: the ServiceAccount is not delivered as a file
   */
  public readonly manifestFile?: string;

  /** The principal to grant permissions to: the role. */
  public readonly grantPrincipal: iam.IPrincipal;

  /** The action that assumes the role. */
  public readonly assumeRoleAction: string;

  constructor(scope: Construct, id: string, props: IrsaServiceAccountProps) {
    super(scope, id);
    const cluster = props.cluster._adapter;
    const namespace = props.namespace ?? 'default';
    const audience = props.audience ?? DEFAULT_AUDIENCE;
    const subject = ServiceAccountSubject.exact(namespace, props.name);
    const delivery = props.manifestDelivery ?? (cluster.manifests ? ManifestDelivery.kubectl() : ManifestDelivery.gitOps());
    if (delivery.kind === ManifestDeliveryKind.KUBECTL && !cluster.manifests) {
      fail(`ManifestDelivery.kubectl() needs a cluster that can apply manifests, and ${q(cluster.clusterName)} cannot (an imported cluster `
        + 'without a kubectl provider or role, or one known only by its attributes). Use ManifestDelivery.gitOps() or ManifestDelivery.none().', this);
    }
    registerServiceAccount(this, cluster.identity, namespace, props.name);

    const roleName = props.roleName
      ?? (delivery.kind === ManifestDeliveryKind.GITOPS ? deterministicRoleName(cluster.identity, cluster.clusterName, namespace, props.name) : undefined);

    const provider = cluster.provider(this);
    acceptAudience(this, provider, audience);

    this.role = new IrsaRole(this, 'Role', {
      ...props,
      roleName,
      provider,
      subjects: [subject],
      audience,
    });

    const roleArn = delivery.kind === ManifestDeliveryKind.GITOPS ? literalRoleArn(this, roleName!, props.path) : this.role.roleArn;
    this.manifest = new ServiceAccountManifest({ ...props, namespace, roleArn });
    this.serviceAccountName = props.name;
    this.serviceAccountNamespace = namespace;
    this.manifestDelivery = delivery;
    this.grantPrincipal = this.role;
    this.assumeRoleAction = this.role.assumeRoleAction;

    switch (delivery.kind) {
      case ManifestDeliveryKind.KUBECTL:
        ManifestBatch.of(this, cluster.manifests!).add(this.manifest.toJson());
        break;
      case ManifestDeliveryKind.GITOPS: {
        const file = GitOpsFile.of(this);
        file.add(this.manifest.toJson());
        this.manifestFile = file.fileName;
        break;
      }
      case ManifestDeliveryKind.NONE:
        break;
    }
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
   * Adds a statement to the role's inline policy.
   *
   * @deprecated use `addToPrincipalPolicy`
   */
  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.role.addToPrincipalPolicy(statement).statementAdded;
  }

  /** Adds a statement to the role's inline policy. */
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    return this.role.addToPrincipalPolicy(statement);
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
function literalRoleArn(scope: Construct, roleName: string, path: string | undefined): string {
  const stack = Stack.of(scope);
  const fix = 'GitOps YAML holds the role ARN literally. Give the stack an explicit environment: new Stack(app, id, { env: { account: "123456789012", region: "eu-west-1" } }).';
  if (Token.isUnresolved(roleName)) {
    fail(`roleName must be literal with ManifestDelivery.gitOps() (got a token). ${fix}`, scope);
  }
  if (Token.isUnresolved(stack.account)) {
    fail(`the account of stack ${stack.stackName} is not known at synth, so the role ARN for the GitOps manifest cannot be written. ${fix}`, scope);
  }
  const partition = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
  if (!partition) {
    fail(`the region of stack ${stack.stackName} is not known at synth (or not known to aws-cdk-lib), so the partition of the role ARN `
      + `for the GitOps manifest cannot be written. ${fix}`, scope);
  }
  return `arn:${partition}:iam::${stack.account}:role${path ?? '/'}${roleName}`;
}
