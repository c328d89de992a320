import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { IDependable } from 'constructs';
import {
  AddonPolicyAttachOptions,
  CniIpFamily,
  EbsCsiDriverPolicyOptions,
  EfsCsiDriverPolicyOptions,
  VpcCniPolicyOptions,
  AwsLoadBalancerControllerPolicyOptions,
  ExternalDnsPolicyOptions,
  CertManagerPolicyOptions,
  ClusterAutoscalerPolicyOptions,
  KarpenterControllerPolicyOptions,
  ExternalSecretsPolicyOptions,
  VeleroPolicyOptions,
  MountpointS3CsiPolicyOptions,
  CloudWatchObservabilityPolicyOptions,
  FsxLustreCsiPolicyOptions,
  NodeTerminationHandlerPolicyOptions,
  ManagedPrometheusPolicyOptions,
} from './addon-policy-options';
import { awsLoadBalancerControllerStatements } from './private/addon-policies/aws-load-balancer-controller';
import { certManagerStatements } from './private/addon-policies/cert-manager';
import { cloudWatchObservabilityStatements } from './private/addon-policies/cloudwatch-observability';
import { clusterAutoscalerStatements } from './private/addon-policies/cluster-autoscaler';
import {
  ArnContext, contextOf, PresetStatements, PSEUDO_CONTEXT, refuseWildcardResources, requireSome, ScopedResource, validateClusterName,
  validateParameterPath,
} from './private/addon-policies/context';
import { ebsCsiDriverStatements } from './private/addon-policies/ebs-csi-driver';
import { efsCsiDriverStatements } from './private/addon-policies/efs-csi-driver';
import { externalDnsStatements } from './private/addon-policies/external-dns';
import { externalSecretsStatements } from './private/addon-policies/external-secrets';
import { fsxLustreCsiStatements } from './private/addon-policies/fsx-lustre-csi';
import { HELM_SERVICE_ACCOUNT_KEYS } from './private/addon-policies/helm-keys';
import { karpenterControllerStatements } from './private/addon-policies/karpenter-controller';
import { managedPrometheusStatements } from './private/addon-policies/managed-prometheus';
import { mountpointS3CsiStatements } from './private/addon-policies/mountpoint-s3-csi';
import { nodeTerminationHandlerStatements } from './private/addon-policies/node-termination-handler';
import { veleroStatements } from './private/addon-policies/velero';
import { vpcCniStatements } from './private/addon-policies/vpc-cni';
import { fail, q } from './private/errors';
import { acknowledgeWildcards } from './private/nag-suppressions';
import { requireProps } from './private/type-checks';

/** What a preset is made of. */
interface AddonPolicySpec {
  readonly addonName: string;
  readonly serviceAccountName: string;
  readonly namespace: string;
  readonly upstreamVersion: string;
  readonly managedPolicyName?: string;
  readonly build: (ctx: ArnContext) => PresetStatements;
}

/**
 * The IAM permissions of an add-on that most EKS clusters run, with the service account name
 * and namespace its Helm chart or EKS add-on uses by default.
 *
 * Each preset follows the add-on's published policy (`upstreamVersion` names which) and scopes
 * it: resources are the ones given (buckets, hosted zones, queues, keys) or those of the
 * account and region, and writes carry the tag conditions the add-on's own resources satisfy.
 * Where an action has no resource-level permissions (`Describe*`, `List*`), the statement uses
 * `*`, and the preset's documentation says so. Where AWS publishes a managed policy for the
 * add-on, `managedPolicyName` names it and `attachTo(role, { useManagedPolicy: true })`
 * attaches it instead, but the scoped statements are the default.
 *
 * ARNs are in the partition, region and account of the principal's stack: define the role in a
 * stack of the cluster's account and region.
 *
 * @example
 * declare const cluster: IrsaCluster;
 * declare const zone: route53.IHostedZone;
 * const dns = AddonPolicy.externalDns({ hostedZones: [zone] });
 * const serviceAccount = new IrsaServiceAccount(this, 'ExternalDns', {
 *   cluster,
 *   name: dns.serviceAccountName,
 *   namespace: dns.namespace,
 * });
 * dns.attachTo(serviceAccount);
 */
