/**
 * Cluster in one account, IAM roles in another. The EKS cluster `prod` runs in account A
 * (111111111111); the data that `analytics/reader` and `analytics/writer` need is in account B
 * (222222222222), and so are their IAM roles. IRSA works across accounts: STS accepts the
 * cluster's tokens in account B once B has an IAM OIDC provider for the cluster's issuer, which
 * cdk-irsa creates there from the issuer URL, given literally.
 *
 * Each stack only uses literal values (the issuer URL, the cluster name, account IDs), so no
 * stack references another: no Fn::ImportValue, no cross-account reference, no deployment order
 * between the accounts. Each stack writes its own ServiceAccount YAML for the GitOps tool that
 * applies manifests to the cluster.
 *
 *   npx tsx examples/cross-account/app.ts
 */
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../../lib';

const app = new App();
const region = 'eu-west-1';

// The cluster, as seen from any account: its name and the issuer URL that
// `aws eks describe-cluster --name prod --query cluster.identity.oidc.issuer` prints in account A.
// The same IrsaCluster serves both stacks: cdk-irsa creates one IAM OIDC provider per issuer and
// per account, in the account of the stack that first needs it.
const prod = IrsaCluster.fromAttributes({
  clusterName: 'prod',
  issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/A1B2C3D4E5F60718293A4B5C6D7E8F90',
});

// Account A, where the cluster is: a service account whose role lives next to the cluster.
const clusterAccount = new Stack(app, 'IrsaClusterAccount', {
  env: { account: '111111111111', region },
});
const jobs = new sqs.Queue(clusterAccount, 'Jobs');
const scheduler = new IrsaServiceAccount(clusterAccount, 'Scheduler', {
  cluster: prod,
  namespace: 'analytics',
  name: 'scheduler',
  manifestDelivery: ManifestDelivery.gitOps(),
});
jobs.grantSendMessages(scheduler);

// Account B, where the data is: the roles of analytics/reader and analytics/writer, trusted
// through account B's own provider for the cluster's issuer. The ServiceAccounts are annotated
// with role ARNs in account B.
const dataAccount = new Stack(app, 'IrsaDataAccount', {
  env: { account: '222222222222', region },
});
const lake = new s3.Bucket(dataAccount, 'DataLake');
const reader = new IrsaServiceAccount(dataAccount, 'Reader', {
  cluster: prod,
  namespace: 'analytics',
  name: 'reader',
  manifestDelivery: ManifestDelivery.gitOps(),
});
lake.grantRead(reader);
const writer = new IrsaServiceAccount(dataAccount, 'Writer', {
  cluster: prod,
  namespace: 'analytics',
  name: 'writer',
  manifestDelivery: ManifestDelivery.gitOps(),
});
lake.grantReadWrite(writer);

const assembly = app.synth();

// What to look at: each stack has a provider of its own, imports nothing and depends on no
// other stack; each writes its own YAML.
const stackIds = new Set(assembly.stacks.map((s) => s.id));
for (const stack of assembly.stacks) {
  const template = JSON.stringify(stack.template);
  const providers = Object.values<any>(stack.template.Resources).filter((r) => r.Type === 'AWS::IAM::OIDCProvider').length;
  const imports = (template.match(/Fn::ImportValue/g) ?? []).length;
  const dependsOn = stack.dependencies.filter((d) => stackIds.has(d.id)).map((d) => d.id);
  console.log(`${stack.stackName} (account ${stack.environment.account}): ${providers} IAM OIDC provider, ${imports} Fn::ImportValue, `
    + `depends on ${dependsOn.join(', ') || 'no other stack'}; ServiceAccounts in ${stack.id}.service-accounts/prod/service-accounts.yaml`);
}
for (const serviceAccount of [scheduler, reader, writer]) {
  console.log(`  ${serviceAccount.serviceAccountNamespace}/${serviceAccount.serviceAccountName} -> ${serviceAccount.manifest.roleArn}`);
}
