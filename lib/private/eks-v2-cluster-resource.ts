import { CfnResource } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';

/**
 * The `AWS::EKS::Cluster` L1 of an aws-eks-v2 cluster made in this app (its default child, public
 * L1 API), from which cdk-irsa reads what the L2 does not expose: the given name, the compute
 * configuration. `undefined` for imported clusters and aws-eks ones.
 */
export function v2ClusterResource(cluster: eks.ICluster | eksv2.ICluster): eksv2.CfnCluster | undefined {
  const resource = cluster instanceof eksv2.Cluster ? cluster.node.defaultChild : undefined;
  return CfnResource.isCfnResource(resource) && resource.cfnResourceType === 'AWS::EKS::Cluster' ? resource as eksv2.CfnCluster : undefined;
}
