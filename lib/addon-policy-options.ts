import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';

/*
 * The options of the presets of `AddonPolicy`, one struct per add-on.
 */

/**
 * The IP family of a cluster's pods, which decides what the Amazon VPC CNI plugin needs.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html
 */
export enum CniIpFamily {
  /** IPv4 pods: the plugin creates, attaches and deletes network interfaces and assigns private IPv4 addresses. */
  IPV4 = 'IPV4',

  /** IPv6 pods: the plugin assigns IPv6 addresses (prefixes) to the nodes' network interfaces. */
  IPV6 = 'IPV6',
}

/**
 * Options of `AddonPolicy.ebsCsiDriver()`.
 */
export interface EbsCsiDriverPolicyOptions {
  /**
   * Customer managed KMS keys that encrypt the volumes (the `kmsKeyId` of a StorageClass).
   * The driver gets the right to use them through EC2 only (`kms:ViaService`), and to grant
   * them to EBS (`kms:GrantIsForAWSResource`).
   *
   * @default - none: volumes are unencrypted or use the AWS managed key `aws/ebs`
   */
  readonly kmsKeys?: kms.IKey[];
}

/**
 * Options of `AddonPolicy.efsCsiDriver()`.
 */
export interface EfsCsiDriverPolicyOptions {
  /**
   * The file systems in which the driver may create access points (dynamic provisioning).
   *
   * @default - any file system of the account and region
   */
  readonly fileSystems?: efs.IFileSystem[];
}

/**
 * Options of `AddonPolicy.vpcCni()`.
 */
export interface VpcCniPolicyOptions {
  /**
   * The IP family of the cluster.
   *
   * @default CniIpFamily.IPV4
   */
  readonly ipFamily?: CniIpFamily;
}

/**
 * Options of `AddonPolicy.awsLoadBalancerController()`.
 */
export interface AwsLoadBalancerControllerPolicyOptions {
  /**
   * The name of the cluster, as the controller knows it (`--cluster-name`). The controller tags
   * what it creates with `elbv2.k8s.aws/cluster: <clusterName>`; with the name, the role may
   * change and delete only the load balancers, target groups and security groups of this cluster.
   *
   * @default - those of any cluster in the account and region (upstream's scoping: the tag is present)
   */
  readonly clusterName?: string;
}

/**
 * Options of `AddonPolicy.externalDns()`.
 */
export interface ExternalDnsPolicyOptions {
  /**
   * The hosted zones whose records ExternalDNS manages. Limit ExternalDNS to them as well
   * (`--zone-id-filter`, or `--domain-filter` matching only these zones): it is denied the
   * records of any other zone.
   */
  readonly hostedZones: route53.IHostedZone[];
}

/**
 * Options of `AddonPolicy.certManager()`.
 */
export interface CertManagerPolicyOptions {
  /**
   * The hosted zones in which cert-manager answers ACME DNS-01 challenges.
   */
  readonly hostedZones: route53.IHostedZone[];

  /**
   * Whether cert-manager may change only records named `_acme-challenge.*`. Turn it off when
   * challenges are delegated with a CNAME to a record of another name.
   *
   * @default true
   */
  readonly acmeChallengeRecordsOnly?: boolean;
}

/**
 * Options of `AddonPolicy.clusterAutoscaler()`.
 */
export interface ClusterAutoscalerPolicyOptions {
  /**
   * The name of the cluster, a literal: the autoscaler may scale and terminate only in Auto
   * Scaling groups tagged `k8s.io/cluster-autoscaler/<clusterName>: owned`, as EKS managed node
   * groups and eksctl tag them.
   */
  readonly clusterName: string;
}

/**
 * Options of `AddonPolicy.karpenterController()`.
 */
export interface KarpenterControllerPolicyOptions {
  /**
   * The name of the cluster (`settings.clusterName`), a literal: Karpenter may launch, tag and
   * terminate only what carries `kubernetes.io/cluster/<clusterName>: owned`.
   */
  readonly clusterName: string;

  /**
   * The IAM role of the nodes that Karpenter launches (the `role` of its EC2NodeClasses); it is
   * the only role Karpenter may pass to EC2.
   */
  readonly nodeRole: iam.IRole;

  /**
   * The SQS queue of interruption events (`settings.interruptionQueue`).
   *
   * @default - no interruption handling
   */
  readonly interruptionQueue?: sqs.IQueue;
}

/**
 * Options of `AddonPolicy.externalSecrets()`. Give at least one of `secrets`, `parameters`
 * and `parameterPaths`.
 */
