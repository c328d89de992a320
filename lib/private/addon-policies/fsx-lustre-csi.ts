import type { FsxLustreCsiPolicyOptions } from '../../addon-policy-options';
import { allow, arn, ArnContext, PresetStatements } from './context';

/**
 * The Amazon FSx for Lustre CSI driver's controller, after the driver's install guide, scoped
 * to the account and region and to the data repository buckets given.
 */
export function fsxLustreCsiStatements(ctx: ArnContext, options: FsxLustreCsiPolicyOptions): PresetStatements {
  const fileSystems = arn(ctx, 'fsx', ctx.region, ctx.account, 'file-system/*');
  const statements = [
    allow('CreateFsxServiceLinkedRole', ['iam:CreateServiceLinkedRole'], [
      arn(ctx, 'iam', '', ctx.account, 'role/aws-service-role/fsx.amazonaws.com/*'),
    ], { StringEquals: { 'iam:AWSServiceName': 'fsx.amazonaws.com' } }),
    // DescribeFileSystems has no resource-level permissions: on an ARN it would be granted nothing.
    allow('DescribeFileSystems', ['fsx:DescribeFileSystems'], ['*']),
    allow('ManageFileSystems', [
      'fsx:CreateFileSystem',
      'fsx:DeleteFileSystem',
      'fsx:TagResource',
      'fsx:UpdateFileSystem',
    ], [fileSystems]),
  ];
  const buckets = options.dataRepositoryBuckets ?? [];
  if (buckets.length > 0) {
    statements.push(
      allow('CreateS3DataSourceServiceLinkedRole', ['iam:CreateServiceLinkedRole', 'iam:AttachRolePolicy', 'iam:PutRolePolicy'], [
        arn(ctx, 'iam', '', ctx.account, 'role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/*'),
      ]),
      allow('ListDataRepositories', ['s3:ListBucket'], buckets.map((bucket) => bucket.bucketArn)),
    );
  }
  return { core: statements, extra: [] };
}
