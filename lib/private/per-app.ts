import { IConstruct } from 'constructs';

/**
 * A map of facts kept per app (per root of the construct tree), for what must be unique or shared
 * within one app: role names of an account, service accounts of a cluster, one provider per issuer,
 * one Pod Identity agent per cluster, one owner per namespace. Apps made one after the other (as
 * tests do) never see each other's entries, and an app's entries go with it.
 */
export class PerApp<V> {
  private readonly byRoot = new WeakMap<IConstruct, Map<string, V>>();

  /** The map of the app that `scope` is in, made on first use. */
  public of(scope: IConstruct): Map<string, V> {
    const root = scope.node.root;
    let map = this.byRoot.get(root);
    if (!map) {
      map = new Map();
      this.byRoot.set(root, map);
    }
    return map;
  }
}
