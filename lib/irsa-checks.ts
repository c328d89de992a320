import { Annotations, IAspect } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { IrsaRole } from './irsa-role';
import { fail, q } from './private/errors';
import { CLUSTER_ARN_TAG, NAMESPACE_TAG, POD_IDENTITY_PRINCIPAL, SERVICE_ACCOUNT_TAG } from './private/pod-identity-trust';
import { readTrustDocument } from './private/trust-document';
import { iamLength } from './private/trust-policy';

/** The metadata entry that records an acknowledged finding, with its reason, in the cloud assembly. */
const ACKNOWLEDGEMENT = 'cdk-irsa:acknowledged';
const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';
/** Federated principals that are not Kubernetes issuers. */
const OTHER_IDENTITY_PROVIDERS = ['cognito-identity.amazonaws.com', 'accounts.google.com', 'graph.facebook.com', 'www.amazon.com'];
const NEAR_LIMIT = 0.9;

/**
 * The rules that `IrsaChecks` applies to every IAM role's trust policy.
 */
export enum IrsaCheckRule {
  /** Error: web-identity trust on an OIDC provider without a `:sub` condition: any service account of the cluster may assume the role. */
  NO_SUBJECT_PIN = 'NO_SUBJECT_PIN',
  /** Error: web-identity trust without an `:aud` condition: tokens minted for other audiences are accepted. */
  NO_AUDIENCE_PIN = 'NO_AUDIENCE_PIN',
  /** Error: `StringEquals` with `*` or `?`, which IAM compares literally, so the condition never matches. */
  WILDCARD_UNDER_STRING_EQUALS = 'WILDCARD_UNDER_STRING_EQUALS',
  /** Error: a subject pattern that matches every namespace (`system:serviceaccount:*`). */
  ANY_NAMESPACE = 'ANY_NAMESPACE',
  /** Error: a subject pattern that matches every service account of a namespace (`system:serviceaccount:<ns>:*`). */
  NAMESPACE_WIDE = 'NAMESPACE_WIDE',
  /** Warning: a trust policy within 10 % of its size limit. */
  TRUST_POLICY_NEAR_LIMIT = 'TRUST_POLICY_NEAR_LIMIT',
  /** Warning: one service account trusted by two roles: which one its pods get depends on an annotation. */
  SERVICE_ACCOUNT_IN_SEVERAL_ROLES = 'SERVICE_ACCOUNT_IN_SEVERAL_ROLES',
  /** Warning: EKS Pod Identity trust without the session-tag conditions that keep other associations from borrowing the role. */
  POD_IDENTITY_NOT_PINNED = 'POD_IDENTITY_NOT_PINNED',
}

/** Whether each rule reports an error (true) or a warning. */
const IS_ERROR: Record<IrsaCheckRule, boolean> = {
  [IrsaCheckRule.NO_SUBJECT_PIN]: true,
  [IrsaCheckRule.NO_AUDIENCE_PIN]: true,
  [IrsaCheckRule.WILDCARD_UNDER_STRING_EQUALS]: true,
  [IrsaCheckRule.ANY_NAMESPACE]: true,
  [IrsaCheckRule.NAMESPACE_WIDE]: true,
  [IrsaCheckRule.TRUST_POLICY_NEAR_LIMIT]: false,
  [IrsaCheckRule.SERVICE_ACCOUNT_IN_SEVERAL_ROLES]: false,
  [IrsaCheckRule.POD_IDENTITY_NOT_PINNED]: false,
};

/**
 * Properties of `IrsaChecks`.
 */
export interface IrsaChecksProps {
  /**
   * The trust policy size limit (IAM quota `ACLSizePerRole`) of roles that are not `IrsaRole`s,
   * which know their own.
   *
   * @default 2048
   */
  readonly trustPolicySizeLimit?: number;
}

interface Finding {
  readonly rule: IrsaCheckRule;
  readonly message: string;
}

/**
 * An aspect that checks the trust policy of every IAM role in scope, not only those of cdk-irsa:
 * roles of aws-cdk-lib's `ServiceAccount` (whose conditions it reads from their `CfnJson`),
 * plain `iam.Role`s and raw `CfnRole`s, where the values can be read at synth.
 *
 * Errors (which make `cdk synth` fail) for web-identity trust without a `sub` or `aud` pin,
 * wildcards under `StringEquals`, and subjects that match every namespace or every service
 * account of a namespace; warnings for trust policies within 10 % of their size limit, a service
 * account trusted by several roles, and Pod Identity trust without session-tag pinning. Each
 * finding names the role, the rule and the fix; acknowledge one for a role, with a reason, with
 * `IrsaChecks.acknowledge()`.
 *
 * @example
 * declare const app: App;
 * Aspects.of(app).add(new IrsaChecks());
 */
