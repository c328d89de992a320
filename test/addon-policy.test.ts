import { App, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { IConstruct } from 'constructs';
// Until lib/index.ts exports it: import from the module itself.
import {
  AddonPolicy, AddonPolicyAttachOptions, ClusterOidcProvider, CniIpFamily, GrantsPolicyType, IrsaCluster, IrsaRole, IrsaServiceAccount,
  ManifestDelivery, ServiceAccountSubject,
} from '../lib';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/ADD0000000000000000000000000000A';
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`;
const EC2 = `arn:aws:ec2:${REGION}:${ACCOUNT}`;
const EC2_ANY_ACCOUNT = `arn:aws:ec2:${REGION}:*`;
const EC2_PUBLIC = `arn:aws:ec2:${REGION}:`;
const ELB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/66666666-7777-8888-9999-000000000000`;

function envStack(): Stack {
  return new Stack(new App(), 'Addons', { env: { account: ACCOUNT, region: REGION } });
}

/**
 * Attaches a preset to an `IrsaRole` trusted by the preset's own service account and returns
 * what CloudFormation would see: the statements of the role's inline policy `Grants`, with
 * intrinsic functions written as `${AWS::Partition}`, `${Ref}`, `${Resource.Attr}`.
 */
function attach(stack: Stack, preset: AddonPolicy, options?: AddonPolicyAttachOptions): any[] {
  const role = roleFor(stack, preset);
  preset.attachTo(role, options);
  return grantsOf(stack);
}

function roleFor(stack: Stack, preset: AddonPolicy): IrsaRole {
  const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN);
  return new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact(preset.namespace, preset.serviceAccountName)] });
}

function roleProperties(stack: Stack): any {
  const roles = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'));
  expect(roles).toHaveLength(1);
  return (roles[0] as any).Properties;
}

function grantsOf(stack: Stack): any[] {
  const policies: any[] = roleProperties(stack).Policies ?? [];
  const grants = policies.find((policy) => policy.PolicyName === 'Grants');
  return grants ? readable(grants.PolicyDocument.Statement) : [];
}

function readable(value: any): any {
  if (Array.isArray(value)) {
    return value.map(readable);
  }
  if (value !== null && typeof value === 'object') {
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'];
      return parts.map((part: any) => (typeof part === 'string' ? part : readable(part))).join(separator);
    }
    if ('Ref' in value) {
      return `\${${value.Ref}}`;
    }
    if ('Fn::GetAtt' in value) {
      return `\${${value['Fn::GetAtt'].join('.')}}`;
    }
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, readable(v)]));
  }
  return value;
}

/** A statement as CloudFormation renders it: one action or resource as a string, several as a list. */
function allow(sid: string, actions: string[], resources: string[], condition?: any): any {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: actions.length === 1 ? actions[0] : actions,
    Resource: resources.length === 1 ? resources[0] : resources,
    ...(condition ? { Condition: condition } : {}),
  };
}

describe('AddonPolicy presets: service accounts, versions and managed policies', () => {
  const stack = envStack();
  const zone = route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z0123456789ABCDEFGHIJ');
  const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'backups-123');
  const queue = sqs.Queue.fromQueueArn(stack, 'Queue', `arn:aws:sqs:${REGION}:${ACCOUNT}:events`);
  const nodeRole = iam.Role.fromRoleName(stack, 'NodeRole', 'KarpenterNode');
  const cases: Array<[string, AddonPolicy, string, string, string | undefined, RegExp]> = [
    ['ebsCsiDriver', AddonPolicy.ebsCsiDriver(), 'kube-system', 'ebs-csi-controller-sa', 'service-role/AmazonEBSCSIDriverPolicy', /^aws-ebs-csi-driver v1\.x/],
    ['efsCsiDriver', AddonPolicy.efsCsiDriver(), 'kube-system', 'efs-csi-controller-sa', 'service-role/AmazonEFSCSIDriverPolicy', /^aws-efs-csi-driver v2\.x/],
    ['vpcCni IPv4', AddonPolicy.vpcCni(), 'kube-system', 'aws-node', 'AmazonEKS_CNI_Policy', /AmazonEKS_CNI_Policy v5/],
    ['vpcCni IPv6', AddonPolicy.vpcCni({ ipFamily: CniIpFamily.IPV6 }), 'kube-system', 'aws-node', undefined, /IPv6 policy of the EKS user guide/],
    ['awsLoadBalancerController', AddonPolicy.awsLoadBalancerController(), 'kube-system', 'aws-load-balancer-controller', undefined, /^aws-load-balancer-controller v2\.13\+/],
    ['externalDns', AddonPolicy.externalDns({ hostedZones: [zone] }), 'external-dns', 'external-dns', undefined, /^external-dns v0\.1x/],
    ['certManager', AddonPolicy.certManager({ hostedZones: [zone] }), 'cert-manager', 'cert-manager', undefined, /^cert-manager v1\.x/],
    ['clusterAutoscaler', AddonPolicy.clusterAutoscaler({ clusterName: 'prod' }), 'kube-system', 'cluster-autoscaler', undefined, /^cluster-autoscaler v1\.3x/],
    ['karpenterController', AddonPolicy.karpenterController({ clusterName: 'prod', nodeRole }), 'kube-system', 'karpenter', undefined, /^Karpenter v1\.x/],
    ['externalSecrets', AddonPolicy.externalSecrets({ parameterPaths: ['/prod'] }), 'external-secrets', 'external-secrets', undefined, /^external-secrets v0\.x/],
    ['velero', AddonPolicy.velero({ bucket }), 'velero', 'velero-server', undefined, /^velero-plugin-for-aws v1\.x/],
    ['mountpointS3Csi', AddonPolicy.mountpointS3Csi({ buckets: [bucket] }), 'kube-system', 's3-csi-driver-sa', undefined, /^mountpoint-s3-csi-driver v2\.x/],
    ['cloudWatchObservability', AddonPolicy.cloudWatchObservability(), 'amazon-cloudwatch', 'cloudwatch-agent', 'CloudWatchAgentServerPolicy', /CloudWatchAgentServerPolicy/],
    ['fsxLustreCsi', AddonPolicy.fsxLustreCsi(), 'kube-system', 'fsx-csi-controller-sa', 'AmazonFSxFullAccess', /^aws-fsx-csi-driver v1\.x/],
    ['nodeTerminationHandler', AddonPolicy.nodeTerminationHandler({ queue }), 'kube-system', 'aws-node-termination-handler', undefined, /^aws-node-termination-handler v1\.2x/],
    ['managedPrometheus', AddonPolicy.managedPrometheus({ workspaceArn: `arn:aws:aps:${REGION}:${ACCOUNT}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef` }),
      'prometheus', 'amp-iamproxy-ingest-service-account', 'AmazonPrometheusRemoteWriteAccess', /set-up-irsa/],
  ];

  test.each(cases)('%s: namespace, service account, managed policy and upstream version', (_name, preset, namespace, serviceAccountName, managedPolicyName, upstream) => {
    expect(preset.namespace).toBe(namespace);
    expect(preset.serviceAccountName).toBe(serviceAccountName);
    expect(preset.managedPolicyName).toBe(managedPolicyName);
    expect(preset.upstreamVersion).toMatch(upstream);
    expect(preset.addonName.length).toBeGreaterThan(0);
  });
});

