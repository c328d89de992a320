import type { EfsCsiDriverPolicyOptions } from '../../addon-policy-options';
import { allow, arn, ArnContext, PresetStatements } from './context';

/** The tag that the driver puts on every access point it creates. */
const CLUSTER_TAG = 'efs.csi.aws.com/cluster';

/**
 * The Amazon EFS CSI driver's controller (dynamic provisioning with access points), after the
 * driver's example policy and `AmazonEFSCSIDriverPolicy`, scoped to the file systems given.
 */
export function efsCsiDriverStatements(ctx: ArnContext, options: EfsCsiDriverPolicyOptions): PresetStatements {
  const fileSystems = options.fileSystems && options.fileSystems.length > 0
    ? options.fileSystems.map((fs) => fs.fileSystemArn)
    : [arn(ctx, 'elasticfilesystem', ctx.region, ctx.account, 'file-system/*')];
  const accessPoints = arn(ctx, 'elasticfilesystem', ctx.region, ctx.account, 'access-point/*');
  const core = [
    allow('DescribeAvailabilityZones', ['ec2:DescribeAvailabilityZones'], ['*']),
    allow('DescribeFileSystems', [
      'elasticfilesystem:DescribeAccessPoints',
      'elasticfilesystem:DescribeFileSystems',
      'elasticfilesystem:DescribeMountTargets',
    ], [...fileSystems, accessPoints]),
    allow('CreateTaggedAccessPoints', ['elasticfilesystem:CreateAccessPoint'], fileSystems, { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'true' } }),
    allow('TagNewAccessPoints', ['elasticfilesystem:TagResource'], [...fileSystems, accessPoints], {
      StringEquals: { 'elasticfilesystem:CreateAction': 'CreateAccessPoint', [`aws:RequestTag/${CLUSTER_TAG}`]: 'true' },
    }),
    allow('DeleteDriverAccessPoints', ['elasticfilesystem:DeleteAccessPoint'], [accessPoints], { StringEquals: { [`aws:ResourceTag/${CLUSTER_TAG}`]: 'true' } }),
  ];
  return { core, extra: [] };
}
