import { Annotations, AspectPriority, Aspects, CfnResource, IAspect, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { IrsaCheckRule } from './irsa-check-rule';
import { IrsaRole } from './irsa-role';
import { fail, q, validateAtSynth } from './private/errors';
import { DEFAULT_TRUST_POLICY_SIZE_LIMIT } from './private/iam-names';
import { renderedType } from './private/raw-overrides';
import { aspectRoot, namedResources, uncoveredStages } from './private/stage-coverage';
import { analyseTrust, Finding } from './private/trust-analysis';
import { readTrustDocument, TemplateReader } from './private/trust-document';
import { iamLength } from './private/trust-policy';

/** The metadata entry that records an acknowledged finding, with its reason, in the cloud assembly. */
const ACKNOWLEDGEMENT = 'cdk-irsa:acknowledged';
const ROLE_TYPE = 'AWS::IAM::Role';
const NEAR_LIMIT = 0.9;

/** Whether each rule reports an error (true) or a warning. */
const IS_ERROR: Record<IrsaCheckRule, boolean> = {
  [IrsaCheckRule.NO_SUBJECT_PIN]: true,
  [IrsaCheckRule.NO_AUDIENCE_PIN]: true,
  [IrsaCheckRule.WILDCARD_UNDER_STRING_EQUALS]: true,
  [IrsaCheckRule.ANY_NAMESPACE]: true,
  [IrsaCheckRule.WIDE_NAMESPACE_PATTERN]: true,
  [IrsaCheckRule.NAMESPACE_WIDE]: true,
  [IrsaCheckRule.CANNOT_VERIFY]: true,
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

/**
 * An aspect that checks the trust policy of every IAM role in scope, not only those of cdk-irsa:
 * roles of aws-cdk-lib's `ServiceAccount` (whose conditions it reads from their `CfnJson`),
 * plain `iam.Role`s, raw `CfnRole`s, overrides included, for web-identity issuers of any kind
 * (EKS, GitHub Actions, GitLab, ...) and EKS Pod Identity.
 *
 * A statement counts when IAM would let it match `sts:AssumeRoleWithWebIdentity` (action
 * wildcards in any case, `NotAction`, `"*"` principals); only `StringEquals`, `StringLike` and
 * `StringEqualsIgnoreCase`, without `IfExists` or a set qualifier, on the keys of the principal's own
 * issuer count as pins. Errors (which make `cdk synth` fail) for web-identity trust without a `sub`
 * or `aud` pin, wildcards under `StringEquals`, Kubernetes subjects that match every namespace,
 * system namespaces or every service account of a namespace, and trust that cannot be evaluated
 * at synth; warnings for trust policies within 10 % of their size limit, a service account trusted
 * by several roles, and Pod Identity trust without session-tag pinning. Each finding names the
 * role, the rule and the fix; acknowledge one for a role, with a reason, with
 * `IrsaChecks.acknowledge()`.
 *
 * The roles are read in the validation phase of synthesis, after every aspect has run. Add the
 * aspect to every `Stage` as well: aws-cdk-lib synthesizes a Stage before it applies the aspects
 * of the app around it, and never applies them inside; a Stage with roles that no `IrsaChecks`
 * inside it covers fails synth, naming the Stage.
 *
 * @example
 * declare const app: App;
 * IrsaChecks.applyTo(app);
 */
export class IrsaChecks implements IAspect {
  /**
   * Adds the check to every role below `scope` (an App, a Stage, a Stack) as a read-only aspect,
   * `Aspects.of(scope).add(checks, { priority: AspectPriority.READONLY })`: it changes nothing,
   * and it reads the roles in the validation phase, after every aspect has run, whatever the
   * priorities.
   *
   * @param scope the construct whose roles to check
   * @param props options of the check
   * @returns the aspect added
   */
  public static applyTo(scope: IConstruct, props: IrsaChecksProps = {}): IrsaChecks {
    const checks = new IrsaChecks(props);
    Aspects.of(scope).add(checks, { priority: AspectPriority.READONLY });
    return checks;
  }

  /**
   * Accepts a finding for one role, with the reason, which is recorded in the cloud assembly.
   *
   * The acknowledgement covers exactly one role: the scope must be the role, its `CfnRole`, or a
   * construct holding that one role and no other (such as an `IrsaServiceAccount`); a Stack, a
   * Stage or a construct with several roles is refused, and an acknowledgement whose scope holds
   * several roles by synth time (roles added later) covers none of them.
   *
   * @param scope the role, its `CfnRole`, or a construct holding it and no other role (such as an `IrsaServiceAccount`)
   * @param rule the rule whose finding is accepted
   * @param reason why it is acceptable here
   */
  public static acknowledge(scope: IConstruct, rule: IrsaCheckRule, reason: string): void {
    if (reason.trim().length === 0) {
      fail(`acknowledging ${rule} needs a reason, for whoever reviews the role later.`, scope);
    }
    const roles = rolesIn(scope).length;
    if (Stage.isStage(scope) || Stack.isStack(scope) || roles !== 1) {
      fail(`IrsaChecks.acknowledge accepts a finding for one role, but ${scope.node.path || 'the app'} is `
        + `${Stage.isStage(scope) ? 'a Stage' : Stack.isStack(scope) ? 'a Stack' : `a construct holding ${roles} IAM roles`}. `
        + 'Pass the role itself (or the IrsaServiceAccount that holds it), once for each role whose finding is accepted.', scope);
    }
    scope.node.addMetadata(ACKNOWLEDGEMENT, { rule, reason });
  }

  private readonly sizeLimit: number;
  /** The constructs the aspect was added to, each checked once, in the validation phase of its Stage's synthesis. */
  private readonly roots = new WeakSet<IConstruct>();
  private readonly checked = new WeakSet<IConstruct>();

  constructor(props: IrsaChecksProps = {}) {
    this.sizeLimit = props.trustPolicySizeLimit ?? DEFAULT_TRUST_POLICY_SIZE_LIMIT;
    if (!Number.isInteger(this.sizeLimit) || this.sizeLimit <= 0) {
      fail(`trustPolicySizeLimit must be a positive whole number of characters (got ${q(this.sizeLimit)}).`);
    }
  }

  /**
   * Registers the check of every role below the construct the aspect was added to. The roles are
   * read in the validation phase of the synthesis, after every aspect has run and every override
   * is in place, so that roles and trust added late are checked too.
   */
  public visit(node: IConstruct): void {
    if (node.node.scopes.some((a) => this.roots.has(a))) {
      return;
    }
    this.roots.add(node);
    validateAtSynth(node, () => this.checkOnce(node));
  }

  private checkOnce(root: IConstruct): string[] {
    const stage = Stage.isStage(root) ? root : Stage.of(root);
    const roles = rolesIn(root);
    const here = roles.filter((r) => Stage.of(r) === stage);
    const refused = uncoveredStages(roles.filter((r) => Stage.of(r) !== stage), (a) => Aspects.of(a).all.some((x) => x instanceof IrsaChecks));
    if (!this.checked.has(root)) {
      this.checked.add(root);
      this.check(here);
    }
    return refused.map((s) => `IrsaChecks was added to ${aspectRoot(root)}, but Stage ${q(s.stage.node.path)} below it holds IAM roles that it cannot `
      + `check (${namedResources(s, rolePath)}): `
      + 'aws-cdk-lib synthesizes a Stage, and writes its templates, before it applies the aspects of the app or Stage around it, and never '
      + 'applies those inside it. Add the check to that Stage too: IrsaChecks.applyTo(stage).');
  }

  private check(roles: CfnResource[]): void {
    const trustedBy = new Map<string, CfnResource[]>();
    const readers = new Map<Stack, TemplateReader>();
    for (const role of roles) {
      const reading = readTrustDocument(role, readers);
      if (reading.unreadable !== undefined) {
        report(role, {
          rule: IrsaCheckRule.CANNOT_VERIFY,
          message: `the trust policy cannot be read at synth: ${reading.unreadable}. The check cannot tell who may assume the role. `
            + 'Give the trust policy as an object or a JSON string the synth can read, or review it by hand and acknowledge this.',
        });
        continue;
      }
      const analysis = analyseTrust(reading.document);
      for (const subject of new Set(analysis.exactSubjects)) {
        trustedBy.set(subject, [...(trustedBy.get(subject) ?? []), role]);
      }
      [...analysis.findings, ...this.checkSize(role, reading.document)].forEach((f) => report(role, f));
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

  private checkSize(role: CfnResource, document: any): Finding[] {
    const owner = role.node.scope;
    const limit = owner instanceof IrsaRole ? owner.trustPolicySizeLimit : this.sizeLimit;
    const size = owner instanceof IrsaRole ? owner.trustPolicySize : iamLength(JSON.stringify(document));
    if (size >= NEAR_LIMIT * limit && size <= limit) {
      return [{
        rule: IrsaCheckRule.TRUST_POLICY_NEAR_LIMIT,
        message: `the trust policy is ${size} of ${limit} characters, within 10 % of the limit: the next service account may not fit. `
          + 'Cover several service accounts with one pattern, split them over roles, or have the ACLSizePerRole quota raised.',
      }];
    }
    return [];
  }
}

/** The path users know a role by: its L2 where the CfnRole is an L2's `Resource`. */
function rolePath(role: CfnResource): string {
  return role.node.id === 'Resource' && role.node.scope ? role.node.scope.node.path : role.node.path;
}

/** The IAM roles (resources rendered as `AWS::IAM::Role`) at or below a construct. */
function rolesIn(scope: IConstruct): CfnResource[] {
  return scope.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && renderedType(c) === ROLE_TYPE);
}

/** Whether the rule is acknowledged on the role, or on a construct above it that holds no other role. */
function acknowledged(role: CfnResource, rule: IrsaCheckRule): boolean {
  return role.node.scopes.some((c) => c.node.metadata.some((m) => m.type === ACKNOWLEDGEMENT && m.data?.rule === rule)
    && !Stack.isStack(c) && !Stage.isStage(c) && rolesIn(c).length === 1);
}

function report(role: CfnResource, finding: Finding): void {
  if (acknowledged(role, finding.rule)) {
    return;
  }
  const target = role.node.id === 'Resource' && role.node.scope ? role.node.scope : role;
  const text = `[cdk-irsa ${finding.rule}] role ${rolePath(role)}: ${finding.message} `
    + `To accept it for this role: IrsaChecks.acknowledge(role, IrsaCheckRule.${finding.rule}, reason).`;
  if (target.node.metadata.some((m) => m.data === text)) {
    return; // already reported, by another IrsaChecks whose scope also holds the role
  }
  if (IS_ERROR[finding.rule]) {
    Annotations.of(target).addError(text);
  } else {
    Annotations.of(target).addWarningV2(`cdk-irsa:${finding.rule}`, text);
  }
}