describe('AddonPolicy.ebsCsiDriver', () => {
  const volumes = `${EC2}:volume/*`;
  const snapshots = `${EC2_PUBLIC}:snapshot/*`;
  const core = [
    allow('DescribeVolumesAndInstances', [
      'ec2:DescribeAvailabilityZones', 'ec2:DescribeInstances', 'ec2:DescribeInstanceTypes', 'ec2:DescribeSnapshots',
      'ec2:DescribeTags', 'ec2:DescribeVolumes', 'ec2:DescribeVolumesModifications', 'ec2:DescribeVolumeStatus',
    ], ['*']),
    allow('AttachVolumes', ['ec2:AttachVolume', 'ec2:DetachVolume'], [volumes, `${EC2}:instance/*`]),
    allow('ModifyAndSnapshotVolumes', ['ec2:CreateSnapshot', 'ec2:ModifyVolume'], [volumes]),
    allow('CreateTaggedVolumes', ['ec2:CreateVolume', 'ec2:CopyVolumes'], [volumes], { StringEquals: { 'aws:RequestTag/ebs.csi.aws.com/cluster': 'true' } }),
    allow('UseSnapshots', ['ec2:CreateVolume', 'ec2:EnableFastSnapshotRestores'], [snapshots]),
    allow('CreateTaggedSnapshots', ['ec2:CreateSnapshot'], [snapshots], { StringEquals: { 'aws:RequestTag/ebs.csi.aws.com/cluster': 'true' } }),
    allow('TagOnCreate', ['ec2:CreateTags'], [volumes, snapshots], { StringEquals: { 'ec2:CreateAction': ['CreateVolume', 'CreateSnapshot', 'CopyVolumes'] } }),
    allow('UntagVolumesAndSnapshots', ['ec2:DeleteTags'], [volumes, snapshots]),
    allow('DeleteDriverVolumes', ['ec2:DeleteVolume'], [volumes], { StringEquals: { 'ec2:ResourceTag/ebs.csi.aws.com/cluster': 'true' } }),
    allow('DeleteNamedVolumes', ['ec2:DeleteVolume'], [volumes], { StringLike: { 'ec2:ResourceTag/CSIVolumeName': '*' } }),
    allow('DeleteMigratedVolumes', ['ec2:DeleteVolume'], [volumes], { StringLike: { 'ec2:ResourceTag/kubernetes.io/created-for/pvc/name': '*' } }),
    allow('DeleteDriverSnapshots', ['ec2:DeleteSnapshot'], [snapshots], { StringEquals: { 'ec2:ResourceTag/ebs.csi.aws.com/cluster': 'true' } }),
    allow('DeleteNamedSnapshots', ['ec2:DeleteSnapshot'], [snapshots], { StringLike: { 'ec2:ResourceTag/CSIVolumeSnapshotName': '*' } }),
  ];
  const keyStatements = [
    allow('GrantKeysToEbs', ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], [KEY_ARN, OTHER_KEY_ARN], { Bool: { 'kms:GrantIsForAWSResource': 'true' } }),
    allow('UseKeysThroughEc2', ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], [KEY_ARN, OTHER_KEY_ARN], {
      StringLike: { 'kms:ViaService': 'ec2.*.amazonaws.com' },
    }),
  ];
  const keys = (stack: Stack) => [kms.Key.fromKeyArn(stack, 'Key', KEY_ARN), kms.Key.fromKeyArn(stack, 'OtherKey', OTHER_KEY_ARN)];

  test('scopes volumes and snapshots to the account and region, creation and deletion to the driver\'s tags', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.ebsCsiDriver())).toEqual(core);
  });

  test('lets EBS use the KMS keys given, through EC2 only', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.ebsCsiDriver({ kmsKeys: keys(stack) }))).toEqual([...core, ...keyStatements]);
  });

  test('with useManagedPolicy, attaches AmazonEBSCSIDriverPolicy and keeps only the key statements inline', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.ebsCsiDriver({ kmsKeys: keys(stack) }), { useManagedPolicy: true })).toEqual(keyStatements);
    expect(readable(roleProperties(stack).ManagedPolicyArns)).toEqual(['arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy']);
  });
});

describe('AddonPolicy.efsCsiDriver', () => {
  const accessPoints = `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:access-point/*`;
  const expected = (fileSystems: string[]) => [
    allow('DescribeAvailabilityZones', ['ec2:DescribeAvailabilityZones'], ['*']),
    allow('DescribeFileSystems', ['elasticfilesystem:DescribeAccessPoints', 'elasticfilesystem:DescribeFileSystems', 'elasticfilesystem:DescribeMountTargets'], [
      ...fileSystems, accessPoints,
    ]),
    allow('CreateTaggedAccessPoints', ['elasticfilesystem:CreateAccessPoint'], fileSystems, { StringEquals: { 'aws:RequestTag/efs.csi.aws.com/cluster': 'true' } }),
    allow('TagNewAccessPoints', ['elasticfilesystem:TagResource'], [...fileSystems, accessPoints], {
      StringEquals: { 'elasticfilesystem:CreateAction': 'CreateAccessPoint', 'aws:RequestTag/efs.csi.aws.com/cluster': 'true' },
    }),
    allow('DeleteDriverAccessPoints', ['elasticfilesystem:DeleteAccessPoint'], [accessPoints], { StringEquals: { 'aws:ResourceTag/efs.csi.aws.com/cluster': 'true' } }),
  ];

  test('by default, access points in any file system of the account and region, tagged for the driver', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.efsCsiDriver())).toEqual(expected([`arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/*`]));
  });

  test('scopes access points to the file systems given', () => {
    const stack = envStack();
    const fileSystem = efs.FileSystem.fromFileSystemAttributes(stack, 'Fs', {
      fileSystemArn: `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/fs-0123456789abcdef0`,
      securityGroup: { securityGroupId: 'sg-1' } as any,
    });
    expect(attach(stack, AddonPolicy.efsCsiDriver({ fileSystems: [fileSystem] })))
      .toEqual(expected([`arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/fs-0123456789abcdef0`]));
  });
});

describe('AddonPolicy.vpcCni', () => {
  const interfaces = `${EC2}:network-interface/*`;

  test('IPv4: network interfaces and addresses of the account and region, subnets and security groups of any account', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.vpcCni({ ipFamily: CniIpFamily.IPV4 }))).toEqual([
      allow('DescribeNetwork', ['ec2:DescribeInstances', 'ec2:DescribeInstanceTypes', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DescribeTags'], ['*']),
      allow('CreateNetworkInterfaces', ['ec2:CreateNetworkInterface'], [interfaces, `${EC2_ANY_ACCOUNT}:subnet/*`, `${EC2_ANY_ACCOUNT}:security-group/*`]),
      allow('AttachNetworkInterfaces', ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface', 'ec2:ModifyNetworkInterfaceAttribute'], [
        interfaces, `${EC2}:instance/*`, `${EC2_ANY_ACCOUNT}:security-group/*`,
      ]),
      allow('ManageAddresses', ['ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses', 'ec2:DeleteNetworkInterface'], [interfaces]),
      allow('TagNetworkInterfaces', ['ec2:CreateTags'], [interfaces]),
    ]);
  });

  test('IPv6: IPv6 addresses on the network interfaces of the account and region', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.vpcCni({ ipFamily: CniIpFamily.IPV6 }))).toEqual([
      allow('DescribeNetwork', ['ec2:DescribeInstances', 'ec2:DescribeInstanceTypes', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeTags'], ['*']),
      allow('AssignIpv6Addresses', ['ec2:AssignIpv6Addresses'], [interfaces]),
      allow('TagNetworkInterfaces', ['ec2:CreateTags'], [interfaces]),
    ]);
  });

  test('IPv4 with useManagedPolicy attaches AmazonEKS_CNI_Policy and nothing inline', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.vpcCni(), { useManagedPolicy: true })).toEqual([]);
    expect(readable(roleProperties(stack).ManagedPolicyArns)).toEqual(['arn:${AWS::Partition}:iam::aws:policy/AmazonEKS_CNI_Policy']);
  });

  test('fails with useManagedPolicy for IPv6, for which AWS publishes no managed policy', () => {
    const stack = envStack();
    expect(() => attach(stack, AddonPolicy.vpcCni({ ipFamily: CniIpFamily.IPV6 }), { useManagedPolicy: true }))
      .toThrow(/useManagedPolicy is set, but AWS publishes no managed policy for vpc-cni/);
  });
});

