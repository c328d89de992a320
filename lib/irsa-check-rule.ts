/**
 * The rules that `IrsaChecks` applies to every IAM role's trust policy.
 */
export enum IrsaCheckRule {
  /**
   * Error: a statement lets a web-identity token assume the role without a positive `StringEquals`
   * or `StringLike` condition on the `sub` key of the principal's own issuer (or only with `*`):
   * every workload of that issuer (every service account of the cluster, every repository) may assume it.
   */
  NO_SUBJECT_PIN = 'NO_SUBJECT_PIN',
  /** Error: the same for the issuer's `aud` key: tokens minted for other audiences are accepted. */
  NO_AUDIENCE_PIN = 'NO_AUDIENCE_PIN',
  /** Error: `StringEquals` with `*` or `?`, which IAM compares literally, so the condition never matches. */
  WILDCARD_UNDER_STRING_EQUALS = 'WILDCARD_UNDER_STRING_EQUALS',
  /** Error: a Kubernetes subject pattern that matches every namespace (`system:serviceaccount:*`). */
  ANY_NAMESPACE = 'ANY_NAMESPACE',
  /**
   * Error: a Kubernetes namespace pattern that starts with a wildcard (`*-prod`) or could match a
   * `kube-` system namespace (`kube-system`, `kube-public`, `kube-node-lease`, `k*`).
   */
  WIDE_NAMESPACE_PATTERN = 'WIDE_NAMESPACE_PATTERN',
  /** Error: a subject pattern that matches every service account of a namespace (`system:serviceaccount:<ns>:*`). */
  NAMESPACE_WIDE = 'NAMESPACE_WIDE',
  /**
   * Error: the trust policy, or a statement of it, cannot be evaluated at synth (a string that is
   * not JSON, an `Fn::If` or parameter deciding its shape, a condition key whose issuer is known
   * only at deploy and cannot be matched with the principal): the check cannot say who may assume the role.
   */
  CANNOT_VERIFY = 'CANNOT_VERIFY',
  /** Warning: a trust policy within 10 % of its size limit. */
  TRUST_POLICY_NEAR_LIMIT = 'TRUST_POLICY_NEAR_LIMIT',
  /** Warning: one Kubernetes service account trusted by two roles: which one its pods get depends on an annotation. */
  SERVICE_ACCOUNT_IN_SEVERAL_ROLES = 'SERVICE_ACCOUNT_IN_SEVERAL_ROLES',
  /** Warning: EKS Pod Identity trust without the session-tag conditions that keep other associations from borrowing the role. */
  POD_IDENTITY_NOT_PINNED = 'POD_IDENTITY_NOT_PINNED',
}
