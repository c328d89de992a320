import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IrsaRole } from '../irsa-role';
import { ClusterAdapter } from './cluster-adapter';
import { fail } from './errors';
import { MAX_ROLE_NAME_LENGTH } from './iam-names';
import { shortHash } from './provider-registry';
import { partitionOf } from './regions';
import { literalClusterName, stableClusterKey } from './stable-logical-ids';

/** Whether a role of the app lives in another (known) account than the scope's stack. */
export function inAnotherAccount(scope: Construct, role: iam.IRole): boolean {
  const here = Stack.of(scope).account;
  const there = Stack.of(role).account;
  return !Token.isUnresolved(here) && !Token.isUnresolved(there) && here !== there;
}

/**
 * A role name that is the same in every synth, readable, unique per region, cluster, namespace,
 * name and IAM path, and within IAM's 64 characters. It depends on nothing else: not on the
 * delivery, the identity mode or how the cluster is described (a literal cluster name stands for
 * the cluster), so that those edits keep the role and its ARN.
 *
 * A namespace or name known only at deploy (a token) is left out of the readable part, and the
 * construct's path in its stack stands for it in the hash, as it does in the role's logical ID:
 * a token's text at synth depends on how many tokens were made before it, so it would rename the
 * role on unrelated edits.
 */
export function deterministicRoleName(
  owner: Construct, region: string, cluster: ClusterAdapter, namespace: string, name: string, path: string,
): string {
  const clusterKey = stableClusterKey(cluster);
  const regionKey = Token.isUnresolved(region) ? '' : region;
  const tokenPart = Token.isUnresolved(namespace) || Token.isUnresolved(name);
  const literal = (value: string) => Token.isUnresolved(value) ? undefined : value;
  const who = tokenPart ? `path:${pathInStack(owner)}` : `${namespace}\n${name}`;
  const hash = shortHash(`${regionKey}\n${clusterKey}\n${who}${path === '/' ? '' : `\n${path}`}`).toLowerCase();
  const clusterName = literalClusterName(cluster);
  const parts = [clusterName, literal(namespace), literal(name)].filter((part): part is string => part !== undefined);
  const readable = parts.join('-').replace(/[^\w+=,.@-]/g, '-');
  const head = readable.slice(0, MAX_ROLE_NAME_LENGTH - hash.length - 1);
  return head.length > 0 ? `${head}-${hash}` : hash;
}

/** The construct's path below its stack: what CDK derives its resources' logical IDs from. */
function pathInStack(owner: Construct): string {
  const stackPath = Stack.of(owner).node.path;
  return stackPath === '' ? owner.node.path : owner.node.path.slice(stackPath.length + 1);
}

/** The role's ARN as a literal, for YAML that must not hold tokens. */
export function literalRoleArn(scope: Construct, role: iam.IRole): string {
  if (!Token.isUnresolved(role.roleArn)) {
    return role.roleArn;
  }
  const stack = Stack.of(role);
  const fix = 'GitOps YAML holds the role ARN literally. Give the role\'s stack an explicit environment: '
    + 'new Stack(app, id, { env: { account: "123456789012", region: "eu-west-1" } }).';
  // A pre-created role (iam.Role.customizeRoles) has the name the app maps it to, at path `/`.
  const precreated = role instanceof IrsaRole && role._precreated;
  const plain = role instanceof iam.Role && !(role instanceof IrsaRole) ? literalNameOfPlainRole(role) : undefined;
  const roleName = role instanceof IrsaRole ? precreated ? role.roleName : role._givenName : plain?.name;
  if (precreated && !JSON.stringify(stack.resolve(role.roleArn)).includes(`:role/${roleName}"`)) {
    fail(`the role ${role.node.path} is pre-created (iam.Role.customizeRoles) and has no name yet, and GitOps YAML holds its ARN literally. `
      + `Name it in usePrecreatedRoles: iam.Role.customizeRoles(app, { usePrecreatedRoles: { "${role.node.path}": "<role name>" } }).`, scope);
  }
  if (roleName === undefined || Token.isUnresolved(roleName)) {
    fail(`the ARN of role ${role.node.path} is known only at deploy, and GitOps YAML holds it literally: the ARN of a role made in the app `
      + 'is known at synth only where its roleName (and path) are literal. Give it a literal roleName (an IrsaRole, or an iam.Role, with '
      + 'roleName: "api"), or import the role with a literal ARN: iam.Role.fromRoleArn(this, "Role", "arn:aws:iam::123456789012:role/api"); '
      + 'or use another ManifestDelivery.', scope);
  }
  if (Token.isUnresolved(stack.account)) {
    fail(`the account of stack ${stack.stackName} is not known at synth, so the role ARN for the GitOps manifest cannot be written. ${fix}`, scope);
  }
  const partition = partitionOf(stack);
  if (!partition) {
    fail(`the region of stack ${stack.stackName} is not known at synth (or not known to aws-cdk-lib), so the partition of the role ARN `
      + `for the GitOps manifest cannot be written. ${fix}`, scope);
  }
  const path = role instanceof IrsaRole && !precreated ? role._givenPath ?? '/' : plain?.path ?? '/';
  return `arn:${partition}:iam::${stack.account}:role${path}${roleName}`;
}

/**
 * The literal name and path of a plain iam.Role, read from its L1 (`role.node.defaultChild`), or
 * `undefined` where the name is absent or a token, or the path a token: IAM names the role
 * `arn:<partition>:iam::<account>:role<path><name>`, as for an IrsaRole.
 */
function literalNameOfPlainRole(role: iam.Role): { name: string; path: string } | undefined {
  const resource = role.node.defaultChild;
  if (!(resource instanceof iam.CfnRole)) {
    return undefined; // pre-created (iam.Role.customizeRoles): no L1
  }
  const { roleName: name, path } = resource;
  if (typeof name !== 'string' || Token.isUnresolved(name) || (path !== undefined && (typeof path !== 'string' || Token.isUnresolved(path)))) {
    return undefined;
  }
  return { name, path: path ?? '/' };
}