describe('AddonPolicy.awsLoadBalancerController', () => {
  const securityGroups = `${EC2}:security-group/*`;
  const loadBalancersAndTargetGroups = [`${ELB}:loadbalancer/app/*/*`, `${ELB}:loadbalancer/net/*/*`, `${ELB}:targetgroup/*/*`];
  const expected = (requestTagged: any, resourceTagged: any) => [
    allow('CreateElbServiceLinkedRole', ['iam:CreateServiceLinkedRole'], [`arn:aws:iam::${ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/*`], {
      StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' },
    }),
    allow('Describe', [
      'ec2:DescribeAccountAttributes', 'ec2:DescribeAddresses', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeCoipPools',
      'ec2:DescribeInstances', 'ec2:DescribeInternetGateways', 'ec2:DescribeIpamPools', 'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeTags',
      'ec2:DescribeVpcPeeringConnections', 'ec2:DescribeVpcs', 'ec2:GetCoipPoolUsage', 'ec2:GetSecurityGroupsForVpc',
      'elasticloadbalancing:DescribeCapacityReservation', 'elasticloadbalancing:DescribeListenerAttributes',
      'elasticloadbalancing:DescribeListenerCertificates', 'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeLoadBalancerAttributes', 'elasticloadbalancing:DescribeLoadBalancers',
      'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeSSLPolicies', 'elasticloadbalancing:DescribeTags',
      'elasticloadbalancing:DescribeTargetGroupAttributes', 'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth', 'elasticloadbalancing:DescribeTrustStores',
      'acm:ListCertificates', 'iam:ListServerCertificates', 'shield:DescribeProtection', 'shield:GetSubscriptionState',
    ], ['*']),
    allow('ReadCertificatesAndUserPools', ['acm:DescribeCertificate', 'iam:GetServerCertificate', 'cognito-idp:DescribeUserPoolClient'], [
      `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/*`, `arn:aws:iam::${ACCOUNT}:server-certificate/*`, `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/*`,
    ]),
    allow('AssociateWebAcls', [
      'wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL', 'wafv2:GetWebACL', 'wafv2:GetWebACLForResource',
      'waf-regional:AssociateWebACL', 'waf-regional:DisassociateWebACL', 'waf-regional:GetWebACL', 'waf-regional:GetWebACLForResource',
    ], [`arn:aws:wafv2:${REGION}:${ACCOUNT}:regional/webacl/*/*`, `arn:aws:waf-regional:${REGION}:${ACCOUNT}:webacl/*`, `${ELB}:loadbalancer/app/*/*`]),
    allow('CreateShieldProtections', ['shield:CreateProtection'], ['*']),
    allow('DeleteShieldProtections', ['shield:DeleteProtection'], [`arn:aws:shield::${ACCOUNT}:protection/*`]),
    allow('ManageSecurityGroupRules', ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'], [securityGroups]),
    allow('CreateTaggedSecurityGroups', ['ec2:CreateSecurityGroup'], [securityGroups, `${EC2_ANY_ACCOUNT}:vpc/*`], requestTagged),
    allow('TagNewSecurityGroups', ['ec2:CreateTags'], [securityGroups], {
      ...requestTagged, StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup', ...requestTagged.StringEquals },
    }),
    allow('RetagSecurityGroups', ['ec2:CreateTags', 'ec2:DeleteTags'], [securityGroups], {
      ...resourceTagged, Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'true', ...resourceTagged.Null },
    }),
    allow('DeleteSecurityGroups', ['ec2:DeleteSecurityGroup'], [securityGroups], resourceTagged),
    allow('CreateTaggedLoadBalancers', ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'], loadBalancersAndTargetGroups, requestTagged),
    allow('TagNewLoadBalancers', ['elasticloadbalancing:AddTags'], loadBalancersAndTargetGroups, {
      ...requestTagged,
      StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'], ...requestTagged.StringEquals },
    }),
    allow('RetagLoadBalancers', ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'], loadBalancersAndTargetGroups, {
      ...resourceTagged, Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'true', ...resourceTagged.Null },
    }),
    allow('TagListeners', ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'], [
      `${ELB}:listener/app/*/*/*`, `${ELB}:listener/net/*/*/*`, `${ELB}:listener-rule/app/*/*/*`, `${ELB}:listener-rule/net/*/*/*`,
    ]),
    allow('ModifyLoadBalancers', [
      'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:DeleteTargetGroup', 'elasticloadbalancing:ModifyCapacityReservation',
      'elasticloadbalancing:ModifyIpPools', 'elasticloadbalancing:ModifyListenerAttributes', 'elasticloadbalancing:ModifyLoadBalancerAttributes',
      'elasticloadbalancing:ModifyTargetGroup', 'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:SetIpAddressType',
      'elasticloadbalancing:SetSecurityGroups', 'elasticloadbalancing:SetSubnets',
    ], [`${ELB}:*`], resourceTagged),
    allow('ManageListenersAndRules', [
      'elasticloadbalancing:AddListenerCertificates', 'elasticloadbalancing:CreateListener', 'elasticloadbalancing:CreateRule',
      'elasticloadbalancing:DeleteListener', 'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:ModifyListener',
      'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:RemoveListenerCertificates', 'elasticloadbalancing:SetRulePriorities',
      'elasticloadbalancing:SetWebAcl',
    ], [`${ELB}:*`]),
    allow('RegisterTargets', ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'], [`${ELB}:targetgroup/*/*`]),
  ];

  test('with clusterName, pins the elbv2.k8s.aws/cluster tag to the cluster', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.awsLoadBalancerController({ clusterName: 'prod' }))).toEqual(expected(
      { StringEquals: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'prod' } },
      { StringEquals: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'prod' } },
    ));
  });

  test('without clusterName, requires the tag to be present, as upstream does', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.awsLoadBalancerController())).toEqual(expected(
      { Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' } },
      { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
    ));
  });

  test('fits in the role\'s inline policy limit even without a stack environment', () => {
    const stack = new Stack(new App(), 'Agnostic');
    attach(stack, AddonPolicy.awsLoadBalancerController({ clusterName: 'prod' }));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('fails with useManagedPolicy: AWS publishes no managed policy for the controller', () => {
    const stack = envStack();
    expect(() => attach(stack, AddonPolicy.awsLoadBalancerController(), { useManagedPolicy: true }))
      .toThrow(/AWS publishes no managed policy for aws-load-balancer-controller\. Leave useManagedPolicy out/);
  });

  test('fails with an invalid clusterName', () => {
    expect(() => AddonPolicy.awsLoadBalancerController({ clusterName: 'prod cluster' }))
      .toThrow(/clusterName "prod cluster" is not a valid EKS cluster name/);
  });
});

describe('AddonPolicy.externalDns', () => {
  test('changes records of the hosted zones given only', () => {
    const stack = envStack();
    const zones = [
      route53.HostedZone.fromHostedZoneId(stack, 'Public', 'Z0123456789PUBLIC'),
      route53.HostedZone.fromHostedZoneId(stack, 'Private', 'Z0123456789PRIVATE'),
    ];
    expect(attach(stack, AddonPolicy.externalDns({ hostedZones: zones }))).toEqual([
      allow('ListHostedZones', ['route53:ListHostedZones'], ['*']),
      allow('ManageRecords', ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'], [
        'arn:${AWS::Partition}:route53:::hostedzone/Z0123456789PUBLIC',
        'arn:${AWS::Partition}:route53:::hostedzone/Z0123456789PRIVATE',
      ]),
    ]);
  });

  test('fails with no hosted zones', () => {
    expect(() => AddonPolicy.externalDns({ hostedZones: [] }))
      .toThrow(/hostedZones is empty \(got \[\]\): AddonPolicy\.externalDns\(\) needs at least one\. Pass the zones ExternalDNS owns/);
  });
});

