/**
 * Helm: the AWS Load Balancer Controller installed from its Helm chart on an aws-eks cluster,
 * with its IAM role from cdk-irsa. The chart creates the ServiceAccount; cdk-irsa makes the role
 * (trusted by `kube-system/aws-load-balancer-controller` only, with the controller's scoped
 * policy) and gives the chart the values that name that ServiceAccount and annotate it with the
 * role's ARN.
 *
 * The cluster's kubectl Lambda layer is imported by a made-up ARN (publish one from
 * `@aws-cdk/lambda-layer-kubectl-v33`, or pass `new KubectlV33Layer(this, 'Kubectl')`), so this
 * app synthesizes offline.
 *
 *   npx tsx examples/helm/app.ts
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AddonPolicy, IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../../lib';

const app = new App();
const stack = new Stack(app, 'IrsaHelm', {
  env: { account: '123456789012', region: 'eu-west-1' },
});

// 1. The cluster, made here. A literal name lets the preset pin the controller's
//    `elbv2.k8s.aws/cluster` tag to it.
const clusterName = 'prod';
const cluster = new eks.Cluster(stack, 'Cluster', {
  clusterName,
  version: eks.KubernetesVersion.V1_32,
  kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer',
    'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl-v33:1'),
  defaultCapacity: 2,
});

// 2. The controller's service account: the preset's name and namespace
//    (kube-system/aws-load-balancer-controller), a role trusted by it alone, and the preset's
//    statements in the role's inline policy. The chart creates the ServiceAccount, so cdk-irsa
//    delivers none: ManifestDelivery.none() is forAddon's default, named here for clarity.
const lbc = IrsaServiceAccount.forAddon(stack, 'LoadBalancerController', {
  cluster: IrsaCluster.fromCluster(cluster),
  addon: AddonPolicy.awsLoadBalancerController({ clusterName }),
  manifestDelivery: ManifestDelivery.none(),
});

// 3. The chart. helmValues() sets serviceAccount.create (true: the chart makes it),
//    serviceAccount.name and serviceAccount.annotations (the role ARN, resolved at deploy), and
//    merges the chart's other values. region and vpcId spare the controller a call to the
//    instance metadata service, which pods should not reach (see BlockInstanceMetadataForPods).
cluster.addHelmChart('LoadBalancerControllerChart', {
  chart: 'aws-load-balancer-controller',
  repository: 'https://aws.github.io/eks-charts',
  version: '1.13.4',
  release: 'aws-load-balancer-controller',
  namespace: lbc.serviceAccountNamespace,
  values: lbc.helmValues({
    values: {
      clusterName,
      region: stack.region,
      vpcId: cluster.vpc.vpcId,
    },
  }),
});

new CfnOutput(stack, 'LoadBalancerControllerRoleArn', { value: lbc.role.roleArn });

app.synth();
