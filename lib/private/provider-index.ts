import { Annotations, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import type { ClusterOidcProvider } from '../cluster-oidc-provider';
import { PerApp } from './per-app';

/**
 * IAM holds one OIDC provider per issuer URL per account. This index maps, per app, an account
 * and issuer URL (a literal, or the token a cluster attribute stands for) to the first
 * `ClusterOidcProvider` made for it, whoever made it, so that cdk-irsa reuses it.
 */
const created = new PerApp<ClusterOidcProvider>();

/** The account of a stack for the index: environment-agnostic stacks count as one account. */
function accountOf(stack: Stack): string {
  return Token.isUnresolved(stack.account) ? '(environment-agnostic)' : stack.account;
}

function indexOf(scope: IConstruct): Map<string, ClusterOidcProvider> {
  return created.of(scope);
}

/** Records a provider for its account and issuer URL, unless one is recorded already. */
export function indexProvider(provider: ClusterOidcProvider): void {
  const index = indexOf(provider);
  const key = `${accountOf(Stack.of(provider))}\n${provider.issuerUrl}`;
  if (!index.has(key)) {
    index.set(key, provider);
  }
}

/**
 * Providers imported by a literal ARN (`ClusterOidcProvider.fromProviderArn()`), per app, by the
 * account and issuer URL the ARN names: the app says the account has one, so cdk-irsa uses it
 * rather than create a second (which would fail at deploy with `EntityAlreadyExists`).
 */
const importedProviders = new PerApp<iam.IOpenIdConnectProvider>();

/** Records a provider imported by a literal ARN, unless one is recorded for its account and issuer already. */
export function indexImportedProvider(provider: iam.IOpenIdConnectProvider): void {
  const arn = provider.openIdConnectProviderArn;
  const match = Token.isUnresolved(arn) ? undefined : /^arn:[^:]+:iam::(\d{12}):oidc-provider\/(.+)$/.exec(arn);
  if (!match) {
    return;
  }
  const index = importedProviders.of(provider);
  const key = `${match[1]}\nhttps://${match[2]}`;
  if (!index.has(key)) {
    index.set(key, provider);
  }
}

/** The provider imported by a literal ARN for an issuer URL in the (literal) account of the scope's stack. */
export function importedProvider(scope: IConstruct, issuerUrl: string): iam.IOpenIdConnectProvider | undefined {
  const account = Stack.of(scope).account;
  if (Token.isUnresolved(account) || Token.isUnresolved(issuerUrl)) {
    return undefined;
  }
  return importedProviders.of(scope).get(`${account}\n${issuerUrl}`);
}

/** The provider recorded for an issuer URL in the account of the scope's stack. */
export function indexedProvider(scope: IConstruct, issuerUrl: string): ClusterOidcProvider | undefined {
  return indexOf(scope).get(`${accountOf(Stack.of(scope))}\n${issuerUrl}`);
}

/**
 * The other `AWS::IAM::OIDCProvider` resources of the app for the same issuer URL and account:
 * each would fail at deploy with `EntityAlreadyExists`. An error where the account is known; a
 * warning for environment-agnostic stacks, which may deploy to different accounts.
 */
export function checkSingleProvider(provider: ClusterOidcProvider, resource: iam.CfnOIDCProvider): string[] {
  const stack = Stack.of(provider);
  const account = accountOf(stack);
  const constructs = provider.node.root.node.findAll();
  warnWhereUnknowable(provider, constructs);
  const others = constructs.filter((c): c is iam.CfnOIDCProvider =>
    c instanceof iam.CfnOIDCProvider && c !== resource && c.url === provider.issuerUrl && accountOf(Stack.of(c)) === account);
  if (others.length === 0) {
    return [];
  }
  const url = Token.isUnresolved(provider.issuerUrl) ? 'the same issuer URL (a value known at deploy)' : `the issuer URL ${provider.issuerUrl}`;
  const message = `the app has another IAM OIDC provider for ${url} at ${others.map((o) => o.node.path).join(', ')}. `
    + 'IAM holds one provider per issuer and account: the second fails at deploy with EntityAlreadyExists. Keep one, and pass it where '
    + 'the other is used (IrsaCluster.fromAttributes({ oidcProvider }), IrsaRole provider).';
  if (Token.isUnresolved(stack.account)) {
    Annotations.of(provider).addWarningV2('cdk-irsa:duplicateProvider', `If these stacks deploy to one account, ${message.charAt(0).toLowerCase()}${message.slice(1)}`);
    return [];
  }
  return [message];
}

/**
 * Where the app may hold a second provider for the issuer and account that cdk-irsa cannot tell
 * apart at synth, a warning: an import by ARN of the same issuer (the provider this app creates,
 * or one the account has already), and aws-cdk-lib's Lambda-backed providers, whose URL is not
 * readable through aws-cdk-lib's public API.
 */
function warnWhereUnknowable(provider: ClusterOidcProvider, constructs: IConstruct[]): void {
  const stack = Stack.of(provider);
  const imported = Token.isUnresolved(stack.account) || Token.isUnresolved(provider.issuerUrl)
    ? undefined : importedProviders.of(provider).get(`${stack.account}\n${provider.issuerUrl}`);
  if (imported) {
    Annotations.of(provider).addWarningV2('cdk-irsa:providerCreatedAndImported', `this app creates the IAM OIDC provider for `
      + `${provider.issuerUrl} here and also imports one for it by ARN at ${imported.node.path}. If the account has that provider already, `
      + 'this one fails at deploy with EntityAlreadyExists: pass the imported provider where this one is used (IrsaCluster.fromAttributes({ '
      + 'oidcProvider }), or import it before the first IrsaCluster.fromAttributes() of the issuer). If the import names the provider '
      + 'created here, acknowledge this warning.');
  }
  const account = accountOf(stack);
  const lambdaBacked = constructs.filter((c): c is CfnResource => c instanceof CfnResource
    && c.cfnResourceType === 'Custom::AWSCDKOpenIdConnectProvider' && accountOf(Stack.of(c)) === account);
  if (lambdaBacked.length > 0) {
    Annotations.of(provider).addWarningV2('cdk-irsa:lambdaBackedProvider', `the app also has aws-cdk-lib Lambda-backed IAM OIDC providers `
      + `(${lambdaBacked.map((c) => c.node.path).join(', ')}), whose URL cdk-irsa cannot read at synth. If one of them is for `
      + `${Token.isUnresolved(provider.issuerUrl) ? 'this issuer' : provider.issuerUrl}, the second fails at deploy with EntityAlreadyExists: `
      + 'keep one, and pass it where the other is used. Otherwise acknowledge this warning.');
  }
}
