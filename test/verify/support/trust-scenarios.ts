/**
 * Random trust scenarios for the property-based check: clusters (issuers, in the ways the public
 * API accepts them), trusts (cluster, audience, subjects) and requests (tokens, some from those
 * clusters and service accounts, many near misses).
 */
import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as fc from 'fast-check';
import { ClusterOidcProvider, IrsaCluster, IrsaRole, ServiceAccountSubject } from '../../../lib';
import { providerArnFor, TrustPolicyEvaluator, webIdentityRequest } from './iam-engine';
import { intended, IntendedTrust, isDns1123Label, isDns1123Subdomain, subjectClaim, TokenRequest } from './oracle';
import { ACCOUNT, newStack, synthesize } from './synth';
import { logicalIdOf, ROLE_ARN, trustPolicyOf } from './trust-check';

/** How a cluster's provider reaches the role, one of the ways the public API offers. */
export type ClusterKind = 'created' | 'imported' | 'attributes' | 'tokenUrl' | 'tokenArn';

export interface ClusterSpec {
  readonly kind: ClusterKind;
  /** Host and path. */
  readonly issuer: string;
}

export type SubjectSpec =
  | { readonly kind: 'exact'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'any'; readonly namespace: string }
  | { readonly kind: 'pattern'; readonly namespace: string; readonly name: string };

export interface TrustSpec {
  readonly cluster: number;
  readonly audience: string;
  readonly subjects: SubjectSpec[];
}

export interface Scenario {
  readonly clusters: ClusterSpec[];
  readonly trusts: TrustSpec[];
  /** An issuer no trust names, close to one that does. */
  readonly foreignIssuer: string;
}

export interface GeneratedRequest extends TokenRequest {
  readonly providerAccount: string;
}

export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';
export const AUDIENCES = [DEFAULT_AUDIENCE, 'a.example.com', 'b.example.com'];
const OTHER_ACCOUNT = '210987654321';
const REGIONS = ['eu-west-1', 'us-east-1'];
const HEX = '0123456789ABCDEF'.split('');

/* ----------------------------------- names and patterns ----------------------------------- */

// Small alphabets, so that random names collide with trusted ones and their near misses often.
const LABEL_CHARS = ['a', 'b', '1', '-'];
const NAME_CHARS = ['a', 'b', '1', '-', '.'];
const POOL_NAMESPACES = ['team', 'team-a', 'tea', 'a', 'ab', 'default'];
const POOL_NAMES = ['api', 'api-x', 'ap', 'a', 'a.b', 'worker'];

const joined = (chars: string[], max: number) => fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: max }).map((a) => a.join(''));

export const namespaceArb = fc.oneof(fc.constantFrom(...POOL_NAMESPACES), joined(LABEL_CHARS, 5).filter(isDns1123Label));
export const nameArb = fc.oneof(fc.constantFrom(...POOL_NAMES), joined(NAME_CHARS, 5).filter(isDns1123Subdomain));

const hasWildcard = (s: string) => /[*?]/.test(s);
const namespacePatternArb = fc.oneof(
  joined([...LABEL_CHARS, '*', '?'], 5),
  fc.tuple(fc.constantFrom(...POOL_NAMESPACES), fc.constantFrom('*', '?', '-*', '*a')).map(([a, b]) => a + b),
  // matching() refuses a namespace pattern that starts with a wildcard.
).filter((p) => /^[a-z0-9-]/.test(p) && (hasWildcard(p) || isDns1123Label(p)));
const namePatternArb = fc.oneof(
  joined([...NAME_CHARS, '*', '?'], 5),
  fc.tuple(fc.constantFrom(...POOL_NAMES), fc.constantFrom('*', '?', '-*', '.*')).map(([a, b]) => a + b),
).filter((p) => hasWildcard(p) || isDns1123Subdomain(p));

export const subjectArb: fc.Arbitrary<SubjectSpec> = fc.oneof(
  fc.record({ kind: fc.constant('exact' as const), namespace: namespaceArb, name: nameArb }),
  fc.record({ kind: fc.constant('any' as const), namespace: namespaceArb }),
  fc.record({ kind: fc.constant('pattern' as const), namespace: namespacePatternArb, name: namePatternArb }),
);

/** The selector as the user meant it, in the oracle's terms. */
function intendedSubject(s: SubjectSpec) {
  return s.kind === 'any' ? { namespace: s.namespace, name: '*' } : { namespace: s.namespace, name: s.name };
}

/** The claim each subject stands for, for de-duplication (the API refuses duplicates). */
function subjectKey(s: SubjectSpec): string {
  const { namespace, name } = intendedSubject(s);
  return `${namespace}:${name}`;
}

/* ------------------------------------------ scenarios ------------------------------------------ */

const issuerArb = fc.tuple(fc.constantFrom(...REGIONS), fc.array(fc.constantFrom(...HEX), { minLength: 32, maxLength: 32 }))
  .map(([region, id]) => `oidc.eks.${region}.amazonaws.com/id/${id.join('')}`);

