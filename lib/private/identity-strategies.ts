import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { IdentityType } from '../identity-type';
import { IrsaServiceAccountProps, PodIdentityOptions } from '../irsa-service-account-options';
import { ClusterAdapter } from './cluster-adapter';
import { checkedFor, fail, q } from './errors';
import { validateSessionPolicy, validateTags, validateTargetRoleArn } from './input-checks';
import { givenOptions } from './service-account-checks';

/** What one way of getting credentials (an `IdentityType`) needs from the service account. */
export interface IdentityStrategy {
  /**
   * Whether pods get credentials through IRSA: the ServiceAccount carries the role annotation
   * and an EKS add-on gets the role as `serviceAccountRoleArn`.
   */
  readonly annotates: boolean;
  /** Whether pods get credentials through EKS Pod Identity: an association of the service account with the role. */
  readonly associates: boolean;
  /** Whether the role trusts the cluster's OIDC provider (IRSA, or IRSA kept for one more deploy). */
  trustsProvider(podIdentity: PodIdentityOptions): boolean;
  /** Refuses options that do not apply to this identity type, or that it cannot honour on this cluster. */
  check(props: IrsaServiceAccountProps, podIdentity: PodIdentityOptions, cluster: ClusterAdapter, scope: IConstruct): void;
}

const IRSA: IdentityStrategy = {
  annotates: true,
  associates: false,
  trustsProvider: () => true,
  check: (props, podIdentity, _cluster, scope) => {
    const podIdentityGiven = givenOptions(podIdentity);
    if (podIdentityGiven.length > 0) {
      fail(`podIdentity (${podIdentityGiven.join(', ')}) is given, but identityType is `
        + `${props.identityType === undefined ? 'left out (IdentityType.IRSA)' : 'IdentityType.IRSA'}: its options apply to EKS Pod Identity only. `
        + 'Set identityType to IdentityType.POD_IDENTITY or IdentityType.IRSA_AND_POD_IDENTITY, or leave podIdentity out.', scope);
    }
  },
};

const POD_IDENTITY: IdentityStrategy = {
  annotates: false,
  associates: true,
  trustsProvider: (podIdentity) => podIdentity.retainIrsaTrust === true,
  check: (props, podIdentity, cluster, scope) => {
    checkPodIdentity(podIdentity, cluster, scope, () => {
      if (props.audience !== undefined && !podIdentity.retainIrsaTrust) {
        fail('audience applies to IAM roles for service accounts (the projected token); EKS Pod Identity has none. Leave it out.', scope);
      }
    });
  },
};

const IRSA_AND_POD_IDENTITY: IdentityStrategy = {
  annotates: true,
  associates: true,
  trustsProvider: () => true,
  check: (_props, podIdentity, cluster, scope) => {
    checkPodIdentity(podIdentity, cluster, scope, () => {
      if (podIdentity.retainIrsaTrust !== undefined) {
        fail('podIdentity.retainIrsaTrust is for IdentityType.POD_IDENTITY, the step after IRSA_AND_POD_IDENTITY in a migration; '
          + 'the other identity types trust IRSA anyway.', scope);
      }
    });
  },
};

const STRATEGIES: { [type: string]: IdentityStrategy } = {
  [IdentityType.IRSA]: IRSA,
  [IdentityType.POD_IDENTITY]: POD_IDENTITY,
  [IdentityType.IRSA_AND_POD_IDENTITY]: IRSA_AND_POD_IDENTITY,
};

/** The strategy of an identity type, refusing a value that is none (from JavaScript, a typo in a string). */
export function identityStrategy(type: IdentityType, scope: IConstruct): IdentityStrategy {
  const strategy = Object.prototype.hasOwnProperty.call(STRATEGIES, type) ? STRATEGIES[type] : undefined;
  if (!strategy) {
    fail(`identityType ${q(type)} is not an IdentityType: use IdentityType.IRSA, IdentityType.POD_IDENTITY or `
      + 'IdentityType.IRSA_AND_POD_IDENTITY (the strings "IRSA", "POD_IDENTITY", "IRSA_AND_POD_IDENTITY"), or leave it out for IRSA.', scope);
  }
  return strategy;
}

/**
 * The checks of every identity type with EKS Pod Identity: the cluster can run it, the association
 * can be made from this stack, and the Pod Identity options fit together. `ownChecks` are those of
 * the identity type, run where they always ran, after the cluster's and before the options'.
 */
function checkPodIdentity(podIdentity: PodIdentityOptions, cluster: ClusterAdapter, scope: IConstruct, ownChecks: () => void): void {
  if (cluster.podIdentityUnavailable) {
    fail(cluster.podIdentityUnavailable, scope);
  }
  const account = Stack.of(scope).account;
  if (cluster.account !== undefined && !Token.isUnresolved(account) && cluster.account !== account) {
    fail(`EKS Pod Identity associations belong to the cluster's account (${cluster.account}), but this service account's stack deploys to `
      + `${account}. Define it in a stack of the cluster's account, and reach ${account} with podIdentity.targetRoleArn (role chaining).`, scope);
  }
  const region = Stack.of(scope).region;
  if (cluster.region !== undefined && !Token.isUnresolved(region) && cluster.region !== region) {
    fail(`EKS Pod Identity associations belong to the cluster's region (${cluster.region}), but this service account's stack deploys to `
      + `${region}. Define it in a stack of the cluster's region.`, scope);
  }
  ownChecks();
  if (podIdentity.targetRoleArn !== undefined) {
    checkedFor(scope, () => validateTargetRoleArn(podIdentity.targetRoleArn!));
  }
  if (podIdentity.associationTags !== undefined) {
    checkedFor(scope, () => validateTags(podIdentity.associationTags!, 'podIdentity.associationTags'));
  }
  if (podIdentity.sessionPolicy) {
    checkedFor(scope, () => validateSessionPolicy(scope, podIdentity.sessionPolicy!));
  }
  if (podIdentity.sessionPolicy && !podIdentity.disableSessionTags) {
    fail('podIdentity.sessionPolicy needs disableSessionTags: true: EKS applies a session policy only to sessions without session tags.', scope);
  }
  if (podIdentity.associatedByEksAddon) {
    // What an EKS add-on's podIdentityAssociations entry cannot carry: it has only the role and the service account.
    const associationOnly = (['targetRoleArn', 'sessionPolicy', 'disableSessionTags', 'associationTags'] as const).filter((o) => podIdentity[o] !== undefined);
    if (associationOnly.length > 0) {
      fail(`podIdentity.${associationOnly.join(', ')} cannot be set with associatedByEksAddon: an EKS add-on's podIdentityAssociations carry `
        + 'only the role and the service account. Leave them out, or let cdk-irsa make the association (associatedByEksAddon: false).', scope);
    }
  }
  if (podIdentity.pinSessionTags === true && podIdentity.disableSessionTags) {
    fail('podIdentity.pinSessionTags cannot work with disableSessionTags: without session tags there is nothing to pin the trust to. '
      + 'Leave pinSessionTags out.', scope);
  }
}
