import type { MountpointS3CsiPolicyOptions } from '../../addon-policy-options';
import { allow, ArnContext, PresetStatements, viaService } from './context';

/** The Mountpoint for Amazon S3 CSI driver, scoped to the buckets given. */
export function mountpointS3CsiStatements(ctx: ArnContext, options: MountpointS3CsiPolicyOptions): PresetStatements {
  const readOnly = options.readOnly ?? false;
  const statements = [
    allow('ListBuckets', ['s3:ListBucket'], options.buckets.map((bucket) => bucket.bucketArn)),
    allow(readOnly ? 'ReadObjects' : 'ReadWriteObjects', readOnly
      ? ['s3:GetObject']
      : ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'], options.buckets.map((bucket) => bucket.arnForObjects('*'))),
  ];
  const keys = [...new Set(options.buckets.flatMap((bucket) => bucket.encryptionKey ? [bucket.encryptionKey.keyArn] : []))];
  if (keys.length > 0) {
    statements.push(allow('UseBucketKeys', readOnly ? ['kms:Decrypt'] : ['kms:Decrypt', 'kms:GenerateDataKey'], keys, viaService(ctx, 's3')));
  }
  return { core: statements, extra: [] };
}
