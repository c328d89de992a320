/**
 * Quick start: one Kubernetes service account with an IAM role of its own, for a cluster
 * made outside this app. Nothing here needs an AWS account at synth, and nothing adds a
 * Lambda function or a custom resource to the template.
 *
 *   npx tsx examples/quickstart/app.ts     (or: npm run example, which also prints the result)
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../../lib';

const app = new App();

// 1. A stack with an explicit environment. GitOps delivery writes the role ARN into a YAML
//    file, so the account and region must be known at synth.
const stack = new Stack(app, 'IrsaQuickstart', {
  env: { account: '123456789012', region: 'eu-west-1' },
});

// 2. The cluster, made elsewhere (eksctl, Terraform, the console). Its issuer URL is what
//    `aws eks describe-cluster --name prod --query cluster.identity.oidc.issuer` prints.
//    From it cdk-irsa creates the account's IAM OIDC provider for this issuer: a native
//    AWS::IAM::OIDCProvider, no Lambda.
const cluster = IrsaCluster.fromAttributes({
  clusterName: 'prod',
  issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
});

// 3. The service account `payments/api`: an IAM role that only this service account of this
//    cluster may assume, and the annotated Kubernetes ServiceAccount. With gitOps() the
//    ServiceAccount is written to a YAML file in the cloud assembly for Argo CD or Flux to
//    apply; the role gets a deterministic name so the ARN in that file is final.
const api = new IrsaServiceAccount(stack, 'PaymentsApi', {
  cluster,
  namespace: 'payments',
  name: 'api',
  manifestDelivery: ManifestDelivery.gitOps(),
});

// 4. The service account is an IAM principal: grant it what its pods need. The statements go
//    into the role's inline policy, so the role stays one CloudFormation resource.
const bucket = new s3.Bucket(stack, 'Receipts');
bucket.grantRead(api);

// 5. What to look at after `cdk deploy`.
new CfnOutput(stack, 'RoleArn', { value: api.role.roleArn });
new CfnOutput(stack, 'ServiceAccountFile', { value: api.manifestFile ?? 'none' });

app.synth();
