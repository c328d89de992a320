/**
 * The compliance checkers users already run: every cdk-nag pack (AwsSolutions, NIST 800-53 R5,
 * HIPAA Security, PCI DSS 3.2.1, Serverless), registered as aws-cdk-lib validation plugins the way
 * an app registers them, over what cdk-irsa creates in every identity mode and delivery, with and
 * without grants, and for every add-on preset in both modes.
 *
 * What cdk-irsa's resources may show, and nothing else (docs/add-on-presets.md, "cdk-nag"):
 * - with the default `GrantsPolicyType.INLINE`, the `IAMNoInlinePolicy` rules of NIST, HIPAA and
 *   PCI on each role that holds grants; `GrantsPolicyType.CUSTOMER_MANAGED` removes them;
 * - with `useManagedPolicy`, `AwsSolutions-IAM4` for the AWS managed policy the user chose.
 * No rule may throw ("Rule threw an error during validation"), and the presets' `AwsSolutions-IAM5`
 * wildcards are acknowledged exactly: the findings cdk-nag's own rule computes for the resource.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, rules, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import {
  AddonPolicy, ClusterOidcProvider, CniIpFamily, GrantsPolicyType, IdentityType, IrsaCluster, IrsaRole, IrsaServiceAccount, ManifestDelivery,
} from '../../lib';

jest.setTimeout(300_000);

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless'];
const NO_INLINE_POLICY = ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'];

interface Finding {
  readonly rule: string;
  readonly path: string;
  readonly description: string;
}

interface Checked {
  readonly app: App;
  readonly packsRun: string[];
  /** Findings on cdk-irsa's resources. */
  readonly ours: Finding[];
  /** Findings on anything else (aws-cdk-lib's cluster), to show the packs ran. */
  readonly others: Finding[];
  /** Construct paths of the role resources that hold grants. */
  readonly rolesWithGrants: string[];
  /** The resources holding each preset's statements. */
  readonly presetHolders: CfnResource[];
  /** The role resources with an AWS managed policy from `useManagedPolicy`. */
  readonly managedPolicyRoles: string[];
}

function isOurs(construct: IConstruct): boolean {
  return construct.node.scopes.some((c) => c instanceof IrsaServiceAccount || c instanceof IrsaRole || c instanceof ClusterOidcProvider
    || /^Irsa/.test(c.node.id));
}

function presets(stack: Stack): Array<[string, AddonPolicy]> {
  const zone = route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z0123456789ABCDEFGHIJ');
  const bucket = s3.Bucket.fromBucketName(stack, 'Backups', 'backups');
  const queue = sqs.Queue.fromQueueArn(stack, 'Queue', `arn:aws:sqs:${REGION}:${ACCOUNT}:nth`);
  const nodeRole = iam.Role.fromRoleArn(stack, 'NodeRole', `arn:aws:iam::${ACCOUNT}:role/KarpenterNode`);
  const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
  return [
    ['Ebs', AddonPolicy.ebsCsiDriver({ kmsKeys: [key] })],
    ['Efs', AddonPolicy.efsCsiDriver()],
    ['Cni', AddonPolicy.vpcCni()],
    ['Cni6', AddonPolicy.vpcCni({ ipFamily: CniIpFamily.IPV6 })],
    ['Lbc', AddonPolicy.awsLoadBalancerController({ clusterName: 'prod' })],
    ['Dns', AddonPolicy.externalDns({ hostedZones: [zone] })],
    ['Cert', AddonPolicy.certManager({ hostedZones: [zone] })],
    ['Ca', AddonPolicy.clusterAutoscaler({ clusterName: 'prod' })],
    ['Karpenter', AddonPolicy.karpenterController({ clusterName: 'prod', nodeRole })],
    ['Secrets', AddonPolicy.externalSecrets({ parameterPaths: ['/prod'] })],
    ['Velero', AddonPolicy.velero({ bucket })],
    ['Mountpoint', AddonPolicy.mountpointS3Csi({ buckets: [bucket] })],
    ['Cw', AddonPolicy.cloudWatchObservability()],
    ['Fsx', AddonPolicy.fsxLustreCsi()],
    ['Nth', AddonPolicy.nodeTerminationHandler({ queue })],
    ['Amp', AddonPolicy.managedPrometheus({ workspaceArn: `arn:aws:aps:${REGION}:${ACCOUNT}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef` })],
  ];
}

