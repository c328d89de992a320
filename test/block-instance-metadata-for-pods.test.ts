import { Annotations as CoreAnnotations, App, AspectPriority, Aspects, CfnParameter, CfnResource, Lazy, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  BlockInstanceMetadataForPods, BlockInstanceMetadataForPodsProps, BlockInstanceMetadataMode, BlockInstanceMetadataSeverity,
} from '../lib';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const BLOCKED = { HttpTokens: 'required', HttpPutResponseHopLimit: 1 };
const LAUNCH_TEMPLATE_FEATURE = '@aws-cdk/aws-autoscaling:generateLaunchTemplateInsteadOfLaunchConfig';
const EXEMPT_HINT = 'If pods on these nodes must reach IMDS, exempt it: BlockInstanceMetadataForPods.exempt(construct, reason).';
const EXPOSED = 'pods on its instances may reach the instance metadata service and take the node role\'s credentials.';
const LT_FIX = 'Set requireImdsv2: true and httpPutResponseHopLimit: 1 (CfnLaunchTemplate: LaunchTemplateData.MetadataOptions '
  + '{ HttpTokens: "required", HttpPutResponseHopLimit: 1 })';

/** A stack with the aspect on it (or on nothing, for `props === null`). */
function setup(props: BlockInstanceMetadataForPodsProps | null = {}, context: Record<string, any> = {}) {
  const app = new App({ context });
  const stack = new Stack(app, 'Stack', { env: ENV });
  if (props !== null) {
    BlockInstanceMetadataForPods.applyTo(stack, props);
  }
  return { app, stack };
}

function legacyCluster(stack: Stack) {
  return new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_32,
    defaultCapacity: 0,
    kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'K', 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1'),
  });
}

function v2Cluster(stack: Stack) {
  return new eksv2.Cluster(stack, 'Cluster', {
    version: eksv2.KubernetesVersion.V1_32,
    defaultCapacityType: eksv2.DefaultCapacityType.NODEGROUP,
    defaultCapacity: 0,
  });
}

/** The metadata options of every resource of a type, by logical ID. */
function metadataOptions(stack: Stack, type: 'AWS::EC2::LaunchTemplate' | 'AWS::AutoScaling::LaunchConfiguration') {
  const resources = Template.fromStack(stack).findResources(type);
  return Object.fromEntries(Object.entries<any>(resources).map(([id, r]) => [id, type === 'AWS::EC2::LaunchTemplate'
    ? r.Properties.LaunchTemplateData?.MetadataOptions
    : r.Properties.MetadataOptions]));
}

/** Every cdk-irsa annotation of the stack, as "<path> <message>". */
function findings(stack: Stack) {
  const annotations = Annotations.fromStack(stack);
  const render = (messages: any[]) => messages.map((m) => `${m.id} ${String(m.entry.data)}`).sort();
  return {
    errors: render(annotations.findError('*', Match.stringLikeRegexp('cdk-irsa'))),
    warnings: render(annotations.findWarning('*', Match.stringLikeRegexp('cdk-irsa'))),
    infos: render(annotations.findInfo('*', Match.stringLikeRegexp('cdk-irsa'))),
  };
}

const NONE = { errors: [], warnings: [], infos: [] };

