/**
 * EKS Pod Identity: service accounts whose pods get credentials from the EKS Pod Identity agent
 * instead of IRSA's projected token. Per service account cdk-irsa makes an IAM role trusted by
 * `pods.eks.amazonaws.com` and an `AWS::EKS::PodIdentityAssociation`; no IAM OIDC provider is
 * needed, and the ServiceAccount is delivered without the role-arn annotation (it must still
 * exist: EKS associates the role with the namespace and name).
 *
 * The cluster is an existing aws-eks cluster imported with a kubectl role and a kubectl Lambda
 * layer published in the account, so this app synthesizes offline. It has no Pod Identity agent
 * yet, so cdk-irsa is asked to install the add-on, once.
 *
 *   npx tsx examples/pod-identity/app.ts
 */
import { App, ArnFormat, CfnOutput, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IdentityType, IrsaCheckRule, IrsaChecks, IrsaCluster, IrsaRole, IrsaServiceAccount } from '../../lib';

const app = new App();
const stack = new Stack(app, 'IrsaPodIdentity', {
  env: { account: '123456789012', region: 'eu-west-1' },
});

// IrsaChecks warns about Pod Identity trust that is not pinned to a cluster, namespace and
// service account (POD_IDENTITY_NOT_PINNED), unless acknowledged.
IrsaChecks.applyTo(app);

// 1. The existing cluster, with what aws-cdk-lib needs to run kubectl against it. Pod Identity
//    needs no OIDC provider, so none is given. `installPodIdentityAgent` makes cdk-irsa add the
//    `eks-pod-identity-agent` add-on once, for the first service account that uses Pod Identity;
//    every association depends on it. (For a cluster made in this app, cdk-irsa uses the agent
//    add-on its stack already has, or else the cluster's own, and adds none of its own.)
const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
  clusterName: 'prod',
  kubectlRoleArn: 'arn:aws:iam::123456789012:role/prod-kubectl',
  kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer',
    'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl-v33:1'),
});
const prod = IrsaCluster.fromCluster(cluster, { installPodIdentityAgent: true });

// 2. payments/api, the default: the role trusts pods.eks.amazonaws.com only for sessions tagged
//    with this cluster's ARN, namespace `payments` and service account `api`, so no other
//    association in the account can borrow it. The namespace is created too, ahead of the
//    ServiceAccount in the same manifest.
const receipts = new s3.Bucket(stack, 'Receipts');
const api = new IrsaServiceAccount(stack, 'PaymentsApi', {
  cluster: prod,
  namespace: 'payments',
  name: 'api',
  identityType: IdentityType.POD_IDENTITY,
  createNamespace: true,
  podIdentity: {
    associationTags: { team: 'payments' },
  },
});
receipts.grantRead(api);

// 3. One role for two service accounts of this app: each adds its own pin, and the trust policy
//    gets one statement listing both service accounts.
const jobs = new sqs.Queue(stack, 'ReportJobs');
const reportsRole = new IrsaRole(stack, 'ReportsRole', { description: 'reports/generator and reports/exporter' });
for (const name of ['generator', 'exporter']) {
  new IrsaServiceAccount(stack, `Reports-${name}`, {
    cluster: prod,
    namespace: 'reports',
    name,
    role: reportsRole,
    identityType: IdentityType.POD_IDENTITY,
  });
}
jobs.grantConsumeMessages(reportsRole);

// 4. A role meant to be shared: other clusters' associations (made by their own apps or by
//    eksctl) use it too, so its trust is not pinned to this cluster. Without pins, any Pod
//    Identity association in the account may use the role: give such a role only what every
//    one of its users may have. IrsaChecks would warn; the acknowledgement records why.
const logShipper = new IrsaRole(stack, 'LogShipperRole', { roleName: 'shared-log-shipper' });
new IrsaServiceAccount(stack, 'LogShipper', {
  cluster: prod,
  namespace: 'observability',
  name: 'log-shipper',
  role: logShipper,
  identityType: IdentityType.POD_IDENTITY,
  podIdentity: {
    pinSessionTags: false,
  },
});
logShipper.addToPrincipalPolicy(new iam.PolicyStatement({
  actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/eks/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
}));
IrsaChecks.acknowledge(logShipper, IrsaCheckRule.POD_IDENTITY_NOT_PINNED, 'shared by the log shippers of every cluster in the account');

// 5. Cross-account: analytics/loader works on a data lake in account 210987654321. EKS Pod
//    Identity first assumes this service account's role (which must be in the cluster's
//    account), then, with its credentials, the target role, whose credentials the pods get.
//    This role needs permission to assume the target role, and the target role must trust this
//    one where it is defined (see docs/pod-identity.md). A fixed roleName lets that trust be written ahead.
const targetRoleArn = 'arn:aws:iam::210987654321:role/data-lake-loader';
const loader = new IrsaServiceAccount(stack, 'AnalyticsLoader', {
  cluster: prod,
  namespace: 'analytics',
  name: 'loader',
  identityType: IdentityType.POD_IDENTITY,
  roleOptions: {
    roleName: 'prod-analytics-loader',
  },
  podIdentity: {
    targetRoleArn,
  },
});
loader.addToPrincipalPolicy(new iam.PolicyStatement({
  actions: ['sts:AssumeRole', 'sts:TagSession'],
  resources: [targetRoleArn],
}));

// 6. What the target role's administrators need.
new CfnOutput(stack, 'LoaderRoleArn', { value: loader.role.roleArn });
new CfnOutput(stack, 'ClusterArn', { value: cluster.clusterArn });

app.synth();
