/**
 * What a trust policy lets web identities and EKS Pod Identity do, read with IAM's semantics:
 * action patterns with wildcards in any case and `NotAction`; `Principal: "*"`, `{ AWS: "*" }`,
 * `NotPrincipal` and `Federated`; and only positive, unqualified string operators on the keys of
 * the principal's own issuer as pins. The rules are written down in docs/security-checks.md, section
 * "Checking every role in the app".
 */
import { IrsaCheckRule } from '../irsa-check-rule';
import { q } from './errors';
import { canMatchReservedNamespace } from './namespace-patterns';
import { CLUSTER_ARN_TAG, NAMESPACE_TAG, POD_IDENTITY_PRINCIPAL, SERVICE_ACCOUNT_TAG } from './pod-identity-trust';
import { isOpaque, issuerOfPrincipal } from './trust-document';
import { WEB_IDENTITY_ACTION } from './trust-policy';

export interface Finding {
  readonly rule: IrsaCheckRule;
  readonly message: string;
}

export interface TrustAnalysis {
  readonly findings: Finding[];
  /** Kubernetes service accounts pinned exactly, as `<issuer>\n<sub>`, for the several-roles check. */
  readonly exactSubjects: string[];
}

const KUBERNETES_SUBJECT = 'system:serviceaccount:';
const EKS_ISSUER = /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\//i;
/** Identity providers whose tokens name an application, not a workload: only the application (audience) must be pinned. */
const APPLICATION_PROVIDERS: Record<string, string> = {
  'cognito-identity.amazonaws.com': 'aud',
  'www.amazon.com': 'app_id',
  'graph.facebook.com': 'app_id',
};
/** Base operators (lower case, without `IfExists`) whose match pins a key's value. */
const AUDIENCE_HINT: Record<string, string> = {
  'cognito-identity.amazonaws.com': 'to the identity pool ID',
  'www.amazon.com': 'to the application ID',
  'graph.facebook.com': 'to the application ID',
};
const PINNING_OPERATORS = ['stringequals', 'stringlike', 'stringequalsignorecase'];
const ANY_ISSUER = '*';

/** Thrown inside the analysis when part of a statement cannot be read. */
class Unreadable extends Error {}

interface ConditionEntry {
  /** As written. */
  readonly operator: string;
  /** Lower case, without qualifier and `IfExists`. */
  readonly base: string;
  readonly qualifier?: string;
  readonly ifExists: boolean;
  /** As written and lower case. */
  readonly key: string;
  readonly lowerKey: string;
  readonly values: string[];
}

/** Analyses one trust document (already read). */
export function analyseTrust(document: any): TrustAnalysis {
  const findings: Finding[] = [];
  const exactSubjects: string[] = [];
  let statements: any[];
  try {
    statements = statementsOf(document);
  } catch (e) {
    return { findings: [cannotVerify((e as Error).message)], exactSubjects };
  }
  statements.forEach((statement, index) => {
    const where = statements.length > 1 ? `statement ${statement?.Sid !== undefined ? q(statement.Sid) : index + 1}` : 'the statement';
    try {
      findings.push(...analyseStatement(statement, where, exactSubjects));
    } catch (e) {
      if (!(e instanceof Unreadable)) {
        throw e;
      }
      findings.push(cannotVerify(`${where}: ${e.message}`));
    }
  });
  return { findings, exactSubjects };
}

function cannotVerify(reason: string): Finding {
  return {
    rule: IrsaCheckRule.CANNOT_VERIFY,
    message: `the trust policy cannot be evaluated at synth: ${reason}. The check cannot tell who may assume the role. `
      + 'Write the trust policy with values the synth can read, or review it by hand and acknowledge this.',
  };
}

function statementsOf(document: any): any[] {
  const statement = document?.Statement;
  if (Array.isArray(statement)) {
    return statement;
  }
  if (statement && typeof statement === 'object') {
    return [statement];
  }
  throw new Unreadable(statement === undefined ? 'it has no Statement' : `its Statement is ${q(statement)}, not a list of statements`);
}

function analyseStatement(statement: any, where: string, exactSubjects: string[]): Finding[] {
  if (!statement || typeof statement !== 'object' || Array.isArray(statement)) {
    throw new Unreadable(`it is ${q(statement)}, not a statement`);
  }
  const effect = statement.Effect;
  if (typeof effect === 'string' && effect.toLowerCase() === 'deny') {
    return [];
  }
  const webIdentity = grantsAction(statement, WEB_IDENTITY_ACTION.toLowerCase());
  const principals = webIdentity === false ? [] : federatedPrincipals(statement);
  const findings: Finding[] = [];
  if (principals.length > 0) {
    if (typeof effect !== 'string' || effect.toLowerCase() !== 'allow') {
      throw new Unreadable(`its Effect is ${q(effect)}`);
    }
    if (webIdentity === undefined) {
      throw new Unreadable(`its Action or NotAction ${q(statement.Action ?? statement.NotAction)} cannot be read`);
    }
    const entries = conditionEntries(statement);
    findings.push(...wildcardsUnderStringEquals(entries));
    for (const issuer of principals) {
      findings.push(...checkPrincipal(issuer, entries, where, exactSubjects));
    }
  }
  if (grantsPodIdentity(statement) && typeof effect === 'string' && effect.toLowerCase() === 'allow') {
    findings.push(...checkPodIdentity(conditionEntries(statement)));
  }
  return findings;
}

