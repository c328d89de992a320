/**
 * Every use cdk-irsa makes of what aws-cdk-lib does not offer as public API, in one place.
 *
 * Each function here is covered by `test/aws-cdk-lib-internals.test.ts`, which runs in the `unit`
 * and `floor` projects, so on both ends of the supported aws-cdk-lib range, and fails when
 * aws-cdk-lib changes what is relied on. Nothing outside this module reads a private member of
 * aws-cdk-lib or an ID it gives its own children.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * The IDs under an aws-eks / aws-eks-v2 `Cluster` of the OIDC provider that it creates when
 * `cluster.openIdConnectProvider` is first read: native (`OidcProviderNative`, with the feature
 * flag `@aws-cdk/aws-eks:useNativeOidcProvider`, and in aws-eks-v2) or Lambda-backed.
 */
export const EKS_CLUSTER_PROVIDER_IDS = ['OidcProviderNative', 'OpenIdConnectProvider'];

/** aws-cdk-lib's prefix of the label that `kubectl apply --prune` selects a manifest's objects by. */
const PRUNE_LABEL_PREFIX = 'aws.cdk.eks/prune-';

/**
 * One resource's CloudFormation rendering with its overrides applied, resolved: `{ Type,
 * Properties, ... }`. aws-cdk-lib offers no public way to render one resource; `_toCloudFormation`
 * is the method it calls to write the template. `undefined` if that method is gone.
 */
export function renderedResource(resource: CfnResource): any | undefined {
  const render = (resource as any)._toCloudFormation;
  if (typeof render !== 'function') {
    return undefined;
  }
  const resources = Stack.of(resource).resolve(render.call(resource))?.Resources;
  const entries = resources && typeof resources === 'object' ? Object.values<any>(resources) : [];
  return entries.length === 1 ? entries[0] : undefined;
}

/**
 * The raw overrides of a resource (`addOverride`, `addPropertyOverride`, their deletion forms), as
 * aws-cdk-lib keeps them in the private field `rawOverrides`: a tree with CloudFormation names, a
 * deletion being a key whose value is `undefined`. `{}` if there are none or the field is gone.
 */
export function rawOverridesOf(resource: CfnResource): any {
  const overrides = (resource as any).rawOverrides;
  return overrides !== null && typeof overrides === 'object' ? overrides : {};
}

/** The OIDC provider that an aws-eks / aws-eks-v2 cluster of this app has made for itself, if it has. */
export function eksClusterOwnProvider(cluster: IConstruct): IConstruct | undefined {
  for (const id of EKS_CLUSTER_PROVIDER_IDS) {
    const child = cluster.node.tryFindChild(id);
    if (child) {
      return child;
    }
  }
  return undefined;
}

/**
 * Makes an aws-eks / aws-eks-v2 cluster use `provider` as its `openIdConnectProvider`: aws-cdk-lib
 * creates its provider on first read of that property and caches it in the private field
 * `_openIdConnectProvider`; set first, the cluster returns this one instead of creating a duplicate.
 */
export function useAsEksClusterProvider(cluster: IConstruct, provider: iam.IOpenIdConnectProvider): void {
  (cluster as any)._openIdConnectProvider = provider;
}

/**
 * The label that an aws-eks / aws-eks-v2 cluster with `prune` selects the objects of one manifest
 * resource by: aws-cdk-lib adds it to the objects of manifests it builds, and passes it to its
 * kubectl handler as `PruneLabel`; objects of a manifest cdk-irsa builds must carry it too.
 */
export function kubectlPruneLabel(manifest: IConstruct): string {
  return `${PRUNE_LABEL_PREFIX}${manifest.node.addr}`;
}

/**
 * Adds an audience to the client IDs of an OIDC provider that aws-cdk-lib made natively
 * (`iam.OidcProviderNative`, whose L1 is an `iam.CfnOIDCProvider` with a literal list), by
 * replacing the list on that L1. Returns whether the provider is such a one.
 */
export function addClientIdToNativeProvider(provider: IConstruct, audience: string): boolean {
  const resource = provider.node.defaultChild;
  if (!(resource instanceof iam.CfnOIDCProvider) || !Array.isArray(resource.clientIdList)) {
    return false;
  }
  if (!resource.clientIdList.includes(audience)) {
    resource.clientIdList = [...resource.clientIdList, audience];
  }
  return true;
}

/**
 * Makes `stack` depend on `target`: `addStackDependency` where aws-cdk-lib has it (2.241 and
 * later; `addDependency` is deprecated there), `addDependency` before.
 */
export function addStackDependency(stack: Stack, target: Stack, reason: string): void {
  const modern = (stack as any).addStackDependency;
  if (typeof modern === 'function') {
    modern.call(stack, target, reason);
  } else {
    stack.addDependency(target, reason);
  }
}

/**
 * Marks an error the way aws-cdk-lib marks its own `ValidationError` (whose class is internal), so
 * that `Errors.isValidationError(error)` is true for it: aws-cdk-lib recognises its construct and
 * validation errors by two global symbols.
 */
export function markAsValidationError(error: Error): void {
  for (const key of ['@aws-cdk/core.SynthesisError', '@aws-cdk/core.ValidationError']) {
    Object.defineProperty(error, Symbol.for(key), { value: true });
  }
}