export class AddonPolicy {
  /**
   * The Amazon EBS CSI driver's controller (`aws-ebs-csi-driver`): volumes and snapshots of the
   * account and region, creation only with the driver's `ebs.csi.aws.com/cluster` tag, deletion
   * only of what the driver (or the in-tree plugin) tagged. The `ec2:Describe*` calls have no
   * resource-level permissions and use `*`.
   *
   * @see https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html
   * @see https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/install.md
   * @param options KMS keys of encrypted volumes
   */
  public static ebsCsiDriver(options: EbsCsiDriverPolicyOptions = {}): AddonPolicy {
    refuseWildcardResources('AddonPolicy.ebsCsiDriver()', keys(options.kmsKeys, 'kmsKeys'));
    return new AddonPolicy({
      addonName: 'aws-ebs-csi-driver',
      serviceAccountName: 'ebs-csi-controller-sa',
      namespace: 'kube-system',
      upstreamVersion: 'aws-ebs-csi-driver v1.x docs/example-iam-policy.json (2026: CopyVolumes, EnableFastSnapshotRestores)',
      managedPolicyName: 'service-role/AmazonEBSCSIDriverPolicy',
      build: (ctx) => ebsCsiDriverStatements(ctx, options),
    });
  }

  /**
   * The Amazon EFS CSI driver's controller (`aws-efs-csi-driver`): access points in the file
   * systems given, created only with the driver's `efs.csi.aws.com/cluster` tag and deleted only
   * with it. `ec2:DescribeAvailabilityZones` has no resource-level permissions and uses `*`.
   *
   * Mounting with IAM authorization (`efs-utils` option `iam`) uses the node service account
   * `efs-csi-node-sa`, which this preset does not cover.
   *
   * @see https://docs.aws.amazon.com/eks/latest/userguide/efs-csi.html
   * @param options the file systems
   */
  public static efsCsiDriver(options: EfsCsiDriverPolicyOptions = {}): AddonPolicy {
    refuseWildcardResources('AddonPolicy.efsCsiDriver()', (options.fileSystems ?? []).map((fs, i) => ({ what: `fileSystems[${i}]`, arn: fs.fileSystemArn })));
    return new AddonPolicy({
      addonName: 'aws-efs-csi-driver',
      serviceAccountName: 'efs-csi-controller-sa',
      namespace: 'kube-system',
      upstreamVersion: 'aws-efs-csi-driver v2.x docs/iam-policy-example.json and AmazonEFSCSIDriverPolicy v1 (2023)',
      managedPolicyName: 'service-role/AmazonEFSCSIDriverPolicy',
      build: (ctx) => efsCsiDriverStatements(ctx, options),
    });
  }

  /**
   * The Amazon VPC CNI plugin (`vpc-cni`, service account `aws-node`): network interfaces and
   * addresses in the account and region; subnets and security groups of any account, which a
   * shared VPC needs. The `ec2:Describe*` calls have no resource-level permissions and use `*`.
   * AWS publishes a managed policy for IPv4 only.
   *
   * @see https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html
   * @param options the IP family
   */
  public static vpcCni(options: VpcCniPolicyOptions = {}): AddonPolicy {
    const ipv6 = (options.ipFamily ?? CniIpFamily.IPV4) === CniIpFamily.IPV6;
    return new AddonPolicy({
      addonName: 'vpc-cni',
      serviceAccountName: 'aws-node',
      namespace: 'kube-system',
      upstreamVersion: ipv6
        ? 'amazon-vpc-cni-k8s v1.x, IPv6 policy of the EKS user guide (cni-iam-role, 2024)'
        : 'amazon-vpc-cni-k8s v1.x, AmazonEKS_CNI_Policy v5 (2024-03)',
      managedPolicyName: ipv6 ? undefined : 'AmazonEKS_CNI_Policy',
      build: (ctx) => vpcCniStatements(ctx, ipv6),
    });
  }

