import { IConstruct } from 'constructs';
import { fail } from './errors';

/**
 * EKS Pod Identity trust: the EKS Auth service assumes the role for a pod, with session tags
 * that name the cluster, namespace and service account.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
 */

/** The service principal that assumes roles for EKS Pod Identity. */
export const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com';

/** Both actions must be allowed, in one statement, for Pod Identity to work. */
export const POD_IDENTITY_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'];

/** The session tags that Pod Identity sends and that trust can be pinned with. */
export const CLUSTER_ARN_TAG = 'aws:RequestTag/eks-cluster-arn';
export const NAMESPACE_TAG = 'aws:RequestTag/kubernetes-namespace';
export const SERVICE_ACCOUNT_TAG = 'aws:RequestTag/kubernetes-service-account';

/** Which associations may use the role: each given value must match its session tag. */
export interface PodIdentityPin {
  readonly clusterArn?: string;
  readonly namespace?: string;
  readonly serviceAccount?: string;
}

/** Whether a pin requires nothing, so that any association in the account may use the role. */
export function isOpen(pin: PodIdentityPin): boolean {
  return pin.clusterArn === undefined && pin.namespace === undefined && pin.serviceAccount === undefined;
}

/**
 * Refuses unpinned trust beside pinned trust on one role: the unpinned statement admits every
 * association in the account, so the others' pins would be void without anyone noticing.
 *
 * @param optIn how to share the role unpinned on purpose, for the message
 */
export function checkPinsNotVoided(role: IConstruct, pins: PodIdentityPin[], optIn: string): void {
  const pinned = pins.filter((p) => !isOpen(p));
  if (pinned.length === 0 || pinned.length === pins.length) {
    return;
  }
  const names = pinned.map((p) => [p.namespace ?? '*', p.serviceAccount ?? '*'].join('/'));
  fail(`the role ${role.node.path} would trust EKS Pod Identity pinned to ${names.join(', ')} and also unpinned (pinSessionTags: false, `
    + 'disableSessionTags: true or addPodIdentityTrust() without values). An unpinned statement admits every association in the account, '
    + 'so the pins of the others would be void. Give the service accounts that cannot be pinned a role of their own, or, if the role is '
    + `meant to be shared unpinned, ${optIn}.`);
}

/**
 * The trust statements for Pod Identity: one without conditions where any pin is open (it
 * admits everything the others would; allowed beside other pins only on request), otherwise one per cluster and namespace with the
 * service accounts listed.
 */
export function podIdentityStatements(pins: PodIdentityPin[]): any[] {
  if (pins.length === 0) {
    return [];
  }
  const statement = (condition?: any) => ({
    Effect: 'Allow',
    Principal: { Service: POD_IDENTITY_PRINCIPAL },
    Action: POD_IDENTITY_ACTIONS,
    ...(condition ? { Condition: condition } : {}),
  });
  if (pins.some(isOpen)) {
    return [statement()];
  }
  const groups: Array<{ clusterArn?: string; namespace?: string; serviceAccounts: string[] }> = [];
  for (const pin of pins) {
    const bySubject = pin.serviceAccount !== undefined;
    let group = groups.find((g) => g.clusterArn === pin.clusterArn && g.namespace === pin.namespace && (g.serviceAccounts.length > 0) === bySubject);
    if (!group) {
      group = { clusterArn: pin.clusterArn, namespace: pin.namespace, serviceAccounts: [] };
      groups.push(group);
    }
    if (pin.serviceAccount !== undefined) {
      group.serviceAccounts.push(pin.serviceAccount);
    }
  }
  return groups.map((g) => statement({
    StringEquals: {
      ...(g.clusterArn !== undefined ? { [CLUSTER_ARN_TAG]: g.clusterArn } : {}),
      ...(g.namespace !== undefined ? { [NAMESPACE_TAG]: g.namespace } : {}),
      ...(g.serviceAccounts.length > 0 ? { [SERVICE_ACCOUNT_TAG]: g.serviceAccounts.length === 1 ? g.serviceAccounts[0] : g.serviceAccounts } : {}),
    },
  }));
}
