import { IConstruct } from 'constructs';
import { ClusterAdapter } from './cluster-adapter';
import { fail, q } from './errors';
import { GitOpsFile } from './gitops-file';
import { ManifestBatch } from './manifest-batch';

/** What a delivery gets from the service account it delivers. */
export interface DeliveryRequest {
  /** The service account construct, for batches and messages. */
  readonly scope: IConstruct;
  readonly cluster: ClusterAdapter;
  /** The ServiceAccount object. */
  readonly manifest: any;
  readonly namespace: string;
  /** Whether the namespace is created with it. */
  readonly createNamespace: boolean;
  /** Whether an existing ServiceAccount may be taken over. */
  readonly overwrite: boolean;
}

/** How one `ManifestDelivery` delivers: each kind binds itself, the L3 only asks. */
export interface DeliveryStrategy {
  /** Whether the ServiceAccount is written down at synth, outside the template, so that the role ARN in it must be literal. */
  readonly writesLiteralRoleArn: boolean;
  /** Whether another tool (a Helm chart) creates the ServiceAccount. */
  readonly leftToOthers: boolean;
  /** Refuses a cluster the delivery cannot reach. */
  check(cluster: ClusterAdapter, scope: IConstruct): void;
  /** Delivers the ServiceAccount; returns the file it is written to, if any. */
  deliver(request: DeliveryRequest): string | undefined;
}

/** Applied by the cluster's kubectl provider, in the one manifest resource of the cluster and stack. */
export const KUBECTL: DeliveryStrategy = {
  writesLiteralRoleArn: false,
  leftToOthers: false,
  check: (cluster, scope) => {
    if (!cluster.manifests) {
      fail(`ManifestDelivery.kubectl() needs a cluster that can apply manifests, and ${q(cluster.clusterName)} cannot (an imported cluster `
        + 'without a kubectl provider or role, or one known only by its attributes). Use ManifestDelivery.gitOps() or ManifestDelivery.none().', scope);
    }
  },
  deliver: (request) => {
    const batch = ManifestBatch.of(request.scope, request.cluster.manifests!, request.overwrite);
    if (request.createNamespace) {
      batch.createNamespace(request.namespace);
    }
    batch.add(request.manifest);
    return undefined;
  },
};

/** Written to the YAML file of the cluster and stack in the cloud assembly. */
export const GITOPS: DeliveryStrategy = {
  writesLiteralRoleArn: true,
  leftToOthers: false,
  check: () => undefined,
  deliver: (request) => {
    const file = GitOpsFile.of(request.scope, request.cluster);
    if (request.createNamespace) {
      file.createNamespace(request.namespace);
    }
    file.add(request.manifest);
    return file.fileName;
  },
};

/** Not delivered: another tool creates the ServiceAccount. */
export const NONE: DeliveryStrategy = {
  writesLiteralRoleArn: false,
  leftToOthers: true,
  check: () => undefined,
  deliver: () => undefined,
};
