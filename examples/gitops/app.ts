/**
 * GitOps delivery: cdk-irsa makes the IAM roles, and Argo CD or Flux applies the
 * ServiceAccounts. Every service account of a stack and cluster delivered with
 * ManifestDelivery.gitOps() goes into one multi-document YAML file in the cloud assembly
 * (`<stack artifact ID>.service-accounts/<cluster name>/service-accounts.yaml`, beside a
 * `kustomization.yaml`); nothing needs access to the cluster, and the template holds no resource
 * for the ServiceAccounts themselves.
 *
 * A pipeline step after `cdk synth` copies that folder into the repository that the GitOps tool
 * watches (for example `clusters/prod/irsa/`).
 *
 *   npx tsx examples/gitops/app.ts
 */
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../../lib';

const app = new App();

// The role ARNs written to the YAML must be final: the stack needs an explicit account and
// region, and each role gets a name derived from cluster, namespace and service account.
const stack = new Stack(app, 'IrsaGitOps', {
  env: { account: '123456789012', region: 'eu-central-1' },
});

const cluster = IrsaCluster.fromAttributes({
  clusterName: 'prod',
  issuerUrl: 'https://oidc.eks.eu-central-1.amazonaws.com/id/5C6D7E8F9A0B1C2D3E4F5A6B7C8D9E0F',
});
const delivery = ManifestDelivery.gitOps();

// payments/api reads receipts.
const receipts = new s3.Bucket(stack, 'Receipts');
const api = new IrsaServiceAccount(stack, 'PaymentsApi', {
  cluster,
  namespace: 'payments',
  name: 'api',
  manifestDelivery: delivery,
});
receipts.grantRead(api);

// payments/ledger writes to a table, with shorter-lived tokens and labels of its own.
const ledgerTable = new dynamodb.Table(stack, 'Ledger', {
  partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
});
const ledger = new IrsaServiceAccount(stack, 'PaymentsLedger', {
  cluster,
  namespace: 'payments',
  name: 'ledger',
  manifestDelivery: delivery,
  tokenExpiration: Duration.hours(6),
  labels: { 'team': 'payments', 'app.kubernetes.io/part-of': 'payments' },
});
ledgerTable.grantReadWriteData(ledger);

// orders/worker consumes a queue; its pods need no Kubernetes API token.
const queue = new sqs.Queue(stack, 'Orders');
const worker = new IrsaServiceAccount(stack, 'OrdersWorker', {
  cluster,
  namespace: 'orders',
  name: 'worker',
  manifestDelivery: delivery,
  automountServiceAccountToken: false,
  stsRegionalEndpoints: true,
});
queue.grantConsumeMessages(worker);

const assembly = app.synth();

// The three share one file; print where it is.
for (const serviceAccount of [api, ledger, worker]) {
  console.log(`${serviceAccount.serviceAccountNamespace}/${serviceAccount.serviceAccountName} -> ${serviceAccount.manifest.roleArn}`);
}
if (worker.manifestFile) {
  console.log(`ServiceAccounts written to ${path.join(assembly.directory, worker.manifestFile)}`);
}