  /**
   * The AWS Load Balancer Controller: load balancers, target groups, listeners and security
   * groups of the account and region; creation only with the controller's
   * `elbv2.k8s.aws/cluster` tag, changes only to what carries it (the value pinned to
   * `clusterName` where given). The read-only calls (`ec2:Describe*`,
   * `elasticloadbalancing:Describe*`, `acm:ListCertificates`, `iam:ListServerCertificates`,
   * `shield:GetSubscriptionState`, `shield:DescribeProtection`) and `shield:CreateProtection`
   * have no resource-level permissions (or none the controller can know) and use `*`.
   *
   * @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/installation/
   * @param options the cluster whose resources the controller manages
   */
  public static awsLoadBalancerController(options: AwsLoadBalancerControllerPolicyOptions = {}): AddonPolicy {
    if (options.clusterName !== undefined) {
      validateClusterName(options.clusterName, 'AddonPolicy.awsLoadBalancerController()', false);
    }
    return new AddonPolicy({
      addonName: 'aws-load-balancer-controller',
      serviceAccountName: 'aws-load-balancer-controller',
      namespace: 'kube-system',
      upstreamVersion: 'aws-load-balancer-controller v2.13+ docs/install/iam_policy.json (2025)',
      build: (ctx) => awsLoadBalancerControllerStatements(ctx, options),
    });
  }

  /**
   * ExternalDNS with the Route 53 provider: records of the hosted zones given only.
   * `route53:ListHostedZones` has no resource-level permissions and uses `*`.
   *
   * @see https://kubernetes-sigs.github.io/external-dns/latest/docs/tutorials/aws/
   * @param options the hosted zones
   */
  public static externalDns(options: ExternalDnsPolicyOptions): AddonPolicy {
    requireOptions(options, 'externalDns');
    requireSome(options.hostedZones, 'hostedZones', 'AddonPolicy.externalDns()',
      'Pass the zones ExternalDNS owns, for example route53.HostedZone.fromHostedZoneId(this, "Zone", "Z0123456789ABCDEFGHIJ").');
    refuseWildcardResources('AddonPolicy.externalDns()', zones(options.hostedZones));
    return new AddonPolicy({
      addonName: 'external-dns',
      serviceAccountName: 'external-dns',
      namespace: 'external-dns',
      upstreamVersion: 'external-dns v0.1x docs/tutorials/aws.md (2025)',
      build: (ctx) => externalDnsStatements(ctx, options),
    });
  }

  /**
   * cert-manager's ACME DNS-01 solver for Route 53: TXT records (named `_acme-challenge.*`
   * unless turned off) of the hosted zones given only. `route53:ListHostedZonesByName` has no
   * resource-level permissions and uses `*`.
   *
   * @see https://cert-manager.io/docs/configuration/acme/dns01/route53/
   * @param options the hosted zones
   */
  public static certManager(options: CertManagerPolicyOptions): AddonPolicy {
    requireOptions(options, 'certManager');
    requireSome(options.hostedZones, 'hostedZones', 'AddonPolicy.certManager()',
      'Pass the zones of the names in your certificates, for example route53.HostedZone.fromHostedZoneId(this, "Zone", "Z0123456789ABCDEFGHIJ").');
    refuseWildcardResources('AddonPolicy.certManager()', zones(options.hostedZones));
    return new AddonPolicy({
      addonName: 'cert-manager',
      serviceAccountName: 'cert-manager',
      namespace: 'cert-manager',
      upstreamVersion: 'cert-manager v1.x docs/configuration/acme/dns01/route53 (2025)',
      build: (ctx) => certManagerStatements(ctx, options),
    });
  }

