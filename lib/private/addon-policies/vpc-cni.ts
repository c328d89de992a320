import { allow, ArnContext, ec2, ec2AnyAccount, PresetStatements } from './context';

/**
 * The Amazon VPC CNI plugin (`aws-node`): `AmazonEKS_CNI_Policy` for IPv4, the IPv6 policy of
 * the EKS user guide for IPv6, scoped to the account and region.
 */
export function vpcCniStatements(ctx: ArnContext, ipv6: boolean): PresetStatements {
  const interfaces = ec2(ctx, 'network-interface/*');
  const tagInterfaces = allow('TagNetworkInterfaces', ['ec2:CreateTags'], [interfaces]);
  if (ipv6) {
    return {
      core: [
        allow('DescribeNetwork', ['ec2:DescribeInstances', 'ec2:DescribeInstanceTypes', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeTags'], ['*']),
        allow('AssignIpv6Addresses', ['ec2:AssignIpv6Addresses'], [interfaces]),
        tagInterfaces,
      ],
      extra: [],
    };
  }
  const securityGroups = ec2AnyAccount(ctx, 'security-group/*');
  return {
    core: [
      allow('DescribeNetwork', [
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DescribeTags',
      ], ['*']),
      allow('CreateNetworkInterfaces', ['ec2:CreateNetworkInterface'], [interfaces, ec2AnyAccount(ctx, 'subnet/*'), securityGroups]),
      allow('AttachNetworkInterfaces', ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface', 'ec2:ModifyNetworkInterfaceAttribute'], [
        interfaces, ec2(ctx, 'instance/*'), securityGroups,
      ]),
      allow('ManageAddresses', ['ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses', 'ec2:DeleteNetworkInterface'], [interfaces]),
      tagInterfaces,
    ],
    extra: [],
  };
}
