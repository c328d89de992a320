import * as fs from 'fs';
import * as path from 'path';
import { App, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AddonPolicy, CniIpFamily, IdentityType, IrsaCluster, IrsaServiceAccount, ManifestDelivery, ManifestDeliveryKind } from '../lib';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

function setup() {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: `https://${ISSUER}` });
  return { stack, cluster };
}

describe('IrsaServiceAccount.forAddon', () => {
  test('uses the add-on\'s service account, trusts only it, grants its scoped statements and delivers nothing by default', () => {
    const { stack, cluster } = setup();

    const sa = IrsaServiceAccount.forAddon(stack, 'Ebs', { cluster, addon: AddonPolicy.ebsCsiDriver() });

    expect([sa.serviceAccountNamespace, sa.serviceAccountName]).toEqual(['kube-system', 'ebs-csi-controller-sa']);
    expect(sa.manifestDelivery.kind).toEqual(ManifestDeliveryKind.NONE);
    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals[`${ISSUER}:sub`]).toEqual('system:serviceaccount:kube-system:ebs-csi-controller-sa');
    const grants = role.Policies.find((p: any) => p.PolicyName === 'Grants').PolicyDocument.Statement;
    const expected = Stack.of(stack).resolve(AddonPolicy.ebsCsiDriver().statements().map((s) => s.toStatementJson()));
    expect(grants.map((s: any) => s.Action)).toEqual(expected.map((s: any) => s.Action));
    expect(role.ManagedPolicyArns).toBeUndefined();
  });

  test('takes another name, namespace and delivery', () => {
    const { stack, cluster } = setup();

    const sa = IrsaServiceAccount.forAddon(stack, 'Dns', {
      cluster,
      addon: AddonPolicy.awsLoadBalancerController(),
      name: 'alb',
      namespace: 'ingress',
      manifestDelivery: ManifestDelivery.gitOps(),
    });

    expect([sa.serviceAccountNamespace, sa.serviceAccountName, sa.manifestFile]).toEqual(['ingress', 'alb', 'Stack.service-accounts/prod/service-accounts.yaml']);
  });

  test('attaches the AWS managed policy when asked', () => {
    const { stack, cluster } = setup();

    IrsaServiceAccount.forAddon(stack, 'Cni', { cluster, addon: AddonPolicy.vpcCni(), useManagedPolicy: true });

    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.ManagedPolicyArns).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonEKS_CNI_Policy']] }]);
    expect(role.Policies).toBeUndefined();
  });
});

/** Every preset, built in the stack given. */
function presets(stack: Stack): Array<[string, AddonPolicy]> {
  const zone = route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z0123456789ABCDEFGHIJ');
  const bucket = s3.Bucket.fromBucketName(stack, 'Backups', 'backups');
  const queue = sqs.Queue.fromQueueArn(stack, 'Queue', 'arn:aws:sqs:eu-west-1:123456789012:nth');
  const nodeRole = iam.Role.fromRoleArn(stack, 'NodeRole', 'arn:aws:iam::123456789012:role/KarpenterNode');
  const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
  return [
    ['ebsCsiDriver', AddonPolicy.ebsCsiDriver({ kmsKeys: [key] })],
    ['efsCsiDriver', AddonPolicy.efsCsiDriver()],
    ['vpcCni', AddonPolicy.vpcCni()],
    ['vpcCni IPv6', AddonPolicy.vpcCni({ ipFamily: CniIpFamily.IPV6 })],
    ['awsLoadBalancerController', AddonPolicy.awsLoadBalancerController({ clusterName: 'prod' })],
    ['externalDns', AddonPolicy.externalDns({ hostedZones: [zone] })],
    ['certManager', AddonPolicy.certManager({ hostedZones: [zone] })],
    ['clusterAutoscaler', AddonPolicy.clusterAutoscaler({ clusterName: 'prod' })],
    ['karpenterController', AddonPolicy.karpenterController({ clusterName: 'prod', nodeRole })],
    ['externalSecrets', AddonPolicy.externalSecrets({ parameterPaths: ['/prod'] })],
    ['velero', AddonPolicy.velero({ bucket })],
    ['mountpointS3Csi', AddonPolicy.mountpointS3Csi({ buckets: [bucket] })],
    ['cloudWatchObservability', AddonPolicy.cloudWatchObservability()],
    ['fsxLustreCsi', AddonPolicy.fsxLustreCsi()],
    ['nodeTerminationHandler', AddonPolicy.nodeTerminationHandler({ queue })],
    ['managedPrometheus', AddonPolicy.managedPrometheus({ workspaceArn: 'arn:aws:aps:eu-west-1:123456789012:workspace/ws-1' })],
  ];
}