  /**
   * The Kubernetes Cluster Autoscaler: scaling and terminating in the Auto Scaling groups tagged
   * `k8s.io/cluster-autoscaler/<clusterName>: owned`, node groups of the cluster. The
   * `autoscaling:Describe*` and `ec2:Describe*` calls have no resource-level permissions and use `*`.
   *
   * The service account is named as in the upstream manifests; the Helm chart names it
   * `<release>-aws-cluster-autoscaler` unless `rbac.serviceAccount.name` is set.
   *
   * @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md
   * @param options the cluster
   */
  public static clusterAutoscaler(options: ClusterAutoscalerPolicyOptions): AddonPolicy {
    requireOptions(options, 'clusterAutoscaler');
    validateClusterName(options.clusterName, 'AddonPolicy.clusterAutoscaler()', true);
    return new AddonPolicy({
      addonName: 'cluster-autoscaler',
      serviceAccountName: 'cluster-autoscaler',
      namespace: 'kube-system',
      upstreamVersion: 'cluster-autoscaler v1.3x cloudprovider/aws/README.md (2025)',
      build: (ctx) => clusterAutoscalerStatements(ctx, options),
    });
  }

  /**
   * The Karpenter controller: instances, fleets and launch templates carrying the cluster's
   * `kubernetes.io/cluster/<clusterName>: owned` tag, instance profiles tagged for the cluster
   * and region, the node role only, and the interruption queue. The read-only
   * `ec2:Describe*` calls have no resource-level permissions and use `*` (pinned to the region
   * with `aws:RequestedRegion`), as do `pricing:GetProducts` and `iam:ListInstanceProfiles`.
   *
   * @see https://karpenter.sh/docs/reference/cloudformation/
   * @param options the cluster, node role and interruption queue
   */
  public static karpenterController(options: KarpenterControllerPolicyOptions): AddonPolicy {
    requireOptions(options, 'karpenterController');
    validateClusterName(options.clusterName, 'AddonPolicy.karpenterController()', true);
    if (!options.nodeRole) {
      fail('nodeRole is missing: Karpenter passes exactly one role to the instances it launches. Give the role of your EC2NodeClasses.');
    }
    refuseWildcardResources('AddonPolicy.karpenterController()', [
      { what: 'nodeRole', arn: options.nodeRole.roleArn },
      { what: 'interruptionQueue', arn: options.interruptionQueue?.queueArn },
      { what: 'the key of interruptionQueue', arn: options.interruptionQueue?.encryptionMasterKey?.keyArn },
    ]);
    return new AddonPolicy({
      addonName: 'karpenter',
      serviceAccountName: 'karpenter',
      namespace: 'kube-system',
      upstreamVersion: 'Karpenter v1.x getting-started cloudformation.yaml, KarpenterControllerPolicy (2025)',
      build: (ctx) => karpenterControllerStatements(ctx, options),
    });
  }

  /**
   * External Secrets Operator: reads of the secrets, parameters and parameter paths given, and
   * decryption with their KMS keys through Secrets Manager and Parameter Store only. Finding
   * secrets by name pattern or tag (`find`, `secretsmanager:ListSecrets`) and `PushSecret` are
   * not granted.
   *
   * @see https://external-secrets.io/latest/provider/aws-secrets-manager/
   * @see https://external-secrets.io/latest/provider/aws-parameter-store/
   * @param options the secrets, parameters and keys
   */
  public static externalSecrets(options: ExternalSecretsPolicyOptions): AddonPolicy {
    requireOptions(options, 'externalSecrets');
    const given = (options.secrets?.length ?? 0) + (options.parameters?.length ?? 0) + (options.parameterPaths?.length ?? 0);
    if (given === 0) {
      fail('AddonPolicy.externalSecrets() grants nothing: secrets, parameters and parameterPaths are all empty. '
        + 'Name what the operator may read, for example { secrets: [secret] } or { parameterPaths: ["/prod/payments"] }.');
    }
    for (const path of options.parameterPaths ?? []) {
      validateParameterPath(path);
    }
    refuseWildcardResources('AddonPolicy.externalSecrets()', [
      ...(options.secrets ?? []).flatMap((secret, i) => [
        { what: `secrets[${i}]`, arn: secret.secretFullArn ?? secret.secretArn },
        { what: `the key of secrets[${i}]`, arn: secret.encryptionKey?.keyArn },
      ]),
      ...(options.parameters ?? []).map((parameter, i) => ({ what: `parameters[${i}]`, arn: parameter.parameterArn })),
      ...keys(options.kmsKeys, 'kmsKeys'),
    ]);
    return new AddonPolicy({
      addonName: 'external-secrets',
      serviceAccountName: 'external-secrets',
      namespace: 'external-secrets',
      upstreamVersion: 'external-secrets v0.x docs, providers aws-secrets-manager and aws-parameter-store (2025)',
      build: (ctx) => externalSecretsStatements(ctx, options),
    });
  }

