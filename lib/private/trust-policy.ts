import { Annotations, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ServiceAccountSubject } from '../service-account-subject';
import { fail } from './errors';
import { MAX_ROLE_NAME_LENGTH, MAX_ROLE_PATH_LENGTH } from './iam-names';
import { MAX_LABEL_LENGTH, MAX_SUBDOMAIN_LENGTH } from './kubernetes-names';
import { PodIdentityPin, podIdentityStatements } from './pod-identity-trust';
import { LONGEST_DOMAIN_SUFFIX, LONGEST_PARTITION, LONGEST_REGION, partitionOf, partitionOfRegion, PSEUDO_PARAMETER_BOUNDS, regionFacts } from './regions';

/** The action that web-identity (IRSA) trust allows. */
export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';

/** IAM's policy language version. */
export const POLICY_VERSION = '2012-10-17';

/** One provider and audience with the service accounts it trusts. */
export interface WebIdentityTrust {
  readonly provider: iam.IOpenIdConnectProvider;
  readonly audience: string;
  readonly subjects: ServiceAccountSubject[];
}

/** How to write a provider's ARN and issuer into a statement. */
export interface ProviderValues {
  arn(provider: iam.IOpenIdConnectProvider): string;
  issuer(provider: iam.IOpenIdConnectProvider): string;
}

const AS_GIVEN: ProviderValues = {
  arn: (p) => p.openIdConnectProviderArn,
  issuer: (p) => p.openIdConnectProviderIssuer,
};

/**
 * Providers' ARNs written literally where the template has a token (a provider made in the app)
 * but the ARN follows from literal parts: IAM names a provider `arn:<partition>:iam::<account>:
 * oidc-provider/<issuer>`, in the account of the role that trusts it. For readers of the document
 * who cannot resolve a reference, such as aws-cdk-lib's report of pre-created roles.
 */
export function literalProviderValues(roleStack: Stack): ProviderValues {
  const partition = partitionOf(roleStack);
  const literal = partition !== undefined && !Token.isUnresolved(roleStack.account);
  return {
    arn: (p) => !Token.isUnresolved(p.openIdConnectProviderArn) || !literal || Token.isUnresolved(p.openIdConnectProviderIssuer)
      ? p.openIdConnectProviderArn
      : `arn:${partition}:iam::${roleStack.account}:oidc-provider/${p.openIdConnectProviderIssuer}`,
    issuer: (p) => p.openIdConnectProviderIssuer,
  };
}

/**
 * The statements for a role's web-identity trust, compact: per provider and audience, one
 * statement with every exact subject in one `StringEquals` list and one statement with
 * every pattern in one `StringLike` list; `aud` is pinned in both.
 */
export function webIdentityStatements(trusts: WebIdentityTrust[], values: ProviderValues = AS_GIVEN): any[] {
  const statements: any[] = [];
  for (const trust of trusts) {
    const issuer = values.issuer(trust.provider);
    const exact = trust.subjects.filter((s) => !s.isPattern).map((s) => s.claim);
    const patterns = trust.subjects.filter((s) => s.isPattern).map((s) => s.claim);
    const statement = (condition: any) => ({
      Effect: 'Allow',
      Principal: { Federated: values.arn(trust.provider) },
      Action: WEB_IDENTITY_ACTION,
      Condition: condition,
    });
    const aud = { [`${issuer}:aud`]: trust.audience };
    if (exact.length > 0) {
      statements.push(statement({ StringEquals: { [`${issuer}:sub`]: oneOrList(exact), ...aud } }));
    }
    if (patterns.length > 0) {
      statements.push(statement({ StringEquals: aud, StringLike: { [`${issuer}:sub`]: oneOrList(patterns) } }));
    }
  }
  return statements;
}

function oneOrList(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

/**
 * Whether any condition key holds a token: the issuer of a provider known only at deploy.
 * Such keys cannot stand as object keys in a template.
 */
export function hasTokenIssuer(trusts: WebIdentityTrust[]): boolean {
  return trusts.some((t) => isTokenIssuer(t.provider.openIdConnectProviderIssuer));
}

/** Answers for issuers seen: every role of a cluster asks about the same one, on each render. */
const tokenIssuers = new Map<string, boolean>();
const MAX_TOKEN_ISSUERS = 1_000;

function isTokenIssuer(issuer: string): boolean {
  let answer = tokenIssuers.get(issuer);
  if (answer === undefined) {
    answer = Token.isUnresolved(issuer);
    if (tokenIssuers.size >= MAX_TOKEN_ISSUERS) {
      tokenIssuers.clear();
    }
    tokenIssuers.set(issuer, answer);
  }
  return answer;
}

/* ---------------------------------------------------------------------------------------------
 * Size: IAM counts a trust policy's characters without white space, against the account's
 * ACLSizePerRole quota (2,048 by default). For literal values we measure exactly. A token is
 * measured at the longest value it can take:
 * - an EKS issuer is `oidc.eks.<region>.<domain suffix>/id/<32 hex>`; with a literal region
 *   (from the issuer or the stack) that is exact, otherwise the longest region name and domain
 *   suffix that aws-cdk-lib's region table knows are assumed;
 * - a provider ARN is `arn:<partition>:iam::<12 digits>:oidc-provider/<issuer>`, with the
 *   partition of the region where known and the longest partition otherwise;
 * - an EKS cluster ARN (a Pod Identity pin) is `arn:<partition>:eks:<region>:<12 digits>:cluster/<name>`,
 *   with a name of at most 100 characters, the longest region and the partition of the stack's
 *   region where known; a namespace or service account name of a pin counts as the longest
 *   Kubernetes allows (63, 253);
 * - in other statements, a token that resolves to a literal counts as that literal, a pseudo
 *   parameter as its longest value, the ARN of an IAM role of the app as its longest form;
 * - any other token (a namespace or audience from a parameter, say) counts as 255 characters:
 *   an estimate, not a bound (an ARN imported from elsewhere can be longer).
 * ------------------------------------------------------------------------------------------- */

const EKS_ID_LENGTH = 32;
const OTHER_TOKEN_BOUND = 255;
/** EKS cluster names have 1 to 100 characters. */
const MAX_CLUSTER_NAME_LENGTH = 100;
const STRING_TOKEN = /\$\{Token\[[^\]]+\]\}/g;