/** Matches exactly this text. */
function exactly(text: string) {
  return Match.stringLikeRegexp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

describe('BlockInstanceMetadataForPods on launch templates', () => {
  test('sets IMDSv2 and a hop limit of 1 on an ec2.LaunchTemplate that leaves them unset', () => {
    // GIVEN
    const { stack } = setup();
    new ec2.LaunchTemplate(stack, 'Nodes', { instanceType: new ec2.InstanceType('m6i.large') });

    // THEN
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ Nodes66C30434: BLOCKED });
    expect(findings(stack)).toEqual(NONE);
  });

  test('completes the options a launch template sets, keeping the others', () => {
    // GIVEN requireImdsv2 alone, and tags in metadata
    const { stack } = setup();
    new ec2.LaunchTemplate(stack, 'Nodes', { requireImdsv2: true, instanceMetadataTags: true });

    // THEN
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({
      Nodes66C30434: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, InstanceMetadataTags: 'enabled' },
    });
    expect(findings(stack)).toEqual(NONE);
  });

  test('sets them on a raw CfnLaunchTemplate, keeping its data', () => {
    // GIVEN
    const { stack } = setup();
    new ec2.CfnLaunchTemplate(stack, 'Raw', { launchTemplateData: { imageId: 'ami-0123456789abcdef0', metadataOptions: { httpEndpoint: 'enabled' } } });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectEquals({
        ImageId: 'ami-0123456789abcdef0',
        MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
      }),
    });
    expect(findings(stack)).toEqual(NONE);
  });

  test('leaves already compliant resources untouched', () => {
    // GIVEN the same compliant app, with and without the aspect
    const build = (withAspect: boolean) => {
      const { stack } = setup(withAspect ? {} : null);
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
      const template = new ec2.LaunchTemplate(stack, 'Nodes', {
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        instanceType: new ec2.InstanceType('m6i.large'),
        requireImdsv2: true,
        httpPutResponseHopLimit: 1,
      });
      new autoscaling.AutoScalingGroup(stack, 'Group', { vpc, launchTemplate: template });
      new ec2.CfnLaunchTemplate(stack, 'NoImds', { launchTemplateData: { metadataOptions: { httpEndpoint: 'disabled' } } });
      new autoscaling.CfnLaunchConfiguration(stack, 'Config', {
        imageId: 'ami-0123456789abcdef0',
        instanceType: 'm6i.large',
        metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      });
      return stack;
    };

    // THEN
    const withAspect = build(true);
    expect(Template.fromStack(withAspect).toJSON()).toEqual(Template.fromStack(build(false)).toJSON());
    expect(findings(withAspect)).toEqual(NONE);
  });

  test('fails on a hop limit of 2 set by the user, keeps it, and sets what was unset', () => {
    // GIVEN
    const { stack } = setup();
    new ec2.LaunchTemplate(stack, 'Nodes', { httpPutResponseHopLimit: 2 });

    // THEN
    Annotations.fromStack(stack).hasError('/Stack/Nodes', exactly('[cdk-irsa:imdsExplicitSetting] launch template Stack/Nodes sets '
      + `HttpPutResponseHopLimit to 2 (IMDSv2 token responses reach pods): ${EXPOSED} ${LT_FIX}, or let BlockInstanceMetadataForPods replace `
      + `the value (overrideExplicitSettings: true). ${EXEMPT_HINT}`));
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ Nodes66C30434: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 } });
    expect(findings(stack).errors).toHaveLength(1);
  });

  test('fails on HttpTokens "optional" set by the user', () => {
    // GIVEN
    const { stack } = setup();
    new ec2.LaunchTemplate(stack, 'Nodes', { httpTokens: ec2.LaunchTemplateHttpTokens.OPTIONAL, httpPutResponseHopLimit: 1 });

    // THEN
    Annotations.fromStack(stack).hasError('/Stack/Nodes', exactly('[cdk-irsa:imdsExplicitSetting] launch template Stack/Nodes sets '
      + `HttpTokens to "optional" (IMDSv1 answers pods whatever the hop limit): ${EXPOSED} ${LT_FIX}, or let BlockInstanceMetadataForPods `
      + `replace the value (overrideExplicitSettings: true). ${EXEMPT_HINT}`));
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ Nodes66C30434: { HttpTokens: 'optional', HttpPutResponseHopLimit: 1 } });
  });

  test('fails on a hop limit known only at deploy', () => {
    // GIVEN
    const { stack } = setup();
    const hopLimit = new CfnParameter(stack, 'HopLimit', { type: 'Number' }).valueAsNumber;
    new ec2.LaunchTemplate(stack, 'Nodes', { requireImdsv2: true, httpPutResponseHopLimit: hopLimit });

    // THEN
    Annotations.fromStack(stack).hasError('/Stack/Nodes', Match.stringLikeRegexp(
      '^\\[cdk-irsa:imdsExplicitSetting\\] launch template Stack/Nodes sets HttpPutResponseHopLimit to a value known only at deploy \\(it cannot be checked\\): '));
  });

  test('fails on a hop limit set with an escape hatch (raw override)', () => {
    // GIVEN
    const { stack } = setup();
    const template = new ec2.LaunchTemplate(stack, 'Nodes', { requireImdsv2: true });
    (template.node.defaultChild as ec2.CfnLaunchTemplate).addPropertyOverride('LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit', 3);

    // THEN
    Annotations.fromStack(stack).hasError('/Stack/Nodes', Match.stringLikeRegexp('sets HttpPutResponseHopLimit to 3 \\(IMDSv2 token responses reach pods\\)'));
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ Nodes66C30434: { HttpTokens: 'required', HttpPutResponseHopLimit: 3 } });
  });

  test('replaces values set by the user with overrideExplicitSettings, and says so', () => {
    // GIVEN both a property and a raw override that disagree
    const { stack } = setup({ overrideExplicitSettings: true });
    const template = new ec2.LaunchTemplate(stack, 'Nodes', { httpTokens: ec2.LaunchTemplateHttpTokens.OPTIONAL });
    (template.node.defaultChild as ec2.CfnLaunchTemplate).addPropertyOverride('LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit', 2);

    // THEN
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ Nodes66C30434: BLOCKED });
    expect(findings(stack)).toEqual({
      errors: [],
      warnings: [],
      infos: ['/Stack/Nodes [cdk-irsa:imdsOverridden] launch template Stack/Nodes: BlockInstanceMetadataForPods replaced HttpTokens "optional" '
        + 'and HttpPutResponseHopLimit 2 with HttpTokens "required" and HttpPutResponseHopLimit 1, as overrideExplicitSettings allows.'],
    });
  });

  test('fails on launch template data it cannot read', () => {
    // GIVEN
    const { stack } = setup();
    new ec2.CfnLaunchTemplate(stack, 'Opaque', { launchTemplateData: Lazy.any({ produce: () => ({ imageId: 'ami-0123456789abcdef0' }) }) });

    // THEN
    Annotations.fromStack(stack).hasError('/Stack/Opaque', exactly('[cdk-irsa:imdsUnreadable] launch template Stack/Opaque: its metadata '
      + 'options cannot be checked or set, because its LaunchTemplateData is a token. Give them as literal values (HttpTokens "required", '
      + `HttpPutResponseHopLimit 1). ${EXEMPT_HINT}`));
  });
});

