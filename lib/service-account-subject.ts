import { Token } from 'aws-cdk-lib';
import { fail, q } from './private/errors';
import { MAX_LABEL_LENGTH, MAX_SUBDOMAIN_LENGTH, validateNamespace, validateServiceAccountName } from './private/kubernetes-names';
import { canMatchReservedNamespace, RESERVED_NAMESPACES } from './private/namespace-patterns';
import { requireString } from './private/type-checks';

/** The prefix of the `sub` claim of every Kubernetes service account token. */
const SUBJECT_PREFIX = 'system:serviceaccount:';

const NAMESPACE_PATTERN = /^[a-z0-9*?-]+$/;
const NAME_PATTERN = /^[a-z0-9.*?-]+$/;
const WILDCARD = /[*?]/;

/**
 * Options for `ServiceAccountSubject.matching()`.
 */
export interface SubjectPatternOptions {
  /**
   * Whether the namespace pattern may match namespaces that Kubernetes and EKS reserve for the
   * cluster's own workloads: `kube-system`, `kube-public`, `kube-node-lease` and any other
   * `kube-*`. Their service accounts (such as `kube-system:aws-node`) are among the most
   * privileged of a cluster; a pattern that reaches them by accident grants them the role.
   *
   * A namespace named literally (`exact('kube-system', 'aws-node')`) needs no opt-in.
   *
   * @default false: a namespace pattern that could match `kube-*` is refused
   */
  readonly allowReservedNamespaces?: boolean;
}

/**
 * The Kubernetes service accounts that may assume a role: the `sub` claim that IAM
 * compares with the token's.
 *
 * Exact subjects are rendered under `StringEquals`; subjects with wildcards under
 * `StringLike`. A wildcard is never rendered under `StringEquals`, where IAM would
 * compare it literally and lock the workload out without any error.
 *
 * @example
 * // one service account
 * ServiceAccountSubject.exact('payments', 'api');
 * // every service account of one namespace
 * ServiceAccountSubject.anyInNamespace('batch');
 * // service accounts named "runner-<anything>" in namespaces "ci-<anything>"
 * ServiceAccountSubject.matching('ci-*', 'runner-*');
 */
export class ServiceAccountSubject {
  /**
   * Exactly one service account.
   *
   * @param namespace the namespace, a valid Kubernetes namespace name
   * @param name the service account's name
   */
  public static exact(namespace: string, name: string): ServiceAccountSubject {
    requireString(namespace, 'the namespace given to exact()', 'a string, for example exact("payments", "api")');
    requireString(name, 'the name given to exact()', 'a string, for example exact("payments", "api")');
    if (!Token.isUnresolved(namespace) && WILDCARD.test(namespace)) {
      fail(`namespace ${q(namespace)} contains a wildcard; exact() names one service account. `
        + `Use ServiceAccountSubject.matching(${q(namespace)}, ${q(name)}) to match several.`);
    }
    validateNamespace(namespace);
    if (!Token.isUnresolved(name) && WILDCARD.test(name)) {
      fail(`service account name ${q(name)} contains a wildcard; exact() names one service account. `
        + `Use ServiceAccountSubject.matching(${q(namespace)}, ${q(name)}) to match several.`);
    }
    validateServiceAccountName(name);
    return new ServiceAccountSubject(namespace, name, false);
  }

  /**
   * Every service account in one namespace, present and future.
   *
   * Anyone who can create a service account in the namespace can then assume the role:
   * grant it only where that is the intent. The namespace must be literal: under `StringLike`
   * a value known only at deploy could be a pattern.
   *
   * @param namespace the namespace, a valid Kubernetes namespace name
   */
  public static anyInNamespace(namespace: string): ServiceAccountSubject {
    requireString(namespace, 'the namespace given to anyInNamespace()', 'a string, for example anyInNamespace("payments")');
    if (Token.isUnresolved(namespace)) {
      fail(`anyInNamespace() needs a literal namespace (got ${q(namespace)}): it is rendered under StringLike, where a value `
        + 'known only at deploy, such as "*" or "kube-*", would match other namespaces. Name the namespace, or use exact() for a value known only at deploy.');
    }
    if (WILDCARD.test(namespace)) {
      fail(`namespace ${q(namespace)} contains a wildcard; anyInNamespace() names one namespace. `
        + `Use ServiceAccountSubject.matching(${q(namespace)}, "*") to match several.`);
    }
    validateNamespace(namespace);
    return new ServiceAccountSubject(namespace, '*', true);
  }

