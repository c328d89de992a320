import { Construct } from 'constructs';

/**
 * Which aws-cdk-lib module a cluster construct comes from, by its public members: aws-eks
 * clusters (made or imported) have `kubectlLambdaRole`, which aws-eks-v2 dropped. For messages
 * that name the right `IrsaCluster` factory when a JavaScript or Python caller passes the other
 * kind, or a bare cluster where an `IrsaCluster` is expected.
 */
export function eksModuleOf(value: unknown): 'aws-eks' | 'aws-eks-v2' | undefined {
  if (!Construct.isConstruct(value) || !('clusterName' in value) || !('clusterArn' in value)) {
    return undefined;
  }
  return 'kubectlLambdaRole' in value ? 'aws-eks' : 'aws-eks-v2';
}

/** The factory of `IrsaCluster` for a cluster of each module. */
export const FACTORY_OF = { 'aws-eks': 'fromCluster', 'aws-eks-v2': 'fromClusterV2' } as const;
