import type { KarpenterControllerPolicyOptions } from '../../addon-policy-options';
import { allow, arn, ArnContext, Conditions, ec2, ec2AnyAccount, ec2Public, PresetStatements, viaService } from './context';

/**
 * The Karpenter controller, after the controller policy of Karpenter's getting-started
 * CloudFormation template (v1), scoped to the account and region, the cluster's tags, the node
 * role and the interruption queue.
 */
export function karpenterControllerStatements(ctx: ArnContext, options: KarpenterControllerPolicyOptions): PresetStatements {
  const clusterName = options.clusterName;
  const clusterTag = `kubernetes.io/cluster/${clusterName}`;
  const instanceProfiles = arn(ctx, 'iam', '', ctx.account, 'instance-profile/*');
  const launched = ['fleet/*', 'instance/*', 'volume/*', 'network-interface/*', 'launch-template/*', 'spot-instances-request/*'].map((r) => ec2(ctx, r));
  const requestTagged: Conditions = {
    StringEquals: { [`aws:RequestTag/${clusterTag}`]: 'owned', 'aws:RequestTag/eks:eks-cluster-name': clusterName },
    StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
  };
  const resourceTagged: Conditions = {
    StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned' },
    StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
  };
  const profileResourceTagged: Conditions = {
    StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned', 'aws:ResourceTag/topology.kubernetes.io/region': ctx.region },
    StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
  };
  const profileRequestTagged: Conditions = {
    StringEquals: {
      [`aws:RequestTag/${clusterTag}`]: 'owned',
      'aws:RequestTag/eks:eks-cluster-name': clusterName,
      'aws:RequestTag/topology.kubernetes.io/region': ctx.region,
    },
    StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
  };

  const core = [
    allow('LaunchFromSharedResources', ['ec2:RunInstances', 'ec2:CreateFleet'], [
      ec2Public(ctx, 'image/*'),
      ec2Public(ctx, 'snapshot/*'),
      ec2AnyAccount(ctx, 'security-group/*'),
      ec2AnyAccount(ctx, 'subnet/*'),
      ec2AnyAccount(ctx, 'capacity-reservation/*'),
      ec2AnyAccount(ctx, 'placement-group/*'),
    ]),
    allow('LaunchFromClusterTemplates', ['ec2:RunInstances', 'ec2:CreateFleet'], [ec2(ctx, 'launch-template/*')], resourceTagged),
    allow('LaunchTaggedInstances', ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'], launched, requestTagged),
    allow('TagOnLaunch', ['ec2:CreateTags'], launched, requestTagged, {
      StringEquals: { 'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] },
    }),
    allow('TagClusterInstances', ['ec2:CreateTags'], [ec2(ctx, 'instance/*')], resourceTagged, {
      'StringEqualsIfExists': { 'aws:RequestTag/eks:eks-cluster-name': clusterName },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
    }),
    allow('DeleteClusterInstances', ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'], [ec2(ctx, 'instance/*'), ec2(ctx, 'launch-template/*')], resourceTagged),
    allow('DescribeRegion', [
      'ec2:DescribeAvailabilityZones',
      'ec2:DescribeCapacityReservations',
      'ec2:DescribeImages',
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceStatus',
      'ec2:DescribeInstanceTypeOfferings',
      'ec2:DescribeInstanceTypes',
      'ec2:DescribeLaunchTemplates',
      'ec2:DescribePlacementGroups',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSpotPriceHistory',
      'ec2:DescribeSubnets',
    ], ['*'], { StringEquals: { 'aws:RequestedRegion': ctx.region } }),
    allow('ReadPublicParameters', ['ssm:GetParameter'], [arn(ctx, 'ssm', ctx.region, '', 'parameter/aws/service/*')]),
    allow('ReadPrices', ['pricing:GetProducts'], ['*']),
    allow('PassNodeRole', ['iam:PassRole'], [options.nodeRole.roleArn], { StringEquals: { 'iam:PassedToService': `ec2.${ctx.urlSuffix}` } }),
    allow('CreateInstanceProfiles', ['iam:CreateInstanceProfile'], [instanceProfiles], profileRequestTagged),
    allow('TagInstanceProfiles', ['iam:TagInstanceProfile'], [instanceProfiles], profileResourceTagged, profileRequestTagged),
    allow('ManageInstanceProfiles', ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'], [instanceProfiles], profileResourceTagged),
    allow('ReadInstanceProfiles', ['iam:GetInstanceProfile'], [instanceProfiles]),
    // ListInstanceProfiles has no resource-level permissions: on an ARN it would be granted nothing.
    allow('ListInstanceProfiles', ['iam:ListInstanceProfiles'], ['*']),
    allow('DescribeCluster', ['eks:DescribeCluster'], [arn(ctx, 'eks', ctx.region, ctx.account, `cluster/${clusterName}`)]),
  ];
  const queue = options.interruptionQueue;
  if (queue) {
    core.push(allow('ReceiveInterruptions', ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], [queue.queueArn]));
    if (queue.encryptionMasterKey) {
      core.push(allow('DecryptInterruptions', ['kms:Decrypt'], [queue.encryptionMasterKey.keyArn], viaService(ctx, 'sqs')));
    }
  }
  return { core, extra: [] };
}