export class IrsaChecks implements IAspect {
  /**
   * Accepts a finding for one role, with the reason, which is recorded in the cloud assembly.
   *
   * @param scope the role, its `CfnRole`, or a construct holding it (such as an `IrsaServiceAccount`)
   * @param rule the rule whose finding is accepted
   * @param reason why it is acceptable here
   */
  public static acknowledge(scope: IConstruct, rule: IrsaCheckRule, reason: string): void {
    if (reason.trim().length === 0) {
      fail(`acknowledging ${rule} needs a reason, for whoever reviews the role later.`, scope);
    }
    scope.node.addMetadata(ACKNOWLEDGEMENT, { rule, reason });
  }

  private readonly sizeLimit: number;
  private readonly checkedRoots = new WeakSet<IConstruct>();

  constructor(props: IrsaChecksProps = {}) {
    this.sizeLimit = props.trustPolicySizeLimit ?? 2048;
    if (!Number.isInteger(this.sizeLimit) || this.sizeLimit <= 0) {
      fail(`trustPolicySizeLimit must be a positive whole number of characters (got ${q(this.sizeLimit)}).`);
    }
  }

  /**
   * Checks every role below the construct the aspect was added to, once: the checks that compare
   * roles need all of them.
   */
  public visit(node: IConstruct): void {
    if ([...iterAncestors(node)].some((a) => this.checkedRoots.has(a))) {
      return;
    }
    this.checkedRoots.add(node);
    const roles = node.node.findAll().filter((c): c is iam.CfnRole => c instanceof iam.CfnRole);
    const trustedBy = new Map<string, iam.CfnRole[]>();
    for (const role of roles) {
      const document = readTrustDocument(role);
      if (!document) {
        continue;
      }
      const findings = this.checkRole(role, document);
      for (const subject of exactSubjects(document)) {
        trustedBy.set(subject, [...(trustedBy.get(subject) ?? []), role]);
      }
      findings.forEach((f) => report(role, f));
    }
    for (const [subject, sharing] of trustedBy) {
      if (sharing.length > 1) {
        const paths = sharing.map(rolePath);
        for (const role of sharing) {
          report(role, {
            rule: IrsaCheckRule.SERVICE_ACCOUNT_IN_SEVERAL_ROLES,
            message: `${subject.split('\n')[1]} is trusted by ${paths.length} roles (${paths.join(', ')}): its pods get the one their annotation names, `
              + 'the others are unused trust. Trust it from one role.',
          });
        }
      }
    }
  }

  private checkRole(role: iam.CfnRole, document: any): Finding[] {
    const findings: Finding[] = [];
    for (const statement of document.Statement ?? []) {
      if (statement.Effect !== 'Allow') {
        continue;
      }
      if (isWebIdentity(statement)) {
        findings.push(...checkWebIdentity(statement));
      }
      if (isPodIdentity(statement)) {
        findings.push(...checkPodIdentity(statement));
      }
    }
    const owner = role.node.scope;
    const limit = owner instanceof IrsaRole ? owner.trustPolicySizeLimit : this.sizeLimit;
    const size = owner instanceof IrsaRole ? owner.trustPolicySize : iamLength(JSON.stringify(document));
    if (size >= NEAR_LIMIT * limit && size <= limit) {
      findings.push({
        rule: IrsaCheckRule.TRUST_POLICY_NEAR_LIMIT,
        message: `the trust policy is ${size} of ${limit} characters, within 10 % of the limit: the next service account may not fit. `
          + 'Cover several service accounts with one pattern, split them over roles, or have the ACLSizePerRole quota raised.',
      });
    }
    return findings;
  }
}

function* iterAncestors(node: IConstruct): Generator<IConstruct> {
  for (let c: IConstruct | undefined = node; c; c = c.node.scope) {
    yield c;
  }
}