/** Whether the statement's actions match the action (true), do not (false), or cannot be read (undefined). */
function grantsAction(statement: any, action: string): boolean | undefined {
  const negated = statement.Action === undefined && statement.NotAction !== undefined;
  const patterns = asList(negated ? statement.NotAction : statement.Action);
  if (patterns.some((p) => typeof p !== 'string' || isOpaque(p))) {
    return undefined;
  }
  const matched = patterns.some((p: string) => globMatches(p.toLowerCase(), action));
  return negated ? !matched : matched;
}

/**
 * The issuers (host and path, or `*` for any) of the federated principals a statement admits;
 * `Principal: "*"`, `{ AWS: "*" }`, `{ Federated: "*" }` and `NotPrincipal` admit any.
 */
function federatedPrincipals(statement: any): string[] {
  if (statement.NotPrincipal !== undefined) {
    return [ANY_ISSUER];
  }
  const principal = statement.Principal;
  if (principal === '*') {
    return [ANY_ISSUER];
  }
  if (typeof principal === 'string') {
    throw new Unreadable(`its Principal ${q(principal)} cannot be read`);
  }
  if (!principal || typeof principal !== 'object' || Array.isArray(principal)) {
    return [];
  }
  const out: string[] = [];
  for (const [kind, value] of Object.entries(principal)) {
    const values = asList(value);
    if (values.some((v) => typeof v !== 'string')) {
      throw new Unreadable(`its Principal ${q(principal)} cannot be read`);
    }
    if (kind.toLowerCase() === 'aws' && values.includes('*')) {
      out.push(ANY_ISSUER);
    } else if (kind.toLowerCase() === 'federated') {
      for (const federated of values as string[]) {
        if (federated === '*') {
          out.push(ANY_ISSUER);
        } else if (!/:saml-provider\//.test(federated)) {
          out.push(issuerOfPrincipal(federated));
        }
      }
    }
  }
  return out;
}

function grantsPodIdentity(statement: any): boolean {
  const services = asList(statement.Principal?.Service).filter((s) => typeof s === 'string').map((s: string) => s.toLowerCase());
  return services.includes(POD_IDENTITY_PRINCIPAL) && grantsAction(statement, 'sts:assumerole') === true;
}

function conditionEntries(statement: any): ConditionEntry[] {
  const condition = statement.Condition;
  if (condition === undefined) {
    return [];
  }
  if (!condition || typeof condition !== 'object' || Array.isArray(condition)) {
    throw new Unreadable(`its Condition ${q(condition)} cannot be read`);
  }
  const entries: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries<any>(condition)) {
    if (!block || typeof block !== 'object' || Array.isArray(block)) {
      throw new Unreadable(`its ${operator} condition ${q(block)} cannot be read`);
    }
    const parsed = /^(?:(forallvalues|foranyvalue):)?(.*?)(ifexists)?$/i.exec(operator)!;
    for (const [key, raw] of Object.entries<any>(block)) {
      const values = asList(raw);
      if (values.some((v) => v === null || typeof v === 'object')) {
        throw new Unreadable(`its ${operator} condition on ${q(key)} holds ${q(raw)}`);
      }
      entries.push({
        operator,
        base: parsed[2].toLowerCase(),
        qualifier: parsed[1]?.toLowerCase(),
        ifExists: parsed[3] !== undefined,
        key,
        lowerKey: key.toLowerCase(),
        values: values.map(String),
      });
    }
  }
  return entries;
}

/** A positive, unqualified string operator without `IfExists`: a request without the key, or with another value, is denied. */
function pins(entry: ConditionEntry): boolean {
  return entry.qualifier === undefined && !entry.ifExists && PINNING_OPERATORS.includes(entry.base);
}

/**
 * Public multi-tenant issuers, and the part of their `sub` that names the tenant (account,
 * group, organization): a pattern with a wildcard there matches other tenants' workflows.
 */