  /**
   * Velero with the AWS plugin: objects of the backup bucket (below the prefix, if given) and,
   * unless turned off, EBS snapshots of the account and region, tagged only as they are
   * created. `ec2:DescribeVolumes` and `ec2:DescribeSnapshots` have no resource-level
   * permissions and use `*`.
   *
   * @see https://github.com/vmware-tanzu/velero-plugin-for-aws#set-permissions-for-velero
   * @param options the bucket, prefix and snapshots
   */
  public static velero(options: VeleroPolicyOptions): AddonPolicy {
    requireOptions(options, 'velero');
    if (!options.bucket) {
      fail('bucket is missing: Velero needs the bucket of its backup storage location.');
    }
    if (options.prefix !== undefined && !Token.isUnresolved(options.prefix)
      && (options.prefix.length === 0 || /^\/|\/$|[*?]|\$\{/.test(options.prefix))) {
      fail(`prefix ${q(options.prefix)} is not a Velero prefix: give it as in the backup storage location, without leading or trailing "/" `
        + 'and without IAM wildcards ("*", "?") or policy variables ("${...}"), for example "cluster-a", or leave it out for the whole bucket.');
    }
    refuseWildcardResources('AddonPolicy.velero()', buckets([options.bucket], 'bucket'));
    return new AddonPolicy({
      addonName: 'velero',
      serviceAccountName: 'velero-server',
      namespace: 'velero',
      upstreamVersion: 'velero-plugin-for-aws v1.x README, "Set permissions for Velero" (2025)',
      build: (ctx) => veleroStatements(ctx, options),
    });
  }

  /**
   * The Mountpoint for Amazon S3 CSI driver (`aws-mountpoint-s3-csi-driver`): the buckets given
   * only, read-only if asked.
   *
   * @see https://docs.aws.amazon.com/eks/latest/userguide/s3-csi.html
   * @param options the buckets
   */
  public static mountpointS3Csi(options: MountpointS3CsiPolicyOptions): AddonPolicy {
    requireSome(options.buckets, 'buckets', 'AddonPolicy.mountpointS3Csi()', 'Pass the buckets your volumes mount, for example s3.Bucket.fromBucketName(this, "Data", "my-data").');
    refuseWildcardResources('AddonPolicy.mountpointS3Csi()', buckets(options.buckets, 'buckets'));
    return new AddonPolicy({
      addonName: 'aws-mountpoint-s3-csi-driver',
      serviceAccountName: 's3-csi-driver-sa',
      namespace: 'kube-system',
      upstreamVersion: 'mountpoint-s3-csi-driver v2.x, example policy of the EKS user guide (s3-csi, 2025)',
      build: (ctx) => mountpointS3CsiStatements(ctx, options),
    });
  }

  /**
   * The Amazon CloudWatch Observability add-on (`amazon-cloudwatch-observability`): the
   * CloudWatch agent and Fluent Bit write to the Container Insights log groups (of the cluster,
   * if named) and Application Signals. `cloudwatch:PutMetricData`, the X-Ray calls,
   * `logs:DescribeLogGroups` and `ec2:DescribeVolumes`/`ec2:DescribeTags` have no resource-level
   * permissions and use `*`.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/install-CloudWatch-Observability-EKS-addon.html
   * @param options the cluster
   */
  public static cloudWatchObservability(options: CloudWatchObservabilityPolicyOptions = {}): AddonPolicy {
    if (options.clusterName !== undefined) {
      validateClusterName(options.clusterName, 'AddonPolicy.cloudWatchObservability()', false);
    }
    return new AddonPolicy({
      addonName: 'amazon-cloudwatch-observability',
      serviceAccountName: 'cloudwatch-agent',
      namespace: 'amazon-cloudwatch',
      upstreamVersion: 'amazon-cloudwatch-observability v4.x, CloudWatchAgentServerPolicy (2024)',
      managedPolicyName: 'CloudWatchAgentServerPolicy',
      build: (ctx) => cloudWatchObservabilityStatements(ctx, options),
    });
  }

  /**
   * The Amazon FSx for Lustre CSI driver's controller (`aws-fsx-csi-driver`): file systems of
   * the account and region, the FSx service-linked roles, and the data repository buckets given.
   * `fsx:DescribeFileSystems` has no resource-level permissions and uses `*`. The AWS managed policy that the driver's guide names, `AmazonFSxFullAccess`, covers all of
   * FSx and is far wider.
   *
   * @see https://github.com/kubernetes-sigs/aws-fsx-csi-driver/blob/master/docs/install.md
   * @param options the data repository buckets
   */
  public static fsxLustreCsi(options: FsxLustreCsiPolicyOptions = {}): AddonPolicy {
    refuseWildcardResources('AddonPolicy.fsxLustreCsi()', buckets(options.dataRepositoryBuckets ?? [], 'dataRepositoryBuckets'));
    return new AddonPolicy({
      addonName: 'aws-fsx-csi-driver',
      serviceAccountName: 'fsx-csi-controller-sa',
      namespace: 'kube-system',
      upstreamVersion: 'aws-fsx-csi-driver v1.x docs/install.md (2025)',
      managedPolicyName: 'AmazonFSxFullAccess',
      build: (ctx) => fsxLustreCsiStatements(ctx, options),
    });
  }

  /**
   * AWS Node Termination Handler in queue processor mode: messages of its queue and the
   * lifecycle actions of Auto Scaling groups in the account and region.
   * `autoscaling:DescribeAutoScalingInstances`, `autoscaling:DescribeTags` and
   * `ec2:DescribeInstances` have no resource-level permissions and use `*`.
   *
   * @see https://github.com/aws/aws-node-termination-handler#queue-processor
   * @param options the queue
   */
  public static nodeTerminationHandler(options: NodeTerminationHandlerPolicyOptions): AddonPolicy {
    requireOptions(options, 'nodeTerminationHandler');
    if (!options.queue) {
      fail('queue is missing: Node Termination Handler in queue processor mode reads its events from an SQS queue. Give that queue.');
    }
    refuseWildcardResources('AddonPolicy.nodeTerminationHandler()', [
      { what: 'queue', arn: options.queue.queueArn },
      { what: 'the key of queue', arn: options.queue.encryptionMasterKey?.keyArn },
    ]);
    return new AddonPolicy({
      addonName: 'aws-node-termination-handler',
      serviceAccountName: 'aws-node-termination-handler',
      namespace: 'kube-system',
      upstreamVersion: 'aws-node-termination-handler v1.2x README, queue processor IAM policy (2025)',
      build: (ctx) => nodeTerminationHandlerStatements(ctx, options),
    });
  }

  /**
   * Amazon Managed Service for Prometheus: remote write (and queries, if asked) to one
   * workspace, for a Prometheus server or collector in the cluster.
   *
   * @see https://docs.aws.amazon.com/prometheus/latest/userguide/set-up-irsa.html
   * @param options the workspace
   */
  public static managedPrometheus(options: ManagedPrometheusPolicyOptions): AddonPolicy {
    requireOptions(options, 'managedPrometheus');
    const workspaceArn = options.workspaceArn;
    if (workspaceArn === undefined || (!Token.isUnresolved(workspaceArn)
      && !/^arn:aws[a-z-]*:aps:[a-z0-9-]+:\d{12}:workspace\/ws-[A-Za-z0-9-]+$/.test(workspaceArn))) {
      fail(`workspaceArn ${q(workspaceArn)} is not the ARN of an Amazon Managed Service for Prometheus workspace: expected `
        + '"arn:<partition>:aps:<region>:<account>:workspace/ws-<id>", for example the arn of an aps.CfnWorkspace (workspace.attrArn).');
    }
    return new AddonPolicy({
      addonName: 'amazon-managed-prometheus',
      serviceAccountName: 'amp-iamproxy-ingest-service-account',
      namespace: 'prometheus',
      upstreamVersion: 'Amazon Managed Service for Prometheus user guide, set-up-irsa (2025)',
      managedPolicyName: 'AmazonPrometheusRemoteWriteAccess',
      build: (ctx) => managedPrometheusStatements(ctx, options),
    });
  }

  /** The name of the add-on: its EKS add-on name where it has one, otherwise its Helm chart's. */
  public readonly addonName: string;

  /** The name of the service account that the add-on's Helm chart or EKS add-on uses by default. */
  public readonly serviceAccountName: string;

  /** The namespace that the add-on installs into by default. */
  public readonly namespace: string;

  /** The upstream policy or documentation, and its version, that the statements follow. */
  public readonly upstreamVersion: string;

  /**
   * The AWS managed policy that fits the add-on, as for `iam.ManagedPolicy.fromAwsManagedPolicyName()`.
   *
   * @default - AWS publishes none for this add-on
   */
  public readonly managedPolicyName?: string;

  private readonly build: (ctx: ArnContext) => PresetStatements;

  private constructor(spec: AddonPolicySpec) {
    this.addonName = spec.addonName;
    this.serviceAccountName = spec.serviceAccountName;
    this.namespace = spec.namespace;
    this.upstreamVersion = spec.upstreamVersion;
    this.managedPolicyName = spec.managedPolicyName;
    this.build = spec.build;
  }

  /**
   * Where the add-on's Helm chart keeps the values of this service account (`create`, `name` and
   * `annotations` below it), as a dotted path such as `controller.serviceAccount`:
   * `IrsaServiceAccount.helmValues()` fills them in.
   *
   * @default - not known: the chart has no such values (the CloudWatch Observability chart)
   */
  public get helmServiceAccountKey(): string | undefined {
    return HELM_SERVICE_ACCOUNT_KEYS[this.addonName];
  }

  /**
   * The scoped statements, new on each call, with ARNs built from the pseudo parameters
   * `AWS::Partition`, `AWS::Region` and `AWS::AccountId` (or the ARNs of the resources given),
   * for any policy document.
   */
  public statements(): iam.PolicyStatement[] {
    const { core, extra } = this.build(PSEUDO_CONTEXT);
    return [...core, ...extra];
  }

  /**
   * Grants the add-on's permissions to a principal: the scoped statements through
   * `addToPrincipalPolicy` (an `IrsaRole` or `IrsaServiceAccount` keeps them in its inline
   * policy `Grants`), or the AWS managed policy with `useManagedPolicy`.
   *
   * ARNs are written with the account and region of the principal's stack where they are
   * literal, and pseudo parameters otherwise.
   *
   * The wildcards in these statements, which the add-on's upstream policy requires, are marked
   * for cdk-nag's `AwsSolutions-IAM5` on the resource that holds them, with a reason naming the
   * upstream policy: in the `cdk_nag` template metadata (`rules_to_suppress` with `applies_to`,
   * read by cdk-nag 2) and in aws-cdk-lib's acknowledged-rules construct metadata (one entry per
   * finding, read by cdk-nag 3). Nothing else is marked: wildcards of other grants still show.
   *
   * @param principal the role or service account of the add-on
   * @param options whether to attach the AWS managed policy instead
   */
  public attachTo(principal: iam.IPrincipal, options: AddonPolicyAttachOptions = {}): void {
    const { core, extra } = this.build(contextOf(principal));
    let statements = [...core, ...extra];
    if (options.useManagedPolicy) {
      if (this.managedPolicyName === undefined) {
        fail(`useManagedPolicy is set, but AWS publishes no managed policy for ${this.addonName}. `
          + 'Leave useManagedPolicy out: the scoped statements are attached instead.');
      }
      const role = roleOf(principal) ?? roleOf(principal.grantPrincipal)
        ?? fail(`useManagedPolicy needs an IAM role to attach ${this.managedPolicyName} to, and ${describe(principal)} is none. `
          + 'Attach to an iam.Role, an IrsaRole or an IrsaServiceAccount, or leave useManagedPolicy out.');
      if (!iam.Role.isRole(role)) {
        fail(`useManagedPolicy cannot attach ${this.managedPolicyName} to ${describe(role)}: the role is imported, and aws-cdk-lib only warns `
          + 'and leaves the policy out. Attach it where the role is defined, or leave useManagedPolicy out to add the scoped statements.');
      }
      role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(this.managedPolicyName));
      statements = extra;
    }
    const added = new Map<IDependable, iam.PolicyStatement[]>();
    for (const statement of statements) {
      const result = principal.addToPrincipalPolicy(statement);
      if (!result.statementAdded) {
        fail(`${describe(principal)} cannot hold an identity policy, so the ${this.addonName} statements cannot be added to it. `
          + 'Attach the preset to an IAM role, an IrsaRole or an IrsaServiceAccount.');
      }
      if (result.policyDependable) {
        added.set(result.policyDependable, [...(added.get(result.policyDependable) ?? []), statement]);
      }
    }
    const reason = `${this.addonName}: the wildcards of the add-on's upstream IAM policy (${this.upstreamVersion}), which cdk-irsa's `
      + 'AddonPolicy keeps where the actions have no resource-level permissions or the add-on names its resources at run time.';
    added.forEach((held, policy) => acknowledgeWildcards(policy, held, reason));
  }
}

