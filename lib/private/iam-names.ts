import { Token } from 'aws-cdk-lib';
import type { IrsaRoleOptions } from '../irsa-role';
import { fail, q } from './errors';

// IAM's limits for roles (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), defined once.

/** The longest role name. */
export const MAX_ROLE_NAME_LENGTH = 64;
/** The longest role path. */
export const MAX_ROLE_PATH_LENGTH = 512;
/** IAM's default quota for the size of a role's trust policy (`ACLSizePerRole`). */
export const DEFAULT_TRUST_POLICY_SIZE_LIMIT = 2048;
/** The most characters that all inline policies of one role may have together. */
export const INLINE_POLICIES_SIZE_LIMIT = 10240;

const ROLE_NAME = new RegExp(`^[\\w+=,.@-]{1,${MAX_ROLE_NAME_LENGTH}}$`);

/** IAM role names: 1 to MAX_ROLE_NAME_LENGTH of letters, digits and `+=,.@_-`. Tokens are skipped. */
export function validateRoleName(roleName: string | undefined): void {
  if (roleName === undefined || Token.isUnresolved(roleName)) {
    return;
  }
  if (!ROLE_NAME.test(roleName)) {
    fail(`roleName ${q(roleName)} is not a valid IAM role name: use 1 to ${MAX_ROLE_NAME_LENGTH} letters, digits and "+=,.@_-".`);
  }
}

/** IAM paths: `/` or `/<segments>/`, at most MAX_ROLE_PATH_LENGTH printable ASCII characters. Tokens are skipped. */
export function validateRolePath(path: string | undefined): void {
  if (path === undefined || Token.isUnresolved(path)) {
    return;
  }
  if (path.length > MAX_ROLE_PATH_LENGTH || !/^(\/|\/[\u0021-\u007E]+\/)$/.test(path)) {
    fail(`path ${q(path)} is not a valid IAM role path: use "/" or "/<segments>/", at most ${MAX_ROLE_PATH_LENGTH} printable ASCII characters, `
      + 'starting and ending with "/", for example "/workloads/".');
  }
}

/** The inline policy that holds what is granted to a role after it is made. */
export const GRANTS_POLICY_NAME = 'Grants';

/** Checks the options of a role that cdk-irsa creates, before anything is made. */
export function validateRoleOptions(options: IrsaRoleOptions): void {
  const limit = options.trustPolicySizeLimit ?? DEFAULT_TRUST_POLICY_SIZE_LIMIT;
  if (!Number.isInteger(limit) || limit <= 0) {
    fail(`trustPolicySizeLimit must be a positive whole number of characters (got ${q(limit)}); IAM's default quota is ${DEFAULT_TRUST_POLICY_SIZE_LIMIT}.`);
  }
  if (options.inlinePolicies && GRANTS_POLICY_NAME in options.inlinePolicies) {
    fail(`inline policy name ${q(GRANTS_POLICY_NAME)} is reserved for the statements that grant*() calls add. Give your policy another name.`);
  }
  validateRoleName(options.roleName);
  validateRolePath(options.path);
}
