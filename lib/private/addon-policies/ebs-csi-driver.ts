import type { EbsCsiDriverPolicyOptions } from '../../addon-policy-options';
import { allow, ArnContext, ec2, ec2Public, PresetStatements, viaService } from './context';

/** The tag that the driver puts on every volume and snapshot it creates. */
const CLUSTER_TAG = 'ebs.csi.aws.com/cluster';

/**
 * The Amazon EBS CSI driver's controller, after the driver's example policy
 * (docs/example-iam-policy.json), scoped to the account and region.
 */
export function ebsCsiDriverStatements(ctx: ArnContext, options: EbsCsiDriverPolicyOptions): PresetStatements {
  const volumes = ec2(ctx, 'volume/*');
  const snapshots = ec2Public(ctx, 'snapshot/*');
  const core = [
    allow('DescribeVolumesAndInstances', [
      'ec2:DescribeAvailabilityZones',
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceTypes',
      'ec2:DescribeSnapshots',
      'ec2:DescribeTags',
      'ec2:DescribeVolumes',
      'ec2:DescribeVolumesModifications',
      'ec2:DescribeVolumeStatus',
    ], ['*']),
    allow('AttachVolumes', ['ec2:AttachVolume', 'ec2:DetachVolume'], [volumes, ec2(ctx, 'instance/*')]),
    allow('ModifyAndSnapshotVolumes', ['ec2:CreateSnapshot', 'ec2:ModifyVolume'], [volumes]),
    allow('CreateTaggedVolumes', ['ec2:CreateVolume', 'ec2:CopyVolumes'], [volumes], { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'true' } }),
    allow('UseSnapshots', ['ec2:CreateVolume', 'ec2:EnableFastSnapshotRestores'], [snapshots]),
    allow('CreateTaggedSnapshots', ['ec2:CreateSnapshot'], [snapshots], { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'true' } }),
    allow('TagOnCreate', ['ec2:CreateTags'], [volumes, snapshots], { StringEquals: { 'ec2:CreateAction': ['CreateVolume', 'CreateSnapshot', 'CopyVolumes'] } }),
    allow('UntagVolumesAndSnapshots', ['ec2:DeleteTags'], [volumes, snapshots]),
    allow('DeleteDriverVolumes', ['ec2:DeleteVolume'], [volumes], { StringEquals: { [`ec2:ResourceTag/${CLUSTER_TAG}`]: 'true' } }),
    allow('DeleteNamedVolumes', ['ec2:DeleteVolume'], [volumes], { StringLike: { 'ec2:ResourceTag/CSIVolumeName': '*' } }),
    allow('DeleteMigratedVolumes', ['ec2:DeleteVolume'], [volumes], { StringLike: { 'ec2:ResourceTag/kubernetes.io/created-for/pvc/name': '*' } }),
    allow('DeleteDriverSnapshots', ['ec2:DeleteSnapshot'], [snapshots], { StringEquals: { [`ec2:ResourceTag/${CLUSTER_TAG}`]: 'true' } }),
    allow('DeleteNamedSnapshots', ['ec2:DeleteSnapshot'], [snapshots], { StringLike: { 'ec2:ResourceTag/CSIVolumeSnapshotName': '*' } }),
  ];
  const keys = (options.kmsKeys ?? []).map((key) => key.keyArn);
  const extra = keys.length === 0 ? [] : [
    allow('GrantKeysToEbs', ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], keys, { Bool: { 'kms:GrantIsForAWSResource': 'true' } }),
    allow('UseKeysThroughEc2', ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], keys, viaService(ctx, 'ec2')),
  ];
  return { core, extra };
}