/** A different issuer close to `issuer`: another region, or the last character of the ID changed. */
function nearIssuer(issuer: string, variant: number): string {
  if (variant % 2 === 0) {
    return issuer.includes('eu-west-1') ? issuer.replace('eu-west-1', 'us-east-1') : issuer.replace('us-east-1', 'eu-west-1');
  }
  const last = issuer[issuer.length - 1];
  return issuer.slice(0, -1) + (last === '0' ? '1' : '0');
}

export const scenarioArb: fc.Arbitrary<Scenario> = fc
  .uniqueArray(issuerArb, { minLength: 1, maxLength: 3 })
  .chain((issuers) => fc.record({
    clusters: fc.tuple(...issuers.map((issuer) => fc.constantFrom<ClusterKind>('created', 'imported', 'attributes', 'tokenUrl', 'tokenArn')
      .map((kind) => ({ kind, issuer })))),
    trusts: fc.uniqueArray(
      fc.record({
        cluster: fc.nat({ max: issuers.length - 1 }),
        audience: fc.constantFrom(...AUDIENCES),
        subjects: fc.uniqueArray(subjectArb, { minLength: 1, maxLength: 4, selector: subjectKey }),
      }),
      { minLength: 1, maxLength: 4, selector: (t) => `${t.cluster}|${t.audience}` },
    ),
    foreignIssuer: fc.nat({ max: 3 }).map((v) => nearIssuer(issuers[0], v)),
  }))
  .filter((s) => !s.clusters.some((c) => c.issuer === s.foreignIssuer));

/* ------------------------------------------ requests ------------------------------------------ */

/** Fills a pattern's wildcards: `*` with 0-3 characters, `?` with one. */
function instantiate(pattern: string, fills: string[]): string {
  let i = 0;
  return pattern.replace(/[*?]/g, (w) => {
    const fill = fills[i++ % fills.length] ?? '';
    return w === '?' ? (fill[0] ?? 'a') : fill;
  });
}

type Mutation = 'none' | 'append' | 'prepend' | 'dropLast' | 'replaceFirst';

function mutate(value: string, mutation: Mutation, char: string): string {
  switch (mutation) {
    case 'none': return value;
    case 'append': return value + char;
    case 'prepend': return char + value;
    case 'dropLast': return value.slice(0, -1);
    case 'replaceFirst': return char + value.slice(1);
  }
}

const fillsArb = fc.array(fc.constantFrom('', 'a', 'b', '1', 'ab', 'a-b', 'x', '-'), { minLength: 1, maxLength: 3 });
const mutationArb = fc.oneof({ arbitrary: fc.constant<Mutation>('none'), weight: 6 },
  { arbitrary: fc.constantFrom<Mutation>('append', 'prepend', 'dropLast', 'replaceFirst'), weight: 2 });

/** A service account derived from one of `subjects` (filled in, maybe mutated), or a random one. */
function serviceAccountArb(subjects: Array<{ namespace: string; name: string }>): fc.Arbitrary<{ namespace: string; name: string }> {
  const derived = fc.record({
    subject: fc.constantFrom(...subjects),
    nsFills: fillsArb,
    nameFills: fillsArb,
    nsMutation: mutationArb,
    nameMutation: mutationArb,
    char: fc.constantFrom('a', 'b', '1', '-', 'x'),
  }).map((d) => ({
    namespace: mutate(instantiate(d.subject.namespace, d.nsFills), d.nsMutation, d.char),
    name: mutate(instantiate(d.subject.name, d.nameFills), d.nameMutation, d.char),
  }));
  const random = fc.record({ namespace: namespaceArb, name: nameArb });
  // Only service accounts Kubernetes can have: tokens for anything else are never issued.
  return fc.oneof({ arbitrary: derived, weight: 4 }, { arbitrary: random, weight: 1 })
    .filter((sa) => isDns1123Label(sa.namespace) && isDns1123Subdomain(sa.name));
}

/**
 * A request aimed at one trust of the scenario (its cluster, audience and one of its subjects),
 * with each part independently replaced by a near miss now and then.
 */
export function requestArb(scenario: Scenario): fc.Arbitrary<GeneratedRequest> {
  const issuers = [...scenario.clusters.map((c) => c.issuer), scenario.foreignIssuer];
  return fc.nat({ max: scenario.trusts.length - 1 }).chain((index) => {
    const trust = scenario.trusts[index];
    return fc.record({
      serviceAccount: serviceAccountArb(trust.subjects.map(intendedSubject)),
      issuer: fc.oneof({ arbitrary: fc.constant(scenario.clusters[trust.cluster].issuer), weight: 5 },
        { arbitrary: fc.constantFrom(...issuers), weight: 1 }),
      audience: fc.oneof({ arbitrary: fc.constant<string | undefined>(trust.audience), weight: 5 },
        { arbitrary: fc.constantFrom<string | undefined>(...AUDIENCES, 'STS.amazonaws.com', undefined), weight: 1 }),
      action: fc.oneof({ arbitrary: fc.constant('sts:AssumeRoleWithWebIdentity'), weight: 15 },
        { arbitrary: fc.constantFrom('sts:AssumeRole', 'sts:TagSession', 'sts:AssumeRoleWithSAML'), weight: 1 }),
      providerAccount: fc.oneof({ arbitrary: fc.constant(ACCOUNT), weight: 20 }, { arbitrary: fc.constant(OTHER_ACCOUNT), weight: 1 }),
    });
  }).map((r) => ({ ...r.serviceAccount, issuer: r.issuer, audience: r.audience, action: r.action, providerAccount: r.providerAccount }));
}

