/**
 * Security checks for a whole app: IrsaChecks inspects the trust policy of every IAM role in the
 * app, cdk-irsa's or not, and reports what would let the wrong pods in (errors) or is about to
 * break (warnings). Findings are annotations, so `cdk synth` prints them and fails on errors.
 *
 *   npx tsx examples/security-checks/app.ts
 */
import { App, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  BlockInstanceMetadataForPods, ClusterOidcProvider, IrsaCheckRule, IrsaChecks, IrsaCluster, IrsaRole, IrsaServiceAccount, ManifestDelivery,
  ServiceAccountSubject,
} from '../../lib';

const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const app = new App();
// 1. One line checks every role of every stack directly in the app (nested stacks included), after
//    every other aspect has run. Stages are synthesized apart: see 6.
IrsaChecks.applyTo(app);

const stack = new Stack(app, 'IrsaSecurityChecks', { env: ENV });
const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: `https://${ISSUER}` });

// 2. A service account made by cdk-irsa: scoped trust, nothing to report.
new IrsaServiceAccount(stack, 'Api', { cluster, namespace: 'payments', name: 'api', manifestDelivery: ManifestDelivery.gitOps() });

// 3. A role for every job of one namespace. IrsaChecks reports namespace-wide trust as an error
//    unless it is acknowledged, with the reason, which is kept in the cloud assembly.
const jobs = new IrsaRole(stack, 'BatchJobs', {
  provider: cluster.findOrCreateOidcProvider(stack),
  subjects: [ServiceAccountSubject.anyInNamespace('batch')],
});
IrsaChecks.acknowledge(jobs, IrsaCheckRule.NAMESPACE_WIDE, 'only the batch operator creates service accounts in "batch"');

// 4. A role written by hand elsewhere in the app, as many are. This one is correct; remove its
//    `:aud` condition and `cdk synth` fails with NO_AUDIENCE_PIN, naming this role and the fix.
const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'ExistingProvider', `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`);
new iam.Role(stack, 'HandWritten', {
  assumedBy: new iam.WebIdentityPrincipal(provider.openIdConnectProviderArn, {
    StringEquals: {
      [`${ISSUER}:sub`]: 'system:serviceaccount:reports:exporter',
      [`${ISSUER}:aud`]: 'sts.amazonaws.com',
    },
  }),
});

// 5. Nodes: BlockInstanceMetadataForPods requires IMDSv2 with a hop limit of 1 on every launch
//    template, launch configuration, auto-scaling group and managed node group in the app, so that
//    pods cannot fall back to the node role.
BlockInstanceMetadataForPods.applyTo(app);

// 6. A Stage (the CDK Pipelines layout). aws-cdk-lib synthesizes a Stage, and writes its templates,
//    before it applies the app's aspects, which never reach inside it: each Stage adds the checks
//    itself. Without these two lines, `cdk synth` fails, naming the Stage and these lines.
class Cluster extends Stage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    IrsaChecks.applyTo(this);
    BlockInstanceMetadataForPods.applyTo(this);

    const nodes = new Stack(this, 'IrsaSecurityChecksNodes');
    const eksCluster = eksv2.Cluster.fromClusterAttributes(nodes, 'Prod', {
      clusterName: 'prod',
      vpc: ec2.Vpc.fromVpcAttributes(nodes, 'Vpc', {
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
        privateSubnetRouteTableIds: ['rtb-0123456789abcdef0', 'rtb-0fedcba9876543210'],
      }),
    });
    // The aspect completes this template; delete `launchTemplateSpec` and `cdk synth` fails with
    // cdk-irsa:imdsNoLaunchTemplate.
    const workerNodes = new ec2.LaunchTemplate(nodes, 'WorkerNodes', {});
    new eksv2.Nodegroup(nodes, 'Workers', {
      cluster: eksCluster,
      launchTemplateSpec: { id: workerNodes.launchTemplateId!, version: workerNodes.latestVersionNumber },
    });
  }
}
new Cluster(app, 'Prod', { env: ENV });

app.synth();
