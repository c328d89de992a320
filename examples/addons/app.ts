/**
 * Add-ons: the service accounts of the add-ons most clusters run, each with an IAM role that
 * holds the add-on's scoped policy preset. Nothing here needs an AWS account at synth, and
 * nothing adds a Lambda function or a custom resource to the template.
 *
 *   npx tsx examples/addons/app.ts
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AddonPolicy, AddonPolicyAttachOptions, IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../../lib';

const app = new App();

// 1. The stack of the cluster's account and region: the presets scope ARNs to them, and GitOps
//    delivery writes the roles' ARNs into a YAML file, so both must be known at synth.
const stack = new Stack(app, 'IrsaAddons', {
  env: { account: '123456789012', region: 'eu-west-1' },
});

// 2. The cluster, made elsewhere. Its issuer URL is what
//    `aws eks describe-cluster --name prod --query cluster.identity.oidc.issuer` prints.
const clusterName = 'prod';
const cluster = IrsaCluster.fromAttributes({
  clusterName,
  issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
});

// 3. One service account per add-on, named and placed as the add-on's Helm chart or EKS add-on
//    expects by default, with a role trusted by that service account only and the preset's
//    statements in its inline policy. The ServiceAccounts go to
//    IrsaAddons.service-accounts/prod/service-accounts.yaml in the cloud assembly; charts that create their own
//    ServiceAccount only need the role ARN (serviceAccount.annotations in their values).
function addon(id: string, preset: AddonPolicy, options: AddonPolicyAttachOptions = {}): IrsaServiceAccount {
  const serviceAccount = IrsaServiceAccount.forAddon(stack, id, {
    cluster,
    addon: preset,
    useManagedPolicy: options.useManagedPolicy,
    manifestDelivery: ManifestDelivery.gitOps(),
  });
  new CfnOutput(stack, `${id}RoleArn`, { value: serviceAccount.role.roleArn, description: preset.upstreamVersion });
  return serviceAccount;
}

// Networking and storage drivers. The VPC CNI uses the AWS managed policy, which AWS keeps
// current; every other add-on gets its scoped statements.
addon('VpcCni', AddonPolicy.vpcCni(), { useManagedPolicy: true });
const volumeKey = new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true });
addon('EbsCsiDriver', AddonPolicy.ebsCsiDriver({ kmsKeys: [volumeKey] }));
addon('LoadBalancerController', AddonPolicy.awsLoadBalancerController({ clusterName }));

// DNS and certificates, limited to one hosted zone.
const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  zoneName: 'example.com',
});
addon('ExternalDns', AddonPolicy.externalDns({ hostedZones: [zone] }));
addon('CertManager', AddonPolicy.certManager({ hostedZones: [zone] }));

// Node autoscaling with Karpenter: the node role it may pass, and its interruption queue.
const nodeRole = new iam.Role(stack, 'KarpenterNodeRole', {
  assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
  managedPolicies: [
    iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSWorkerNodePolicy'),
    iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEC2ContainerRegistryPullOnly'),
  ],
});
const interruptionQueue = new sqs.Queue(stack, 'KarpenterInterruptions', { encryption: sqs.QueueEncryption.SQS_MANAGED });
addon('Karpenter', AddonPolicy.karpenterController({ clusterName, nodeRole, interruptionQueue }));

// Secrets for workloads: one secret and one Parameter Store hierarchy.
const databaseSecret = secretsmanager.Secret.fromSecretNameV2(stack, 'DatabaseSecret', 'prod/payments/database');
addon('ExternalSecrets', AddonPolicy.externalSecrets({ secrets: [databaseSecret], parameterPaths: ['/prod/payments'] }));

// Backups of the cluster into one prefix of a bucket, with EBS snapshots.
const backups = new s3.Bucket(stack, 'Backups', {
  encryption: s3.BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
});
addon('Velero', AddonPolicy.velero({ bucket: backups, prefix: clusterName }));

// Metrics: remote write to an Amazon Managed Service for Prometheus workspace.
const workspace = new aps.CfnWorkspace(stack, 'Metrics', { alias: clusterName });
addon('Prometheus', AddonPolicy.managedPrometheus({ workspaceArn: workspace.attrArn }));

app.synth();
