import { Construct } from 'constructs';
import { IrsaCluster } from '../irsa-cluster';
import type { IrsaServiceAccountProps } from '../irsa-service-account-options';
import { ManifestDelivery } from '../manifest-delivery';
import { eksModuleOf, FACTORY_OF } from './eks-cluster-kind';
import { fail } from './errors';
import {
  optionalBoolean, optionalDuration, optionalInstance, optionalObject, optionalString, requireObjectWith, requireString,
} from './type-checks';

/**
 * Types that a JavaScript caller can get wrong and that would fail later with a TypeError or no
 * manifest at all; the ServiceAccountManifest checks the types of the manifest's options.
 */
export function checkPropTypes(props: IrsaServiceAccountProps): void {
  const module = props.cluster instanceof IrsaCluster ? undefined : eksModuleOf(props.cluster);
  if (module !== undefined) {
    fail(`cluster is an ${module} cluster (${(props.cluster as unknown as Construct).node.path}), not an IrsaCluster: `
      + `give IrsaCluster.${FACTORY_OF[module]}(cluster).`);
  }
  optionalInstance(props.cluster, IrsaCluster, 'cluster', 'an IrsaCluster, for example IrsaCluster.fromAttributes({ clusterName, issuerUrl })');
  requireString(props.name, 'name', 'a string, the name of the Kubernetes ServiceAccount');
  optionalString(props.namespace, 'namespace', 'a string, the namespace of the ServiceAccount');
  optionalInstance(props.manifestDelivery, ManifestDelivery, 'manifestDelivery',
    'a ManifestDelivery, for example ManifestDelivery.gitOps()');
  if (props.role !== undefined) {
    requireObjectWith(props.role, ['roleArn', 'assumeRoleAction', 'grantPrincipal'], 'role', 'an iam.IRole, for example '
      + 'iam.Role.fromRoleArn(this, "Role", "arn:aws:iam::123456789012:role/api"). Leave it out to have a role created');
  }
  optionalDuration(props.tokenExpiration, 'tokenExpiration', 'Duration.hours(12)');
  optionalString(props.audience, 'audience', 'a string, for example "sts.amazonaws.com"');
  optionalObject(props.roleOptions, 'roleOptions', 'an IrsaRoleOptions struct, for example { roleName: "api" }');
  const podIdentity = optionalObject(props.podIdentity, 'podIdentity', 'a PodIdentityOptions struct, for example { pinSessionTags: false }') ?? {};
  // A string "false" is truthy: it would switch the option on.
  for (const option of ['createNamespace', 'overwriteServiceAccount', 'auditTags'] as const) {
    optionalBoolean(props[option], option);
  }
  for (const option of ['pinSessionTags', 'disableSessionTags', 'retainIrsaTrust', 'associatedByEksAddon'] as const) {
    optionalBoolean(podIdentity[option], `podIdentity.${option}`);
  }
}

/** The options of a struct that are set, in the order given: what a message names. */
export function givenOptions(struct: object | undefined): string[] {
  return Object.entries(struct ?? {}).filter(([, value]) => value !== undefined).map(([option]) => option);
}