/* ------------------------------------- build and evaluate ------------------------------------- */

function toSubject(s: SubjectSpec): ServiceAccountSubject {
  switch (s.kind) {
    case 'exact': return ServiceAccountSubject.exact(s.namespace, s.name);
    case 'any': return ServiceAccountSubject.anyInNamespace(s.namespace);
    case 'pattern': return ServiceAccountSubject.matching(s.namespace, s.name);
  }
}

/**
 * Builds the role through the public API, synthesizes, and returns its trust policy resolved
 * with CloudFormation's values (parameters given the issuers' real values).
 */
export function renderScenario(scenario: Scenario): any {
  const stack: Stack = newStack();
  const values: Record<string, unknown> = {};
  // Providers only for clusters that some trust names: the others serve as "another cluster".
  const made = new Map<number, iam.IOpenIdConnectProvider>();
  const provider = (i: number) => made.get(i) ?? made.set(i, makeProvider(i)).get(i)!;
  const makeProvider = (i: number): iam.IOpenIdConnectProvider => {
    const cluster = scenario.clusters[i];
    const url = `https://${cluster.issuer}`;
    const arn = providerArnFor(cluster.issuer);
    switch (cluster.kind) {
      case 'created':
        return new ClusterOidcProvider(stack, `Provider${i}`, { issuerUrl: url, clientIds: AUDIENCES });
      case 'imported':
        return ClusterOidcProvider.fromOidcProviderArn(stack, `Provider${i}`, arn);
      case 'attributes':
        return IrsaCluster.fromAttributes({ clusterName: `cluster-${i}`, issuerUrl: url }).findOrCreateOidcProvider(stack);
      case 'tokenUrl': {
        const param = new CfnParameter(stack, `IssuerUrl${i}`, { type: 'String' });
        values[stack.getLogicalId(param)] = url;
        return new ClusterOidcProvider(stack, `Provider${i}`, { issuerUrl: param.valueAsString, clientIds: AUDIENCES });
      }
      case 'tokenArn': {
        const param = new CfnParameter(stack, `ProviderArn${i}`, { type: 'String' });
        values[stack.getLogicalId(param)] = arn;
        return ClusterOidcProvider.fromOidcProviderArn(stack, `Provider${i}`, param.valueAsString);
      }
    }
  };
  const [first, ...rest] = scenario.trusts;
  const role = new IrsaRole(stack, 'Role', {
    provider: provider(first.cluster),
    subjects: first.subjects.map(toSubject),
    audience: first.audience === DEFAULT_AUDIENCE ? undefined : first.audience,
    // Up to 4 trusts of 4 subjects: over the default quota of 2,048 at times, which is not what is tested here.
    trustPolicySizeLimit: 10_240,
  });
  for (const trust of rest) {
    role.addTrust(provider(trust.cluster), trust.subjects.map(toSubject), { audience: trust.audience });
  }
  return trustPolicyOf(synthesize(stack), logicalIdOf(role), { refs: values });
}

/** The scenario as the oracle sees it. */
export function intendedTrusts(scenario: Scenario): IntendedTrust[] {
  return scenario.trusts.map((t) => ({
    issuer: scenario.clusters[t.cluster].issuer,
    audience: t.audience,
    subjects: t.subjects.map(intendedSubject),
  }));
}

/** Evaluates every request with the engine and the oracle; returns the disagreements. */
export function compare(scenario: Scenario, document: any, requests: GeneratedRequest[], stats?: { intended: number }): string[] {
  const evaluator = new TrustPolicyEvaluator(document);
  const trusts = intendedTrusts(scenario);
  const out: string[] = [];
  for (const r of requests) {
    const decision = evaluator.evaluate(webIdentityRequest(providerArnFor(r.issuer, r.providerAccount), ROLE_ARN,
      { issuer: r.issuer, sub: subjectClaim(r.namespace, r.name), aud: r.audience }, r.action));
    const want = r.providerAccount === ACCOUNT && intended(trusts, r);
    if (want && stats) {
      stats.intended++;
    }
    if ((decision === 'Allowed') !== want) {
      out.push(`${want ? 'intended but denied' : 'allowed but not intended'}: ${r.action} ${subjectClaim(r.namespace, r.name)} `
        + `aud=${r.audience} issuer=${r.issuer} account=${r.providerAccount} (engine: ${decision})`);
    }
  }
  return out;
}