describe('BlockInstanceMetadataForPods on managed node groups', () => {
  test('fails on an aws-eks node group without a launch template, naming the fix', () => {
    // GIVEN
    const { stack } = setup();
    legacyCluster(stack).addNodegroupCapacity('Workers');

    // THEN
    expect(findings(stack)).toEqual({
      errors: ['/Stack/Cluster/NodegroupWorkers [cdk-irsa:imdsNoLaunchTemplate] managed node group Stack/Cluster/NodegroupWorkers has no launch '
        + 'template, so EKS gives it one of its own with a hop limit of 2: pods can take the node role\'s credentials from the instance metadata '
        + 'service. Give the node group a launch template (launchTemplateSpec) that requires IMDSv2 with a hop limit of 1, such as an '
        + 'ec2.LaunchTemplate of this app, which this aspect completes. EKS cannot add a launch template to an existing node group: create a '
        + `new node group and move the workloads to it. ${EXEMPT_HINT}`],
      warnings: [],
      infos: [],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::Nodegroup', { LaunchTemplate: Match.absent() });
  });

  test('fails on a node group without a launch template, naming the settings that EKS refuses next to one', () => {
    // GIVEN
    const { stack } = setup();
    legacyCluster(stack).addNodegroupCapacity('Workers', { diskSize: 100, remoteAccess: { sshKeyName: 'ops' } });

    // THEN
    Annotations.fromStack(stack).hasError('/Stack/Cluster/NodegroupWorkers', Match.stringLikeRegexp('EKS refuses diskSize and remoteAccess next to a '
      + 'launch template: size the root volume in the template\'s blockDevices, and give the template a keyPair and security groups\\. EKS cannot'));
  });

  test('secures the launch template of an aws-eks node group', () => {
    // GIVEN
    const { stack } = setup();
    const template = new ec2.LaunchTemplate(stack, 'Nodes', {});
    legacyCluster(stack).addNodegroupCapacity('Workers', { launchTemplateSpec: { id: template.launchTemplateId!, version: template.latestVersionNumber } });

    // THEN
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ Nodes66C30434: BLOCKED });
    expect(findings(stack)).toEqual(NONE);
  });

  test('warns when the node group does not follow the template\'s latest version', () => {
    // GIVEN a launch template spec without a version: EKS uses the default version, which CloudFormation never moves
    const { stack } = setup();
    const template = new ec2.LaunchTemplate(stack, 'Nodes', {});
    legacyCluster(stack).addNodegroupCapacity('Workers', { launchTemplateSpec: { id: template.launchTemplateId! } });

    // THEN
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ Nodes66C30434: BLOCKED });
    expect(findings(stack)).toEqual({
      errors: [],
      warnings: ['/Stack/Cluster/NodegroupWorkers/Resource [cdk-irsa:imdsTemplateVersion] managed node group Stack/Cluster/NodegroupWorkers uses launch '
        + 'template Stack/Nodes at its default version (no version given), not its latest version. BlockInstanceMetadataForPods changed the '
        + 'template: if the template already exists, CloudFormation adds a new version and leaves the default version where it was, so this '
        + 'group keeps launching instances without the change. Use the template\'s latest version (ec2.LaunchTemplate.latestVersionNumber, or '
        + 'the LatestVersionNumber attribute). [ack: cdk-irsa:imdsTemplateVersion]'],
      infos: [],
    });
  });

  test('fails on an aws-eks-v2 node group without a launch template', () => {
    // GIVEN
    const { stack } = setup();
    v2Cluster(stack).addNodegroupCapacity('Workers');

    // THEN
    Annotations.fromStack(stack).hasError('/Stack/Cluster/NodegroupWorkers', Match.stringLikeRegexp(
      '^\\[cdk-irsa:imdsNoLaunchTemplate\\] managed node group Stack/Cluster/NodegroupWorkers has no launch template, so EKS gives it one of its own with a hop limit of 2'));
    expect(findings(stack).errors).toHaveLength(1);
  });

  test('secures the launch template of an aws-eks-v2 node group', () => {
    // GIVEN
    const { stack } = setup();
    const template = new ec2.LaunchTemplate(stack, 'Nodes', { requireImdsv2: true });
    v2Cluster(stack).addNodegroupCapacity('Workers', { launchTemplateSpec: { id: template.launchTemplateId!, version: template.latestVersionNumber } });

    // THEN
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ Nodes66C30434: BLOCKED });
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::Nodegroup', {
      LaunchTemplate: { Id: { Ref: 'Nodes66C30434' }, Version: { 'Fn::GetAtt': ['Nodes66C30434', 'LatestVersionNumber'] } },
    });
    expect(findings(stack)).toEqual(NONE);
  });

  test('fails on a raw CfnNodegroup, with or without a template it cannot see', () => {
    // GIVEN
    const { stack } = setup();
    const common = { clusterName: 'prod', nodeRole: 'arn:aws:iam::123456789012:role/node', subnets: ['subnet-0123456789abcdef0'] };
    new eks.CfnNodegroup(stack, 'Bare', common);
    new eks.CfnNodegroup(stack, 'Elsewhere', { ...common, launchTemplate: { id: 'lt-0123456789abcdef0', version: '3' } });

    // THEN
    const { errors } = findings(stack);
    expect(errors).toEqual([
      expect.stringMatching(/^\/Stack\/Bare \[cdk-irsa:imdsNoLaunchTemplate\] managed node group Stack\/Bare has no launch template/),
      '/Stack/Elsewhere [cdk-irsa:imdsExternalSource] managed node group Stack/Elsewhere launches instances from launch template '
        + '"lt-0123456789abcdef0" at version "3", which is not defined in this app: whether they require IMDSv2 with a hop limit of 1 can be '
        + 'neither checked nor set here. Define the launch template in this app, or make sure it requires IMDSv2 with a hop limit of 1 and '
        + 'exempt the group: BlockInstanceMetadataForPods.exempt(construct, reason).',
    ]);
  });
});

