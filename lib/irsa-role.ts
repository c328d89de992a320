import { Annotations, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { unsafeDeployTimeValue } from './private/deploy-time-values';
import { fail, q, validateAtSynth } from './private/errors';
import { DEFAULT_TRUST_POLICY_SIZE_LIMIT, GRANTS_POLICY_NAME, INLINE_POLICIES_SIZE_LIMIT, validateRoleOptions } from './private/iam-names';
import { validateAudience } from './private/input-checks';
import { DEFAULT_AUDIENCE } from './private/issuer';
import { PerApp } from './private/per-app';
import { checkPinsNotVoided, PodIdentityPin, podIdentityPinsIn, podIdentityStatements, validatePin } from './private/pod-identity-trust';
import { policyDocumentSize } from './private/policy-size';
import { checkProviderAccount, hasTokenIssuer, literalProviderValues, POLICY_VERSION, trustPolicySize, WEB_IDENTITY_ACTION, WebIdentityTrust, webIdentityStatements } from './private/trust-policy';
import { optionalString, requireArray, requireObjectWith } from './private/type-checks';
import { ServiceAccountSubject } from './service-account-subject';

/**
 * The options of an `IrsaRole` that are not about trust: the usual IAM role options.
 */
export interface IrsaRoleOptions {
  /**
   * A name for the role.
   *
   * @default - CloudFormation generates a unique name
   */
  readonly roleName?: string;

  /**
   * The path of the role, `/` or `/<segments>/`.
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * A description of the role, at most 1,000 characters.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * The longest session that the role's credentials may have, from 1 to 12 hours.
   *
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;

  /**
   * A managed policy that bounds the role's permissions.
   *
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;

  /**
   * Managed policies to attach to the role.
   *
   * @default - none
   */
  readonly managedPolicies?: iam.IManagedPolicy[];

  /**
   * Inline policies, by name. The name `Grants` is reserved for the statements that
   * `grant*()` calls add later.
   *
   * @default - none
   */
  readonly inlinePolicies?: { [name: string]: iam.PolicyDocument };

  /**
   * Where what is granted to the role (`grant*()` calls, `addToPrincipalPolicy`, add-on presets)
   * is kept: the role's inline policy `Grants`, or a customer-managed policy attached to it, for
   * compliance packs that forbid inline policies (the `IAMNoInlinePolicy` rules of cdk-nag's
   * NIST 800-53, HIPAA Security and PCI DSS packs). The managed policy is one more resource
   * (`AWS::IAM::ManagedPolicy`), made on the first grant; it counts against the account's quota of
   * customer-managed policies and the role's quota of attached policies, and holds at most 6,144
   * characters.
   *
   * @default GrantsPolicyType.INLINE
   */
  readonly grantsPolicyType?: GrantsPolicyType;

  /**
   * The most characters that the trust policy may have, as IAM counts them (without white
   * space). IAM's default quota is 2,048 (`ACLSizePerRole`); raise this only where the
   * account's quota has been raised.
   *
   * A trust policy over the limit is a synth error rather than a failed deployment. When the
   * issuer is a token, the policy is measured with the longest value it can take.
   *
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
   * @default 2048
   */
  readonly trustPolicySizeLimit?: number;
}

/**
 * Where an `IrsaRole` keeps what is granted to it.
 */
export enum GrantsPolicyType {
  /** The role's inline policy `Grants`: no resource besides the role. */
  INLINE = 'INLINE',
  /**
   * A customer-managed policy (`AWS::IAM::ManagedPolicy`, construct ID `GrantsPolicy`) attached
   * to the role.
   */
  CUSTOMER_MANAGED = 'CUSTOMER_MANAGED',
}

/**
 * Options for one more web-identity trust of an `IrsaRole`.
 */
export interface IrsaTrustOptions {
  /**
   * The audience (`aud` claim) that the service accounts' tokens carry.
   *
   * @default 'sts.amazonaws.com'
   */
  readonly audience?: string;
}

/**
 * Properties of an `IrsaRole`.
 */
export interface IrsaRoleProps extends IrsaRoleOptions, IrsaTrustOptions {
  /**
   * The IAM OIDC provider of the cluster whose service accounts may assume the role.
   * Give it with `subjects`.
   *
   * @default - no web-identity trust yet: add it with `addTrust()`, or use the role for EKS Pod
   * Identity with `addPodIdentityTrust()`
   */
  readonly provider?: iam.IOpenIdConnectProvider;

  /**
   * The service accounts that may assume the role through `provider`.
   *
   * @default - none; required when `provider` is given
   */
  readonly subjects?: ServiceAccountSubject[];

  /**
   * Whether EKS Pod Identity trust without pins or with only some (from an `IrsaServiceAccount`
   * whose `podIdentity` has `pinSessionTags: false` or `disableSessionTags: true`, or from
   * `addPodIdentityTrust()` without all of cluster, namespace and service account) may be added
   * to this role beside trust that pins all three. An unpinned statement admits every
   * association in the account, so it voids the pins of every other service account of the
   * role: set this only for a role meant to be shared unpinned, and give it only what all of its
   * users may have.
   *
   * @default false: mixing pinned and unpinned Pod Identity trust on one role is a synth error
   */
  readonly allowUnpinnedPodIdentity?: boolean;

  /**
   * EKS Pod Identity trust to give the role when it is made, as `addPodIdentityTrust()` would
   * add it. Trust given here (and through `provider` and `subjects`) is in the role's
   * `assumeRolePolicy` document from the start, so that aws-cdk-lib's tooling sees it, in
   * particular the `iam-policy-report` of roles pre-created with `iam.Role.customizeRoles()`.
   *
   * @default - no Pod Identity trust yet: add it with `addPodIdentityTrust()`
   */
  readonly podIdentityTrust?: PodIdentityTrustOptions;
}

/**
 * Which EKS Pod Identity associations may use a role. Each value given pins the session tag
 * that Pod Identity sends, so the role cannot be borrowed by an association for another
 * cluster, namespace or service account.
 */
export interface PodIdentityTrustOptions {
  /**
   * The ARN of the cluster (session tag `eks-cluster-arn`).
   *
   * @default - any cluster
   */
  readonly clusterArn?: string;

  /**
   * The namespace (session tag `kubernetes-namespace`).
   *
   * @default - any namespace
   */
  readonly namespace?: string;

  /**
   * The service account's name (session tag `kubernetes-service-account`).
   *
   * @default - any service account
   */
  readonly serviceAccount?: string;
}

/**
 * An IAM role that Kubernetes service accounts assume through IAM roles for service
 * accounts (IRSA), with trust scoped to exactly the service accounts and audience given.
 *
 * It is an `iam.Role`, so it goes wherever an `iam.IRole` is expected. Its trust policy is
 * rendered compactly (one statement per provider for all exact subjects, one for patterns,
 * `aud` pinned in each), as a plain object when the issuer is literal and as one JSON string
 * when the issuer is a token: never a Lambda-backed `CfnJson`. Statements added later through
 * `role.assumeRolePolicy` are kept. What is granted to the role (`bucket.grantRead(role)`)
 * lands in its inline policy `Grants`, not in a separate `AWS::IAM::Policy` resource.
 *
 * @example
 * declare const provider: iam.IOpenIdConnectProvider;
 * const role = new IrsaRole(this, 'Role', {
 *   provider,
 *   subjects: [ServiceAccountSubject.exact('payments', 'api')],
 * });
 * // another cluster, during a blue/green migration
 * declare const greenProvider: iam.IOpenIdConnectProvider;
 * role.addTrust(greenProvider, [ServiceAccountSubject.exact('payments', 'api')]);
 */
export class IrsaRole extends iam.Role {
  /** The most characters that the trust policy may have. */
  public readonly trustPolicySizeLimit: number;

  /** @internal the name and path given, from which a literal ARN can be formed */
  public readonly _givenName?: string;
  /** @internal */
  public readonly _givenPath?: string;
  /** @internal whether aws-cdk-lib pre-creates the role (`iam.Role.customizeRoles`): no CfnRole, a policy report instead */
  public readonly _precreated: boolean;

  private readonly trusts: WebIdentityTrust[] = [];
  private readonly podIdentityPins: PodIdentityPin[] = [];
  private readonly allowUnpinnedPodIdentity: boolean;
  private readonly grantedStatements = new iam.PolicyDocument();
  private readonly userInlinePolicies: { [name: string]: iam.PolicyDocument };
  private readonly grantsPolicyType: GrantsPolicyType;
  /** How many statements at the head of `assumeRolePolicy` are the trust given to the constructor. */
  private readonly givenTrustStatements: number;
  private grantsPolicy?: iam.ManagedPolicy;
  private policiesRendered = false;

  constructor(scope: Construct, id: string, props: IrsaRoleProps = {}) {
    validateRoleOptions(props);
    if ((props.provider === undefined) !== (props.subjects === undefined)) {
      fail('provider and subjects go together: give both (the cluster\'s OIDC provider and the service accounts it may vouch for), or neither.');
    }
    const givenTrust = new GivenTrust(props, Stack.of(scope));
    super(scope, id, {
      assumedBy: givenTrust,
      roleName: props.roleName,
      path: props.path,
      description: props.description,
      maxSessionDuration: props.maxSessionDuration,
      permissionsBoundary: props.permissionsBoundary,
      managedPolicies: props.managedPolicies,
      inlinePolicies: props.inlinePolicies,
    });
    this.trustPolicySizeLimit = props.trustPolicySizeLimit ?? DEFAULT_TRUST_POLICY_SIZE_LIMIT;
    this._givenName = props.roleName;
    this._givenPath = props.path;
    this.userInlinePolicies = { ...props.inlinePolicies };
    this.allowUnpinnedPodIdentity = props.allowUnpinnedPodIdentity ?? false;
    this.grantsPolicyType = props.grantsPolicyType ?? GrantsPolicyType.INLINE;
    this.givenTrustStatements = givenTrust.statementsAdded;

    const resource = this.node.tryFindChild('Resource') as iam.CfnRole | undefined;
    this._precreated = resource === undefined;
    if (resource) {
      // The template gets the compact rendering (a JSON string where the issuer is a token); the
      // document keeps the statements given so far, for aws-cdk-lib's own readers.
      resource.assumeRolePolicyDocument = Lazy.uncachedAny({ produce: () => this.renderTrustPolicy() });
      if (Object.keys(this.userInlinePolicies).length > 0) {
        this.renderPoliciesLazily();
      }
    }
    if (props.provider && props.subjects) {
      this.recordTrust(props.provider, props.subjects, props);
    }
    if (props.podIdentityTrust) {
      this.recordPodIdentityTrust(props.podIdentityTrust);
    }
    if (this._precreated && !givenTrust.complete) {
      this.warnPrecreated(webIdentityStatements(this.trusts));
    }
    validateAtSynth(this, () => this.validateTrust());
    registerRoleName(this, props.roleName);
  }

  /**
   * Trusts more service accounts, of this or another cluster, for example both clusters of
   * a blue/green migration or every cluster of a multi-cluster service.
   *
   * @param provider the IAM OIDC provider of the cluster
   * @param subjects the service accounts of that cluster that may assume the role
   * @param options the audience, if not the default
   */
  public addTrust(provider: iam.IOpenIdConnectProvider, subjects: ServiceAccountSubject[], options: IrsaTrustOptions = {}): void {
    const added = this.recordTrust(provider, subjects, options);
    if (this._precreated) {
      this.warnPrecreated(webIdentityStatements([added]));
    }
  }

  /** Adds web-identity trust to what the role renders; returns what was added. */
  private recordTrust(provider: iam.IOpenIdConnectProvider, subjects: ServiceAccountSubject[], options: IrsaTrustOptions): WebIdentityTrust {
    requireObjectWith(provider, ['openIdConnectProviderArn'], 'the provider given to addTrust()',
      'an iam.IOpenIdConnectProvider, for example cluster.findOrCreateOidcProvider(this) or ClusterOidcProvider.fromOidcProviderArn(this, "Provider", providerArn)', this);
    requireArray(subjects, 'subjects', 'an array of ServiceAccountSubject, for example [ServiceAccountSubject.exact("payments", "api")]', this);
    optionalString(options.audience, 'audience', 'a string, for example "sts.amazonaws.com"', this);
    const audience = options.audience ?? DEFAULT_AUDIENCE;
    checkTrust(subjects, audience);
    checkProviderAccount(this, provider);
    let trust = this.trusts.find((t) => t.provider === provider && t.audience === audience);
    if (!trust) {
      trust = { provider, audience, subjects: [] };
      this.trusts.push(trust);
    }
    for (const subject of subjects) {
      if (trust.subjects.some((s) => s.claim === subject.claim)) {
        fail(`${subject.claim} is already trusted through this provider with audience ${q(audience)}. List each service account once.`, this);
      }
      trust.subjects.push(subject);
    }
    return { provider, audience, subjects };
  }

  /**
   * Lets EKS Pod Identity assume the role: the principal `pods.eks.amazonaws.com` with
   * `sts:AssumeRole` and `sts:TagSession` in one statement, pinned with the session tags given.
   *
   * Pin at least the cluster, namespace and service account unless the role is meant to be
   * shared by several associations: without pins, any Pod Identity association in the account
   * may use it. Adding the same pins again changes nothing. Trust that leaves any of the three
   * open, beside trust that pins all three, is refused unless the role was made with
   * `allowUnpinnedPodIdentity: true`; so are values that no session tag can equal (`""`, `*`, `?`).
   *
   * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
   * @param options the session tag values to require
   */
  public addPodIdentityTrust(options: PodIdentityTrustOptions = {}): void {
    const added = this.recordPodIdentityTrust(options);
    if (this._precreated && added) {
      this.warnPrecreated(podIdentityStatements([added]));
    }
  }

  /** Adds Pod Identity trust to what the role renders; returns the pin, or `undefined` if it was there. */
  private recordPodIdentityTrust(options: PodIdentityTrustOptions): PodIdentityPin | undefined {
    const pin = { clusterArn: options.clusterArn, namespace: options.namespace, serviceAccount: options.serviceAccount };
    validatePin(this, pin);
    // The same pin twice (several service accounts sharing an unpinned role) changes nothing.
    const known = this.podIdentityPins.some((p) =>
      p.clusterArn === pin.clusterArn && p.namespace === pin.namespace && p.serviceAccount === pin.serviceAccount);
    if (known) {
      return undefined;
    }
    if (!this.allowUnpinnedPodIdentity) {
      checkPinsNotVoided(this, [...this.podIdentityPins, pin], 'create the shared role with allowUnpinnedPodIdentity: true');
    }
    this.podIdentityPins.push(pin);
    return pin;
  }

  /**
   * A pre-created role (`iam.Role.customizeRoles`) is reported with the trust its document had
   * when it was made: trust added later, or trust that cannot be written into the document (an
   * issuer known only at deploy), would be missing from `iam-policy-report`. Says so, with the
   * statements, the way trust for an imported role is reported.
   */
  private warnPrecreated(statements: any[]): void {
    if (statements.length === 0) {
      return;
    }
    // Condition keys that hold an issuer known only at deploy cannot be resolved as object keys.
    const stack = Stack.of(this);
    const rendered = JSON.stringify(stack.resolve(hasTokenIssuer(this.trusts) ? stack.toJsonString(statements) : statements));
    Annotations.of(this).addWarningV2('cdk-irsa:precreatedRoleTrust',
      `The role ${this.node.path} is pre-created (iam.Role.customizeRoles), and iam-policy-report shows only the trust it was made with. `
      + 'Give provider, subjects and podIdentityTrust when making the role (with an issuer known at synth), or add these statements to the '
      + `trust policy of the role you create, or pods will be refused: ${rendered}`);
  }

  /**
   * Adds a statement to the role's inline policy `Grants` (or, with
   * `GrantsPolicyType.CUSTOMER_MANAGED`, to its managed policy). `grant*()` methods of other
   * constructs call this, so what they grant stays inside the role's one resource.
   */
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (!this.node.tryFindChild('Resource')) {
      // No role resource of our own (roles customized with `Role.customizeRoles`): aws-cdk-lib handles it.
      return super.addToPrincipalPolicy(statement);
    }
    if (this.grantsPolicyType === GrantsPolicyType.CUSTOMER_MANAGED) {
      // Attached through the policy's `Roles`: whatever depends on the policy finds the grant in effect.
      this.grantsPolicy ??= new iam.ManagedPolicy(this, 'GrantsPolicy', { roles: [this] });
      this.grantsPolicy.addStatements(statement);
      return { statementAdded: true, policyDependable: this.grantsPolicy };
    }
    this.grantedStatements.addStatements(statement);
    this.renderPoliciesLazily();
    return { statementAdded: true, policyDependable: this };
  }

  /**
   * The size of the trust policy as IAM will count it: exact where every value is literal,
   * an upper bound where the issuer, provider, cluster ARN or a role ARN of the app is a token;
   * any other token counts as 255 characters, an estimate.
   */
  public get trustPolicySize(): number {
    return trustPolicySize(Stack.of(this), this.trusts, this.podIdentityPins, this.addedStatements());
  }

  /**
   * The statements of `assumeRolePolicy` added by others (`role.assumeRolePolicy.addStatements`):
   * those after the trust given to the constructor, which the role renders itself.
   */
  private addedStatements(): any[] {
    const document = this.assumeRolePolicy;
    // Counted before rendered: the document is rendered on every resolve of the role, and usually holds only the given trust.
    if (!document || document.statementCount <= this.givenTrustStatements) {
      return [];
    }
    const statements: any[] = document.toJSON()?.Statement ?? [];
    return statements.slice(this.givenTrustStatements);
  }

  private renderTrustPolicy(): any {
    const statements = [
      ...webIdentityStatements(this.trusts),
      ...podIdentityStatements(this.podIdentityPins),
      ...this.addedStatements(),
    ];
    const document = { Version: POLICY_VERSION, Statement: statements };
    // Condition keys hold the issuer; a token issuer cannot be an object key in a template,
    // so the whole document becomes one JSON string (Fn::Join), which IAM accepts as well.
    if (!hasTokenIssuer(this.trusts)) {
      return document;
    }
    this.refuseTokensInJsonString();
    return Stack.of(this).toJsonString(document);
  }

  /**
   * In a trust rendered as one JSON string, a value known only at deploy is spliced into the
   * text as it is, unescaped: a parameter holding a quote could rewrite the policy. The subjects
   * and audiences are the user's values; they must be literal there. Pod Identity pins and
   * statements added to `assumeRolePolicy` may hold only values that cannot carry a quote
   * (references to resources, pseudo parameters: see deploy-time-values.ts).
   */
  private refuseTokensInJsonString(): void {
    const stack = Stack.of(this);
    const fix = 'or give the cluster\'s issuer literally (IrsaCluster.fromAttributes({ clusterName, issuerUrl })) so that the trust is a JSON object.';
    for (const trust of this.trusts) {
      const values = [trust.audience, ...trust.subjects.flatMap((subject) => [subject.namespace, subject.name])];
      const token = values.find((value) => Token.isUnresolved(value));
      if (token !== undefined) {
        fail(`the trust of ${this.node.path} names ${q(stack.resolve(token))}, a value known only at deploy, while the issuer of its OIDC provider is `
          + 'known only at deploy too: the trust policy is then one JSON string, into which a deploy-time value goes unescaped (a value '
          + `holding a quote could rewrite the policy). Give the namespace, name and audience literally, ${fix}`, this);
      }
    }
    const others = stack.resolve([...this.podIdentityPins, ...this.addedStatements()]);
    const unsafe = unsafeDeployTimeValue(stack, others);
    if (unsafe !== undefined) {
      fail(`the trust of ${this.node.path} holds ${unsafe} (in a Pod Identity pin or a statement added to assumeRolePolicy), a value known `
        + 'only at deploy that can carry any text, while the issuer of its OIDC provider is known only at deploy: the trust policy is then one '
        + 'JSON string, into which such a value goes unescaped (a value holding a quote could rewrite the policy). Give the value literally '
        + `(a parameter, an import by export name, a mapping, Fn::Sub or a dynamic reference cannot be used there), ${fix}`, this);
    }
  }

  /**
   * Renders the inline policies into the role's `Policies` once there is one: a role without any
   * keeps `Policies` unset rather than a token that resolves to nothing, which checkers such as
   * cdk-nag read as a policy list and fail on.
   */
  private renderPoliciesLazily(): void {
    const resource = this.node.tryFindChild('Resource') as iam.CfnRole | undefined;
    if (resource && !this.policiesRendered) {
      this.policiesRendered = true;
      resource.policies = Lazy.uncachedAny({ produce: () => this.renderInlinePolicies() }, { omitEmptyArray: true });
    }
  }

  private renderInlinePolicies(): any[] {
    const policies = Object.entries(this.userInlinePolicies).map(([policyName, policyDocument]) => ({ policyName, policyDocument }));
    if (!this.grantedStatements.isEmpty) {
      policies.push({ policyName: GRANTS_POLICY_NAME, policyDocument: this.grantedStatements });
    }
    return policies;
  }

  private validateTrust(): string[] {
    this.checkAddedPodIdentityTrust();
    const errors: string[] = [];
    if (this.trusts.length === 0 && this.podIdentityPins.length === 0 && this.addedStatements().length === 0) {
      errors.push('the role trusts nobody. Give provider and subjects, or call addTrust() or addPodIdentityTrust().');
    }
    const size = this.trustPolicySize;
    if (size > this.trustPolicySizeLimit) {
      const subjects = this.trusts.reduce((n, t) => n + t.subjects.length, 0) + this.podIdentityPins.length;
      // An upper bound wherever the template holds a value known only at deploy.
      const bound = /"(Ref|Fn::[A-Za-z]+)":/.test(JSON.stringify(Stack.of(this).resolve(this.renderTrustPolicy()))) ? ' at most' : '';
      errors.push(`the trust policy would be${bound} ${size} characters, over the limit of ${this.trustPolicySizeLimit} (IAM quota ACLSizePerRole), `
        + `and fail at deploy with LimitExceeded. It trusts ${subjects} service account subject(s). Trust fewer service accounts per role, `
        + 'cover several with one pattern (ServiceAccountSubject.matching or anyInNamespace), or have the quota raised and set trustPolicySizeLimit to it.');
    }
    errors.push(...this.grantedStatements.validateForIdentityPolicy());
    const inline = Object.values(this.userInlinePolicies).concat(this.grantedStatements.isEmpty ? [] : [this.grantedStatements])
      .reduce((n, doc) => n + policyDocumentSize(Stack.of(this), doc), 0);
    if (inline > INLINE_POLICIES_SIZE_LIMIT) {
      errors.push(`the role's inline policies (including ${GRANTS_POLICY_NAME}, which holds what grant*() calls added) are ${inline} characters, `
        + `over IAM's limit of ${INLINE_POLICIES_SIZE_LIMIT} for one role. Move statements into managed policies (managedPolicies) instead.`);
    }
    return errors;
  }

  /**
   * Pod Identity trust in statements added to `assumeRolePolicy` by others counts like trust
   * added with `addPodIdentityTrust()`: an unpinned one there would void the pins of this role's
   * service accounts as well.
   */
  private checkAddedPodIdentityTrust(): void {
    const added = podIdentityPinsIn(Stack.of(this).resolve(this.addedStatements()));
    if (!this.allowUnpinnedPodIdentity && added.length > 0) {
      checkPinsNotVoided(this, [...this.podIdentityPins, ...added],
        'create the shared role with allowUnpinnedPodIdentity: true (pins in statements added to assumeRolePolicy count as well)');
    }
  }
}

