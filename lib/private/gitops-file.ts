import * as fs from 'fs';
import * as path from 'path';
import { Annotations, attachCustomSynthesis, ISynthesisSession, Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { fail, q } from './errors';
import { isNamespace, namespaceObject } from './kubernetes-objects';
import { shortHash } from './provider-registry';
import { literalClusterName } from './stable-logical-ids';
import { toYamlDocuments } from './yaml';

const WRITER_ID = 'IrsaGitOpsManifest';
/** The file of each cluster's folder that holds its objects. */
export const GITOPS_MANIFEST_NAME = 'service-accounts.yaml';
/** The Kustomize file of each cluster's folder, which Argo CD and Flux read when pointed at the folder. */
export const GITOPS_KUSTOMIZATION_NAME = 'kustomization.yaml';

/** What the GitOps output needs to know of a cluster. */
export interface GitOpsCluster {
  readonly clusterName: string;
  /** The name given to a cluster made in the app whose `clusterName` is a token, where known. */
  readonly nameAtSynth?: string;
  /** A string that names the same cluster in every synth. */
  readonly identity: string;
}

/**
 * The GitOps output of one stack, written into the cloud assembly at synth: a folder
 * `<stack artifact ID>.service-accounts/`, and in it one folder per cluster (named after the
 * cluster) holding its objects (`service-accounts.yaml`) and a `kustomization.yaml` listing
 * them, so that Argo CD or Flux can be pointed at the folder of one cluster. Nothing is added to
 * the template.
 */
class GitOpsWriter extends Construct {
  public static of(scope: IConstruct): GitOpsWriter {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(WRITER_ID) as GitOpsWriter | undefined) ?? new GitOpsWriter(stack, WRITER_ID);
  }

  /** The stack's folder, relative to the cloud assembly directory. */
  public readonly directory: string;

  private readonly files = new Map<string, GitOpsFile>();

  private constructor(stack: Stack, id: string) {
    super(stack, id);
    this.directory = `${stack.artifactId}.service-accounts`;
    Annotations.of(stack).addInfo(`cdk-irsa: Kubernetes ServiceAccounts for GitOps are written to ${this.directory}/<cluster>/ in the cloud assembly directory.`);
    attachCustomSynthesis(this, {
      onSynthesize: (session: ISynthesisSession) => {
        for (const [folder, file] of this.files) {
          const yaml = toYamlDocuments(file.objects, `the GitOps manifest of cluster ${q(file.cluster.clusterName)} in stack ${stack.stackName}`);
          const directory = path.join(session.outdir, this.directory, folder);
          fs.mkdirSync(directory, { recursive: true });
          fs.writeFileSync(path.join(directory, GITOPS_MANIFEST_NAME), yaml);
          fs.writeFileSync(path.join(directory, GITOPS_KUSTOMIZATION_NAME), toYamlDocuments([kustomization()], 'the kustomization'));
        }
      },
    });
  }

  /** The file of a cluster: one per cluster, in a folder named after it. */
  public fileOf(cluster: GitOpsCluster, scope: IConstruct): GitOpsFile {
    const folder = folderOf(cluster);
    const existing = this.files.get(folder);
    if (existing && existing.cluster.identity !== cluster.identity) {
      fail(`two clusters of stack ${Stack.of(this).stackName} would share the GitOps folder ${q(`${this.directory}/${folder}`)}: `
        + `${existing.cluster.identity} and ${cluster.identity}. GitOps output is one folder per cluster name in a stack: put the service `
        + 'accounts of clusters that share a name (in other regions or accounts) in separate stacks.', scope);
    }
    // macOS and Windows file systems ignore case: `Prod/` and `prod/` would be one folder there.
    const caseTwin = [...this.files.keys()].find((other) => other !== folder && other.toLowerCase() === folder.toLowerCase());
    if (caseTwin !== undefined) {
      fail(`clusters ${q(caseTwin)} and ${q(folder)} of stack ${Stack.of(this).stackName} would get GitOps folders whose names differ only `
        + 'in case, which are one folder on case-insensitive file systems (macOS, Windows): put their service accounts in separate stacks.', scope);
    }
    const file = existing ?? new GitOpsFile(cluster, `${this.directory}/${folder}/${GITOPS_MANIFEST_NAME}`);
    this.files.set(folder, file);
    return file;
  }
}

/**
 * The YAML file of one cluster's service accounts in one stack, for a GitOps tool.
 */
export class GitOpsFile {
  /** The file of the cluster in the stack of `scope`, created on first use. */
  public static of(scope: IConstruct, cluster: GitOpsCluster): GitOpsFile {
    return GitOpsWriter.of(scope).fileOf(cluster, scope);
  }

  /** The objects of the file, in order. */
  public readonly objects: any[] = [];

  constructor(
    /** The cluster the file is for. */
    public readonly cluster: GitOpsCluster,
    /** The file's name, relative to the cloud assembly directory. */
    public readonly fileName: string) {
  }

  /** Adds a Kubernetes object to the file, after those added before. */
  public add(object: any): void {
    this.objects.push(object);
  }

  /** Adds a Namespace ahead of every ServiceAccount, once. */
  public createNamespace(name: string): void {
    const namespaces = this.objects.filter(isNamespace);
    if (!namespaces.some((n) => n.metadata.name === name)) {
      this.objects.splice(namespaces.length, 0, namespaceObject(name));
    }
  }
}

/** A cluster's folder: its name, or for a name known only at deploy, a name derived from its identity. */
function folderOf(cluster: GitOpsCluster): string {
  return literalClusterName(cluster) ?? `cluster-${shortHash(cluster.identity).toLowerCase()}`;
}

function kustomization(): any {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [GITOPS_MANIFEST_NAME],
  };
}
