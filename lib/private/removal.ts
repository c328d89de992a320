import { RemovalPolicy } from 'aws-cdk-lib';
import { fail } from './errors';

/**
 * The removal policy of a shared object that cdk-irsa creates (the OIDC provider, the Pod
 * Identity agent add-on, the manifest resources of namespaces and ServiceAccounts): retained
 * unless the user says otherwise. CloudFormation then never deletes it, neither when it leaves
 * the template nor with its stack, and never sends Delete to its custom resource.
 */
export function validateRemovalPolicy(policy: RemovalPolicy | undefined): RemovalPolicy {
  const resolved = policy ?? RemovalPolicy.RETAIN;
  if (resolved === RemovalPolicy.SNAPSHOT) {
    fail('removalPolicy RemovalPolicy.SNAPSHOT does not apply to an OIDC provider, an EKS add-on or a Kubernetes manifest. '
      + 'Use RemovalPolicy.RETAIN (the default) or RemovalPolicy.DESTROY.');
  }
  return resolved;
}