/** The region named by a literal EKS issuer (`oidc.eks.<region>.…`), if any. */
function regionOfIssuer(issuer: string): string | undefined {
  if (Token.isUnresolved(issuer)) {
    return undefined;
  }
  return /^oidc\.eks\.([a-z0-9-]+)\./.exec(issuer)?.[1];
}

/** Stand-in values as long as the longest value each token can take. */
function longestValues(stackRegion: string | undefined): ProviderValues {
  const region = regionFacts(stackRegion);
  const issuerLength = region?.domainSuffix
    ? `oidc.eks.${stackRegion}.${region.domainSuffix}/id/`.length + EKS_ID_LENGTH
    : 'oidc.eks.'.length + LONGEST_REGION + '.'.length + LONGEST_DOMAIN_SUFFIX + '/id/'.length + EKS_ID_LENGTH;
  const issuer = (p: iam.IOpenIdConnectProvider) =>
    Token.isUnresolved(p.openIdConnectProviderIssuer) ? 'i'.repeat(issuerLength) : p.openIdConnectProviderIssuer;
  const arn = (p: iam.IOpenIdConnectProvider) => {
    if (!Token.isUnresolved(p.openIdConnectProviderArn)) {
      return p.openIdConnectProviderArn;
    }
    const issuerRegion = regionOfIssuer(p.openIdConnectProviderIssuer);
    const partition = partitionOfRegion(issuerRegion) ?? region?.partition;
    const partitionLength = partition?.length ?? LONGEST_PARTITION;
    return `arn:${'p'.repeat(partitionLength)}:iam::123456789012:oidc-provider/${issuer(p)}`;
  };
  return { arn, issuer };
}

/**
 * Pod Identity pins with each token replaced by a stand-in as long as the longest value it can
 * take; distinct tokens get distinct stand-ins, so that pins are grouped as they will be.
 */
function longestPins(pins: PodIdentityPin[], stackRegion: string | undefined): PodIdentityPin[] {
  const partition = partitionOfRegion(stackRegion);
  const arnLength = `arn:${'p'.repeat(partition?.length ?? LONGEST_PARTITION)}:eks:${'r'.repeat(LONGEST_REGION)}:123456789012:cluster/`.length
    + MAX_CLUSTER_NAME_LENGTH;
  const standIns = new Map<string, string>();
  const bound = (value: string | undefined, length: number) => {
    if (value === undefined || !Token.isUnresolved(value)) {
      return value;
    }
    if (!standIns.has(value)) {
      standIns.set(value, `${standIns.size}`.padEnd(length, 'x'));
    }
    return standIns.get(value);
  };
  return pins.map((pin) => ({
    clusterArn: bound(pin.clusterArn, arnLength),
    namespace: bound(pin.namespace, MAX_LABEL_LENGTH),
    serviceAccount: bound(pin.serviceAccount, MAX_SUBDOMAIN_LENGTH),
  }));
}

/**
 * A token of a hand-added statement as long as its longest value: its literal, a pseudo
 * parameter's bound, the longest ARN of an IAM role of the app, or else 255 (an estimate).
 */
function boundToken(stack: Stack, token: string): string {
  const roleArn = longestRoleArn(stack, token);
  if (roleArn !== undefined) {
    return 'x'.repeat(roleArn);
  }
  const resolved = stack.resolve(token);
  if (typeof resolved === 'string' && !Token.isUnresolved(resolved)) {
    return resolved;
  }
  const pseudo = resolved && typeof resolved === 'object' && 'Ref' in resolved ? PSEUDO_PARAMETER_BOUNDS[resolved.Ref] : undefined;
  return 'x'.repeat(pseudo ?? OTHER_TOKEN_BOUND);
}

