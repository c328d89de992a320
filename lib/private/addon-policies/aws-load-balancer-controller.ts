import type { AwsLoadBalancerControllerPolicyOptions } from '../../addon-policy-options';
import { allow, arn, ArnContext, Conditions, ec2, ec2AnyAccount, PresetStatements } from './context';

/** The tag that the controller puts on every load balancer, target group and security group it creates. */
const CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

/**
 * The AWS Load Balancer Controller, after the controller's `docs/install/iam_policy.json`,
 * scoped to the account and region and, with `clusterName`, to the resources of one cluster.
 */
export function awsLoadBalancerControllerStatements(ctx: ArnContext, options: AwsLoadBalancerControllerPolicyOptions): PresetStatements {
  const clusterName = options.clusterName;
  // The request carries the cluster tag (of this cluster, where the name is known).
  const requestTagged: Conditions = clusterName !== undefined
    ? { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName } }
    : { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'false' } };
  // The resource carries the cluster tag (of this cluster, where the name is known).
  const resourceTagged: Conditions = clusterName !== undefined
    ? { StringEquals: { [`aws:ResourceTag/${CLUSTER_TAG}`]: clusterName } }
    : { Null: { [`aws:ResourceTag/${CLUSTER_TAG}`]: 'false' } };
  // The request leaves the cluster tag alone.
  const clusterTagUntouched: Conditions = { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'true' } };

  const elb = (resource: string) => arn(ctx, 'elasticloadbalancing', ctx.region, ctx.account, resource);
  const anyElb = elb('*');
  const loadBalancersAndTargetGroups = [elb('loadbalancer/app/*/*'), elb('loadbalancer/net/*/*'), elb('targetgroup/*/*')];
  const listenersAndRules = [elb('listener/app/*/*/*'), elb('listener/net/*/*/*'), elb('listener-rule/app/*/*/*'), elb('listener-rule/net/*/*/*')];
  const securityGroups = ec2(ctx, 'security-group/*');
  const applicationLoadBalancers = elb('loadbalancer/app/*/*');

  const core = [
    allow('CreateElbServiceLinkedRole', ['iam:CreateServiceLinkedRole'], [
      arn(ctx, 'iam', '', ctx.account, 'role/aws-service-role/elasticloadbalancing.amazonaws.com/*'),
    ], { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } }),
    allow('Describe', [
      'ec2:DescribeAccountAttributes',
      'ec2:DescribeAddresses',
      'ec2:DescribeAvailabilityZones',
      'ec2:DescribeCoipPools',
      'ec2:DescribeInstances',
      'ec2:DescribeInternetGateways',
      'ec2:DescribeIpamPools',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeRouteTables',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSubnets',
      'ec2:DescribeTags',
      'ec2:DescribeVpcPeeringConnections',
      'ec2:DescribeVpcs',
      'ec2:GetCoipPoolUsage',
      'ec2:GetSecurityGroupsForVpc',
      'elasticloadbalancing:DescribeCapacityReservation',
      'elasticloadbalancing:DescribeListenerAttributes',
      'elasticloadbalancing:DescribeListenerCertificates',
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeLoadBalancerAttributes',
      'elasticloadbalancing:DescribeLoadBalancers',
      'elasticloadbalancing:DescribeRules',
      'elasticloadbalancing:DescribeSSLPolicies',
      'elasticloadbalancing:DescribeTags',
      'elasticloadbalancing:DescribeTargetGroupAttributes',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth',
      'elasticloadbalancing:DescribeTrustStores',
      'acm:ListCertificates',
      'iam:ListServerCertificates',
      'shield:DescribeProtection',
      'shield:GetSubscriptionState',
    ], ['*']),
    allow('ReadCertificatesAndUserPools', ['acm:DescribeCertificate', 'iam:GetServerCertificate', 'cognito-idp:DescribeUserPoolClient'], [
      arn(ctx, 'acm', ctx.region, ctx.account, 'certificate/*'),
      arn(ctx, 'iam', '', ctx.account, 'server-certificate/*'),
      arn(ctx, 'cognito-idp', ctx.region, ctx.account, 'userpool/*'),
    ]),
    allow('AssociateWebAcls', [
      'wafv2:AssociateWebACL',
      'wafv2:DisassociateWebACL',
      'wafv2:GetWebACL',
      'wafv2:GetWebACLForResource',
      'waf-regional:AssociateWebACL',
      'waf-regional:DisassociateWebACL',
      'waf-regional:GetWebACL',
      'waf-regional:GetWebACLForResource',
    ], [
      arn(ctx, 'wafv2', ctx.region, ctx.account, 'regional/webacl/*/*'),
      arn(ctx, 'waf-regional', ctx.region, ctx.account, 'webacl/*'),
      applicationLoadBalancers,
    ]),
    // CreateProtection has no resource-level permissions: on a protection ARN it would be granted nothing.
    allow('CreateShieldProtections', ['shield:CreateProtection'], ['*']),
    allow('DeleteShieldProtections', ['shield:DeleteProtection'], [arn(ctx, 'shield', '', ctx.account, 'protection/*')]),
    allow('ManageSecurityGroupRules', ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'], [securityGroups]),
    allow('CreateTaggedSecurityGroups', ['ec2:CreateSecurityGroup'], [securityGroups, ec2AnyAccount(ctx, 'vpc/*')], requestTagged),
    allow('TagNewSecurityGroups', ['ec2:CreateTags'], [securityGroups], { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } }, requestTagged),
    allow('RetagSecurityGroups', ['ec2:CreateTags', 'ec2:DeleteTags'], [securityGroups], clusterTagUntouched, resourceTagged),
    allow('DeleteSecurityGroups', ['ec2:DeleteSecurityGroup'], [securityGroups], resourceTagged),
    allow('CreateTaggedLoadBalancers', ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'], loadBalancersAndTargetGroups, requestTagged),
    allow('TagNewLoadBalancers', ['elasticloadbalancing:AddTags'], loadBalancersAndTargetGroups, {
      StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] },
    }, requestTagged),
    allow('RetagLoadBalancers', ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'], loadBalancersAndTargetGroups, clusterTagUntouched, resourceTagged),
    allow('TagListeners', ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'], listenersAndRules),
    allow('ModifyLoadBalancers', [
      'elasticloadbalancing:DeleteLoadBalancer',
      'elasticloadbalancing:DeleteTargetGroup',
      'elasticloadbalancing:ModifyCapacityReservation',
      'elasticloadbalancing:ModifyIpPools',
      'elasticloadbalancing:ModifyListenerAttributes',
      'elasticloadbalancing:ModifyLoadBalancerAttributes',
      'elasticloadbalancing:ModifyTargetGroup',
      'elasticloadbalancing:ModifyTargetGroupAttributes',
      'elasticloadbalancing:SetIpAddressType',
      'elasticloadbalancing:SetSecurityGroups',
      'elasticloadbalancing:SetSubnets',
    ], [anyElb], resourceTagged),
    allow('ManageListenersAndRules', [
      'elasticloadbalancing:AddListenerCertificates',
      'elasticloadbalancing:CreateListener',
      'elasticloadbalancing:CreateRule',
      'elasticloadbalancing:DeleteListener',
      'elasticloadbalancing:DeleteRule',
      'elasticloadbalancing:ModifyListener',
      'elasticloadbalancing:ModifyRule',
      'elasticloadbalancing:RemoveListenerCertificates',
      'elasticloadbalancing:SetRulePriorities',
      'elasticloadbalancing:SetWebAcl',
    ], [anyElb]),
    allow('RegisterTargets', ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'], [elb('targetgroup/*/*')]),
  ];
  return { core, extra: [] };
}
