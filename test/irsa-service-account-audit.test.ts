import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Tags, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IdentityMode, IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../lib';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER_URL = 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

describe('audit tags', () => {
  test('tag the role with cluster, namespace and service account', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });

    new IrsaServiceAccount(stack, 'Api', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'api', namespace: 'payments',
    });

    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.Tags).toEqual([
      { Key: 'cdk-irsa:cluster', Value: 'prod' },
      { Key: 'cdk-irsa:namespace', Value: 'payments' },
      { Key: 'cdk-irsa:service-account', Value: 'api' },
    ]);
  });

  test('merge with the app\'s tags, and yield to a Tags.of() of the same key, add or remove', () => {
    // GIVEN an app that tags everything, and overrides or removes audit tags on one service account
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL });
    Tags.of(app).add('team', 'platform');
    const api = new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', namespace: 'payments' });
    Tags.of(api).add('cdk-irsa:cluster', 'prod-blue');
    Tags.of(api).remove('cdk-irsa:namespace');

    // THEN the role has the app's tag, the user's value for the cluster, and no namespace tag
    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.Tags).toEqual([
      { Key: 'cdk-irsa:cluster', Value: 'prod-blue' },
      { Key: 'cdk-irsa:service-account', Value: 'api' },
      { Key: 'team', Value: 'platform' },
    ]);
  });

  test('can be switched off', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });

    new IrsaServiceAccount(stack, 'Api', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'api', auditTags: false,
    });

    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.Tags).toBeUndefined();
  });

  test('are not put on a role given with role, which may serve several workloads', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const role = new iam.Role(stack, 'Shared', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });

    new IrsaServiceAccount(stack, 'Api', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'api', role, manifestDelivery: ManifestDelivery.none(),
    });

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { Tags: Match.absent() });
  });
});

describe('cdk-nag AwsSolutionsChecks', () => {
  test('raise nothing on what cdk-irsa creates, in every mode and delivery', () => {
    // GIVEN an app checked by cdk-nag (a validation plugin: it runs at synth and writes a report)
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-irsa-nag-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Stack', { env: ENV });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const imported = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL, installPodIdentityAgent: true });
    const cluster = new eks.Cluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_32,
      defaultCapacity: 0,
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1'),
    });

    // WHEN service accounts of every kind are granted a narrow permission
    const serviceAccounts = [
      new IrsaServiceAccount(stack, 'GitOps', { cluster: imported, name: 'gitops' }),
      new IrsaServiceAccount(stack, 'PodIdentity', { cluster: imported, name: 'pods', identityMode: IdentityMode.POD_IDENTITY }),
      new IrsaServiceAccount(stack, 'Both', { cluster: imported, name: 'both', identityMode: IdentityMode.IRSA_AND_POD_IDENTITY }),
      new IrsaServiceAccount(stack, 'Applied', { cluster: IrsaCluster.fromCluster(cluster), name: 'kubectl', createNamespace: true, namespace: 'apps' }),
    ];
    serviceAccounts.forEach((sa) => sa.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'], resources: ['arn:aws:s3:::receipts/2026/report.csv'],
    })));
    try {
      app.synth();
    } catch {
      // aws-cdk-lib's own cluster resources have findings; only ours matter here
    }

    // THEN no violation names a construct of cdk-irsa
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    const ours = ['Stack/GitOps', 'Stack/PodIdentity', 'Stack/Both', 'Stack/Applied', 'Stack/IrsaOidcProvider', 'Stack/IrsaPodIdentityAgent',
      'Stack/IrsaServiceAccountManifests', 'Stack/Cluster/IrsaOidcProvider'];
    const violations = report.pluginReports.flatMap((r: any) => r.violations.flatMap((v: any) =>
      v.violatingConstructs.map((c: any) => `${v.ruleName} ${c.constructPath}`)));
    expect(violations.length).toBeGreaterThan(0); // the checker did run: aws-cdk-lib's cluster has findings
    expect(violations.filter((v: string) => ours.some((prefix) => v.split(' ')[1].startsWith(prefix)))).toEqual([]);
  });
});