const TENANT_PREFIX: Record<string, RegExp> = {
  'token.actions.githubusercontent.com': /^repo:[^/*?]+\//,
  'gitlab.com': /^project_path:[^/*?]+\//,
  'app.terraform.io': /^organization:[^:*?]+:/,
};

/**
 * Whether an entry lets every value through: a value with an IAM policy variable (`${...}`, which
 * IAM substitutes, often with the very claim compared), a `StringLike` value made of wildcards
 * only, or, on a public multi-tenant issuer, one with a wildcard before the end of the tenant part
 * (`repo:*`, `repo*`, `*my-org/app:*`): its literal start must hold the whole `repo:<owner>/`.
 */
function matchesAnything(entry: ConditionEntry): boolean {
  if (entry.values.some(hasPolicyVariable)) {
    return true;
  }
  if (entry.base !== 'stringlike') {
    return false;
  }
  const tenant = TENANT_PREFIX[entry.lowerKey.replace(/:[^:]*$/, '')];
  return entry.values.some((v) => /^[*?]*\*[*?]*$/.test(v)
    || (tenant !== undefined && /[*?]/.test(v) && !tenant.test(v.slice(0, v.search(/[*?]/)))));
}

/** Whether a condition value holds an IAM policy variable, other than the literal characters `${*}`, `${?}`, `${$}`. */
function hasPolicyVariable(value: string): boolean {
  return /\$\{(?![*?$]\})[^}]*\}/.test(value);
}

function wildcardsUnderStringEquals(entries: ConditionEntry[]): Finding[] {
  return entries.filter((e) => e.base.startsWith('stringequals') && e.values.some((v) => /[*?]/.test(v))).map((e) => ({
    rule: IrsaCheckRule.WILDCARD_UNDER_STRING_EQUALS,
    message: `${e.operator} compares ${q(e.values.find((v) => /[*?]/.test(v)))} (${e.key.replace(/^.*:/, '')}) literally, so it never matches and `
      + 'the workload is locked out. Use StringLike for patterns (cdk-irsa: ServiceAccountSubject.matching).',
  }));
}

/** Checks what one federated principal of a statement may do. */
function checkPrincipal(issuer: string, entries: ConditionEntry[], where: string, exactSubjects: string[]): Finding[] {
  const findings: Finding[] = [];
  const lowerIssuer = issuer.toLowerCase();
  const application = APPLICATION_PROVIDERS[lowerIssuer];
  const audienceClaim = application ?? 'aud';
  const principal = issuer === ANY_ISSUER ? 'any identity provider (a "*" principal)' : `issuer ${q(issuer)}`;

  /** The entries on the claim of this principal's issuer; for any issuer, of the issuers pinned in this statement. */
  const on = (claim: string) => entries.filter((e) => e.lowerKey.endsWith(`:${claim}`)
    && (issuer === ANY_ISSUER || e.lowerKey === `${lowerIssuer}:${claim}`));
  const usable = (claim: string) => on(claim).filter((e) => pins(e) && !matchesAnything(e));

  for (const claim of application ? [audienceClaim] : ['sub', audienceClaim]) {
    if (usable(claim).length > 0) {
      continue;
    }
    // Keys whose issuer is known only at deploy may be this principal's: that cannot be decided.
    const undecided = entries.filter((e) => e.lowerKey.endsWith(`:${claim}`) && pins(e)
      && (isOpaque(e.key) || isOpaque(issuer)) && !on(claim).includes(e));
    if (undecided.length > 0) {
      throw new Unreadable(`whether the condition key ${q(undecided[0].key)} belongs to the principal's ${principal} cannot be told, `
        + 'because one of them is known only at deploy');
    }
    const key = `${issuer === ANY_ISSUER ? '<issuer>' : issuer}:${claim}`;
    findings.push({
      rule: claim === 'sub' ? IrsaCheckRule.NO_SUBJECT_PIN : IrsaCheckRule.NO_AUDIENCE_PIN,
      message: `${where} trusts web-identity tokens${issuer === ANY_ISSUER ? ' of any identity provider (a "*" principal)' : ''} without pinning `
        + `${q(key)}${whyNotPinned(entries, claim, on(claim))}, so ${claim === 'sub'
          ? 'every workload the issuer signs tokens for (every service account of a cluster) can assume the role. '
            + 'Pin it with StringEquals or StringLike (cdk-irsa: ServiceAccountSubject.exact(namespace, name)).'
          : `tokens minted for any audience can assume the role. Pin it with StringEquals (${AUDIENCE_HINT[lowerIssuer] ?? 'sts.amazonaws.com for EKS and GitHub Actions'}).`}`,
    });
  }

  const subjects = usable('sub');
  if (subjects.length === 0) {
    return findings;
  }
  const kubernetes = EKS_ISSUER.test(issuer) || subjects.some((e) => e.values.some((v) => v.startsWith('system:')));
  if (!kubernetes) {
    return findings;
  }
  // Conditions are ANDed: the narrowest entry on the key decides.
  const perEntry = subjects.map((e) => namespaceFindings(e));
  findings.push(...perEntry.reduce((a, b) => (b.length < a.length ? b : a)));
  for (const entry of subjects.filter((e) => e.base === 'stringequals')) {
    exactSubjects.push(...entry.values.filter((v) => v.startsWith(KUBERNETES_SUBJECT)).map((v) => `${entry.key.slice(0, -':sub'.length)}\n${v}`));
  }
  return findings;
}