describe('AddonPolicy.certManager', () => {
  const zoneArn = 'arn:${AWS::Partition}:route53:::hostedzone/Z0123456789ABCDEFGHIJ';
  const expected = (nameCondition: any) => [
    allow('GetChanges', ['route53:GetChange'], ['arn:aws:route53:::change/*']),
    allow('ChangeChallengeRecords', ['route53:ChangeResourceRecordSets'], [zoneArn], {
      'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
      ...nameCondition,
    }),
    allow('ListRecords', ['route53:ListResourceRecordSets'], [zoneArn]),
    allow('FindHostedZones', ['route53:ListHostedZonesByName'], ['*']),
  ];

  test('changes TXT records named _acme-challenge.* of the hosted zones given only', () => {
    const stack = envStack();
    const zone = route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z0123456789ABCDEFGHIJ');
    expect(attach(stack, AddonPolicy.certManager({ hostedZones: [zone] }))).toEqual(expected({
      'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
    }));
  });

  test('allows TXT records of any name where challenges are delegated', () => {
    const stack = envStack();
    const zone = route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z0123456789ABCDEFGHIJ');
    expect(attach(stack, AddonPolicy.certManager({ hostedZones: [zone], acmeChallengeRecordsOnly: false }))).toEqual(expected({}));
  });

  test('fails with no hosted zones', () => {
    expect(() => AddonPolicy.certManager({ hostedZones: [] })).toThrow(/hostedZones is empty \(got \[\]\): AddonPolicy\.certManager\(\) needs at least one/);
  });
});

describe('AddonPolicy.clusterAutoscaler', () => {
  test('scales only the Auto Scaling groups tagged for the cluster', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.clusterAutoscaler({ clusterName: 'prod' }))).toEqual([
      allow('DescribeScalingGroups', [
        'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeLaunchConfigurations',
        'autoscaling:DescribeScalingActivities', 'autoscaling:DescribeTags', 'ec2:DescribeImages', 'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplateVersions', 'ec2:GetInstanceTypesFromInstanceRequirements',
      ], ['*']),
      allow('DescribeNodegroups', ['eks:DescribeNodegroup'], [`arn:aws:eks:${REGION}:${ACCOUNT}:nodegroup/prod/*/*`]),
      allow('ScaleClusterGroups', ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'], [
        `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/*`,
      ], { StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/prod': 'owned' } }),
    ]);
  });

  test('fails with a clusterName known only at deploy: it is part of a condition key', () => {
    const clusterName = Lazy.string({ produce: () => 'prod' });
    expect(() => AddonPolicy.clusterAutoscaler({ clusterName })).toThrow(/clusterName must be a literal for AddonPolicy\.clusterAutoscaler\(\)/);
  });

  test('fails with an invalid clusterName', () => {
    expect(() => AddonPolicy.clusterAutoscaler({ clusterName: '-prod' })).toThrow(/clusterName "-prod" is not a valid EKS cluster name/);
    expect(() => AddonPolicy.clusterAutoscaler({ clusterName: '' })).toThrow(/clusterName "" is not a valid EKS cluster name/);
  });
});

