import { CfnElement, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Decision, providerArnFor, TrustPolicyEvaluator, WEB_IDENTITY_ACTION, webIdentityRequest } from './iam-engine';
import { IntrinsicValues, resolvedTrustPolicy, templateValues } from './intrinsics';
import { ACCOUNT, REGION } from './synth';

/** One request of a table, with the decision it must get. */
export interface TrustCase {
  /** What the request is, for failure messages. */
  readonly what: string;
  /** The token's issuer (host and path). */
  readonly issuer: string;
  /** The `sub` claim. */
  readonly sub: string;
  /** The `aud` claim; `null` for a token without one. */
  readonly aud?: string | null;
  readonly action?: string;
  /** The account that registered the issuer as provider (the principal's account). */
  readonly providerAccount?: string;
  readonly expect: 'allow' | 'deny';
}

export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/verify`;

/** The logical ID of a construct's CloudFormation resource (its default child for an L2). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  // element.logicalId honours overrideLogicalId() (cdk-irsa pins its roles' IDs); getLogicalId() would not.
  return Stack.of(construct).resolve(element.logicalId);
}

/** The trust policy of a role in a synthesized template, resolved with CloudFormation's values. */
export function trustPolicyOf(template: any, roleLogicalId: string, given: IntrinsicValues = {}): any {
  return resolvedTrustPolicy(template, roleLogicalId, templateValues(template, { account: ACCOUNT, region: REGION }, given));
}

/** Evaluates every case; returns one line per disagreement (empty when the policy does what the table says). */
export function disagreements(document: any, cases: TrustCase[]): string[] {
  const evaluator = new TrustPolicyEvaluator(document);
  const out: string[] = [];
  for (const c of cases) {
    const decision: Decision = evaluator.evaluate(webIdentityRequest(
      providerArnFor(c.issuer, c.providerAccount ?? ACCOUNT),
      ROLE_ARN,
      { issuer: c.issuer, sub: c.sub, aud: c.aud === null ? undefined : c.aud ?? 'sts.amazonaws.com' },
      c.action ?? WEB_IDENTITY_ACTION,
    ));
    const got = decision === 'Allowed' ? 'allow' : 'deny';
    if (got !== c.expect) {
      out.push(`${c.what}: expected ${c.expect}, engine says ${decision} (sub=${c.sub}, aud=${c.aud}, action=${c.action ?? WEB_IDENTITY_ACTION}, issuer=${c.issuer})`);
    }
  }
  return out;
}

/** One EKS Pod Identity request of a table: EKS Auth assuming the role with the session tags it sends. */
export interface PodIdentityCase {
  readonly what: string;
  /** The session tags sent; undefined for none (an association with disableSessionTags). */
  readonly tags?: Record<string, string>;
  /** The calling service principal. */
  readonly principal?: string;
  readonly expect: 'allow' | 'deny';
}

export const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com';

/** The session tags EKS Pod Identity sends for a pod of a service account. */
export function podIdentityTags(clusterArn: string, namespace: string, serviceAccount: string): Record<string, string> {
  return {
    'eks-cluster-arn': clusterArn,
    'eks-cluster-name': clusterArn.slice(clusterArn.lastIndexOf('/') + 1),
    'kubernetes-namespace': namespace,
    'kubernetes-service-account': serviceAccount,
    'kubernetes-pod-name': `${serviceAccount}-0`,
    'kubernetes-pod-uid': '0b6f3c2e-9d1a-4c7b-8e55-3f0d2a1b9c77',
  };
}

/**
 * Evaluates Pod Identity requests: EKS Auth calls sts:AssumeRole with session tags, which also
 * needs sts:TagSession, so a request is allowed only if both actions are.
 */
export function podIdentityDisagreements(document: any, cases: PodIdentityCase[]): string[] {
  const evaluator = new TrustPolicyEvaluator(document);
  const out: string[] = [];
  for (const c of cases) {
    const context: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(c.tags ?? {})) {
      context[`aws:RequestTag/${key}`] = value;
    }
    if (c.tags) {
      context['aws:TagKeys'] = Object.keys(c.tags);
    }
    const actions = c.tags ? ['sts:AssumeRole', 'sts:TagSession'] : ['sts:AssumeRole'];
    const principal = c.principal ?? POD_IDENTITY_PRINCIPAL;
    const decisions = actions.map((action) => evaluator.evaluate({ principal, action, roleArn: ROLE_ARN, context }));
    const got = decisions.every((d) => d === 'Allowed') ? 'allow' : 'deny';
    if (got !== c.expect) {
      out.push(`${c.what}: expected ${c.expect}, engine says ${actions.map((a, i) => `${a}=${decisions[i]}`).join(', ')}`);
    }
  }
  return out;
}