/** The IAM role of the app whose `Arn` attribute a token is, if it is one. */
function roleOfArnToken(stack: Stack, token: string): iam.CfnRole | undefined {
  const tokens = Tokenization.reverseString(token);
  const ref = tokens.firstToken;
  if (tokens.length === 1 && ref instanceof Reference && ref.target instanceof iam.CfnRole && ref.displayName === 'Arn') {
    return ref.target;
  }
  // iam.Role's roleArn is a lazy value that resolves to the attribute in its own stack.
  const resolved = stack.resolve(token);
  const getAtt = resolved && typeof resolved === 'object' ? resolved['Fn::GetAtt'] : undefined;
  if (!Array.isArray(getAtt) || getAtt[1] !== 'Arn') {
    return undefined;
  }
  return stack.node.findAll().find((c): c is iam.CfnRole =>
    c instanceof iam.CfnRole && Stack.of(c) === stack && stack.resolve(c.logicalId) === getAtt[0]);
}

/** IAM role paths have at most 512 characters, role names at most 64. */

/**
 * The length of the longest value of a token that is the `Arn` attribute of an IAM role of the
 * app, alone: `arn:<partition>:iam::<12 digits>:role<path><name>`, with the role's literal path
 * and name where it has them, else IAM's longest. `undefined` for any other token.
 */
function longestRoleArn(stack: Stack, token: string): number | undefined {
  const role = roleOfArnToken(stack, token);
  if (!role) {
    return undefined;
  }
  const roleStack = Stack.of(role);
  const region = !Token.isUnresolved(roleStack.region) ? roleStack.region : !Token.isUnresolved(stack.region) ? stack.region : undefined;
  const partition = partitionOfRegion(region);
  const path = role.path === undefined ? 1 : Token.isUnresolved(role.path) ? MAX_ROLE_PATH_LENGTH : role.path.length;
  const name = role.roleName === undefined || Token.isUnresolved(role.roleName) ? MAX_ROLE_NAME_LENGTH : role.roleName.length;
  return `arn:${'p'.repeat(partition?.length ?? LONGEST_PARTITION)}:iam::123456789012:role`.length + path + name;
}

/** Characters of a JSON text as IAM counts them: white space is not counted. */
export function iamLength(json: string): number {
  return json.replace(/\s/g, '').length;
}

/**
 * The largest size the trust policy can have once deployed.
 *
 * @param stack the role's stack (its region, literal or a token, narrows the bounds)
 * @param trusts the web-identity trusts, measured with the bounds above
 * @param pins the Pod Identity pins, measured with the bounds above
 * @param otherStatements further statements, in their JSON form before resolution (tokens as strings)
 */
export function trustPolicySize(stack: Stack, trusts: WebIdentityTrust[], pins: PodIdentityPin[], otherStatements: any[]): number {
  const region = stack.region;
  const others = otherStatements.length === 0 ? []
    : JSON.parse(JSON.stringify(otherStatements).replace(STRING_TOKEN, (token) => boundToken(stack, token)));
  const document = {
    Version: POLICY_VERSION,
    Statement: [
      ...webIdentityStatements(trusts, longestValues(region)),
      ...(pins.length === 0 ? [] : podIdentityStatements(longestPins(pins, region))),
      ...others,
    ],
  };
  const json = JSON.stringify(document).replace(STRING_TOKEN, 'x'.repeat(OTHER_TOKEN_BOUND));
  return iamLength(json);
}

/** The account of a provider, where known at synth: from a literal ARN, else from its stack. */
function providerAccount(provider: iam.IOpenIdConnectProvider): string | undefined {
  const arn = provider.openIdConnectProviderArn;
  const account = Token.isUnresolved(arn) ? Stack.of(provider).account : /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1];
  return account === undefined || Token.isUnresolved(account) ? undefined : account;
}

/**
 * Refuses web-identity trust of a role through a provider of another account: STS accepts a
 * token only through the provider of the role's own account, so the role could never be assumed.
 */
export function checkProviderAccount(role: iam.IRole, provider: iam.IOpenIdConnectProvider): void {
  const roleAccount = Token.isUnresolved(role.env.account) ? undefined : role.env.account;
  const account = providerAccount(provider);
  if (roleAccount === undefined && account !== undefined) {
    // An environment-agnostic role: it works only where it is deployed to the provider's account.
    Annotations.of(role).addWarningV2('cdk-irsa:providerAccountUnknown', `the role ${role.node.path} is in an environment-agnostic stack, `
      + `and the OIDC provider ${provider.node.path} it trusts is in account ${account}: STS accepts a token only through a provider of the `
      + `role's own account, so the role can be assumed only if its stack deploys to ${account}. Give the stack env: { account: '${account}' }.`);
    return;
  }
  if (roleAccount === undefined || account === undefined || roleAccount === account) {
    return;
  }
  fail(`the role ${role.node.path} is in account ${roleAccount}, but the OIDC provider ${provider.node.path} it would trust is in account ${account}: `
    + `STS in ${roleAccount} accepts a service account's token only through an OIDC provider of ${roleAccount}, so the role could never be assumed. `
    + `Register the cluster's issuer in ${roleAccount}: IrsaCluster.fromAttributes({ clusterName, issuerUrl }) with the literal issuer URL creates `
    + `(or reuses) the provider there, or pass openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn() of the provider that ${roleAccount} has.`);
}
