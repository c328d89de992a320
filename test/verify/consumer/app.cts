/**
 * A consumer's CDK app, used by test/verify/consumer-install.test.ts: copied into a scratch
 * directory outside the repository, where `cdk-irsa` is installed from the `npm pack` tarball,
 * compiled with tsc against the packed type declarations, and synthesized by the real CDK CLI.
 * It uses every public class of the package (the test checks that list against the tarball's
 * exports). `.cts` so that the repository's own tsconfig and lint, which cannot resolve
 * `cdk-irsa` by name, leave it alone.
 */
import { App, Aspects, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AddonPolicy,
  BlockInstanceMetadataForPods,
  ClusterOidcProvider,
  IdentityType,
  IrsaCheckRule,
  IrsaChecks,
  IrsaCluster,
  IrsaRole,
  IrsaServiceAccount,
  ManifestDelivery,
  ServiceAccountManifest,
  ServiceAccountSubject,
} from 'cdk-irsa';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ISSUER = `oidc.eks.${REGION}.amazonaws.com/id/C0A5E0000000000000000000000000C1`;

const app = new App();
Aspects.of(app).add(new IrsaChecks());
Aspects.of(app).add(new BlockInstanceMetadataForPods());
const stack = new Stack(app, 'ConsumerStack', { env: { account: ACCOUNT, region: REGION } });
const bucket = new s3.Bucket(stack, 'Data');

// ClusterOidcProvider: created, and imported by ARN.
const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: `https://${ISSUER}`, clientIds: ['sts.amazonaws.com', 'consumer.example.com'] });
const imported = ClusterOidcProvider.fromOidcProviderArn(stack, 'Imported',
  `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/1A2B0000000000000000000000000C3D`);

// IrsaRole with every kind of ServiceAccountSubject, a second cluster and Pod Identity.
const role = new IrsaRole(stack, 'SharedRole', {
  provider,
  subjects: [
    ServiceAccountSubject.exact('payments', 'api'),
    ServiceAccountSubject.matching('ci-*', 'runner-?'),
    ServiceAccountSubject.anyInNamespace('batch'),
  ],
  maxSessionDuration: Duration.hours(2),
});
IrsaChecks.acknowledge(role, IrsaCheckRule.NAMESPACE_WIDE, 'only the batch operator creates service accounts in "batch"');
role.addTrust(imported, [ServiceAccountSubject.exact('payments', 'api')], { audience: 'sts.amazonaws.com' });
role.addPodIdentityTrust({ clusterArn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod`, namespace: 'payments', serviceAccount: 'api' });
bucket.grantRead(role);

// IrsaCluster from attributes: IRSA with GitOps delivery, a custom audience and webhook options.
const attributes = IrsaCluster.fromAttributes({ clusterName: 'prod', openIdConnectProvider: provider });
const api = new IrsaServiceAccount(stack, 'Api', {
  cluster: attributes,
  namespace: 'reports',
  name: 'generator',
  audience: 'consumer.example.com',
  tokenExpiration: Duration.hours(6),
  stsRegionalEndpoints: true,
  manifestDelivery: ManifestDelivery.gitOps(),
});
bucket.grantReadWrite(api);

// IrsaCluster from an imported aws-eks cluster with a kubectl role: kubectl delivery, Pod Identity,
// and both during a migration.
const kubectlCluster = eks.Cluster.fromClusterAttributes(stack, 'Imported-aws-eks', {
  clusterName: 'legacy',
  kubectlRoleArn: `arn:aws:iam::${ACCOUNT}:role/legacy-kubectl`,
  kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:kubectl-v33:1`),
  openIdConnectProvider: imported,
});
const legacy = IrsaCluster.fromCluster(kubectlCluster, { installPodIdentityAgent: true });
new IrsaServiceAccount(stack, 'Worker', { cluster: legacy, namespace: 'orders', name: 'worker', manifestDelivery: ManifestDelivery.kubectl() });
new IrsaServiceAccount(stack, 'PodIdentity', { cluster: legacy, namespace: 'orders', name: 'exporter', identityType: IdentityType.POD_IDENTITY });
new IrsaServiceAccount(stack, 'Migrating', {
  cluster: legacy,
  namespace: 'orders',
  name: 'migrating',
  identityType: IdentityType.IRSA_AND_POD_IDENTITY,
});

// IrsaCluster from an aws-eks-v2 cluster made in this app: its issuer is a deploy-time token.
const v2 = new eksv2.Cluster(stack, 'Cluster', { version: eksv2.KubernetesVersion.V1_33 });
new IrsaServiceAccount(stack, 'OnV2', { cluster: IrsaCluster.fromClusterV2(v2), namespace: 'team', name: 'api', manifestDelivery: ManifestDelivery.none() });

// An add-on's service account with its preset policy.
const ebs = IrsaServiceAccount.forAddon(stack, 'EbsCsi', { cluster: attributes, addon: AddonPolicy.ebsCsiDriver() });

// A ServiceAccount manifest on its own, for a role made elsewhere.
const manifest = new ServiceAccountManifest({
  name: 'exporter',
  namespace: 'reports',
  roleArn: `arn:aws:iam::${ACCOUNT}:role/reports-exporter`,
  labels: { team: 'reports' },
});

new CfnOutput(stack, 'SharedRoleArn', { value: role.roleArn });
new CfnOutput(stack, 'EbsCsiRoleArn', { value: ebs.role.roleArn });
new CfnOutput(stack, 'ManifestYaml', { value: manifest.toYaml() });
new CfnOutput(stack, 'GitOpsFile', { value: api.manifestFile ?? 'none' });

// For the test: which copy of aws-cdk-lib each side loaded (they must be the same).
process.stderr.write(`@@aws-cdk-lib ${require.resolve('aws-cdk-lib')} ${require.resolve('aws-cdk-lib', { paths: [require.resolve('cdk-irsa')] })}\n`);
process.stderr.write(`@@iam-role-instance ${role instanceof iam.Role}\n`);

app.synth();
