/**
 * Cluster and service accounts in different stacks of one app and account: an aws-eks cluster
 * in `IrsaCrossStackCluster`, the workloads' service accounts in `IrsaCrossStackWorkloads`.
 *
 * Everything cdk-irsa adds for the cluster itself (the IAM OIDC provider, and the Pod Identity
 * agent add-on where one is needed) is created in the cluster's stack; roles, associations and
 * the batched ServiceAccount manifest go to the workloads stack, which references the cluster
 * stack and never the other way round. The workloads stack deploys after the cluster stack, and
 * synth, which fails on a cyclic reference between stacks, succeeds.
 *
 * The cluster's kubectl Lambda layer is imported by a made-up ARN (publish one from
 * `@aws-cdk/lambda-layer-kubectl-v33`, or pass `new KubectlV33Layer(this, 'Kubectl')`), so this
 * app synthesizes offline.
 *
 *   npx tsx examples/cross-stack/app.ts
 */
import { App, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IdentityType, IrsaChecks, IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../../lib';

const app = new App();
// Checks every role of both stacks; it reads the issuer of the cluster stack's provider through the export.
IrsaChecks.applyTo(app);
const env = { account: '123456789012', region: 'eu-west-1' };

// The cluster's stack: an aws-eks cluster made here.
const clusterStack = new Stack(app, 'IrsaCrossStackCluster', { env });
const cluster = new eks.Cluster(clusterStack, 'Cluster', {
  version: eks.KubernetesVersion.V1_32,
  kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(clusterStack, 'KubectlLayer',
    'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl-v33:1'),
  defaultCapacity: 2,
});
const irsaCluster = IrsaCluster.fromCluster(cluster);

// The workloads' stack.
const workloads = new Stack(app, 'IrsaCrossStackWorkloads', { env });

// payments/api, delivered by kubectl: the ServiceAccount goes into one manifest resource in the
// workloads stack, applied through the cluster's kubectl provider. The namespace is created first,
// in the same manifest.
const receipts = new s3.Bucket(workloads, 'Receipts');
const api = new IrsaServiceAccount(workloads, 'PaymentsApi', {
  cluster: irsaCluster,
  namespace: 'payments',
  name: 'api',
  manifestDelivery: ManifestDelivery.kubectl(),
  createNamespace: true,
});
receipts.grantRead(api);

// orders/worker, delivered as GitOps YAML (IrsaCrossStackWorkloads.service-accounts/<cluster>/service-accounts.yaml): the
// role gets a fixed name so its ARN can be written at synth.
const orders = new sqs.Queue(workloads, 'Orders');
const worker = new IrsaServiceAccount(workloads, 'OrdersWorker', {
  cluster: irsaCluster,
  namespace: 'orders',
  name: 'worker',
  manifestDelivery: ManifestDelivery.gitOps(),
});
orders.grantConsumeMessages(worker);

// payments/ledger with EKS Pod Identity: the association is in the workloads stack and depends
// on the cluster's own agent add-on (`cluster.eksPodIdentityAgent`), which stays in the
// cluster's stack; no second agent is made.
const ledger = new IrsaServiceAccount(workloads, 'PaymentsLedger', {
  cluster: irsaCluster,
  namespace: 'payments',
  name: 'ledger',
  identityType: IdentityType.POD_IDENTITY,
});
receipts.grantReadWrite(ledger);

const assembly = app.synth();

// Which stack depends on which, and where the cluster-wide resources went.
const stackIds = new Set(assembly.stacks.map((s) => s.id));
for (const stack of assembly.stacks) {
  const types = Object.values<any>(stack.template.Resources).map((r) => r.Type);
  const count = (type: string) => types.filter((t) => t === type).length;
  const dependsOn = stack.dependencies.filter((d) => stackIds.has(d.id)).map((d) => d.id);
  console.log(`${stack.id}: depends on ${dependsOn.join(', ') || 'no other stack'}; `
    + `${count('AWS::IAM::OIDCProvider')} IAM OIDC provider, ${count('AWS::EKS::Addon')} add-on, ${count('AWS::IAM::Role')} IAM role(s), `
    + `${count('AWS::EKS::PodIdentityAssociation')} Pod Identity association(s), ${count('Custom::AWSCDK-EKS-KubernetesResource')} manifest(s)`);
}
