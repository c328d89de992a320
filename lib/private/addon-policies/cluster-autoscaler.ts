import type { ClusterAutoscalerPolicyOptions } from '../../addon-policy-options';
import { allow, arn, ArnContext, PresetStatements } from './context';

/**
 * The Kubernetes Cluster Autoscaler on AWS, after its `cloudprovider/aws` README, with the
 * writes scoped to the Auto Scaling groups tagged for the cluster.
 */
export function clusterAutoscalerStatements(ctx: ArnContext, options: ClusterAutoscalerPolicyOptions): PresetStatements {
  return {
    core: [
      allow('DescribeScalingGroups', [
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeAutoScalingInstances',
        'autoscaling:DescribeLaunchConfigurations',
        'autoscaling:DescribeScalingActivities',
        'autoscaling:DescribeTags',
        'ec2:DescribeImages',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplateVersions',
        'ec2:GetInstanceTypesFromInstanceRequirements',
      ], ['*']),
      allow('DescribeNodegroups', ['eks:DescribeNodegroup'], [arn(ctx, 'eks', ctx.region, ctx.account, `nodegroup/${options.clusterName}/*/*`)]),
      allow('ScaleClusterGroups', ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'], [
        arn(ctx, 'autoscaling', ctx.region, ctx.account, 'autoScalingGroup:*:autoScalingGroupName/*'),
      ], { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${options.clusterName}`]: 'owned' } }),
    ],
    extra: [],
  };
}
