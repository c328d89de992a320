/**
 * How the pods of a service account get AWS credentials.
 *
 * The name and the values `IRSA` and `POD_IDENTITY` are those of aws-eks-v2's `IdentityType`,
 * with the same meaning. `IRSA_AND_POD_IDENTITY`, the step of a migration, has no counterpart
 * there.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/service-accounts.html#service-accounts-iam
 */
export enum IdentityType {
  /**
   * IAM roles for service accounts: the role trusts the cluster's OIDC provider for this
   * service account, and the ServiceAccount is annotated with the role's ARN.
   */
  IRSA = 'IRSA',

  /**
   * EKS Pod Identity: an association of the cluster, namespace and service account with the
   * role, which trusts `pods.eks.amazonaws.com`. No OIDC provider and no annotation; the
   * ServiceAccount must still exist, and the cluster must run the Pod Identity agent.
   * Not available for pods on Fargate.
   */
  POD_IDENTITY = 'POD_IDENTITY',

  /**
   * Both at once, for moving from IRSA to Pod Identity: one role trusted both ways, the
   * association and the annotation. While the annotation is there, the default credential chains
   * of the AWS SDKs (as their documentation describes them; check yours) take IRSA's web identity
   * credentials first. Then switch to `POD_IDENTITY` with `podIdentity: { retainIrsaTrust: true }`,
   * restart the pods, and drop `retainIrsaTrust`.
   */
  IRSA_AND_POD_IDENTITY = 'IRSA_AND_POD_IDENTITY',
}
