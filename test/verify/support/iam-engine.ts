/**
 * The independent IAM engine: `@cloud-copilot/iam-simulate`'s core `authorize()` (AGPL-3.0,
 * devDependency only, pinned exactly), in mode Strict.
 *
 * Why the core engine and not `runSimulation()`: the public entry point drops context keys it
 * does not know, which includes every `<issuer>:sub` / `<issuer>:aud` key of EKS, so every web
 * identity request would come out denied. The core engine takes the request context as given.
 * The package's `exports` map only exposes its index, so the files are loaded by path.
 */
import * as path from 'path';
import { loadPolicy } from '@cloud-copilot/iam-policy';

const base = path.dirname(require.resolve('@cloud-copilot/iam-simulate'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { authorize } = require(path.join(base, 'core_engine', 'CoreSimulatorEngine.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AwsRequestImpl } = require(path.join(base, 'request', 'request.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RequestContextImpl } = require(path.join(base, 'requestContext.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DiscoveryContextKeyConstraints } = require(path.join(base, 'context_keys', 'discoveryContextKeyConstraints.js'));

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
    this.policy = loadPolicy(document, { name: 'TrustPolicy' });
  }

  public evaluate(request: AssumeRequest): Decision {
    const account = /^arn:[^:]+:iam::(\d{12}):/.exec(request.roleArn)?.[1] ?? '123456789012';
    const analysis = authorize({
      request: new AwsRequestImpl(request.principal, { resource: request.roleArn, accountId: account }, request.action,
        new RequestContextImpl(request.context), false),
      sessionPolicy: undefined,
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: this.policy,
      permissionBoundaries: undefined,
      vpcEndpointPolicies: undefined,
      simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    });
    return analysis.result as Decision;
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