describe('BlockInstanceMetadataForPods on auto-scaling groups', () => {
  test('secures the launch configuration of Cluster.addAutoScalingGroupCapacity (self-managed nodes)', () => {
    // GIVEN an app without the launch-template feature flag: aws-autoscaling makes a launch configuration
    const { stack } = setup();
    legacyCluster(stack).addAutoScalingGroupCapacity('Self', { instanceType: new ec2.InstanceType('m6i.large'), minCapacity: 1 });

    // THEN
    expect(metadataOptions(stack, 'AWS::AutoScaling::LaunchConfiguration')).toEqual({ ClusterSelfLaunchConfig9AFD23AC: BLOCKED });
    expect(findings(stack)).toEqual(NONE);
  });

  test('secures the launch template of Cluster.addAutoScalingGroupCapacity with the launch-template feature flag', () => {
    // GIVEN
    const { stack } = setup({}, { [LAUNCH_TEMPLATE_FEATURE]: true });
    legacyCluster(stack).addAutoScalingGroupCapacity('Self', { instanceType: new ec2.InstanceType('m6i.large'), minCapacity: 1 });

    // THEN
    expect(Object.values(metadataOptions(stack, 'AWS::EC2::LaunchTemplate'))).toEqual([BLOCKED]);
    Template.fromStack(stack).resourceCountIs('AWS::AutoScaling::LaunchConfiguration', 0);
    expect(findings(stack)).toEqual(NONE);
  });

  test('secures the launch template of an AutoScalingGroup', () => {
    // GIVEN
    const { stack } = setup();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    const template = new ec2.LaunchTemplate(stack, 'Nodes', {
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      instanceType: new ec2.InstanceType('m6i.large'),
    });
    new autoscaling.AutoScalingGroup(stack, 'Group', { vpc, launchTemplate: template });

    // THEN
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ Nodes66C30434: BLOCKED });
    expect(findings(stack)).toEqual(NONE);
  });

  test('secures every launch template of a mixed instances policy, overrides included', () => {
    // GIVEN
    const { stack } = setup();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    const image = ec2.MachineImage.latestAmazonLinux2023();
    const intel = new ec2.LaunchTemplate(stack, 'Intel', { machineImage: image });
    const graviton = new ec2.LaunchTemplate(stack, 'Graviton', { machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }) });
    new autoscaling.AutoScalingGroup(stack, 'Group', {
      vpc,
      mixedInstancesPolicy: {
        launchTemplate: intel,
        launchTemplateOverrides: [
          { instanceType: new ec2.InstanceType('m6i.large') },
          { instanceType: new ec2.InstanceType('m7g.large'), launchTemplate: graviton },
        ],
      },
    });

    // THEN
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ IntelB8EE66D1: BLOCKED, Graviton4460B072: BLOCKED });
    expect(findings(stack)).toEqual(NONE);
  });

  test('secures a template of the app that the group names by a literal name', () => {
    // GIVEN
    const { stack } = setup();
    new ec2.CfnLaunchTemplate(stack, 'Named', { launchTemplateName: 'workers', launchTemplateData: { imageId: 'ami-0123456789abcdef0' } });
    new autoscaling.CfnAutoScalingGroup(stack, 'Group', {
      minSize: '0',
      maxSize: '2',
      vpcZoneIdentifier: ['subnet-0123456789abcdef0'],
      launchTemplate: { launchTemplateName: 'workers', version: '$Latest' },
    });

    // THEN
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ Named: BLOCKED });
    expect(findings(stack)).toEqual(NONE);
  });

  test('fails on raw groups whose launch template or configuration is not in the app', () => {
    // GIVEN
    const { stack } = setup();
    const sizes = { minSize: '0', maxSize: '2', vpcZoneIdentifier: ['subnet-0123456789abcdef0'] };
    new autoscaling.CfnAutoScalingGroup(stack, 'ByTemplateId', { ...sizes, launchTemplate: { launchTemplateId: 'lt-0123456789abcdef0', version: '$Default' } });
    new autoscaling.CfnAutoScalingGroup(stack, 'ByConfiguration', { ...sizes, launchConfigurationName: 'legacy-workers' });
    const imported = ec2.LaunchTemplate.fromLaunchTemplateAttributes(stack, 'Imported', { launchTemplateName: 'shared', versionNumber: '7' });
    new autoscaling.AutoScalingGroup(stack, 'ByImport', { vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0 }), launchTemplate: imported });

    // THEN
    const external = 'which is not defined in this app: whether they require IMDSv2 with a hop limit of 1 can be neither checked nor set here. '
      + 'Define the launch template in this app, or make sure it requires IMDSv2 with a hop limit of 1 and exempt the group: '
      + 'BlockInstanceMetadataForPods.exempt(construct, reason).';
    expect(findings(stack).errors).toEqual([
      `/Stack/ByConfiguration [cdk-irsa:imdsExternalSource] auto-scaling group Stack/ByConfiguration launches instances from launch configuration "legacy-workers", ${external}`,
      `/Stack/ByImport [cdk-irsa:imdsExternalSource] auto-scaling group Stack/ByImport launches instances from launch template "shared" at version "7", ${external}`,
      `/Stack/ByTemplateId [cdk-irsa:imdsExternalSource] auto-scaling group Stack/ByTemplateId launches instances from launch template "lt-0123456789abcdef0" at version "$Default", ${external}`,
    ]);
  });

  test('secures a launch template outside the aspect\'s scope that a group in scope uses', () => {
    // GIVEN the aspect on one construct, the template beside it
    const { stack } = setup(null);
    const nodes = new Construct(stack, 'Nodes');
    BlockInstanceMetadataForPods.applyTo(nodes);
    const template = new ec2.LaunchTemplate(stack, 'Shared', {
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      instanceType: new ec2.InstanceType('m6i.large'),
    });
    new ec2.LaunchTemplate(stack, 'Unrelated', {});
    new autoscaling.AutoScalingGroup(nodes, 'Group', { vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0 }), launchTemplate: template });

    // THEN
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ SharedDACC02AA: BLOCKED, Unrelated1A43D198: undefined });
  });
});