/**
 * The principal an `IrsaRole` gives its base class: it writes the trust given to the constructor
 * into the role's `assumeRolePolicy` document, rendered as the role renders it, so that what reads
 * the document while the role is made (aws-cdk-lib's report of pre-created roles) sees it. Trust
 * with an issuer known only at deploy cannot be written there (a condition key would be a token)
 * and is left to the role's own rendering.
 */
class GivenTrust extends iam.PrincipalBase implements iam.IAssumeRolePrincipal {
  public readonly assumeRoleAction = WEB_IDENTITY_ACTION;
  public readonly policyFragment = new iam.PrincipalPolicyFragment({});
  /** How many statements were written into the document. */
  public statementsAdded = 0;
  /** Whether all of the given trust is in the document. */
  public complete = true;

  constructor(private readonly props: IrsaRoleProps, private readonly roleStack: Stack) {
    super();
  }

  public addToAssumeRolePolicy(document: iam.PolicyDocument): void {
    const statements: any[] = [];
    try {
      const { provider, subjects, podIdentityTrust } = this.props;
      if (provider && subjects) {
        const trust: WebIdentityTrust = { provider, subjects, audience: this.props.audience ?? DEFAULT_AUDIENCE };
        if (hasTokenIssuer([trust])) {
          this.complete = false;
        } else {
          // A provider made in the app is referenced in the template; here its ARN is literal
          // where it can be, for readers that cannot resolve a reference.
          const literal = webIdentityStatements([trust], literalProviderValues(this.roleStack));
          this.complete &&= literal.every((statement) => !Token.isUnresolved(statement.Principal.Federated));
          statements.push(...literal);
        }
      }
      if (podIdentityTrust) {
        statements.push(...podIdentityStatements([{ ...podIdentityTrust }]));
      }
    } catch {
      // Bad input: the role's checks, after its base class is made, say what is wrong.
      this.complete = false;
      return;
    }
    document.addStatements(...statements.map(toPolicyStatement));
    this.statementsAdded = statements.length;
  }