describe('AddonPolicy.karpenterController', () => {
  const launched = ['fleet/*', 'instance/*', 'volume/*', 'network-interface/*', 'launch-template/*', 'spot-instances-request/*'].map((r) => `${EC2}:${r}`);
  const profiles = `arn:aws:iam::${ACCOUNT}:instance-profile/*`;
  const requestTagged = {
    StringEquals: { 'aws:RequestTag/kubernetes.io/cluster/prod': 'owned', 'aws:RequestTag/eks:eks-cluster-name': 'prod' },
    StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
  };
  const resourceTagged = {
    StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/prod': 'owned' },
    StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
  };
  const core = [
    allow('LaunchFromSharedResources', ['ec2:RunInstances', 'ec2:CreateFleet'], [
      `${EC2_PUBLIC}:image/*`, `${EC2_PUBLIC}:snapshot/*`, `${EC2_ANY_ACCOUNT}:security-group/*`, `${EC2_ANY_ACCOUNT}:subnet/*`,
      `${EC2_ANY_ACCOUNT}:capacity-reservation/*`, `${EC2_ANY_ACCOUNT}:placement-group/*`,
    ]),
    allow('LaunchFromClusterTemplates', ['ec2:RunInstances', 'ec2:CreateFleet'], [`${EC2}:launch-template/*`], resourceTagged),
    allow('LaunchTaggedInstances', ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'], launched, requestTagged),
    allow('TagOnLaunch', ['ec2:CreateTags'], launched, {
      StringEquals: { ...requestTagged.StringEquals, 'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] },
      StringLike: requestTagged.StringLike,
    }),
    allow('TagClusterInstances', ['ec2:CreateTags'], [`${EC2}:instance/*`], {
      ...resourceTagged,
      'StringEqualsIfExists': { 'aws:RequestTag/eks:eks-cluster-name': 'prod' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
    }),
    allow('DeleteClusterInstances', ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'], [`${EC2}:instance/*`, `${EC2}:launch-template/*`], resourceTagged),
    allow('DescribeRegion', [
      'ec2:DescribeAvailabilityZones', 'ec2:DescribeCapacityReservations', 'ec2:DescribeImages', 'ec2:DescribeInstances',
      'ec2:DescribeInstanceStatus', 'ec2:DescribeInstanceTypeOfferings', 'ec2:DescribeInstanceTypes', 'ec2:DescribeLaunchTemplates',
      'ec2:DescribePlacementGroups', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSpotPriceHistory', 'ec2:DescribeSubnets',
    ], ['*'], { StringEquals: { 'aws:RequestedRegion': REGION } }),
    allow('ReadPublicParameters', ['ssm:GetParameter'], [`arn:aws:ssm:${REGION}::parameter/aws/service/*`]),
    allow('ReadPrices', ['pricing:GetProducts'], ['*']),
    allow('PassNodeRole', ['iam:PassRole'], ['arn:${AWS::Partition}:iam::123456789012:role/KarpenterNode'], {
      StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' },
    }),
    allow('CreateInstanceProfiles', ['iam:CreateInstanceProfile'], [profiles], {
      StringEquals: {
        'aws:RequestTag/kubernetes.io/cluster/prod': 'owned',
        'aws:RequestTag/eks:eks-cluster-name': 'prod',
        'aws:RequestTag/topology.kubernetes.io/region': REGION,
      },
      StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
    }),
    allow('TagInstanceProfiles', ['iam:TagInstanceProfile'], [profiles], {
      StringEquals: {
        'aws:ResourceTag/kubernetes.io/cluster/prod': 'owned',
        'aws:ResourceTag/topology.kubernetes.io/region': REGION,
        'aws:RequestTag/kubernetes.io/cluster/prod': 'owned',
        'aws:RequestTag/eks:eks-cluster-name': 'prod',
        'aws:RequestTag/topology.kubernetes.io/region': REGION,
      },
      StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*', 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
    }),
    allow('ManageInstanceProfiles', ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'], [profiles], {
      StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/prod': 'owned', 'aws:ResourceTag/topology.kubernetes.io/region': REGION },
      StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
    }),
    allow('ReadInstanceProfiles', ['iam:GetInstanceProfile'], [profiles]),
    allow('ListInstanceProfiles', ['iam:ListInstanceProfiles'], ['*']),
    allow('DescribeCluster', ['eks:DescribeCluster'], [`arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod`]),
  ];

  test('launches, tags and terminates only what carries the cluster\'s tags, and passes only the node role', () => {
    const stack = envStack();
    const nodeRole = iam.Role.fromRoleName(stack, 'NodeRole', 'KarpenterNode');
    expect(attach(stack, AddonPolicy.karpenterController({ clusterName: 'prod', nodeRole }))).toEqual(core);
  });

  test('reads and deletes the messages of the interruption queue, decrypting them through SQS', () => {
    const stack = envStack();
    const nodeRole = iam.Role.fromRoleName(stack, 'NodeRole', 'KarpenterNode');
    const interruptionQueue = sqs.Queue.fromQueueAttributes(stack, 'Queue', {
      queueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:prod-interruptions`,
      keyArn: KEY_ARN,
    });
    expect(attach(stack, AddonPolicy.karpenterController({ clusterName: 'prod', nodeRole, interruptionQueue }))).toEqual([
      ...core,
      allow('ReceiveInterruptions', ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], [`arn:aws:sqs:${REGION}:${ACCOUNT}:prod-interruptions`]),
      allow('DecryptInterruptions', ['kms:Decrypt'], [KEY_ARN], { StringLike: { 'kms:ViaService': 'sqs.*.amazonaws.com' } }),
    ]);
  });

  test('fits in the role\'s inline policy limit even without a stack environment', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const nodeRole = new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const preset = AddonPolicy.karpenterController({ clusterName: 'prod', nodeRole, interruptionQueue: new sqs.Queue(stack, 'Queue') });
    preset.attachTo(roleFor(stack, preset));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('fails with a clusterName known only at deploy: it is part of a condition key', () => {
    const stack = envStack();
    const nodeRole = iam.Role.fromRoleName(stack, 'NodeRole', 'KarpenterNode');
    const clusterName = Lazy.string({ produce: () => 'prod' });
    expect(() => AddonPolicy.karpenterController({ clusterName, nodeRole }))
      .toThrow(/clusterName must be a literal for AddonPolicy\.karpenterController\(\) \(got a token/);
  });
});

describe('AddonPolicy.externalSecrets', () => {
  test('reads the secrets, parameters and parameter paths given, and decrypts through those services only', () => {
    const stack = envStack();
    const byArn = secretsmanager.Secret.fromSecretAttributes(stack, 'Api', {
      secretCompleteArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/api-AbCdEf`,
      encryptionKey: kms.Key.fromKeyArn(stack, 'SecretKey', KEY_ARN),
    });
    const byName = secretsmanager.Secret.fromSecretNameV2(stack, 'Db', 'prod/db');
    const parameter = ssm.StringParameter.fromStringParameterName(stack, 'Url', '/prod/db/url');
    const preset = AddonPolicy.externalSecrets({
      secrets: [byArn, byName],
      parameters: [parameter],
      parameterPaths: ['/prod/payments'],
      kmsKeys: [kms.Key.fromKeyArn(stack, 'ParameterKey', OTHER_KEY_ARN)],
    });
    expect(attach(stack, preset)).toEqual([
      allow('ReadSecrets', [
        'secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy', 'secretsmanager:GetSecretValue', 'secretsmanager:ListSecretVersionIds',
      ], [
        `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/api-AbCdEf`,
        `arn:\${AWS::Partition}:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-??????`,
      ]),
      allow('ReadParameters', ['ssm:GetParameter', 'ssm:GetParameters'], [
        `arn:\${AWS::Partition}:ssm:${REGION}:${ACCOUNT}:parameter/prod/db/url`,
        `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/payments/*`,
      ]),
      allow('ReadParameterPaths', ['ssm:GetParametersByPath'], [
        `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/payments`,
        `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/payments/*`,
      ]),
      allow('DecryptSecrets', ['kms:Decrypt'], [OTHER_KEY_ARN, KEY_ARN], {
        StringLike: { 'kms:ViaService': ['secretsmanager.*.amazonaws.com', 'ssm.*.amazonaws.com'] },
      }),
    ]);
  });

  test('with secrets only, has no Parameter Store statements and decrypts through Secrets Manager only', () => {
    const stack = envStack();
    const secret = secretsmanager.Secret.fromSecretAttributes(stack, 'Api', {
      secretCompleteArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/api-AbCdEf`,
      encryptionKey: kms.Key.fromKeyArn(stack, 'SecretKey', KEY_ARN),
    });
    expect(attach(stack, AddonPolicy.externalSecrets({ secrets: [secret] }))).toEqual([
      allow('ReadSecrets', [
        'secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy', 'secretsmanager:GetSecretValue', 'secretsmanager:ListSecretVersionIds',
      ], [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/api-AbCdEf`]),
      allow('DecryptSecrets', ['kms:Decrypt'], [KEY_ARN], { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' } }),
    ]);
  });

  test('fails when it would grant nothing', () => {
    expect(() => AddonPolicy.externalSecrets({})).toThrow(/AddonPolicy\.externalSecrets\(\) grants nothing: secrets, parameters and parameterPaths are all empty/);
    expect(() => AddonPolicy.externalSecrets({ secrets: [], parameterPaths: [] })).toThrow(/grants nothing/);
  });

  test.each(['/', 'prod/payments', '/prod/payments/', '/prod/*', '/prod//payments'])('fails with parameter path %j', (path) => {
    expect(() => AddonPolicy.externalSecrets({ parameterPaths: [path] }))
      .toThrow(new RegExp(`parameter path ${JSON.stringify(path).replace(/[.*/]/g, '\\$&')} is not a Parameter Store hierarchy`));
  });
});

describe('AddonPolicy.velero', () => {
  const bucketArn = 'arn:aws:s3:::velero-backups';
  const snapshotStatements = [
    allow('DescribeVolumesAndSnapshots', ['ec2:DescribeSnapshots', 'ec2:DescribeVolumes'], ['*']),
    allow('SnapshotAndRestoreVolumes', ['ec2:CreateSnapshot', 'ec2:CreateVolume'], [`${EC2}:volume/*`, `${EC2_PUBLIC}:snapshot/*`]),
    allow('TagOnCreate', ['ec2:CreateTags'], [`${EC2}:volume/*`, `${EC2_PUBLIC}:snapshot/*`], {
      StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateVolume'] },
    }),
    allow('DeleteSnapshots', ['ec2:DeleteSnapshot'], [`${EC2_PUBLIC}:snapshot/*`]),
  ];

  test('writes below the prefix of the bucket, uses its key through S3, and snapshots volumes of the account and region', () => {
    const stack = envStack();
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Backups', { bucketArn, encryptionKey: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN) });
    expect(attach(stack, AddonPolicy.velero({ bucket, prefix: 'prod' }))).toEqual([
      allow('ListBackupBucket', ['s3:ListBucket'], [bucketArn]),
      allow('ReadWriteBackups', [
        's3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject', 's3:PutObjectTagging',
      ], [`${bucketArn}/prod/*`]),
      allow('UseBackupBucketKey', ['kms:Decrypt', 'kms:GenerateDataKey'], [KEY_ARN], { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } }),
      ...snapshotStatements,
    ]);
  });

  test('without volume snapshots, has the bucket only', () => {
    const stack = envStack();
    const bucket = s3.Bucket.fromBucketArn(stack, 'Backups', bucketArn);
    expect(attach(stack, AddonPolicy.velero({ bucket, volumeSnapshots: false }))).toEqual([
      allow('ListBackupBucket', ['s3:ListBucket'], [bucketArn]),
      allow('ReadWriteBackups', [
        's3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject', 's3:PutObjectTagging',
      ], [`${bucketArn}/*`]),
    ]);
  });

  test.each(['', '/prod', 'prod/', 'prod/*', 'pro?', 'prod-${aws:username}', '${aws:PrincipalTag/team}'])('fails with prefix %j', (prefix) => {
    const stack = envStack();
    const bucket = s3.Bucket.fromBucketArn(stack, 'Backups', bucketArn);
    expect(() => AddonPolicy.velero({ bucket, prefix })).toThrow(/is not a Velero prefix: give it as in the backup storage location/);
  });
});

describe('AddonPolicy.mountpointS3Csi', () => {
  const data = 'arn:aws:s3:::mountpoint-data';
  const models = 'arn:aws:s3:::mountpoint-models';
  const buckets = (stack: Stack) => [
    s3.Bucket.fromBucketAttributes(stack, 'Data', { bucketArn: data, encryptionKey: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN) }),
    s3.Bucket.fromBucketArn(stack, 'Models', models),
  ];

  test('reads and writes the buckets given, with their keys through S3', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.mountpointS3Csi({ buckets: buckets(stack) }))).toEqual([
      allow('ListBuckets', ['s3:ListBucket'], [data, models]),
      allow('ReadWriteObjects', ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'], [`${data}/*`, `${models}/*`]),
      allow('UseBucketKeys', ['kms:Decrypt', 'kms:GenerateDataKey'], [KEY_ARN], { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } }),
    ]);
  });

  test('read-only mounts only get and decrypt', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.mountpointS3Csi({ buckets: buckets(stack), readOnly: true }))).toEqual([
      allow('ListBuckets', ['s3:ListBucket'], [data, models]),
      allow('ReadObjects', ['s3:GetObject'], [`${data}/*`, `${models}/*`]),
      allow('UseBucketKeys', ['kms:Decrypt'], [KEY_ARN], { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } }),
    ]);
  });

  test('fails with no buckets', () => {
    expect(() => AddonPolicy.mountpointS3Csi({ buckets: [] })).toThrow(/buckets is empty \(got \[\]\): AddonPolicy\.mountpointS3Csi\(\) needs at least one/);
  });
});