describe('BlockInstanceMetadataForPods modes', () => {
  test('REPORT changes nothing and reports what ENFORCE would set', () => {
    // GIVEN
    const { stack } = setup({ mode: BlockInstanceMetadataMode.REPORT });
    new ec2.LaunchTemplate(stack, 'Nodes', {});
    new autoscaling.CfnLaunchConfiguration(stack, 'Config', { imageId: 'ami-0123456789abcdef0', instanceType: 'm6i.large' });

    // THEN
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ Nodes66C30434: undefined });
    expect(metadataOptions(stack, 'AWS::AutoScaling::LaunchConfiguration')).toEqual({ Config: undefined });
    const unset = 'leaves HttpTokens unset (IMDSv1 then answers, unless the AMI or the account\'s IMDS defaults require IMDSv2) and leaves '
      + 'HttpPutResponseHopLimit unset (the AMI or the account\'s IMDS defaults then decide: 2 for AMIs that require IMDSv2, such as Amazon '
      + `Linux 2023): ${EXPOSED}`;
    expect(findings(stack).errors).toEqual([
      `/Stack/Config [cdk-irsa:imdsNotBlocked] launch configuration Stack/Config ${unset} Set MetadataOptions { HttpTokens: "required", `
        + `HttpPutResponseHopLimit: 1 }, or let BlockInstanceMetadataForPods set it (BlockInstanceMetadataMode.ENFORCE). ${EXEMPT_HINT}`,
      `/Stack/Nodes [cdk-irsa:imdsNotBlocked] launch template Stack/Nodes ${unset} ${LT_FIX}, or let BlockInstanceMetadataForPods set it `
        + `(BlockInstanceMetadataMode.ENFORCE). ${EXEMPT_HINT}`,
    ]);
  });

  test('WARNING reports as warnings with IDs, which can be acknowledged', () => {
    // GIVEN
    const { stack } = setup({ mode: BlockInstanceMetadataMode.REPORT, severity: BlockInstanceMetadataSeverity.WARNING });
    const cluster = legacyCluster(stack);
    cluster.addNodegroupCapacity('Reported');
    const acknowledged = cluster.addNodegroupCapacity('Acknowledged');
    CoreAnnotations.of(acknowledged).acknowledgeWarning('cdk-irsa:imdsNoLaunchTemplate', 'replaced next sprint');

    // THEN
    const { errors, warnings } = findings(stack);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(
      /^\/Stack\/Cluster\/NodegroupReported\/Resource \[cdk-irsa:imdsNoLaunchTemplate\] managed node group .* \[ack: cdk-irsa:imdsNoLaunchTemplate\]$/)]);
  });

  test('a warning acknowledged on the stack is hidden for every construct in it', () => {
    // GIVEN
    const { stack } = setup({ mode: BlockInstanceMetadataMode.REPORT, severity: BlockInstanceMetadataSeverity.WARNING });
    const cluster = legacyCluster(stack);
    cluster.addNodegroupCapacity('First');
    cluster.addNodegroupCapacity('Second');
    CoreAnnotations.of(stack).acknowledgeWarning('cdk-irsa:imdsNoLaunchTemplate', 'legacy node groups, replaced next sprint');

    // THEN
    const { errors, warnings } = findings(stack);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('an exempted construct is left alone, with the reason recorded', () => {
    // GIVEN
    const { stack } = setup();
    const legacy = new ec2.LaunchTemplate(stack, 'Legacy', { httpPutResponseHopLimit: 2 });
    const cluster = legacyCluster(stack);
    const plain = cluster.addNodegroupCapacity('Plain');

    // WHEN
    BlockInstanceMetadataForPods.exempt(legacy, 'the metrics agent reads instance metadata until it moves to IRSA');
    BlockInstanceMetadataForPods.exempt(plain, 'replaced by a node group with a launch template next sprint');

    // THEN
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ LegacyFA07BB5D: { HttpPutResponseHopLimit: 2 } });
    expect(findings(stack)).toEqual(NONE);
    expect(legacy.node.metadata.find((m) => m.type === 'cdk-irsa:imdsExempt')?.data)
      .toEqual({ reason: 'the metrics agent reads instance metadata until it moves to IRSA' });
  });

  test('fails to exempt without a reason', () => {
    const { stack } = setup();
    const template = new ec2.LaunchTemplate(stack, 'Nodes', {});

    expect(() => BlockInstanceMetadataForPods.exempt(template, ' ')).toThrow(
      '[cdk-irsa] Stack/Nodes: exempting a construct from BlockInstanceMetadataForPods needs a reason, for whoever reviews the nodes later.');
  });

  test('fails with overrideExplicitSettings in REPORT mode', () => {
    expect(() => new BlockInstanceMetadataForPods({ mode: BlockInstanceMetadataMode.REPORT, overrideExplicitSettings: true })).toThrow(
      '[cdk-irsa] overrideExplicitSettings needs mode BlockInstanceMetadataMode.ENFORCE: BlockInstanceMetadataMode.REPORT changes nothing.');
  });
});

