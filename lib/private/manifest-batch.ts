import { Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { ManifestTarget } from './cluster-adapter';
import { shortHash } from './provider-registry';

/** The construct under each stack that holds its batched manifests, one per cluster. */
const CONTAINER_ID = 'IrsaServiceAccountManifests';

/**
 * One manifest resource per cluster per stack for all its service accounts, instead of one
 * custom resource each: service accounts are appended until synth.
 */
export class ManifestBatch extends Construct {
  /** The batch of `target`'s cluster in the stack of `scope`, created on first use. */
  public static of(scope: IConstruct, target: ManifestTarget): ManifestBatch {
    const stack = Stack.of(scope);
    const container = (stack.node.tryFindChild(CONTAINER_ID) as Construct | undefined) ?? new Construct(stack, CONTAINER_ID);
    // The cluster's path names it in every synth; hashing it keeps the ID short and stable.
    const id = `Cluster${shortHash(target.cluster.node.path)}`;
    return (container.node.tryFindChild(id) as ManifestBatch | undefined) ?? new ManifestBatch(container, id, target);
  }

  /** The manifest resource. */
  public readonly resource: Construct;

  private readonly objects: any[] = [];
  private readonly pruneLabel?: string;

  private constructor(scope: Construct, id: string, target: ManifestTarget) {
    super(scope, id);
    const created = target.create(this, 'Resource', this.objects);
    this.resource = created.resource;
    this.pruneLabel = created.pruneLabel;
  }

  /** Appends Kubernetes objects, labelled for pruning where the cluster prunes. */
  public add(...objects: any[]): void {
    for (const object of objects) {
      if (this.pruneLabel) {
        object.metadata.labels = { [this.pruneLabel]: '', ...object.metadata.labels };
      }
      this.objects.push(object);
    }
  }
}