function whyNotPinned(all: ConditionEntry[], claim: string, own: ConditionEntry[]): string {
  const ownEntry = own.find((e) => !pins(e)) ?? own.find(matchesAnything);
  if (ownEntry) {
    const reason = ownEntry.ifExists ? 'which lets a token without the claim through'
      : ownEntry.qualifier ? 'a set operator, which a single-valued claim does not need and ForAllValues passes when the claim is missing'
        : ownEntry.values.some(hasPolicyVariable) ? 'a policy variable, which IAM substitutes at request time, so it need not match anything fixed'
          : matchesAnything(ownEntry) ? 'which matches every value, or every owner on a public service'
            : 'which is not a positive string match';
    return ` (it has ${ownEntry.operator} ${q(ownEntry.values.length === 1 ? ownEntry.values[0] : ownEntry.values)}, ${reason})`;
  }
  const other = all.find((e) => e.lowerKey.endsWith(`:${claim}`));
  return other ? ` (its condition on ${q(other.key)} is another issuer's key, which this issuer's tokens do not carry)` : '';
}

/** The Kubernetes rules for one StringLike/StringEquals entry on `sub`. */
function namespaceFindings(entry: ConditionEntry): Finding[] {
  if (entry.base !== 'stringlike') {
    return [];
  }
  const findings: Finding[] = [];
  for (const value of entry.values) {
    if (isOpaque(value)) {
      throw new Unreadable(`the subject pattern ${q(value)} holds a value known only at deploy, which may be a wildcard`);
    }
    const match = /^system:serviceaccount:([^:]*)(?::(.*))?$/.exec(value);
    const namespace = match ? match[1] : value;
    if (!match || /^[*?]+$/.test(namespace) || match[2] === undefined) {
      findings.push({
        rule: IrsaCheckRule.ANY_NAMESPACE,
        message: `the subject pattern ${q(value)} matches service accounts of every namespace: anyone who can create a namespace can assume the role. `
          + 'Name the namespaces, or give the pattern a fixed part ("team-*").',
      });
    } else if (/^[*?]/.test(namespace) || canMatchReservedNamespace(namespace)) {
      findings.push({
        rule: IrsaCheckRule.WIDE_NAMESPACE_PATTERN,
        message: `the namespace pattern ${q(namespace)} of ${q(value)} ${/^[*?]/.test(namespace) ? 'starts with a wildcard' : 'can match'}`
          + `${/^[*?]/.test(namespace) && canMatchReservedNamespace(namespace) ? ' and can match' : ''}`
          + `${canMatchReservedNamespace(namespace) ? ' Kubernetes\' own namespaces (kube-system, kube-public, kube-node-lease, kube-*)' : ''}: `
          + 'whoever creates a namespace that fits it can assume the role. Start the pattern with a literal prefix that no system namespace has ("team-*").',
      });
    } else if (/^[*?]+$/.test(match[2])) {
      findings.push({
        rule: IrsaCheckRule.NAMESPACE_WIDE,
        message: `the subject pattern ${q(value)} matches every service account of namespace ${q(namespace)}, present and future. `
          + 'Name the service accounts, or acknowledge this if everyone who may create service accounts there may have the role.',
      });
    }
  }
  return findings;
}

function checkPodIdentity(entries: ConditionEntry[]): Finding[] {
  const keys = new Set(entries.filter((e) => e.base === 'stringequals' && e.qualifier === undefined && !e.ifExists).map((e) => e.lowerKey));
  const missing = [CLUSTER_ARN_TAG, NAMESPACE_TAG, SERVICE_ACCOUNT_TAG].filter((tag) => !keys.has(tag.toLowerCase()));
  if (missing.length === 0) {
    return [];
  }
  return [{
    rule: IrsaCheckRule.POD_IDENTITY_NOT_PINNED,
    message: `the EKS Pod Identity trust does not pin ${missing.join(', ')}, so another Pod Identity association in the account can borrow the role. `
      + 'Add StringEquals conditions on those session tags (cdk-irsa pins them unless podIdentity.pinSessionTags is false).',
  }];
}

function asList(value: any): any[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** IAM's glob: `*` any run of characters, `?` one character. */
export function globMatches(pattern: string, value: string): boolean {
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