describe('BlockInstanceMetadataForPods with overrides and Stages', () => {
  test('treats metadata options removed by a deletion override as unset, and sets them through an override', () => {
    // GIVEN compliant options, then removed by an escape hatch
    const { stack } = setup();
    const template = new ec2.LaunchTemplate(stack, 'Nodes', { requireImdsv2: true, httpPutResponseHopLimit: 1 });
    (template.node.defaultChild as ec2.CfnLaunchTemplate).addPropertyDeletionOverride('LaunchTemplateData.MetadataOptions');
    const reported = setup({ mode: BlockInstanceMetadataMode.REPORT });
    const seen = new ec2.LaunchTemplate(reported.stack, 'Nodes', { requireImdsv2: true, httpPutResponseHopLimit: 1 });
    (seen.node.defaultChild as ec2.CfnLaunchTemplate).addPropertyDeletionOverride('LaunchTemplateData.MetadataOptions');

    // THEN
    expect(Object.values(metadataOptions(stack, 'AWS::EC2::LaunchTemplate'))).toEqual([expect.objectContaining(BLOCKED)]);
    expect(findings(reported.stack).errors).toEqual([expect.stringMatching(
      /^\/Stack\/Nodes \[cdk-irsa:imdsNotBlocked\] launch template Stack\/Nodes leaves HttpTokens unset .* and leaves HttpPutResponseHopLimit unset/)]);
  });

  test('accepts a hop limit given as the string "1"', () => {
    const { stack } = setup();
    // The typed L1 takes numbers only; the string arrives through an escape hatch (or an included template).
    new ec2.CfnLaunchTemplate(stack, 'Nodes', { launchTemplateData: { metadataOptions: { httpTokens: 'required' } } })
      .addPropertyOverride('LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit', '1');

    expect(findings(stack)).toEqual(NONE);
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ Nodes: { HttpTokens: 'required', HttpPutResponseHopLimit: '1' } });
  });

  test('fails on a node group whose launch template an override removed', () => {
    const { stack } = setup();
    const template = new ec2.CfnLaunchTemplate(stack, 'Nodes', { launchTemplateData: {} });
    const group = new eks.CfnNodegroup(stack, 'Group', {
      clusterName: 'prod', nodeRole: 'arn:aws:iam::123456789012:role/node', subnets: ['subnet-0123456789abcdef0'],
      launchTemplate: { id: template.ref, version: template.attrLatestVersionNumber },
    });
    group.addPropertyDeletionOverride('LaunchTemplate');

    expect(findings(stack).errors).toEqual([expect.stringMatching(/^\/Stack\/Group \[cdk-irsa:imdsNoLaunchTemplate\] managed node group Stack\/Group has no launch template/)]);
  });

  test('follows a launch template that an override attaches to a group, outside the aspect\'s scope', () => {
    const { stack } = setup(null);
    const nodes = new Construct(stack, 'Nodes');
    BlockInstanceMetadataForPods.applyTo(nodes);
    const template = new ec2.CfnLaunchTemplate(stack, 'Shared', { launchTemplateData: {} });
    const group = new autoscaling.CfnAutoScalingGroup(nodes, 'Group', { minSize: '0', maxSize: '1', availabilityZones: ['eu-west-1a'] });
    group.addPropertyOverride('LaunchTemplate', { LaunchTemplateId: template.ref, Version: template.attrLatestVersionNumber });
    const nodegroup = new eks.CfnNodegroup(nodes, 'Managed', {
      clusterName: 'prod', nodeRole: 'arn:aws:iam::123456789012:role/node', subnets: ['subnet-0123456789abcdef0'],
    });
    const other = new ec2.CfnLaunchTemplate(stack, 'Other', { launchTemplateData: {} });
    nodegroup.addPropertyOverride('LaunchTemplate', { Id: other.ref, Version: other.attrLatestVersionNumber });

    expect(findings(stack)).toEqual(NONE);
    expect(metadataOptions(stack, 'AWS::EC2::LaunchTemplate')).toEqual({ Shared: BLOCKED, Other: BLOCKED });
  });

  test('fails synth when added to the app above a Stage it cannot reach, and secures the Stage when added to it', () => {
    const app = new App();
    Aspects.of(app).add(new BlockInstanceMetadataForPods(), { priority: AspectPriority.MUTATING });
    new ec2.LaunchTemplate(new Stack(new Stage(app, 'Prod'), 'Nodes', { env: ENV }), 'Nodes', {});

    expect(() => app.synth()).toThrow('[] [cdk-irsa] BlockInstanceMetadataForPods was added to the app, but Stage "Prod" below it holds launch templates, launch '
      + 'configurations, auto-scaling groups or node groups that it cannot reach (Prod/Nodes/Nodes): aws-cdk-lib synthesizes a Stage, and writes its templates, before '
      + 'it applies the aspects of the app or Stage around it, and never applies those inside it. Add the aspect to that Stage too: '
      + 'BlockInstanceMetadataForPods.applyTo(stage).');

    const covered = new App();
    Aspects.of(covered).add(new BlockInstanceMetadataForPods(), { priority: AspectPriority.MUTATING });
    const stage = new Stage(covered, 'Prod');
    Aspects.of(stage).add(new BlockInstanceMetadataForPods(), { priority: AspectPriority.MUTATING });
    const stack = new Stack(stage, 'Nodes', { env: ENV });
    new ec2.LaunchTemplate(stack, 'Nodes', {});
    expect(() => covered.synth()).not.toThrow();
    expect(Object.values(metadataOptions(stack, 'AWS::EC2::LaunchTemplate'))).toEqual([BLOCKED]);
  });
});

