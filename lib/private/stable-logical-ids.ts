import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ClusterAdapter } from './cluster-adapter';
import { fail, q } from './errors';
import { PerApp } from './per-app';
import { shortHash } from './provider-registry';

/** Logical IDs given out, per stack: by stack path and ID, the service account that has it. */
const taken = new PerApp<string>();

/** The longest readable part of a logical ID (CloudFormation allows 255 characters). */
const MAX_READABLE = 120;

/**
 * What stands for the cluster in the names and IDs of a service account's resources: its literal
 * name, or (where the name is a token) the cluster's identity, which is never a token. It does
 * not depend on how the cluster is described.
 */
export function stableClusterKey(cluster: ClusterAdapter): string {
  const name = literalClusterName(cluster);
  return name === undefined ? cluster.identity : `name:${name}`;
}

/** The cluster's name where it is known at synth. */
export function literalClusterName(cluster: Pick<ClusterAdapter, 'clusterName' | 'nameAtSynth'>): string | undefined {
  return !Token.isUnresolved(cluster.clusterName) ? cluster.clusterName : cluster.nameAtSynth;
}

/**
 * Gives a resource that an IrsaServiceAccount makes per service account (its role, its Pod
 * Identity association) a logical ID derived from what it is for, the cluster, the namespace and
 * the name, instead of its construct path. CDK derives logical IDs from the path, so renaming or
 * moving the construct inside its stack would replace the resource: a second role of the same name
 * (which IAM refuses while the first exists) or a second association of the service account
 * (which EKS refuses). With these IDs such a refactor leaves the template as it was.
 *
 * A role name that the user gives is part of the role's ID: it tells apart the roles of clusters
 * named alike (in two regions) in one stack, and a new name replaces the role anyway.
 *
 * Where the namespace or the name is a token, the path-based ID stays. A later
 * `overrideLogicalId()` by the user wins.
 */
export function pinLogicalId(owner: IConstruct, resource: CfnResource, kind: 'Role' | 'PodIdentityAssociation',
  cluster: ClusterAdapter, namespace: string, name: string, roleName?: string): void {
  if (Token.isUnresolved(namespace) || Token.isUnresolved(name)) {
    return;
  }
  const clusterName = literalClusterName(cluster);
  const readableParts = clusterName === undefined ? [namespace, name] : [clusterName, namespace, name];
  const readable = readableParts.map(pascal).join('').slice(0, MAX_READABLE);
  const named = roleName !== undefined && !Token.isUnresolved(roleName) ? `\nrole:${roleName}` : '';
  const hash = shortHash(`${stableClusterKey(cluster)}\n${namespace}\n${name}${named}`);
  const logicalId = `${readable}${kind}${hash}`;
  const stack = Stack.of(resource);
  const seen = taken.of(owner);
  const key = `${stack.node.path}\n${logicalId}`;
  const first = seen.get(key);
  if (first !== undefined) {
    // A role name tells roles apart; an association's ID has none (a new role must not replace the association).
    const fix = kind === 'Role'
      ? 'its role would have one logical ID twice. Give each a roleOptions.roleName of its own, or define'
      : 'its Pod Identity association would have one logical ID twice. Define';
    fail(`service account ${namespace}/${name} of a cluster named ${q(clusterName ?? cluster.clusterName)} is defined twice in stack ${stack.node.path} `
      + `(also at ${first}), for two clusters of that name: ${fix} the service accounts of each cluster in a stack of their own.`, owner);
  }
  seen.set(key, owner.node.path);
  resource.overrideLogicalId(logicalId);
}

/** `kube-system.my_app` as `KubeSystemMyApp`: the characters a logical ID may hold. */
function pascal(value: string): string {
  return value.split(/[^A-Za-z0-9]+/).filter((part) => part.length > 0)
    .map((part) => part[0].toUpperCase() + part.slice(1)).join('');
}
