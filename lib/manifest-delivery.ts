import { DeliveryStrategy, GITOPS, KUBECTL, NONE } from './private/delivery-strategies';

/**
 * How the Kubernetes ServiceAccount of an `IrsaServiceAccount` reaches the cluster.
 *
 * @example
 * // written to a YAML file in the cloud assembly, for Argo CD or Flux
 * ManifestDelivery.gitOps();
 * // applied through the cluster's kubectl provider, batched per cluster and stack
 * ManifestDelivery.kubectl();
 * // not delivered: a Helm chart creates the ServiceAccount
 * ManifestDelivery.none();
 */
export class ManifestDelivery {
  /**
   * Applied through the cluster's kubectl provider (aws-eks and aws-eks-v2 clusters). All
   * service accounts of one cluster in one stack share one manifest resource, retained unless
   * the cluster's `removalPolicy` says otherwise. A service account removed from the app stays in
   * the cluster (kubectl's prune allowlist has no ServiceAccount): delete it with kubectl.
   */
  public static kubectl(): ManifestDelivery {
    return new ManifestDelivery(ManifestDeliveryKind.KUBECTL, KUBECTL);
  }

  /**
   * Written at synth, with the other service accounts of the same cluster and stack, to one
   * multi-document YAML file in the cloud assembly for a GitOps tool to apply:
   * `<stack artifact ID>.service-accounts/<cluster name>/service-accounts.yaml`, beside a
   * `kustomization.yaml` that lists it, so that Argo CD or Flux can be pointed at each cluster's
   * folder. Nothing is added to the template for it and nothing needs access to the cluster.
   *
   * The role ARN in the file must be final, so the role gets a deterministic name (derived from
   * the cluster, namespace and service account unless `roleName` is given) and the stack needs an
   * explicit account and region.
   */
  public static gitOps(): ManifestDelivery {
    return new ManifestDelivery(ManifestDeliveryKind.GITOPS, GITOPS);
  }

  /**
   * Not delivered: only the role is made, for service accounts that another tool (usually a Helm
   * chart) creates. The manifest stays available as `serviceAccount.manifest`.
   */
  public static none(): ManifestDelivery {
    return new ManifestDelivery(ManifestDeliveryKind.NONE, NONE);
  }

  /** Which delivery this is. */
  public readonly kind: ManifestDeliveryKind;

  /** How it delivers. @internal */
  public readonly _strategy: DeliveryStrategy;

  private constructor(kind: ManifestDeliveryKind, strategy: DeliveryStrategy) {
    this.kind = kind;
    this._strategy = strategy;
  }
}

/** The kinds of `ManifestDelivery`. */
export enum ManifestDeliveryKind {
  /** Applied by the cluster's kubectl provider. */
  KUBECTL = 'kubectl',
  /** Written to a YAML file for a GitOps tool. */
  GITOPS = 'gitops',
  /** Not delivered. */
  NONE = 'none',
}