describe('BlockInstanceMetadataForPods on what is decided at deploy or hidden from the typed L1', () => {
  const errors = (stack: Stack) => Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('imds')).map((m) => `${m.id} ${String(m.entry.data)}`);

  test.each([
    ['MetadataOptions', { 'Fn::If': ['Prod', { HttpTokens: 'optional' }, { Ref: 'AWS::NoValue' }] }],
    ['MetadataOptions', { Ref: 'AWS::NoValue' }],
    ['LaunchTemplateData', { 'Fn::If': ['Prod', { ImageId: 'ami-1' }, { ImageId: 'ami-2', MetadataOptions: { HttpTokens: 'optional' } }] }],
    ['MetadataOptions.HttpTokens', { 'Fn::If': ['Prod', 'required', { Ref: 'AWS::NoValue' }] }],
  ])('fails on a launch template whose %s an override sets with Fn::If or AWS::NoValue, and leaves it unchanged', (property, value) => {
    const { stack } = setup();
    const template = new ec2.CfnLaunchTemplate(stack, 'Nodes', { launchTemplateData: { imageId: 'ami-1' } });
    template.addPropertyOverride(property === 'LaunchTemplateData' ? property : `LaunchTemplateData.${property}`, value);

    expect(errors(stack)).toEqual([`/Stack/Nodes [cdk-irsa:imdsUnreadable] launch template Stack/Nodes: its metadata options cannot be checked or set, `
      + `because an override sets its LaunchTemplateData with ${JSON.stringify(value)}, which decides at deploy whether the options are there. `
      + `Give them as literal values (HttpTokens "required", HttpPutResponseHopLimit 1). ${EXEMPT_HINT}`]);
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::EC2::LaunchTemplate').Nodes.Properties)).not.toContain('HttpPutResponseHopLimit');
  });

  test('fails on a node group whose launch template an override sets with Fn::If and an AWS::NoValue branch', () => {
    const { stack } = setup();
    const template = new ec2.CfnLaunchTemplate(stack, 'Nodes', { launchTemplateData: { imageId: 'ami-1' } });
    const nodegroup = new eks.CfnNodegroup(stack, 'Group', {
      clusterName: 'prod', nodeRole: 'arn:aws:iam::123456789012:role/nodes', subnets: ['subnet-1'], launchTemplate: { id: template.ref, version: template.attrLatestVersionNumber },
    });
    const spec = { 'Fn::If': ['Prod', { Id: { Ref: 'Nodes' } }, { Ref: 'AWS::NoValue' }] };
    nodegroup.addPropertyOverride('LaunchTemplate', spec);

    expect(errors(stack)).toEqual([`/Stack/Group [cdk-irsa:imdsUnreadable] managed node group Stack/Group: what it launches instances from cannot be read, `
      + `because an override sets its LaunchTemplate with ${JSON.stringify(spec)}, which decides at deploy what it launches from. `
      + `Give the launch template as a literal specification. ${EXEMPT_HINT}`]);
  });

  test.each([
    ['AWS::EC2::LaunchTemplate', 'launch template', { LaunchTemplateData: { MetadataOptions: { HttpTokens: 'optional', HttpPutResponseHopLimit: 2 } } }],
    ['AWS::AutoScaling::AutoScalingGroup', 'auto-scaling group', { MinSize: '1', MaxSize: '1', LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '1' } }],
  ])('fails on a generic CfnResource of type %s, whose properties it cannot read or set', (type, kind, properties) => {
    const { stack } = setup();
    new CfnResource(stack, 'Generic', { type, properties });
    const renamed = new CfnResource(stack, 'Renamed', { type: 'AWS::SQS::Queue', properties });
    renamed.addOverride('Type', type);

    expect(errors(stack)).toEqual(['Generic', 'Renamed'].map((id) => `/Stack/${id} [cdk-irsa:imdsUnreadable] ${kind} Stack/${id} is a CfnResource of type ${type} `
      + 'that is not the typed L1 (ec2.CfnLaunchTemplate, autoscaling.CfnLaunchConfiguration, autoscaling.CfnAutoScalingGroup, eks.CfnNodegroup), '
      + `or whose Type an override changed: its instance metadata options can be neither checked nor set. Define it with the typed L1. ${EXEMPT_HINT}`));
  });
});

