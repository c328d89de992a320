/**
 * kubectl delivery: cdk-irsa applies the ServiceAccounts through the cluster's kubectl
 * provider during `cdk deploy`. All service accounts of one cluster in one stack go into one
 * manifest resource, whatever their number, retained so that no deploy deletes what it holds.
 *
 * The cluster here is an existing aws-eks cluster imported with a kubectl role and a kubectl
 * Lambda layer published in the account (for example from `@aws-cdk/lambda-layer-kubectl-v33`),
 * so this app synthesizes offline. For a cluster made in the same app, pass it to
 * `IrsaCluster.fromCluster(cluster)` in the same way.
 *
 *   npx tsx examples/kubectl/app.ts
 */
import { App, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ClusterOidcProvider, IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../../lib';

const app = new App();
const stack = new Stack(app, 'IrsaKubectl', {
  env: { account: '123456789012', region: 'eu-west-1' },
});

// The existing cluster, with what aws-cdk-lib needs to run kubectl against it: a role mapped
// in the cluster's access entries (or aws-auth), and a Lambda layer holding kubectl. Its IAM OIDC
// provider exists already and is imported by ARN.
const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
  clusterName: 'prod',
  kubectlRoleArn: 'arn:aws:iam::123456789012:role/prod-kubectl',
  kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer',
    'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl-v33:1'),
  openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider',
    'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE'),
});

// The cluster has a kubectl role, so cdk-irsa can apply manifests to it: kubectl() is the
// default delivery, and is named below only for clarity.
const irsaCluster = IrsaCluster.fromCluster(cluster);

const bucket = new s3.Bucket(stack, 'Uploads');
const api = new IrsaServiceAccount(stack, 'PaymentsApi', {
  cluster: irsaCluster,
  namespace: 'payments',
  name: 'api',
  manifestDelivery: ManifestDelivery.kubectl(),
});
bucket.grantReadWrite(api);

const queue = new sqs.Queue(stack, 'Jobs');
const worker = new IrsaServiceAccount(stack, 'PaymentsWorker', {
  cluster: irsaCluster,
  namespace: 'payments',
  name: 'worker',
  manifestDelivery: ManifestDelivery.kubectl(),
});
queue.grantConsumeMessages(worker);

// Both ServiceAccounts land in one Custom::AWSCDK-EKS-KubernetesResource, with the roles'
// ARNs filled in at deploy.
app.synth();