const PRESET_NAMES = presets(new Stack()).map(([name]) => name);

function presetNamed(stack: Stack, name: string): AddonPolicy {
  return presets(stack).find(([n]) => n === name)![1];
}

function addonResource(stack: Stack): any {
  const addons = Object.values(Template.fromStack(stack).findResources('AWS::EKS::Addon'));
  expect(addons).toHaveLength(1);
  return (addons[0] as any).Properties;
}

function roleArnOf(sa: IrsaServiceAccount): any {
  return { 'Fn::GetAtt': [Stack.of(sa).resolve((sa.role.node.defaultChild as iam.CfnRole).logicalId), 'Arn'] };
}

describe('IrsaServiceAccount.bindEksAddon wires a preset into an EKS managed add-on', () => {
  test.each(PRESET_NAMES)('%s with IRSA: serviceAccountRoleArn, no association', (name) => {
    const { stack, cluster } = setup();
    const addon = presetNamed(stack, name);
    const sa = IrsaServiceAccount.forAddon(stack, 'Addon', { cluster, addon });

    sa.bindEksAddon(new eks.CfnAddon(stack, 'EksAddon', { clusterName: cluster.clusterName, addonName: addon.addonName }));

    expect(addonResource(stack)).toEqual({ ClusterName: 'prod', AddonName: addon.addonName, ServiceAccountRoleArn: roleArnOf(sa) });
    Template.fromStack(stack).resourceCountIs('AWS::EKS::PodIdentityAssociation', 0);
  });

  test.each(PRESET_NAMES)('%s with Pod Identity: podIdentityAssociations, and no association of cdk-irsa', (name) => {
    const { stack, cluster } = setup();
    const addon = presetNamed(stack, name);
    const sa = IrsaServiceAccount.forAddon(stack, 'Addon', { cluster, addon, identityType: IdentityType.POD_IDENTITY, podIdentity: { associatedByEksAddon: true } });

    sa.bindEksAddon(new eks.CfnAddon(stack, 'EksAddon', { clusterName: cluster.clusterName, addonName: addon.addonName }));

    expect(addonResource(stack)).toEqual({
      ClusterName: 'prod',
      AddonName: addon.addonName,
      PodIdentityAssociations: [{ RoleArn: roleArnOf(sa), ServiceAccount: addon.serviceAccountName }],
    });
    Template.fromStack(stack).resourceCountIs('AWS::EKS::PodIdentityAssociation', 0);
    expect(sa.podIdentityAssociation).toBeUndefined();
  });

  test('both with IRSA_AND_POD_IDENTITY, on an aws-eks-v2 Addon', () => {
    const { stack, cluster } = setup();
    const sa = IrsaServiceAccount.forAddon(stack, 'Ebs', {
      cluster, addon: AddonPolicy.ebsCsiDriver(), identityType: IdentityType.IRSA_AND_POD_IDENTITY, podIdentity: { associatedByEksAddon: true },
    });
    const v2Cluster = eksv2.Cluster.fromClusterAttributes(stack, 'V2', { clusterName: 'prod' });

    sa.bindEksAddon(new eksv2.Addon(stack, 'EbsAddon', { cluster: v2Cluster, addonName: 'aws-ebs-csi-driver' }));

    expect(addonResource(stack)).toEqual({
      ClusterName: 'prod',
      AddonName: 'aws-ebs-csi-driver',
      ServiceAccountRoleArn: roleArnOf(sa),
      PodIdentityAssociations: [{ RoleArn: roleArnOf(sa), ServiceAccount: 'ebs-csi-controller-sa' }],
    });
  });

  test('fails to bind a Pod Identity service account whose association cdk-irsa made: there would be two', () => {
    const { stack, cluster } = setup();
    const sa = IrsaServiceAccount.forAddon(stack, 'Ebs', { cluster, addon: AddonPolicy.ebsCsiDriver(), identityType: IdentityType.POD_IDENTITY });
    const addon = new eks.CfnAddon(stack, 'EbsAddon', { clusterName: 'prod', addonName: 'aws-ebs-csi-driver' });

    expect(() => sa.bindEksAddon(addon)).toThrow(/cdk-irsa made its association, so Stack\/EbsAddon would make a second one for the same service account\. Set podIdentity: \{ associatedByEksAddon: true \} to let the add-on make it\./);
  });

  test('fails at synth when associatedByEksAddon is set and no add-on is bound', () => {
    const { stack, cluster } = setup();
    IrsaServiceAccount.forAddon(stack, 'Ebs', { cluster, addon: AddonPolicy.ebsCsiDriver(), identityType: IdentityType.POD_IDENTITY, podIdentity: { associatedByEksAddon: true } });

    expect(() => Template.fromStack(stack)).toThrow(/podIdentity\.associatedByEksAddon is set, but no EKS add-on is bound, so the pods of kube-system\/ebs-csi-controller-sa get no association/);
  });

  test('fails for associatedByEksAddon with association options that an add-on cannot carry, or with IRSA', () => {
    const { stack, cluster } = setup();
    expect(() => IrsaServiceAccount.forAddon(stack, 'A', {
      cluster, addon: AddonPolicy.ebsCsiDriver(), identityType: IdentityType.POD_IDENTITY, podIdentity: { associatedByEksAddon: true, associationTags: { a: 'b' } },
    })).toThrow(/podIdentity\.associationTags cannot be set with associatedByEksAddon: an EKS add-on's podIdentityAssociations carry only the role and the service account/);
    expect(() => IrsaServiceAccount.forAddon(stack, 'B', { cluster, addon: AddonPolicy.vpcCni(), podIdentity: { associatedByEksAddon: true } }))
      .toThrow(/Stack\/B: podIdentity \(associatedByEksAddon\) is given, but identityType is left out \(IdentityType\.IRSA\): its options apply to EKS Pod Identity only/);
  });

  test('fails for something that is not an EKS add-on, an add-on bound twice, or one that has a role already', () => {
    const { stack, cluster } = setup();
    const ebs = IrsaServiceAccount.forAddon(stack, 'Ebs', { cluster, addon: AddonPolicy.ebsCsiDriver() });
    const cni = IrsaServiceAccount.forAddon(stack, 'Cni', { cluster, addon: AddonPolicy.vpcCni() });
    const addon = new eks.CfnAddon(stack, 'EbsAddon', { clusterName: 'prod', addonName: 'aws-ebs-csi-driver' });

    expect(() => ebs.bindEksAddon(new s3.Bucket(stack, 'Bucket'))).toThrow(/bindEksAddon\(\) needs an EKS add-on: an eks.CfnAddon or an aws-eks-v2 Addon, and Stack\/Bucket is neither/);
    ebs.bindEksAddon(addon);
    expect(() => ebs.bindEksAddon(addon)).toThrow(/the add-on Stack\/EbsAddon is bound to this service account already/);
    expect(() => cni.bindEksAddon(addon)).toThrow(/the add-on Stack\/EbsAddon has a serviceAccountRoleArn already\. An add-on runs with one role/);
  });

  test('fails for an add-on of another cluster, and binds one whose cluster name is a token', () => {
    const { stack, cluster } = setup();
    const ebs = IrsaServiceAccount.forAddon(stack, 'Ebs', { cluster, addon: AddonPolicy.ebsCsiDriver() });
    const staging = new eks.CfnAddon(stack, 'StagingAddon', { clusterName: 'staging', addonName: 'aws-ebs-csi-driver' });

    expect(() => ebs.bindEksAddon(staging)).toThrow('Stack/Ebs: the add-on Stack/StagingAddon is for cluster "staging", but this service account is in '
      + 'cluster "prod": the add-on\'s pods would run with a role trusted for another cluster\'s service account. Bind an add-on of the same cluster.');
    expect(staging.serviceAccountRoleArn).toBeUndefined();
    const tokenName = new eks.CfnAddon(stack, 'TokenAddon', { clusterName: Fn.importValue('ClusterName'), addonName: 'aws-ebs-csi-driver' });
    expect(() => ebs.bindEksAddon(tokenName)).not.toThrow();
  });
});

/**
 * Where each preset's upstream chart reads its ServiceAccount's values, as read in the charts'
 * values.yaml and templates (sources and commits in the fixture), by the preset's addonName.
 */
interface ChartKeys {
  readonly chart: string;
  readonly source: { readonly repository: string; readonly chartPath: string; readonly files: Array<{ path: string; commit: string | null }> };
  readonly serviceAccountKey: string;
  readonly keyPaths: string[];
  readonly defaultServiceAccountName: string;
  readonly presetServiceAccountName?: string;
  readonly presetNameReason?: string;
  readonly status: 'verified' | 'partly verified' | 'unverified';
}
const FIXTURE: { charts: { [addonName: string]: ChartKeys } } = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'fixtures', 'helm-chart-keys.json'), 'utf8'));

