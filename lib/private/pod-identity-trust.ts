import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail, q } from './errors';
import { matchClusterArn } from './input-checks';
import { validateNamespace, validateServiceAccountName } from './kubernetes-names';

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

/** Whether a pin names the cluster, the namespace and the service account: only then does it admit one service account. */
export function isFullyPinned(pin: PodIdentityPin): boolean {
  return pin.clusterArn !== undefined && pin.namespace !== undefined && pin.serviceAccount !== undefined;
}

/**
 * Refuses pin values that no session tag can equal: under `StringEquals` a `*` or `?` is compared
 * literally and an empty value matches no association, and EKS sends only a cluster ARN and
 * Kubernetes names, so the role would be locked out silently. Tokens are skipped.
 */
export function validatePin(role: IConstruct, pin: PodIdentityPin): void {
  for (const [what, value] of [['clusterArn', pin.clusterArn], ['namespace', pin.namespace], ['serviceAccount', pin.serviceAccount]] as const) {
    if (value === undefined || Token.isUnresolved(value)) {
      continue;
    }
    if (typeof value !== 'string' || value === '' || /[*?]/.test(value)) {
      fail(`Pod Identity trust of ${role.node.path}: ${what} ${q(value)} can never equal the session tag (StringEquals compares "*" and "?" `
        + `literally, and no tag is empty), so no pod could assume the role. Name one ${what === 'clusterArn' ? 'cluster ARN' : what}, `
        + 'or leave it out to admit any.');
    }
    // A value that no session tag of EKS can have locks the role out as well.
    const named = `Pod Identity trust of ${role.node.path}: ${what}`;
    if (what === 'clusterArn') {
      matchClusterArn(value, named);
    } else if (what === 'namespace') {
      validateNamespace(value, named);
    } else {
      validateServiceAccountName(value, named);
    }
  }
}

/**
 * Refuses trust that does not pin all of cluster, namespace and service account beside fully pinned
 * trust on one role: IAM admits an association if any statement matches, so a statement that leaves
 * a tag open (or has no condition at all) admits every association in the account that matches the
 * rest, and the full pins of the others would be void without anyone noticing.
 *
 * @param optIn how to share the role unpinned on purpose, for the message
 */
export function checkPinsNotVoided(role: IConstruct, pins: PodIdentityPin[], optIn: string): void {
  const pinned = pins.filter(isFullyPinned);
  if (pinned.length === 0 || pinned.length === pins.length) {
    return;
  }
  const names = pinned.map((p) => [p.namespace, p.serviceAccount].join('/'));
  const open = pins.filter((p) => !isFullyPinned(p)).map(describePin);
  fail(`the role ${role.node.path} would trust EKS Pod Identity pinned to ${names.join(', ')} and also unpinned or partly pinned (${open.join('; ')}; `
    + 'from podIdentity.pinSessionTags: false, podIdentity.disableSessionTags: true or addPodIdentityTrust() without all of clusterArn, namespace and serviceAccount). '
    + 'Such a statement admits every association in the account that matches the tags it does pin, so the pins of the others would be void. '
    + 'Pin all three, give the service accounts that cannot be pinned a role of their own, or, if the role is '
    + `meant to be shared unpinned, ${optIn}.`);
}

/**
 * The Pod Identity trust that statements of a resolved trust policy give: a pin per statement that
 * lets `pods.eks.amazonaws.com` in, with the session tags it requires under `StringEquals` (a tag
 * required any other way, `StringLike` say, counts as open). For statements that others added to a
 * role, so that a pinned service account cannot be voided by an unpinned statement beside it.
 */
export function podIdentityPinsIn(statements: any[]): PodIdentityPin[] {
  return statements
    .filter((s) => s?.Effect === 'Allow' && [s.Principal?.Service].flat().includes(POD_IDENTITY_PRINCIPAL))
    .flatMap((s): PodIdentityPin[] => {
      const equals = s.Condition?.StringEquals ?? {};
      // A list admits each of its values: one pin per combination.
      const values = (key: string): Array<string | undefined> => {
        const value = equals[key];
        const list = [value].flat().filter((v): v is string => typeof v === 'string');
        return list.length > 0 && list.length === [value].flat().length ? list : [undefined];
      };
      return values(CLUSTER_ARN_TAG).flatMap((clusterArn) => values(NAMESPACE_TAG).flatMap((namespace) =>
        values(SERVICE_ACCOUNT_TAG).map((serviceAccount) => ({ clusterArn, namespace, serviceAccount }))));
    });
}

function describePin(pin: PodIdentityPin): string {
  return isOpen(pin) ? 'no pins' : `only ${[
    pin.clusterArn !== undefined ? 'clusterArn' : undefined,
    pin.namespace !== undefined ? `namespace ${q(pin.namespace)}` : undefined,
    pin.serviceAccount !== undefined ? `serviceAccount ${q(pin.serviceAccount)}` : undefined,
  ].filter((x) => x !== undefined).join(', ')}`;
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
