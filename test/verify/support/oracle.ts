/**
 * The intended set of a role's web-identity trust, written from Kubernetes and IAM semantics,
 * not from cdk-irsa's rendering code (nothing here imports it).
 *
 * - Kubernetes: a projected service account token from cluster C carries `iss` = C's issuer and
 *   `sub` = `system:serviceaccount:<namespace>:<name>`, where the namespace is a DNS-1123 label and
 *   the name a DNS-1123 subdomain (so neither contains ":"), and `aud` = the audience requested.
 * - What the user asked for: "service accounts whose namespace matches N and whose name matches
 *   M" (`exact` = literal N and M, `anyInNamespace` = literal N and `*`, `matching` = patterns),
 *   per provider (cluster) and audience, for `sts:AssumeRoleWithWebIdentity` only.
 * - Pattern language, as IAM's StringLike defines it: `*` any run of characters (also none),
 *   `?` exactly one character, everything else literal and case-sensitive.
 */

/** One service account selector: a namespace and a name, each literal or a pattern. */
export interface IntendedSubject {
  readonly namespace: string;
  readonly name: string;
}

/** Everything one cluster (by issuer) and audience admits. */
export interface IntendedTrust {
  /** The issuer's host and path. */
  readonly issuer: string;
  readonly audience: string;
  readonly subjects: IntendedSubject[];
}

/** A pod's token (or something pretending to be one) asking for the role. */
export interface TokenRequest {
  readonly issuer: string;
  readonly namespace: string;
  readonly name: string;
  /** Undefined: no `aud` claim. */
  readonly audience?: string;
  readonly action: string;
}

/** Glob matching with `*` and `?`, by dynamic programming over both strings. */
export function globMatches(pattern: string, value: string): boolean {
  // reachable[j]: pattern[0..i) can match value[0..j)
  let reachable = new Array<boolean>(value.length + 1).fill(false);
  reachable[0] = true;
  for (const p of pattern) {
    const next = new Array<boolean>(value.length + 1).fill(false);
    if (p === '*') {
      let any = false;
      for (let j = 0; j <= value.length; j++) {
        any = any || reachable[j];
        next[j] = any;
      }
    } else {
      for (let j = 1; j <= value.length; j++) {
        next[j] = reachable[j - 1] && (p === '?' || p === value[j - 1]);
      }
    }
    reachable = next;
  }
  return reachable[value.length];
}

/** Whether the trust, as intended, admits the request. */
export function intended(trusts: IntendedTrust[], request: TokenRequest): boolean {
  if (request.action !== 'sts:AssumeRoleWithWebIdentity' || request.audience === undefined) {
    return false;
  }
  return trusts.some((trust) => trust.issuer === request.issuer
    && trust.audience === request.audience
    && trust.subjects.some((s) => globMatches(s.namespace, request.namespace) && globMatches(s.name, request.name)));
}

/** Kubernetes naming rules (written out here again on purpose, not imported from lib/). */
export function isDns1123Label(value: string): boolean {
  return value.length >= 1 && value.length <= 63 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value);
}

export function isDns1123Subdomain(value: string): boolean {
  return value.length >= 1 && value.length <= 253
    && value.split('.').every((part) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(part));
}

/** The `sub` claim Kubernetes puts into a service account's token. */
export function subjectClaim(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}