  /**
   * Service accounts whose namespace and name match IAM `StringLike` patterns:
   * `*` matches any run of characters, `?` exactly one.
   *
   * A namespace pattern must start with a fixed part (`team-*`, not `*-team`): whoever can
   * create a namespace that the pattern matches could assume the role. And it must not be able
   * to match a reserved namespace (`kube-system`, `kube-public`, `kube-node-lease`, any
   * `kube-*`) unless `allowReservedNamespaces` says so. Patterns without wildcards are treated as
   * `exact()`.
   *
   * @param namespacePattern pattern for the namespace, of `[a-z0-9-]` and `*`, `?`
   * @param namePattern pattern for the service account name, of `[a-z0-9.-]` and `*`, `?`
   * @param options whether the pattern may reach reserved namespaces
   */
  public static matching(namespacePattern: string, namePattern: string, options: SubjectPatternOptions = {}): ServiceAccountSubject {
    requireString(namespacePattern, 'the namespace pattern given to matching()', 'a string, for example matching("team-*", "api")');
    requireString(namePattern, 'the name pattern given to matching()', 'a string, for example matching("team-*", "api")');
    if (Token.isUnresolved(namespacePattern) || Token.isUnresolved(namePattern)) {
      fail(`matching() needs literal patterns (got ${q(namespacePattern)}, ${q(namePattern)}): IAM patterns are checked at synth. `
        + 'Use exact() for values known only at deploy.');
    }
    if (!WILDCARD.test(namespacePattern) && !WILDCARD.test(namePattern)) {
      return ServiceAccountSubject.exact(namespacePattern, namePattern);
    }
    validatePattern(namespacePattern, 'namespace pattern', NAMESPACE_PATTERN, MAX_LABEL_LENGTH, '[a-z0-9-]');
    validatePattern(namePattern, 'name pattern', NAME_PATTERN, MAX_SUBDOMAIN_LENGTH, '[a-z0-9.-]');
    if (/^[*?]+$/.test(namespacePattern)) {
      fail(`namespace pattern ${q(namespacePattern)} matches every namespace, so anyone allowed to create a namespace could assume the role. `
        + 'Name the namespaces (one subject each) or give the pattern a fixed part, such as "team-*".');
    }
    if (WILDCARD.test(namespacePattern[0])) {
      fail(`namespace pattern ${q(namespacePattern)} starts with a wildcard, so anyone allowed to create a namespace ending the same way could `
        + 'assume the role. Start the pattern with a fixed part, such as "team-*", or name the namespaces (one subject each).');
    }
    if (WILDCARD.test(namespacePattern) && !options.allowReservedNamespaces && canMatchReservedNamespace(namespacePattern)) {
      fail(`namespace pattern ${q(namespacePattern)} can match the namespaces that Kubernetes reserves (${RESERVED_NAMESPACES}: kube-system, `
        + 'kube-public, kube-node-lease), whose service accounts are the cluster\'s own. Make the fixed part rule them out, name those '
        + 'namespaces literally with exact() or anyInNamespace(), or pass { allowReservedNamespaces: true } if that is the intent.');
    }
    if (!WILDCARD.test(namespacePattern)) {
      validateNamespace(namespacePattern);
    }
    return new ServiceAccountSubject(namespacePattern, namePattern, true);
  }

  /** The namespace, or the namespace pattern. */
  public readonly namespace: string;

  /** The service account name, or the name pattern (`*` for `anyInNamespace`). */
  public readonly name: string;

  /** Whether this subject holds wildcards and so is matched with `StringLike`. */
  public readonly isPattern: boolean;

  private constructor(namespace: string, name: string, isPattern: boolean) {
    this.namespace = namespace;
    this.name = name;
    this.isPattern = isPattern;
  }

  /** The `sub` claim value (or pattern): `system:serviceaccount:<namespace>:<name>`. */
  public get claim(): string {
    return `${SUBJECT_PREFIX}${this.namespace}:${this.name}`;
  }

  /** The claim, for messages and logs. */
  public toString(): string {
    return this.claim;
  }
}

function validatePattern(pattern: string, what: string, allowed: RegExp, maxLength: number, chars: string): void {
  if (pattern.length === 0) {
    fail(`${what} is empty. Use "*" for any value or name the value.`);
  }
  if (pattern.length > maxLength) {
    fail(`${what} ${q(pattern)} is ${pattern.length} characters long; the names it matches have at most ${maxLength}.`);
  }
  if (!allowed.test(pattern)) {
    fail(`${what} ${q(pattern)} may contain only ${chars} and the wildcards "*" and "?": `
      + 'Kubernetes names are lower case, and IAM has no other pattern syntax.');
  }
}