/** The charts' service-account keys, by preset name, from the fixture; undefined where the preset claims none. */
const CHART_KEYS: { [preset: string]: string[] | undefined } = Object.fromEntries(presets(new Stack()).map(([name, addon]) =>
  [name, FIXTURE.charts[addon.addonName]?.serviceAccountKey.split('.')]));

/** The dotted paths of a values object's leaves; `annotations` is a leaf (its keys hold dots). */
function valuePaths(values: { [key: string]: any }, prefix: string[] = []): string[] {
  return Object.entries(values).flatMap(([key, value]) => (
    key !== 'annotations' && typeof value === 'object' && value !== null && !Array.isArray(value)
      ? valuePaths(value, [...prefix, key])
      : [[...prefix, key].join('.')]
  )).sort();
}

function nest(keys: string[], value: any): any {
  return keys.reduceRight((inner, key) => ({ [key]: inner }), value);
}

describe('IrsaServiceAccount.helmValues gives a preset\'s chart the service account', () => {
  test('the fixture holds exactly the presets that name a chart key, and only the CloudWatch Observability preset names none', () => {
    const withKey = [...new Set(presets(new Stack())
      .filter(([, addon]) => addon.helmServiceAccountKey !== undefined)
      .map(([, addon]) => addon.addonName))];

    expect(Object.keys(FIXTURE.charts).sort()).toEqual(withKey.sort());
    expect(PRESET_NAMES.filter((name) => CHART_KEYS[name] === undefined)).toEqual(['cloudWatchObservability']);
  });

  test.each(PRESET_NAMES.filter((name) => CHART_KEYS[name]))('%s: key and service account name match the upstream chart', (name) => {
    const addon = presetNamed(new Stack(), name);
    const chart = FIXTURE.charts[addon.addonName];

    expect(addon.helmServiceAccountKey).toEqual(chart.serviceAccountKey);
    expect(chart.keyPaths).toEqual(['annotations', 'create', 'name'].map((leaf) => `${chart.serviceAccountKey}.${leaf}`));
    expect(chart.status).toMatch(/^(verified|partly verified)$/);
    expect(chart.source.files.length).toBeGreaterThan(0);
    for (const file of chart.source.files) {
      expect(file.path.startsWith(`${chart.source.chartPath}/`)).toBe(true);
      expect(file.commit === null || /^[0-9a-f]{40}$/.test(file.commit)).toBe(true);
    }
    if (chart.presetServiceAccountName === undefined) {
      expect(addon.serviceAccountName).toEqual(chart.defaultServiceAccountName);
    } else {
      // A documented difference: the preset follows the add-on's own guide, helmValues() sets the name anyway.
      expect(addon.serviceAccountName).toEqual(chart.presetServiceAccountName);
      expect(chart.presetServiceAccountName).not.toEqual(chart.defaultServiceAccountName);
      expect(chart.presetNameReason).toMatch(/\w/);
    }
  });

  test.each(PRESET_NAMES.filter((name) => CHART_KEYS[name]))('%s: helmValues() sets exactly the chart\'s key paths', (name) => {
    const { stack, cluster } = setup();
    const addon = presetNamed(stack, name);
    const sa = IrsaServiceAccount.forAddon(stack, 'Addon', { cluster, addon });

    expect(valuePaths(sa.helmValues())).toEqual([...FIXTURE.charts[addon.addonName].keyPaths].sort());
  });

  test.each(PRESET_NAMES.filter((name) => CHART_KEYS[name]))('%s with IRSA: create, name and the role annotation under the chart\'s key', (name) => {
    const { stack, cluster } = setup();
    const addon = presetNamed(stack, name);
    const sa = IrsaServiceAccount.forAddon(stack, 'Addon', { cluster, addon });

    expect(addon.helmServiceAccountKey).toEqual(CHART_KEYS[name]!.join('.'));
    expect(stack.resolve(sa.helmValues())).toEqual(nest(CHART_KEYS[name]!, {
      create: true,
      name: addon.serviceAccountName,
      annotations: { 'eks.amazonaws.com/role-arn': roleArnOf(sa) },
    }));
  });

  test.each(PRESET_NAMES.filter((name) => CHART_KEYS[name]))('%s with Pod Identity: create and name, no annotation', (name) => {
    const { stack, cluster } = setup();
    const addon = presetNamed(stack, name);
    const sa = IrsaServiceAccount.forAddon(stack, 'Addon', { cluster, addon, identityType: IdentityType.POD_IDENTITY });

    expect(sa.helmValues()).toEqual(nest(CHART_KEYS[name]!, { create: true, name: addon.serviceAccountName }));
    Template.fromStack(stack).resourceCountIs('AWS::EKS::PodIdentityAssociation', 1);
  });

  test('the webhook annotations of the manifest, create: false where cdk-irsa delivers the ServiceAccount, and another key', () => {
    const { stack, cluster } = setup();
    const sa = new IrsaServiceAccount(stack, 'Api', {
      cluster, name: 'api', namespace: 'payments', audience: 'vault', stsRegionalEndpoints: true, manifestDelivery: ManifestDelivery.gitOps(),
    });

    expect(sa.helmValues({ serviceAccountKey: 'app.serviceAccount' })).toEqual({
      app: {
        serviceAccount: {
          create: false,
          name: 'api',
          annotations: {
            'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/prod-payments-api-15156dd7',
            'eks.amazonaws.com/audience': 'vault',
            'eks.amazonaws.com/sts-regional-endpoints': 'true',
          },
        },
      },
    });
  });

  test('merges the chart\'s other values, and fails for one that the service account sets', () => {
    const { stack, cluster } = setup();
    const ebs = IrsaServiceAccount.forAddon(stack, 'Ebs', { cluster, addon: AddonPolicy.ebsCsiDriver(), identityType: IdentityType.POD_IDENTITY });

    expect(ebs.helmValues({ values: { controller: { replicaCount: 3, serviceAccount: { labels: { a: 'b' } } }, node: { tolerateAllTaints: true } } }))
      .toEqual({
        controller: { replicaCount: 3, serviceAccount: { labels: { a: 'b' }, create: true, name: 'ebs-csi-controller-sa' } },
        node: { tolerateAllTaints: true },
      });
    expect(() => ebs.helmValues({ values: { controller: { serviceAccount: { name: 'other' } } } }))
      .toThrow(/values sets controller\.serviceAccount\.name, which helmValues\(\) sets for the service account/);
  });

  test('fails for a preset whose chart keeps no service-account values, unless the key is given, and for a key that is no dotted path', () => {
    const { stack, cluster } = setup();
    const cw = IrsaServiceAccount.forAddon(stack, 'Cw', { cluster, addon: AddonPolicy.cloudWatchObservability() });

    expect(() => cw.helmValues()).toThrow(/the Helm chart of amazon-cloudwatch-observability has no values for this service account known to cdk-irsa/);
    expect(cw.helmValues({ serviceAccountKey: 'agent.serviceAccount' }).agent.serviceAccount.name).toEqual('cloudwatch-agent');
    expect(() => cw.helmValues({ serviceAccountKey: 'agent..serviceAccount' })).toThrow(/serviceAccountKey "agent\.\.serviceAccount" is not a dotted path/);
  });
});