export interface ExternalSecretsPolicyOptions {
  /**
   * Secrets Manager secrets that ExternalSecrets may read. Secrets imported by name match
   * the name with any suffix (`-??????`).
   *
   * @default - none
   */
  readonly secrets?: secretsmanager.ISecret[];

  /**
   * Parameter Store parameters that ExternalSecrets may read.
   *
   * @default - none
   */
  readonly parameters?: ssm.IParameter[];

  /**
   * Parameter Store hierarchies whose parameters ExternalSecrets may read, for example
   * `/prod/payments`: every parameter below the path, and the path itself for
   * `GetParametersByPath`. Each starts with `/`, has no trailing `/` and no wildcard.
   *
   * @default - none
   */
  readonly parameterPaths?: string[];

  /**
   * Customer managed KMS keys that encrypt the secrets or SecureString parameters, usable
   * through Secrets Manager and Parameter Store only (`kms:ViaService`). The keys of `secrets`
   * that know their key are added by themselves.
   *
   * @default - only the keys of `secrets`
   */
  readonly kmsKeys?: kms.IKey[];
}

/**
 * Options of `AddonPolicy.velero()`.
 */
export interface VeleroPolicyOptions {
  /**
   * The bucket of the backup storage location. If it has a KMS key, the role may use it through S3.
   */
  readonly bucket: s3.IBucket;

  /**
   * The prefix of the backup storage location (its `prefix` setting), without leading or
   * trailing `/` and without `*`, `?` or `${`, which IAM would read as wildcards or a policy
   * variable: Velero may read and write objects below it only.
   *
   * @default - the whole bucket
   */
  readonly prefix?: string;

  /**
   * Whether Velero takes and restores EBS snapshots (a VolumeSnapshotLocation of the AWS
   * plugin). Turn it off when volumes are backed up with CSI snapshots or the file system
   * backup instead.
   *
   * @default true
   */
  readonly volumeSnapshots?: boolean;
}

/**
 * Options of `AddonPolicy.mountpointS3Csi()`.
 */
export interface MountpointS3CsiPolicyOptions {
  /**
   * The buckets that volumes mount. If they have KMS keys, the role may use them through S3.
   */
  readonly buckets: s3.IBucket[];

  /**
   * Whether the mounts only read.
   *
   * @default false
   */
  readonly readOnly?: boolean;
}

/**
 * Options of `AddonPolicy.cloudWatchObservability()`.
 */
export interface CloudWatchObservabilityPolicyOptions {
  /**
   * The name of the cluster: the agent may write only the Container Insights log groups of
   * this cluster (`/aws/containerinsights/<clusterName>/*`).
   *
   * @default - the Container Insights log groups of any cluster
   */
  readonly clusterName?: string;
}

/**
 * Options of `AddonPolicy.fsxLustreCsi()`.
 */
export interface FsxLustreCsiPolicyOptions {
  /**
   * S3 buckets that dynamically provisioned file systems link as data repositories
   * (`s3ImportPath`/`s3ExportPath`).
   *
   * @default - none: no data repositories
   */
  readonly dataRepositoryBuckets?: s3.IBucket[];
}

/**
 * Options of `AddonPolicy.nodeTerminationHandler()`.
 */
export interface NodeTerminationHandlerPolicyOptions {
  /**
   * The SQS queue that EventBridge fills with interruption and lifecycle events (queue
   * processor mode). If it has a KMS key, the role may decrypt through SQS.
   */
  readonly queue: sqs.IQueue;
}

/**
 * Options of `AddonPolicy.managedPrometheus()`.
 */
export interface ManagedPrometheusPolicyOptions {
  /**
   * The ARN of the workspace, `arn:<partition>:aps:<region>:<account>:workspace/ws-…`.
   */
  readonly workspaceArn: string;

  /**
   * Whether the role may query the workspace too (Grafana, a Prometheus UI, KEDA).
   *
   * @default false: remote write only
   */
  readonly query?: boolean;
}

/**
 * Options of `AddonPolicy.attachTo()`.
 */
export interface AddonPolicyAttachOptions {
  /**
   * Whether to attach the AWS managed policy of the add-on (`managedPolicyName`) instead of
   * the scoped statements. Statements for what the managed policy does not cover (KMS keys,
   * queries) are still added. The principal must then be an IAM role defined in this app, or
   * lead to one (`IrsaServiceAccount`): an imported role cannot get a managed policy from here.
   * The scoped statements are narrower: prefer them.
   *
   * @default false
   */
  readonly useManagedPolicy?: boolean;
}