/** The principal as an IAM role, if it is one. */
function roleOf(principal: iam.IPrincipal): iam.IRole | undefined {
  const candidate = principal as Partial<iam.IRole>;
  return typeof candidate.addManagedPolicy === 'function' && typeof candidate.roleArn === 'string' ? principal as iam.IRole : undefined;
}

/** A principal, named for a message. */
function describe(principal: iam.IPrincipal): string {
  const path = (principal as { node?: { path?: string } }).node?.path;
  return path !== undefined ? `principal ${path}` : `principal ${principal.toString()}`;
}

function keys(given: kms.IKey[] | undefined, name: string): ScopedResource[] {
  return (given ?? []).map((key, i) => ({ what: `${name}[${i}]`, arn: key.keyArn }));
}

function zones(given: route53.IHostedZone[]): ScopedResource[] {
  return given.map((zone, i) => ({ what: `hostedZones[${i}] (ID ${q(zone.hostedZoneId)})`, arn: zone.hostedZoneArn }));
}

/** Buckets, by their ARN and their key's. */
function buckets(given: s3.IBucket[], name: string): ScopedResource[] {
  const one = given.length === 1 && name === 'bucket';
  return given.flatMap((bucket, i) => {
    const what = one ? name : `${name}[${i}]`;
    return [{ what, arn: bucket.bucketArn }, { what: `the key of ${what}`, arn: bucket.encryptionKey?.keyArn }];
  });
}

/** Options that a JavaScript caller may leave out although the preset needs them. */
function requireOptions(options: unknown, preset: string): void {
  requireProps(options, `the options of AddonPolicy.${preset}()`, 'give them, as the documentation of the preset lists them.');
}
