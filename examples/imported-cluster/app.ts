/**
 * An existing cluster whose IAM OIDC provider exists already (made by `eksctl utils
 * associate-iam-oidc-provider`, the console or Terraform). An account holds one provider per
 * issuer, so this app imports it by ARN rather than create a second one.
 *
 * Two service accounts:
 * - `amazon-cloudwatch/cloudwatch-agent`, whose ServiceAccount a Helm chart creates: only the role is
 *   made here (ManifestDelivery.none()); its ARN goes into the chart's values;
 * - `orders/worker`, written to a GitOps YAML file (ManifestDelivery.gitOps()).
 *
 *   npx tsx examples/imported-cluster/app.ts
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ClusterOidcProvider, IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../../lib';

const app = new App();
const stack = new Stack(app, 'IrsaImportedCluster', {
  env: { account: '123456789012', region: 'us-east-1' },
});

// The provider eksctl made. Its ARN names the issuer, so cdk-irsa takes the issuer from it
// (`aws iam list-open-id-connect-providers` lists the ARNs of an account).
const provider = ClusterOidcProvider.fromOidcProviderArn(
  stack,
  'EksctlProvider',
  'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
);

// The cluster, known by its name and that provider. cdk-irsa cannot reach it, so its service
// accounts are delivered as GitOps YAML or not at all.
const cluster = IrsaCluster.fromAttributes({
  clusterName: 'legacy',
  openIdConnectProvider: provider,
});

// A service account that a Helm chart (here the CloudWatch agent's) creates. Only the role is
// made. A fixed role name gives an ARN known before deploy, for the chart's values:
//   serviceAccount.annotations."eks.amazonaws.com/role-arn": arn:aws:iam::123456789012:role/legacy-cloudwatch-agent
const agent = new IrsaServiceAccount(stack, 'CloudWatchAgent', {
  cluster,
  namespace: 'amazon-cloudwatch',
  name: 'cloudwatch-agent',
  manifestDelivery: ManifestDelivery.none(),
  roleOptions: {
    roleName: 'legacy-cloudwatch-agent',
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy')],
  },
});

// A service account of our own, written to `IrsaImportedCluster.service-accounts/legacy/service-accounts.yaml` in the
// cloud assembly. Its role gets a deterministic name, so the ARN in the YAML is final.
const worker = new IrsaServiceAccount(stack, 'OrdersWorker', {
  cluster,
  namespace: 'orders',
  name: 'worker',
  manifestDelivery: ManifestDelivery.gitOps(),
});
const queue = new sqs.Queue(stack, 'Orders');
queue.grantConsumeMessages(worker);

new CfnOutput(stack, 'CloudWatchAgentRoleArn', { value: agent.role.roleArn });

app.synth();