  public dedupeString(): string | undefined {
    return undefined;
  }
}

/**
 * A statement of the trust as a `PolicyStatement`: web-identity statements (one principal, the
 * provider) made directly, about four times cheaper than `PolicyStatement.fromJson`, which
 * parses the JSON form and takes the rest; both render the same JSON.
 */
function toPolicyStatement(json: any): iam.PolicyStatement {
  const principal = json.Principal ?? {};
  if (Object.keys(principal).length !== 1 || principal.Federated === undefined || json.Action !== WEB_IDENTITY_ACTION || json.Effect !== 'Allow') {
    return iam.PolicyStatement.fromJson(json);
  }
  return new iam.PolicyStatement({
    effect: iam.Effect.ALLOW,
    principals: [new iam.FederatedPrincipal(principal.Federated)],
    actions: [WEB_IDENTITY_ACTION],
    conditions: json.Condition,
  });
}

/** Literal role names by account, per app: IAM role names are unique in an account, whatever the region. */
const roleNames = new PerApp<string>();

function registerRoleName(role: IrsaRole, roleName: string | undefined): void {
  const account = Stack.of(role).account;
  if (roleName === undefined || Token.isUnresolved(roleName) || Token.isUnresolved(account)) {
    return;
  }
  const names = roleNames.of(role);
  const key = `${account}\n${roleName.toLowerCase()}`;
  const first = names.get(key);
  if (first !== undefined) {
    fail(`role name ${q(roleName)} is already used in account ${account} by ${first}: IAM role names are unique in an account, across regions, `
      + 'so the second would fail at deploy. Give one of them another roleName (for service accounts of clusters named alike in two regions, '
      + 'set roleName on each).', role);
  }
  names.set(key, role.node.path);
}

function checkTrust(subjects: ServiceAccountSubject[], audience: string | undefined): void {
  if (subjects.length === 0) {
    fail('subjects is empty: a role for service accounts must trust at least one. Use ServiceAccountSubject.exact(namespace, name).');
  }
  const seen = new Set<string>();
  subjects.forEach((subject, i) => {
    if (subject === undefined || subject === null || typeof (subject as Partial<ServiceAccountSubject>).claim !== 'string') {
      fail(`subjects[${i}] is ${q(subject)}: give a ServiceAccountSubject, for example ServiceAccountSubject.exact("payments", "api").`);
    }
  });
  for (const subject of subjects) {
    if (seen.has(subject.claim)) {
      fail(`subject ${subject.claim} is listed twice. List each service account once.`);
    }
    seen.add(subject.claim);
  }
  if (audience !== undefined && !Token.isUnresolved(audience) && audience.trim().length === 0) {
    fail(`audience ${q(audience)} is empty. Leave it out to use "${DEFAULT_AUDIENCE}", or name the audience your service accounts' tokens carry.`);
  }
  if (audience !== undefined) {
    validateAudience(audience);
  }
}
