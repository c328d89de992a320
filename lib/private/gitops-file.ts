import * as fs from 'fs';
import * as path from 'path';
import { Annotations, attachCustomSynthesis, ISynthesisSession, Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { isNamespace, namespaceObject } from './kubernetes-objects';
import { toYamlDocuments } from './yaml';

const WRITER_ID = 'IrsaGitOpsManifest';

/**
 * The YAML file of one stack's service accounts for a GitOps tool, written into the cloud
 * assembly at synth. Nothing is added to the template.
 */
export class GitOpsFile extends Construct {
  /** The file of the stack of `scope`, created on first use. */
  public static of(scope: IConstruct): GitOpsFile {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(WRITER_ID) as GitOpsFile | undefined) ?? new GitOpsFile(stack, WRITER_ID);
  }

  /** The file's name, relative to the cloud assembly directory. */
  public readonly fileName: string;

  private readonly objects: any[] = [];

  private constructor(stack: Stack, id: string) {
    super(stack, id);
    this.fileName = `${stack.artifactId}.service-accounts.yaml`;
    Annotations.of(stack).addInfo(`cdk-irsa: Kubernetes ServiceAccounts for GitOps are written to ${this.fileName} in the cloud assembly directory.`);
    attachCustomSynthesis(this, {
      onSynthesize: (session: ISynthesisSession) => {
        const yaml = toYamlDocuments(this.objects, `the GitOps manifest of stack ${stack.stackName}`);
        fs.writeFileSync(path.join(session.outdir, this.fileName), yaml);
      },
    });
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
