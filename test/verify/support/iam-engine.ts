/**
 * Typed access to the independent IAM engine (./iam-engine-core.cjs: @cloud-copilot/iam-simulate's core
 * `authorize()` in mode Strict), and the shape of the requests STS makes of IAM.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine: { loadTrustPolicy(document: any): unknown; evaluateTrust(policy: unknown, request: AssumeRequest): Decision } = require('./iam-engine-core.cjs');

export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';

/** `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`. */
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** A request to assume a role, as STS puts it to IAM. */
export interface AssumeRequest {
  /** The caller: for web identity, the ARN of the IAM OIDC provider that matched the token's `iss`. */
  readonly principal: string;
  readonly action: string;
  /** The role being assumed. */
  readonly roleArn: string;
  /** Request context keys, such as `<issuer>:sub`. */
  readonly context: Record<string, string | string[]>;
}

/** A trust policy loaded once, to evaluate many requests against. */
export class TrustPolicyEvaluator {
  private readonly policy: unknown;

  constructor(public readonly document: any) {
    this.policy = engine.loadTrustPolicy(document);
  }

  public evaluate(request: AssumeRequest): Decision {
    return engine.evaluateTrust(this.policy, request);
  }
}

/** Claims of a projected service account token, as far as trust policies see them. */
export interface WebIdentityClaims {
  /** The issuer's host and path, without `https://`. */
  readonly issuer: string;
  readonly sub: string;
  /** Left out: a token without `aud`. */
  readonly aud?: string;
}

/**
 * The request STS makes of IAM for AssumeRoleWithWebIdentity: principal is the provider for the
 * token's issuer, and the token's claims become `<issuer>:sub` and `<issuer>:aud`.
 */
export function webIdentityRequest(providerArn: string, roleArn: string, claims: WebIdentityClaims, action = WEB_IDENTITY_ACTION): AssumeRequest {
  const context: Record<string, string> = { [`${claims.issuer}:sub`]: claims.sub };
  if (claims.aud !== undefined) {
    context[`${claims.issuer}:aud`] = claims.aud;
  }
  return { principal: providerArn, action, roleArn, context };
}

/** The IAM OIDC provider ARN for an issuer (host and path). */
export function providerArnFor(issuer: string, account = '123456789012', partition = 'aws'): string {
  return `arn:${partition}:iam::${account}:oidc-provider/${issuer}`;
}
