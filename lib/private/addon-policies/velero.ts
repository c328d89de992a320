import type { VeleroPolicyOptions } from '../../addon-policy-options';
import { allow, ArnContext, ec2, ec2Public, PresetStatements, viaService } from './context';

/**
 * Velero with the AWS plugin: backups in one bucket (under a prefix, if given) and, unless
 * turned off, EBS snapshots of the account and region.
 */
export function veleroStatements(ctx: ArnContext, options: VeleroPolicyOptions): PresetStatements {
  const bucket = options.bucket;
  const statements = [
    allow('ListBackupBucket', ['s3:ListBucket'], [bucket.bucketArn]),
    allow('ReadWriteBackups', [
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:ListMultipartUploadParts',
      's3:PutObject',
      's3:PutObjectTagging',
    ], [bucket.arnForObjects(options.prefix !== undefined ? `${options.prefix}/*` : '*')]),
  ];
  if (bucket.encryptionKey) {
    statements.push(allow('UseBackupBucketKey', ['kms:Decrypt', 'kms:GenerateDataKey'], [bucket.encryptionKey.keyArn], viaService(ctx, 's3')));
  }
  if (options.volumeSnapshots ?? true) {
    const volumes = ec2(ctx, 'volume/*');
    const snapshots = ec2Public(ctx, 'snapshot/*');
    statements.push(
      allow('DescribeVolumesAndSnapshots', ['ec2:DescribeSnapshots', 'ec2:DescribeVolumes'], ['*']),
      allow('SnapshotAndRestoreVolumes', ['ec2:CreateSnapshot', 'ec2:CreateVolume'], [volumes, snapshots]),
      allow('TagOnCreate', ['ec2:CreateTags'], [volumes, snapshots], { StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateVolume'] } }),
      allow('DeleteSnapshots', ['ec2:DeleteSnapshot'], [snapshots]),
    );
  }
  return { core: statements, extra: [] };
}
