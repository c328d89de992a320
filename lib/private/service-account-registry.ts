import { IConstruct } from 'constructs';
import { fail } from './errors';
import { PerApp } from './per-app';

/** Service accounts by cluster, namespace and name, per app: two in one app would fight over one object. */
const serviceAccounts = new PerApp<string>();

/** Records a service account, failing if the app has one already for the same cluster, namespace and name. */
export function registerServiceAccount(scope: IConstruct, clusterIdentity: string, namespace: string, name: string): void {
  const seen = serviceAccounts.of(scope);
  const key = `${clusterIdentity}\n${namespace}\n${name}`;
  const first = seen.get(key);
  if (first !== undefined) {
    fail(`service account ${namespace}/${name} of this cluster is already defined at ${first}. One Kubernetes object can have only one definition: `
      + 'reuse that IrsaServiceAccount (grant its role more), or give this one another name or namespace.', scope);
  }
  seen.set(key, scope.node.path);
}
