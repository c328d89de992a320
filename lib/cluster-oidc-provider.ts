import { Lazy, RemovalPolicy, Resource, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { fail, q, validateAtSynth } from './private/errors';
import { DEFAULT_AUDIENCE, issuerFromProviderArn, issuerHostPath, validateIssuerUrl, validateProviderArn } from './private/issuer';
import { checkSingleProvider, indexImportedProvider, indexProvider } from './private/provider-index';
import { validateRemovalPolicy } from './private/removal';
import { optionalStringArray, requireProps, requireString } from './private/type-checks';

const MAX_THUMBPRINTS = 5;
const MAX_CLIENT_ID_LENGTH = 255;

/**
 * Properties for a `ClusterOidcProvider`.
 */
export interface ClusterOidcProviderProps {
  /**
   * The cluster's OpenID Connect issuer URL, for example
   * `https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`.
   *
   * A literal or a token (such as `cluster.clusterOpenIdConnectIssuerUrl`). Literal values
   * are checked at synth: `https` only, no query, fragment or trailing slash, at most 255 characters.
   *
   * @see https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html
   */
  readonly issuerUrl: string;

  /**
   * The audiences (client IDs) that IAM accepts in tokens from this issuer.
   *
   * Every audience that a service account's `eks.amazonaws.com/audience` annotation names
   * must be listed here, or STS refuses the token.
   *
   * @default ['sts.amazonaws.com']
   */
  readonly clientIds?: string[];

  /**
   * SHA-1 thumbprints (40 hexadecimal characters each) of the issuer's certificate chain.
   *
   * IAM does not need them for EKS issuers: it trusts the issuer's certificate authority
   * itself. Give them only where a policy of your organisation requires pinning.
   *
   * @default - none: IAM obtains and verifies the issuer's certificate itself
   */
  readonly thumbprints?: string[];

  /**
   * What happens to the provider when it leaves the template or its stack is deleted. Every
   * IAM role for service accounts of the issuer depends on it, in any stack, app or tool of the
   * account, so by default it stays; adopt it later with `ClusterOidcProvider.fromOidcProviderArn()`
   * (creating it again fails with `EntityAlreadyExists`). `RemovalPolicy.DESTROY` deletes it.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The IAM OpenID Connect identity provider for an EKS cluster's issuer, the first of the
 * pieces that IAM roles for service accounts need.
 *
 * It is a native `AWS::IAM::OIDCProvider` resource: no Lambda function, no custom resource
 * and no network call at synth or deploy from this library. An account holds one provider
 * per issuer URL, so when one exists already (made by eksctl, the console or another stack)
 * import it with `ClusterOidcProvider.fromOidcProviderArn()` instead of creating a second. In this
 * app, cdk-irsa reuses it for `IrsaCluster`s of the same issuer and account, and a second
 * provider for the same issuer and account is a synth error. It is retained when removed from
 * the app, unless `removalPolicy` says otherwise.
 *
 * It is both an `iam.IOpenIdConnectProvider` and an `iam.IOidcProvider` (aws-cdk-lib's interface
 * of native providers), and so is what `fromOidcProviderArn()` returns. Tags are set with the usual
 * `Tags.of(provider).add(key, value)`.
 *
 * @example
 * const provider = new ClusterOidcProvider(this, 'Provider', {
 *   issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
 * });
 * Tags.of(provider).add('team', 'platform');
 */
export class ClusterOidcProvider extends Resource implements iam.IOpenIdConnectProvider, iam.IOidcProvider {
  /**
   * Imports a provider that exists already in the account, by its ARN.
   *
   * The issuer (host and path, without `https://`) is taken from the ARN, which works for
   * tokens too.
   *
   * @param scope the parent construct
   * @param id the construct ID of the imported provider
   * @param providerArn the ARN, `arn:<partition>:iam::<account>:oidc-provider/<issuer host and path>`
   */
  public static fromOidcProviderArn(scope: Construct, id: string, providerArn: string): iam.IOpenIdConnectProvider {
    validateProviderArn(providerArn);
    const issuer = issuerFromProviderArn(providerArn);

    class Import extends Resource implements iam.IOpenIdConnectProvider, iam.IOidcProvider {
      public readonly openIdConnectProviderArn = providerArn;
      public readonly openIdConnectProviderIssuer = issuer;
      public readonly oidcProviderArn = providerArn;
      public readonly oidcProviderIssuer = issuer;
      public get oidcProviderRef(): iam.OIDCProviderReference {
        return { oidcProviderArn: providerArn };
      }
    }
    const imported = new Import(scope, id);
    // The account has this provider: cdk-irsa uses it for the issuer rather than create a second.
    indexImportedProvider(imported);
    return imported;
  }

  /** The ARN of the provider. */
  public readonly openIdConnectProviderArn: string;

  /**
   * The issuer's host and path, without `https://`: the prefix of the `:sub` and `:aud`
   * condition keys in trust policies. A token when the issuer URL is one.
   */
  public readonly openIdConnectProviderIssuer: string;

  /** The ARN of the provider (`iam.IOidcProvider`'s name for `openIdConnectProviderArn`). */
  public readonly oidcProviderArn: string;

  /** The issuer's host and path (`iam.IOidcProvider`'s name for `openIdConnectProviderIssuer`). */
  public readonly oidcProviderIssuer: string;

  /** The issuer URL that this provider trusts, as given. */
  public readonly issuerUrl: string;

  private readonly resource: iam.CfnOIDCProvider;
  private readonly clientIdList: string[];

  constructor(scope: Construct, id: string, props: ClusterOidcProviderProps) {
    super(scope, id);

    const example = '"https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"';
    requireProps(props, 'ClusterOidcProvider props', `give at least the issuerUrl, for example { issuerUrl: ${example} }.`, this);
    requireString(props.issuerUrl, 'issuerUrl', `a string, the cluster's OIDC issuer URL, for example ${example}`, this);
    optionalStringArray(props.clientIds, 'clientIds', 'an array of client IDs, for example ["sts.amazonaws.com"]', this);
    optionalStringArray(props.thumbprints, 'thumbprints', 'an array of certificate thumbprints (40 hexadecimal digits each)', this);
    validateIssuerUrl(props.issuerUrl);
    const clientIds = props.clientIds ?? [DEFAULT_AUDIENCE];
    validateClientIds(clientIds);
    const thumbprints = props.thumbprints;
    if (thumbprints !== undefined) {
      validateThumbprints(thumbprints);
    }
    const removalPolicy = validateRemovalPolicy(props.removalPolicy);

    this.issuerUrl = props.issuerUrl;
    this.clientIdList = [...clientIds];
    this.resource = new iam.CfnOIDCProvider(this, 'Resource', {
      url: props.issuerUrl,
      clientIdList: Lazy.list({ produce: () => this.clientIdList }),
      thumbprintList: thumbprints && thumbprints.length > 0 ? [...thumbprints] : undefined,
    });
    this.resource.applyRemovalPolicy(removalPolicy);
    this.openIdConnectProviderArn = this.resource.attrArn;
    this.openIdConnectProviderIssuer = issuerHostPath(props.issuerUrl);
    this.oidcProviderArn = this.openIdConnectProviderArn;
    this.oidcProviderIssuer = this.openIdConnectProviderIssuer;
    // cdk-irsa reuses this provider for its issuer and account, and refuses a second one.
    indexProvider(this);
    validateAtSynth(this, () => checkSingleProvider(this, this.resource));
  }

  /** The audiences (client IDs) that this provider accepts. */
  public get clientIds(): string[] {
    return [...this.clientIdList];
  }

  /**
   * Accepts one more audience (client ID) in tokens from this issuer. Adding one that is
   * listed already does nothing.
   *
   * @param clientId the audience, as service accounts' `eks.amazonaws.com/audience` names it
   */
  public addClientId(clientId: string): void {
    if (!this.clientIdList.includes(clientId)) {
      validateClientIds([...this.clientIdList, clientId]);
      this.clientIdList.push(clientId);
    }
  }

  /** A reference to this provider, for aws-cdk-lib's generated interfaces. */
  public get oidcProviderRef(): iam.OIDCProviderReference {
    return { oidcProviderArn: this.openIdConnectProviderArn };
  }
}

function validateClientIds(clientIds: string[]): void {
  if (clientIds.length === 0) {
    fail('clientIds is empty. Give at least one audience, usually "sts.amazonaws.com", or leave clientIds out to get that default.');
  }
  const seen = new Set<string>();
  for (const clientId of clientIds) {
    if (Token.isUnresolved(clientId)) {
      continue;
    }
    if (clientId.length === 0 || clientId.length > MAX_CLIENT_ID_LENGTH) {
      fail(`client ID ${q(clientId)} must be 1 to ${MAX_CLIENT_ID_LENGTH} characters long.`);
    }
    if (seen.has(clientId)) {
      fail(`client ID ${q(clientId)} is listed twice in clientIds ${q(clientIds)}. List each audience once.`);
    }
    seen.add(clientId);
  }
}

function validateThumbprints(thumbprints: string[]): void {
  if (thumbprints.length > MAX_THUMBPRINTS) {
    fail(`thumbprints has ${thumbprints.length} entries; IAM accepts at most ${MAX_THUMBPRINTS}.`);
  }
  const seen = new Set<string>();
  for (const thumbprint of thumbprints) {
    if (Token.isUnresolved(thumbprint)) {
      continue;
    }
    if (!/^[0-9a-fA-F]{40}$/.test(thumbprint)) {
      fail(`thumbprint ${q(thumbprint)} is not a SHA-1 fingerprint: expected exactly 40 hexadecimal characters, without colons.`);
    }
    if (seen.has(thumbprint.toLowerCase())) {
      fail(`thumbprint ${q(thumbprint)} is listed twice. List each thumbprint once.`);
    }
    seen.add(thumbprint.toLowerCase());
  }
}
