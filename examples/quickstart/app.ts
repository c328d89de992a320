/**
 * Quick start: one Kubernetes service account with an IAM role of its own, for a cluster
 * made outside this app and found by its name. With the answers of the lookup cached in
 * cdk.context.json, nothing here needs an AWS account at synth, and nothing adds a Lambda
 * function or a custom resource to the template.
 *
 *   npm run example   (from the repository root; or `cdk synth` from this directory)
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

// 2. The cluster, made elsewhere (eksctl, Terraform, the console), found by its name. The
//    first `cdk synth` (with credentials for the account) looks up its issuer and whether the
//    account has an IAM OIDC provider for it, and caches both in cdk.context.json: if the
//    provider exists it is reused, otherwise cdk-irsa creates it (a native
//    AWS::IAM::OIDCProvider, no Lambda). The cdk.context.json committed here says the account
//    has none yet, so this example synthesizes offline.
const cluster = IrsaCluster.fromLookup(stack, 'Prod', { clusterName: 'prod' });

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
