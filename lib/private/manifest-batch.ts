import { CfnResource, Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { ManifestTarget } from './cluster-adapter';
import { fail } from './errors';
import { isNamespace, namespaceObject } from './kubernetes-objects';
import { PerApp } from './per-app';
import { shortHash } from './provider-registry';

/** The construct under each stack that holds its batched manifests, one per cluster. */
const CONTAINER_ID = 'IrsaServiceAccountManifests';

/** Which batch of the app creates each namespace of each cluster. */
const namespaceOwners = new PerApp<ManifestBatch>();

/**
 * One manifest resource per cluster per stack for all its service accounts, instead of one
 * custom resource each: objects are appended until synth. It is created with `kubectl apply`
 * rather than `kubectl create` as soon as one of its service accounts asks to take over existing
 * objects (`overwrite`); later deploys apply it anyway (aws-cdk-lib's kubectl handler). Keeping
 * every service account in one batch whatever its `overwrite` means that toggling `overwrite`
 * never moves a ServiceAccount or a namespace from one manifest resource to another.
 */
export class ManifestBatch extends Construct {
  /** The batch of `target`'s cluster in the stack of `scope`, created on first use. */
  public static of(scope: IConstruct, target: ManifestTarget, overwrite: boolean): ManifestBatch {
    const stack = Stack.of(scope);
    const container = (stack.node.tryFindChild(CONTAINER_ID) as Construct | undefined) ?? new Construct(stack, CONTAINER_ID);
    // The cluster's path names it in every synth; hashing it keeps the ID short and stable.
    const id = `Cluster${shortHash(target.cluster.node.path)}`;
    const batch = (container.node.tryFindChild(id) as ManifestBatch | undefined) ?? new ManifestBatch(container, id, target);
    if (overwrite) {
      batch.overwrite();
    }
    return batch;
  }

  /** The manifest resource. */
  public readonly resource: Construct;

  private readonly objects: any[] = [];
  private readonly pruneLabel?: string;
  private readonly clusterKey: string;

  private constructor(scope: Construct, id: string, target: ManifestTarget) {
    super(scope, id);
    const created = target.create(this, 'Resource', this.objects, false);
    this.resource = created.resource;
    this.pruneLabel = created.pruneLabel;
    this.clusterKey = target.cluster.node.path;
  }

  /** Appends a Kubernetes object, labelled for pruning where the cluster prunes. */
  public add(object: any): void {
    if (this.pruneLabel) {
      object.metadata.labels = { [this.pruneLabel]: '', ...object.metadata.labels };
    }
    this.objects.push(object);
  }

  /** Creates the batch with `kubectl apply`, taking over objects that exist. */
  public overwrite(): void {
    (this.resource.node.defaultChild as CfnResource).addPropertyOverride('Overwrite', true);
  }

  /**
   * Makes sure the namespace is created before this batch's service accounts: by this batch,
   * ahead of every service account, unless another batch of the stack creates it already.
   * Namespaces are never labelled for pruning: pruning one would delete all it holds.
   */
  public createNamespace(name: string): void {
    const owners = namespaceOwners.of(this);
    const key = `${this.clusterKey}\n${name}`;
    const owner = owners.get(key);
    if (owner === undefined) {
      owners.set(key, this);
      this.objects.splice(this.objects.filter(isNamespace).length, 0, namespaceObject(name));
    } else if (Stack.of(owner) !== Stack.of(this)) {
      fail(`namespace ${name} of this cluster is created by ${owner.node.path} already: set createNamespace on the service accounts of one stack only.`, this);
    } else if (owner !== this) {
      this.resource.node.addDependency(owner.resource);
    }
  }
}
