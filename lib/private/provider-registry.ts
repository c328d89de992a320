import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { ClusterOidcProvider } from '../cluster-oidc-provider';
import { issuerHostPath } from './issuer';

/**
 * IAM holds one OIDC provider per issuer URL per account. This registry makes sure an app
 * creates at most one per issuer and account, and that every stack of that account uses it.
 */
const providersByRoot = new WeakMap<IConstruct, Map<string, ClusterOidcProvider>>();

/** A short, stable hash: construct IDs that must not move when unrelated code changes. */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8).toUpperCase();
}

/**
 * The provider for a literal issuer URL, as seen from `scope`: created in the scope's stack
 * the first time, reused after that, and imported by ARN in other stacks of the same account.
 */
export function providerForIssuer(scope: IConstruct, issuerUrl: string, identity: string): iam.IOpenIdConnectProvider {
  const stack = Stack.of(scope);
  const root = scope.node.root;
  let providers = providersByRoot.get(root);
  if (!providers) {
    providers = new Map();
    providersByRoot.set(root, providers);
  }
  const account = Token.isUnresolved(stack.account) ? '(environment-agnostic)' : stack.account;
  const key = `${account}\n${identity}`;
  const existing = providers.get(key);
  const id = `IrsaOidcProvider${shortHash(identity)}`;
  if (!existing) {
    const created = new ClusterOidcProvider(stack, id, { issuerUrl });
    providers.set(key, created);
    return created;
  }
  const owner = Stack.of(existing);
  if (owner === stack) {
    return existing;
  }
  // Another stack of the same account made it. With a literal account and issuer its ARN is
  // known without a cross-stack reference (which would fail across regions); deploy after it.
  if (!Token.isUnresolved(stack.account) && !Token.isUnresolved(issuerUrl)) {
    const imported = stack.node.tryFindChild(id) as iam.IOpenIdConnectProvider | undefined;
    if (imported) {
      return imported;
    }
    stack.addDependency(owner, 'cdk-irsa: the IAM OIDC provider for this cluster is created there');
    const arn = stack.formatArn({ service: 'iam', region: '', resource: 'oidc-provider', resourceName: issuerHostPath(issuerUrl) });
    return ClusterOidcProvider.fromProviderArn(stack, id, arn);
  }
  return existing;
}