describe('AddonPolicy.cloudWatchObservability', () => {
  const logs = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:`;
  const expected = (cluster: string) => [
    allow('PutMetricsAndTraces', [
      'cloudwatch:PutMetricData', 'ec2:DescribeTags', 'ec2:DescribeVolumes', 'xray:GetSamplingRules', 'xray:GetSamplingStatisticSummaries',
      'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments',
    ], ['*']),
    allow('DescribeLogGroups', ['logs:DescribeLogGroups'], ['*']),
    allow('WriteLogs', ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents', 'logs:PutRetentionPolicy'], [
      `${logs}/aws/containerinsights/${cluster}/*`, `${logs}/aws/application-signals/data`, `${logs}/aws/application-signals/data:*`,
    ]),
    allow('ReadAgentConfiguration', ['ssm:GetParameter'], [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/AmazonCloudWatch-*`]),
  ];

  test('writes the Container Insights log groups of the cluster named', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.cloudWatchObservability({ clusterName: 'prod' }))).toEqual(expected('prod'));
  });

  test('without a cluster name, writes the Container Insights log groups of any cluster', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.cloudWatchObservability())).toEqual(expected('*'));
  });

  test('with useManagedPolicy, attaches CloudWatchAgentServerPolicy', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.cloudWatchObservability(), { useManagedPolicy: true })).toEqual([]);
    expect(readable(roleProperties(stack).ManagedPolicyArns)).toEqual(['arn:${AWS::Partition}:iam::aws:policy/CloudWatchAgentServerPolicy']);
  });
});

describe('AddonPolicy.fsxLustreCsi', () => {
  const core = [
    allow('CreateFsxServiceLinkedRole', ['iam:CreateServiceLinkedRole'], [`arn:aws:iam::${ACCOUNT}:role/aws-service-role/fsx.amazonaws.com/*`], {
      StringEquals: { 'iam:AWSServiceName': 'fsx.amazonaws.com' },
    }),
    allow('DescribeFileSystems', ['fsx:DescribeFileSystems'], ['*']),
    allow('ManageFileSystems', ['fsx:CreateFileSystem', 'fsx:DeleteFileSystem', 'fsx:TagResource', 'fsx:UpdateFileSystem'], [
      `arn:aws:fsx:${REGION}:${ACCOUNT}:file-system/*`,
    ]),
  ];

  test('manages file systems of the account and region', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.fsxLustreCsi())).toEqual(core);
  });

  test('links the data repository buckets given', () => {
    const stack = envStack();
    const bucket = s3.Bucket.fromBucketArn(stack, 'Data', 'arn:aws:s3:::lustre-data');
    expect(attach(stack, AddonPolicy.fsxLustreCsi({ dataRepositoryBuckets: [bucket] }))).toEqual([
      ...core,
      allow('CreateS3DataSourceServiceLinkedRole', ['iam:CreateServiceLinkedRole', 'iam:AttachRolePolicy', 'iam:PutRolePolicy'], [
        `arn:aws:iam::${ACCOUNT}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/*`,
      ]),
      allow('ListDataRepositories', ['s3:ListBucket'], ['arn:aws:s3:::lustre-data']),
    ]);
  });
});

describe('AddonPolicy.nodeTerminationHandler', () => {
  test('reads its queue, decrypting through SQS, and completes lifecycle actions of the account and region', () => {
    const stack = envStack();
    const queue = sqs.Queue.fromQueueAttributes(stack, 'Queue', { queueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:nth`, keyArn: KEY_ARN });
    expect(attach(stack, AddonPolicy.nodeTerminationHandler({ queue }))).toEqual([
      allow('DescribeInstances', ['autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeTags', 'ec2:DescribeInstances'], ['*']),
      allow('CompleteLifecycleActions', ['autoscaling:CompleteLifecycleAction'], [
        `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/*`,
      ]),
      allow('ReceiveEvents', ['sqs:DeleteMessage', 'sqs:ReceiveMessage'], [`arn:aws:sqs:${REGION}:${ACCOUNT}:nth`]),
      allow('DecryptEvents', ['kms:Decrypt'], [KEY_ARN], { StringLike: { 'kms:ViaService': 'sqs.*.amazonaws.com' } }),
    ]);
  });
});

describe('AddonPolicy.managedPrometheus', () => {
  const workspaceArn = `arn:aws:aps:${REGION}:${ACCOUNT}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`;

  test('remote-writes to the workspace given only', () => {
    const stack = envStack();
    expect(attach(stack, AddonPolicy.managedPrometheus({ workspaceArn }))).toEqual([
      allow('RemoteWrite', ['aps:RemoteWrite'], [workspaceArn]),
    ]);
  });

  test('queries too when asked, and keeps the query statement beside the managed policy', () => {
    const query = allow('QueryMetrics', ['aps:GetLabels', 'aps:GetMetricMetadata', 'aps:GetSeries', 'aps:QueryMetrics'], [workspaceArn]);
    const stack = envStack();
    expect(attach(stack, AddonPolicy.managedPrometheus({ workspaceArn, query: true }))).toEqual([
      allow('RemoteWrite', ['aps:RemoteWrite'], [workspaceArn]),
      query,
    ]);
    const managed = envStack();
    expect(attach(managed, AddonPolicy.managedPrometheus({ workspaceArn, query: true }), { useManagedPolicy: true })).toEqual([query]);
    expect(readable(roleProperties(managed).ManagedPolicyArns)).toEqual(['arn:${AWS::Partition}:iam::aws:policy/AmazonPrometheusRemoteWriteAccess']);
  });

  test.each(['', 'ws-0123', `arn:aws:aps:${REGION}:${ACCOUNT}:rulegroupsnamespace/ws-1/rules`])('fails with workspaceArn %j', (arn) => {
    expect(() => AddonPolicy.managedPrometheus({ workspaceArn: arn }))
      .toThrow(/is not the ARN of an Amazon Managed Service for Prometheus workspace: expected "arn:<partition>:aps:<region>:<account>:workspace\/ws-<id>"/);
  });
});

describe('AddonPolicy.statements() and attachTo()', () => {
  test('statements() builds ARNs from pseudo parameters, for any policy document', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const document = new iam.PolicyDocument({ statements: AddonPolicy.vpcCni({ ipFamily: CniIpFamily.IPV6 }).statements() });
    expect(readable(stack.resolve(document.toJSON().Statement))).toEqual([
      allow('DescribeNetwork', ['ec2:DescribeInstances', 'ec2:DescribeInstanceTypes', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeTags'], ['*']),
      allow('AssignIpv6Addresses', ['ec2:AssignIpv6Addresses'], ['arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*']),
      allow('TagNetworkInterfaces', ['ec2:CreateTags'], ['arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*']),
    ]);
  });

  test('statements() returns new statements on each call', () => {
    const preset = AddonPolicy.vpcCni();
    const first = preset.statements();
    first[0].addActions('ec2:RunInstances');
    expect(preset.statements()[0].actions).not.toContain('ec2:RunInstances');
  });

  test('attachTo() writes pseudo parameters when the principal\'s stack has no environment', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const statements = attach(stack, AddonPolicy.vpcCni({ ipFamily: CniIpFamily.IPV6 }));
    expect(statements[1].Resource).toBe('arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*');
  });

  test('attachTo() uses the partition and service domain of the stack\'s region', () => {
    const stack = new Stack(new App(), 'China', { env: { account: ACCOUNT, region: 'cn-north-1' } });
    const nodeRole = iam.Role.fromRoleArn(stack, 'NodeRole', `arn:aws-cn:iam::${ACCOUNT}:role/KarpenterNode`);
    const statements = attach(stack, AddonPolicy.karpenterController({ clusterName: 'prod', nodeRole }));
    const passRole = statements.find((s) => s.Sid === 'PassNodeRole');
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com.cn' } });
    expect(statements.find((s) => s.Sid === 'DescribeCluster').Resource).toBe(`arn:aws-cn:eks:cn-north-1:${ACCOUNT}:cluster/prod`);
  });

  test('attachTo() an IrsaServiceAccount puts the statements, or the managed policy, on its role', () => {
    const stack = envStack();
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: `https://${ISSUER}` });
    const preset = AddonPolicy.vpcCni();
    const serviceAccount = new IrsaServiceAccount(stack, 'Cni', {
      cluster,
      name: preset.serviceAccountName,
      namespace: preset.namespace,
      manifestDelivery: ManifestDelivery.none(),
    });
    preset.attachTo(serviceAccount, { useManagedPolicy: true });
    AddonPolicy.ebsCsiDriver().attachTo(serviceAccount);
    const role = roleProperties(stack);
    expect(readable(role.ManagedPolicyArns)).toEqual(['arn:${AWS::Partition}:iam::aws:policy/AmazonEKS_CNI_Policy']);
    expect(grantsOf(stack).map((s) => s.Sid)).toEqual([
      'DescribeVolumesAndInstances', 'AttachVolumes', 'ModifyAndSnapshotVolumes', 'CreateTaggedVolumes', 'UseSnapshots', 'CreateTaggedSnapshots',
      'TagOnCreate', 'UntagVolumesAndSnapshots', 'DeleteDriverVolumes', 'DeleteNamedVolumes', 'DeleteMigratedVolumes', 'DeleteDriverSnapshots',
      'DeleteNamedSnapshots',
    ]);
  });

  test('fails with useManagedPolicy on a principal that is not a role', () => {
    expect(() => AddonPolicy.vpcCni().attachTo(new iam.AccountPrincipal(ACCOUNT), { useManagedPolicy: true }))
      .toThrow(/useManagedPolicy needs an IAM role to attach AmazonEKS_CNI_Policy to, and principal .* is none/);
  });

  test('fails with useManagedPolicy on an imported role, which aws-cdk-lib would leave without the policy', () => {
    const stack = envStack();
    const role = iam.Role.fromRoleArn(stack, 'Imported', `arn:aws:iam::${ACCOUNT}:role/cni`);
    expect(() => AddonPolicy.vpcCni().attachTo(role, { useManagedPolicy: true }))
      .toThrow(/useManagedPolicy cannot attach AmazonEKS_CNI_Policy to principal Addons\/Imported: the role is imported/);
  });

  test('adds the scoped statements to an imported role through a policy of its own', () => {
    const stack = envStack();
    const role = iam.Role.fromRoleArn(stack, 'Imported', `arn:aws:iam::${ACCOUNT}:role/dns`);
    const zone = route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z0123456789ABCDEFGHIJ');
    AddonPolicy.externalDns({ hostedZones: [zone] }).attachTo(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: ['dns'],
      PolicyDocument: { Statement: [{ Sid: 'ListHostedZones' }, { Sid: 'ManageRecords' }] },
    });
  });

  test('fails on a principal that cannot hold an identity policy', () => {
    expect(() => AddonPolicy.vpcCni().attachTo(new iam.ServicePrincipal('pods.eks.amazonaws.com')))
      .toThrow(/cannot hold an identity policy, so the vpc-cni statements cannot be added to it/);
  });
});

describe('AddonPolicy marks the upstream wildcards for cdk-nag', () => {
  const DNS_REASON = 'external-dns: the wildcards of the add-on\'s upstream IAM policy (external-dns v0.1x docs/tutorials/aws.md (2025)), which cdk-irsa\'s '
    + 'AddonPolicy keeps where the actions have no resource-level permissions or the add-on names its resources at run time.';

  function acknowledged(resource: IConstruct): any {
    return Object.assign({}, ...resource.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').map((m) => m.data));
  }

  test('on the role, in the cdk_nag metadata with applies_to and as acknowledged rules, and nothing of other grants', () => {
    const stack = envStack();
    const zone = route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z0123456789ABCDEFGHIJ');
    const role = roleFor(stack, AddonPolicy.externalDns({ hostedZones: [zone] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:Get*'], resources: ['*'] }));

    AddonPolicy.externalDns({ hostedZones: [zone] }).attachTo(role);

    const resource = role.node.defaultChild as iam.CfnRole;
    const [metadata] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role')).map((r: any) => r.Metadata);
    expect(metadata).toEqual({ cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-IAM5', reason: DNS_REASON, applies_to: ['Resource::*'] }] } });
    expect(acknowledged(resource)).toEqual({ 'AwsSolutions-IAM5[Resource::*]': DNS_REASON });
  });

  test('writes each finding as cdk-nag names it, intrinsic functions flattened', () => {
    const stack = envStack();
    const bucket = new s3.Bucket(stack, 'Backups');
    const role = roleFor(stack, AddonPolicy.velero({ bucket }));

    AddonPolicy.velero({ bucket }).attachTo(role);

    const [rule] = (role.node.defaultChild as iam.CfnRole).getMetadata('cdk_nag').rules_to_suppress;
    expect(rule.applies_to).toEqual([
      'Resource::<Backups9A29A52D.Arn>/*',
      'Resource::*',
      `Resource::arn:aws:ec2:${REGION}:${ACCOUNT}:volume/*`,
      `Resource::arn:aws:ec2:${REGION}::snapshot/*`,
    ]);
  });

  test('one entry per preset on a role that holds two', () => {
    const stack = envStack();
    const role = roleFor(stack, AddonPolicy.ebsCsiDriver());

    AddonPolicy.ebsCsiDriver().attachTo(role);
    AddonPolicy.vpcCni().attachTo(role);

    const rules = (role.node.defaultChild as iam.CfnRole).getMetadata('cdk_nag').rules_to_suppress;
    expect(rules.map((r: any) => r.reason.split(':')[0])).toEqual(['aws-ebs-csi-driver', 'vpc-cni']);
  });

  test('on the AWS::IAM::Policy that holds the statements for an imported role, and on the managed policy with GrantsPolicyType.CUSTOMER_MANAGED', () => {
    const stack = envStack();
    const zone = route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z0123456789ABCDEFGHIJ');
    const imported = iam.Role.fromRoleArn(stack, 'Imported', `arn:aws:iam::${ACCOUNT}:role/dns`);
    const managed = new IrsaRole(stack, 'Managed', {
      provider: ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN),
      subjects: [ServiceAccountSubject.exact('external-dns', 'external-dns')],
      grantsPolicyType: GrantsPolicyType.CUSTOMER_MANAGED,
    });

    AddonPolicy.externalDns({ hostedZones: [zone] }).attachTo(imported);
    AddonPolicy.externalDns({ hostedZones: [zone] }).attachTo(managed);

    const template = Template.fromStack(stack);
    const expected = { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-IAM5', reason: DNS_REASON, applies_to: ['Resource::*'] }] } };
    expect(Object.values(template.findResources('AWS::IAM::Policy')).map((r: any) => r.Metadata)).toEqual([expected]);
    expect(Object.values(template.findResources('AWS::IAM::ManagedPolicy')).map((r: any) => r.Metadata)).toEqual([expected]);
    expect(Object.values(template.findResources('AWS::IAM::Role')).map((r: any) => r.Metadata)).toEqual([undefined]);
  });

  test('nothing where the statements hold no wildcard', () => {
    const stack = envStack();
    const role = roleFor(stack, AddonPolicy.managedPrometheus({ workspaceArn: `arn:aws:aps:${REGION}:${ACCOUNT}:workspace/ws-1` }));

    AddonPolicy.managedPrometheus({ workspaceArn: `arn:aws:aps:${REGION}:${ACCOUNT}:workspace/ws-1` }).attachTo(role);

    expect((role.node.defaultChild as iam.CfnRole).getMetadata('cdk_nag')).toBeUndefined();
    expect(acknowledged(role.node.defaultChild as iam.CfnRole)).toEqual({});
  });
});

describe('AddonPolicy presets refuse wildcard scopes', () => {
  const WILDCARD_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/*`;
  const cases: { what: string; make: (s: Stack) => AddonPolicy; message: RegExp }[] = [
    {
      what: 'externalDns: a hosted zone imported by the ID "*"',
      make: (s) => AddonPolicy.externalDns({ hostedZones: [route53.HostedZone.fromHostedZoneId(s, 'Z', '*')] }),
      message: /hostedZones\[0\] \(ID "\*"\) has the ARN ".*hostedzone\/\*", which holds a wildcard: AddonPolicy\.externalDns\(\) would grant every resource it matches/,
    },
    {
      what: 'certManager: a hosted zone ID with "?"',
      make: (s) => AddonPolicy.certManager({ hostedZones: [route53.HostedZone.fromHostedZoneId(s, 'A', 'Z1'), route53.HostedZone.fromHostedZoneId(s, 'Z', 'Z?')] }),
      message: /hostedZones\[1\] \(ID "Z\?"\) has the ARN .* which holds a wildcard: AddonPolicy\.certManager\(\)/,
    },
    {
      what: 'externalSecrets: a secret imported by a name with "*"',
      make: (s) => AddonPolicy.externalSecrets({ secrets: [secretsmanager.Secret.fromSecretNameV2(s, 'S', 'prod/*')] }),
      message: /secrets\[0\] has the ARN ".*:secret:prod\/\*", which holds a wildcard: AddonPolicy\.externalSecrets\(\)/,
    },
    {
      what: 'externalSecrets: a parameter imported by a name with "*"',
      make: (s) => AddonPolicy.externalSecrets({ parameters: [ssm.StringParameter.fromStringParameterName(s, 'P', '/prod/*')] }),
      message: /parameters\[0\] has the ARN ".*parameter\/prod\/\*", which holds a wildcard/,
    },
    {
      what: 'externalSecrets: a wildcard KMS key',
      make: (s) => AddonPolicy.externalSecrets({ parameterPaths: ['/prod'], kmsKeys: [kms.Key.fromKeyArn(s, 'K', WILDCARD_KEY)] }),
      message: /kmsKeys\[0\] has the ARN ".*key\/\*", which holds a wildcard/,
    },
    {
      what: 'ebsCsiDriver: a wildcard KMS key',
      make: (s) => AddonPolicy.ebsCsiDriver({ kmsKeys: [kms.Key.fromKeyArn(s, 'K', WILDCARD_KEY)] }),
      message: /kmsKeys\[0\] has the ARN ".*key\/\*", which holds a wildcard: AddonPolicy\.ebsCsiDriver\(\)/,
    },
    {
      what: 'velero: a bucket whose key is a wildcard',
      make: (s) => AddonPolicy.velero({
        bucket: s3.Bucket.fromBucketAttributes(s, 'B', { bucketName: 'backups', encryptionKey: kms.Key.fromKeyArn(s, 'K', WILDCARD_KEY) }),
      }),
      message: /the key of bucket has the ARN ".*key\/\*", which holds a wildcard: AddonPolicy\.velero\(\)/,
    },
    {
      what: 'mountpointS3Csi: a bucket whose key is a wildcard',
      make: (s) => AddonPolicy.mountpointS3Csi({
        buckets: [s3.Bucket.fromBucketAttributes(s, 'B', { bucketName: 'data', encryptionKey: kms.Key.fromKeyArn(s, 'K', WILDCARD_KEY) })],
      }),
      message: /the key of buckets\[0\] has the ARN ".*key\/\*", which holds a wildcard: AddonPolicy\.mountpointS3Csi\(\)/,
    },
    {
      what: 'efsCsiDriver: a file system ID "*"',
      make: (s) => AddonPolicy.efsCsiDriver({ fileSystems: [efs.FileSystem.fromFileSystemAttributes(s, 'F', { fileSystemArn: `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/*`, securityGroup: undefined as any })] }),
      message: /fileSystems\[0\] has the ARN ".*file-system\/\*", which holds a wildcard: AddonPolicy\.efsCsiDriver\(\)/,
    },
    {
      what: 'karpenterController: a node role ARN with a wildcard (iam:PassRole to every role)',
      make: (s) => AddonPolicy.karpenterController({ clusterName: 'prod', nodeRole: iam.Role.fromRoleArn(s, 'R', `arn:aws:iam::${ACCOUNT}:role/*`) }),
      message: /nodeRole has the ARN "arn:aws:iam::123456789012:role\/\*", which holds a wildcard: AddonPolicy\.karpenterController\(\)/,
    },
    {
      what: 'karpenterController: a wildcard interruption queue',
      make: (s) => AddonPolicy.karpenterController({
        clusterName: 'prod',
        nodeRole: iam.Role.fromRoleArn(s, 'R', `arn:aws:iam::${ACCOUNT}:role/KarpenterNode`),
        interruptionQueue: sqs.Queue.fromQueueArn(s, 'Q', `arn:aws:sqs:${REGION}:${ACCOUNT}:*`),
      }),
      message: /interruptionQueue has the ARN ".*:\*", which holds a wildcard/,
    },
    {
      what: 'nodeTerminationHandler: a wildcard queue',
      make: (s) => AddonPolicy.nodeTerminationHandler({ queue: sqs.Queue.fromQueueArn(s, 'Q', `arn:aws:sqs:${REGION}:${ACCOUNT}:nth-*`) }),
      message: /queue has the ARN ".*:nth-\*", which holds a wildcard: AddonPolicy\.nodeTerminationHandler\(\)/,
    },
  ];

  test.each(cases.map((c) => [c.what, c] as const))('fails for %s', (_what, c) => {
    expect(() => c.make(envStack())).toThrow(c.message);
    expect(() => c.make(envStack())).toThrow(/Import the resource by its exact name, ID or ARN, and give each resource you mean\./);
  });

  test('accepts resources whose ARNs are known only at deploy', () => {
    const stack = envStack();
    const bucket = new s3.Bucket(stack, 'Backups');

    expect(() => AddonPolicy.velero({ bucket })).not.toThrow();
  });
});