/** Every mode, delivery and preset in one app, checked by every pack at synth. */
function check(grantsPolicyType: GrantsPolicyType): Checked {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-irsa-nag-'));
  const app = new App({ outdir });
  const packs = [new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks(), new ServerlessChecks()];
  Validations.of(app).addPlugins(...packs);
  const stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: REGION } });
  const imported = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER, installPodIdentityAgent: true });
  const cluster = IrsaCluster.fromCluster(new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_32,
    defaultCapacity: 0,
    kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:kubectl:1`),
  }));

  const kinds = {
    GitOps: { cluster: imported },
    None: { cluster: imported, manifestDelivery: ManifestDelivery.none() },
    Applied: { cluster, createNamespace: true, namespace: 'apps' },
    PodIdentity: { cluster: imported, identityType: IdentityType.POD_IDENTITY },
    Both: { cluster: imported, identityType: IdentityType.IRSA_AND_POD_IDENTITY },
    Retained: { cluster: imported, identityType: IdentityType.POD_IDENTITY, podIdentity: { retainIrsaTrust: true } },
    Chained: { cluster: imported, identityType: IdentityType.POD_IDENTITY, podIdentity: { targetRoleArn: 'arn:aws:iam::210987654321:role/data' } },
    PodIdentityApplied: { cluster, identityType: IdentityType.POD_IDENTITY, namespace: 'apps' },
  };
  const rolesWithGrants: string[] = [];
  for (const [id, props] of Object.entries(kinds)) {
    // Each kind without grants, and with a narrow grant.
    new IrsaServiceAccount(stack, `${id}Bare`, { ...props, name: `${id.toLowerCase()}-bare`, roleOptions: { grantsPolicyType } });
    const granted = new IrsaServiceAccount(stack, id, { ...props, name: id.toLowerCase(), roleOptions: { grantsPolicyType } });
    granted.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::receipts/2026/report.csv'] }));
    rolesWithGrants.push(granted.role.node.defaultChild!.node.path);
  }
  rolesWithGrants.push(stack.node.findChild('ChainedBare').node.findChild('Role').node.defaultChild!.node.path);

  const presetHolders: CfnResource[] = [];
  const managedPolicyRoles: string[] = [];
  for (const [id, addon] of presets(stack)) {
    for (const identityType of [IdentityType.IRSA, IdentityType.POD_IDENTITY]) {
      const suffix = identityType === IdentityType.IRSA ? '' : 'Pods';
      const sa = IrsaServiceAccount.forAddon(stack, `${id}${suffix}`, {
        cluster: imported, addon, identityType, roleOptions: { grantsPolicyType }, name: `${addon.serviceAccountName}-${id}${suffix}`.toLowerCase(),
      });
      const holder = grantsPolicyType === GrantsPolicyType.INLINE ? sa.role.node.defaultChild : sa.role.node.findChild('GrantsPolicy').node.defaultChild;
      presetHolders.push(holder as CfnResource);
      rolesWithGrants.push(sa.role.node.defaultChild!.node.path);
    }
    if (addon.managedPolicyName) {
      const sa = IrsaServiceAccount.forAddon(stack, `${id}Managed`, {
        cluster: imported, addon, useManagedPolicy: true, roleOptions: { grantsPolicyType }, name: `${addon.serviceAccountName}-${id}-managed`.toLowerCase(),
      });
      managedPolicyRoles.push(sa.role.node.defaultChild!.node.path);
      if (sa.role.node.tryFindChild('GrantsPolicy') || (sa.role.node.defaultChild as iam.CfnRole).policies) {
        rolesWithGrants.push(sa.role.node.defaultChild!.node.path);
      }
    }
  }

  try {
    app.synth();
  } catch {
    // aws-cdk-lib's own cluster resources have findings, which fail the synth; the report has them all.
  }
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
  fs.rmSync(outdir, { recursive: true, force: true });
  const byPath = new Map(app.node.findAll().map((c) => [c.node.path, c]));
  const findings: Finding[] = report.pluginReports.flatMap((r: any) => r.violations.flatMap((v: any) =>
    v.violatingConstructs.map((c: any) => ({ rule: v.ruleName, path: c.constructPath, description: v.description }))));
  return {
    app,
    packsRun: report.pluginReports.map((r: any) => r.pluginName),
    ours: findings.filter((f) => isOurs(byPath.get(f.path)!)),
    others: findings.filter((f) => !isOurs(byPath.get(f.path)!)),
    rolesWithGrants,
    presetHolders,
    managedPolicyRoles,
  };
}

function pathsOf(findings: Finding[], rule: string): string[] {
  return findings.filter((f) => f.rule === rule).map((f) => f.path).sort();
}

describe.each([GrantsPolicyType.INLINE, GrantsPolicyType.CUSTOMER_MANAGED])('every cdk-nag pack, grants %s', (grantsPolicyType) => {
  let checked: Checked;

  beforeAll(() => {
    checked = check(grantsPolicyType);
  });

  test('every pack ran, and found something on aws-cdk-lib\'s cluster', () => {
    expect([...checked.packsRun].sort()).toEqual([...PACKS].sort());
    for (const pack of PACKS) {
      expect(checked.others.some((f) => f.rule.startsWith(`${pack}-`))).toBe(true);
    }
  });

  test('no rule throws on any resource cdk-irsa creates', () => {
    expect(checked.ours.filter((f) => /threw an error/.test(f.description))).toEqual([]);
  });

  test('no finding on cdk-irsa\'s resources but the documented ones', () => {
    const expected = grantsPolicyType === GrantsPolicyType.INLINE
      ? NO_INLINE_POLICY.flatMap((rule) => [...new Set(checked.rolesWithGrants)].sort().map((p) => `${rule} ${p}`))
      : [];
    expected.push(...checked.managedPolicyRoles.sort().map((p) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${
      managedPolicyOf(checked.app, p)}] ${p}`));
    expect(checked.ours.map((f) => `${f.rule} ${f.path}`).sort()).toEqual(expected.sort());
    if (grantsPolicyType === GrantsPolicyType.INLINE) {
      expect(pathsOf(checked.ours, NO_INLINE_POLICY[0])).toHaveLength(new Set(checked.rolesWithGrants).size);
    }
  });

  test('each preset acknowledges exactly the wildcards cdk-nag\'s AwsSolutions-IAM5 finds in its statements', () => {
    for (const holder of checked.presetHolders) {
      const found = rules.iam.IAMNoWildcardPermissions(holder);
      const marked = holder.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
      if (Array.isArray(found)) {
        expect(marked.map((r: any) => r.id)).toEqual(['AwsSolutions-IAM5']);
        expect([...marked[0].applies_to].sort()).toEqual([...found].sort());
        expect(marked[0].reason).toMatch(/^[\w-]+: the wildcards of the add-on's upstream IAM policy \(.+\)/);
      } else {
        expect(marked).toEqual([]);
      }
    }
  });
});

/** The AWS managed policy that `useManagedPolicy` attached to a role, by the role resource's path. */
function managedPolicyOf(app: App, rolePath: string): string {
  const role = app.node.findAll().find((c) => c.node.path === rolePath) as iam.CfnRole;
  const [arn] = Stack.of(role).resolve(role.managedPolicyArns);
  return arn['Fn::Join'][1][2].replace(/^:iam::aws:policy\//, '');
}
