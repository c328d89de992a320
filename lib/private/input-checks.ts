import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { fail, q } from './errors';

/** EKS cluster names: 1 to 100 letters, digits, `-` and `_`, starting with a letter or digit. */
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const EKS_CLUSTER_ARN = /^arn:aws[a-z-]*:eks:[a-z0-9-]+:(\d{12}):cluster\/(.+)$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** Characters IAM and EKS accept in tag keys and values. */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** EKS's limit on a Pod Identity session policy, in characters of plain text. */
export const MAX_SESSION_POLICY_LENGTH = 2048;

/** A value that a JavaScript caller may leave out although the types require it. */
export function requireValue<T>(value: T | undefined | null, what: string, fix: string, scope?: IConstruct): T {
  if (value === undefined || value === null) {
    fail(`${what} is missing: ${fix}`, scope);
  }
  return value;
}

/** Checks a literal EKS cluster name. Tokens are skipped. */
export function validateEksClusterName(clusterName: string): void {
  if (Token.isUnresolved(clusterName)) {
    return;
  }
  if (typeof clusterName !== 'string' || !EKS_CLUSTER_NAME.test(clusterName)) {
    fail(`clusterName ${q(clusterName)} is not a valid EKS cluster name: use 1 to 100 letters, digits, "-" and "_", starting with a letter or digit.`);
  }
}

/** Checks that a literal value is an EKS cluster ARN; returns its parts (account, name). */
export function matchClusterArn(clusterArn: string, what = 'clusterArn'): RegExpExecArray {
  const match = EKS_CLUSTER_ARN.exec(clusterArn);
  if (!match) {
    fail(`${what} ${q(clusterArn)} is not the ARN of an EKS cluster: expected "arn:<partition>:eks:<region>:<12-digit account>:cluster/<name>", `
      + 'as `aws eks describe-cluster --query cluster.arn` prints it.');
  }
  return match;
}

/**
 * Checks a literal EKS cluster ARN, and that it names the cluster given. Returns its account, or
 * `undefined` for a token.
 */
export function validateClusterArn(clusterArn: string, clusterName: string): string | undefined {
  if (Token.isUnresolved(clusterArn)) {
    return undefined;
  }
  const match = matchClusterArn(clusterArn);
  if (!Token.isUnresolved(clusterName) && match[2] !== clusterName) {
    fail(`clusterArn ${q(clusterArn)} names cluster ${q(match[2])}, not ${q(clusterName)}. Give the ARN of the same cluster, or leave clusterArn out.`);
  }
  return match[1];
}

/** Checks an audience (a client ID of the OIDC provider, the `aud` of the tokens). Tokens are skipped. */
export function validateAudience(audience: string): void {
  if (Token.isUnresolved(audience)) {
    return;
  }
  if (audience !== audience.trim()) {
    fail(`audience ${q(audience)} has white space around it, which the tokens' "aud" would not have. Write it without the spaces.`);
  }
  if (/[*?]/.test(audience)) {
    fail(`audience ${q(audience)} holds a wildcard: the trust policy compares the audience exactly (StringEquals), so it would never match. `
      + 'Name the audience your service accounts\' tokens carry.');
  }
}

/** Checks the role that EKS Pod Identity chains to (`podIdentity.targetRoleArn`). Tokens are skipped. */
export function validateTargetRoleArn(targetRoleArn: string): void {
  if (Token.isUnresolved(targetRoleArn)) {
    return;
  }
  if (/[*?]/.test(targetRoleArn)) {
    fail(`podIdentity.targetRoleArn ${q(targetRoleArn)} holds a wildcard: the role would be allowed to assume every role it matches. Give the ARN of one role.`);
  }
  if (!ROLE_ARN.test(targetRoleArn)) {
    fail(`podIdentity.targetRoleArn ${q(targetRoleArn)} is not the ARN of an IAM role: expected "arn:<partition>:iam::<12-digit account>:role/<path/><name>", `
      + 'for example "arn:aws:iam::210987654321:role/reader".');
  }
}

/** Checks tags the way IAM and EKS will: at most 50, keys 1 to 128 characters not starting with `aws:`, values at most 256. */
export function validateTags(tags: { [key: string]: string }, what: string): void {
  const entries = Object.entries(tags);
  if (entries.length > 50) {
    fail(`${what} has ${entries.length} tags; EKS accepts at most 50. Keep the ones you need.`);
  }
  for (const [key, value] of entries) {
    if (Token.isUnresolved(key)) {
      continue;
    }
    if (key.length === 0 || key.length > 128 || !TAG_CHARACTERS.test(key) || key.toLowerCase().startsWith('aws:')) {
      fail(`${what} key ${q(key)} is not accepted by EKS: use 1 to 128 letters, digits, spaces and "_.:/=+-@", not starting with "aws:".`);
    }
    if (Token.isUnresolved(value)) {
      continue;
    }
    if (typeof value !== 'string' || value.length > 256 || !TAG_CHARACTERS.test(value)) {
      const length = typeof value === 'string' ? `is ${value.length} characters long` : `is ${q(value)}`;
      fail(`${what} value of ${q(key)} ${length}; EKS accepts at most 256 letters, digits, spaces and "_.:/=+-@".`);
    }
  }
}

/** Checks a Pod Identity session policy (`podIdentity.sessionPolicy`): no principal, and within EKS's limit where its text is known. */
export function validateSessionPolicy(scope: IConstruct, policy: iam.PolicyDocument): void {
  const json = Stack.of(scope).resolve(policy.toJSON());
  for (const statement of json?.Statement ?? []) {
    if (statement.Principal !== undefined || statement.NotPrincipal !== undefined) {
      fail('podIdentity.sessionPolicy has a statement with a Principal; a session policy applies to the session itself and takes none. Remove the principal.');
    }
  }
  const text = JSON.stringify(json ?? {});
  if (!Token.isUnresolved(text) && !/"(Ref|Fn::[A-Za-z]+)"/.test(text) && text.length > MAX_SESSION_POLICY_LENGTH) {
    fail(`podIdentity.sessionPolicy is ${text.length} characters long; EKS accepts at most ${MAX_SESSION_POLICY_LENGTH}. Shorten it, `
      + 'or grant the permissions on the role instead.');
  }
}