function asList(value: any): any[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function isWebIdentity(statement: any): boolean {
  const actions = asList(statement.Action);
  const federated = asList(statement.Principal?.Federated);
  return federated.length > 0
    && !federated.every((f) => OTHER_IDENTITY_PROVIDERS.includes(f))
    && actions.some((a) => a === WEB_IDENTITY_ACTION || a === 'sts:*' || a === '*');
}

function isPodIdentity(statement: any): boolean {
  return asList(statement.Principal?.Service).includes(POD_IDENTITY_PRINCIPAL);
}

/** Condition entries as [operator, key, values], keys compared case-insensitively as IAM does. */
function conditions(statement: any): Array<[string, string, string[]]> {
  const entries: Array<[string, string, string[]]> = [];
  for (const [operator, block] of Object.entries<any>(statement.Condition ?? {})) {
    for (const [key, values] of Object.entries<any>(block ?? {})) {
      entries.push([operator, key.toLowerCase(), asList(values).map(String)]);
    }
  }
  return entries;
}

function checkWebIdentity(statement: any): Finding[] {
  const findings: Finding[] = [];
  const entries = conditions(statement);
  const subs = entries.filter(([, key]) => key.endsWith(':sub'));
  if (subs.length === 0) {
    findings.push({
      rule: IrsaCheckRule.NO_SUBJECT_PIN,
      message: 'a web-identity trust statement has no ":sub" condition, so every service account of the cluster can assume the role. '
        + 'Pin the service accounts (cdk-irsa: ServiceAccountSubject.exact(namespace, name)).',
    });
  }
  if (!entries.some(([, key]) => key.endsWith(':aud'))) {
    findings.push({
      rule: IrsaCheckRule.NO_AUDIENCE_PIN,
      message: 'a web-identity trust statement has no ":aud" condition, so tokens minted for any audience the provider accepts are taken. '
        + 'Pin the audience ("<issuer>:aud": "sts.amazonaws.com").',
    });
  }
  for (const [operator, key, values] of entries) {
    if (/^(forallvalues:|foranyvalue:)?stringequals(ignorecase)?(ifexists)?$/i.test(operator) && values.some((v) => /[*?]/.test(v))) {
      findings.push({
        rule: IrsaCheckRule.WILDCARD_UNDER_STRING_EQUALS,
        message: `${operator} compares ${q(values.find((v) => /[*?]/.test(v)))} (${key.replace(/^.*:/, '')}) literally, so it never matches and `
          + 'the workload is locked out. Use StringLike for patterns (cdk-irsa: ServiceAccountSubject.matching).',
      });
    }
  }
  for (const [operator, , values] of subs) {
    if (!/stringlike/i.test(operator)) {
      continue;
    }
    for (const value of values) {
      const match = /^system:serviceaccount:([^:]*)(?::(.*))?$/.exec(value);
      const namespace = match ? match[1] : value;
      if (!match || /^[*?]+$/.test(namespace) || match[2] === undefined) {
        findings.push({
          rule: IrsaCheckRule.ANY_NAMESPACE,
          message: `the subject pattern ${q(value)} matches service accounts of every namespace: anyone who can create a namespace can assume the role. `
            + 'Name the namespaces, or give the pattern a fixed part ("team-*").',
        });
      } else if (/^[*?]+$/.test(match[2])) {
        findings.push({
          rule: IrsaCheckRule.NAMESPACE_WIDE,
          message: `the subject pattern ${q(value)} matches every service account of namespace ${q(namespace)}, present and future. `
            + 'Name the service accounts, or acknowledge this if everyone who may create service accounts there may have the role.',
        });
      }
    }
  }
  return findings;
}

function checkPodIdentity(statement: any): Finding[] {
  const keys = new Set(conditions(statement).filter(([operator]) => /^stringequals$/i.test(operator)).map(([, key]) => key));
  const missing = [CLUSTER_ARN_TAG, NAMESPACE_TAG, SERVICE_ACCOUNT_TAG].filter((tag) => !keys.has(tag.toLowerCase()));
  if (missing.length === 0) {
    return [];
  }
  return [{
    rule: IrsaCheckRule.POD_IDENTITY_NOT_PINNED,
    message: `the EKS Pod Identity trust does not pin ${missing.join(', ')}, so another Pod Identity association in the account can borrow the role. `
      + 'Add StringEquals conditions on those session tags (cdk-irsa pins them unless pinSessionTags is false).',
  }];
}

/** Exact subjects of a trust document, keyed by issuer, for the several-roles check. */
function exactSubjects(document: any): string[] {
  const subjects: string[] = [];
  for (const statement of document.Statement ?? []) {
    if (statement.Effect !== 'Allow' || !isWebIdentity(statement)) {
      continue;
    }
    for (const [operator, key, values] of conditions(statement)) {
      if (key.endsWith(':sub') && /^stringequals$/i.test(operator)) {
        subjects.push(...values.map((v) => `${key.slice(0, -':sub'.length)}\n${v}`));
      }
    }
  }
  return subjects;
}

/** The path users know a role by: its L2 where the CfnRole is an L2's `Resource`. */
function rolePath(role: iam.CfnRole): string {
  return role.node.id === 'Resource' && role.node.scope ? role.node.scope.node.path : role.node.path;
}

function acknowledged(role: iam.CfnRole, rule: IrsaCheckRule): boolean {
  return [...iterAncestors(role)].some((c) => c.node.metadata.some((m) => m.type === ACKNOWLEDGEMENT && m.data?.rule === rule));
}

function report(role: iam.CfnRole, finding: Finding): void {
  if (acknowledged(role, finding.rule)) {
    return;
  }
  const target = role.node.id === 'Resource' && role.node.scope ? role.node.scope : role;
  const text = `[cdk-irsa ${finding.rule}] role ${rolePath(role)}: ${finding.message} `
    + `To accept it for this role: IrsaChecks.acknowledge(role, IrsaCheckRule.${finding.rule}, reason).`;
  if (IS_ERROR[finding.rule]) {
    Annotations.of(target).addError(text);
  } else {
    Annotations.of(target).addWarningV2(`cdk-irsa:${finding.rule}`, text);
  }
}