describe('BlockInstanceMetadataForPods declares its priority', () => {
  test('applyTo() adds it as a mutating aspect', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });

    const aspect = BlockInstanceMetadataForPods.applyTo(stack);

    expect(Aspects.of(stack).applied.map((a) => [a.aspect, a.priority])).toEqual([[aspect, AspectPriority.MUTATING]]);
  });

  test('added after mutating priority, where read-only aspects may run first, it warns', () => {
    const app = new App();
    const late = new Stack(app, 'Late', { env: ENV });
    const early = new Stack(app, 'Early', { env: ENV });
    Aspects.of(late).add(new BlockInstanceMetadataForPods());
    Aspects.of(early).add(new BlockInstanceMetadataForPods(), { priority: AspectPriority.MUTATING });

    const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('imdsAspectPriority')).map((w) => w.entry.data);
    expect(warnings(late)).toEqual(['BlockInstanceMetadataForPods was added to Late at priority 500, after mutating priority (AspectPriority.MUTATING, 200): '
      + 'aspects that read the nodes at the same or an earlier priority (cdk-nag\'s packs, added without one) may run before it and report what it then '
      + 'secures. Add it with BlockInstanceMetadataForPods.applyTo(scope), or with { priority: AspectPriority.MUTATING }. [ack: cdk-irsa:imdsAspectPriority]']);
    expect(warnings(early)).toEqual([]);
  });
});
