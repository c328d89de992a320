/** A Kubernetes v1 Namespace, labelled as created by cdk-irsa. */
export function namespaceObject(name: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'cdk-irsa' } },
  };
}

/** Whether an object is a Namespace. */
export function isNamespace(object: any): boolean {
  return object?.kind === 'Namespace';
}
