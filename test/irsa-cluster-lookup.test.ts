import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { IdentityType, IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../lib';

/**
 * IrsaCluster.fromLookup() against context as the CDK CLI writes it. The keys are not computed
 * here: each test runs the synth before it, reads the queries it records under the assembly's
 * `missing` (what the CLI reads), and answers them the way the CLI's Cloud Control provider
 * does: the requested properties plus `Identifier`; for a resource that does not exist, the
 * query's dummy value where it allows that (`ignoreErrorOnMissingContext`), else the error
 * (`$providerError`, with `$dontSaveContext`: never written to cdk.context.json).
 */

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const ISSUER_URL = `https://${ISSUER}`;
const CLUSTER_ARN = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
/** The context key of the cluster query, as aws-cdk-lib renders it and the CLI stores it. */
const CLUSTER_KEY = 'cc-api-provider:account=123456789012:exactIdentifier=prod:propertiesToReturn.0=Arn:'
  + 'propertiesToReturn.1=OpenIdConnectIssuerUrl:region=eu-west-1:typeName=AWS$:$:EKS$:$:Cluster';
const PROVIDER_KEY = `cc-api-provider:account=123456789012:exactIdentifier=arn$:aws$:iam$:$:123456789012$:oidc-provider/${ISSUER}:`
  + 'propertiesToReturn.0=Arn:region=eu-west-1:typeName=AWS$:$:IAM$:$:OIDCProvider';
/** The logical ID of the provider that cdk-irsa creates for ISSUER_URL (the same as fromAttributes({ issuerUrl })). */
const CREATED_PROVIDER_ID = 'IrsaOidcProvider0720465B829363C7';

/** What the account holds, as Cloud Control would report it. */
interface Account {
  readonly clusters: Record<string, { Arn: string; OpenIdConnectIssuerUrl: string }>;
  readonly providers: string[];
}

const WITH_PROVIDER: Account = { clusters: { prod: { Arn: CLUSTER_ARN, OpenIdConnectIssuerUrl: ISSUER_URL } }, providers: [PROVIDER_ARN] };
const WITHOUT_PROVIDER: Account = { clusters: WITH_PROVIDER.clusters, providers: [] };

type Build = (stack: Stack) => void;

function synthesize(context: Record<string, unknown>, build: Build, env: { account?: string; region?: string } | null = ENV) {
  const app = new App({ context });
  const stack = new Stack(app, 'Stack', { env: env ?? undefined });
  build(stack);
  return { app, stack, assembly: app.synth() };
}

/** The CLI's answer to one query of the manifest's `missing` list. */
function answer(account: Account, missing: any): unknown {
  const { typeName, exactIdentifier, propertiesToReturn, ignoreErrorOnMissingContext, dummyValue } = missing.props;
  const found = typeName === 'AWS::EKS::Cluster'
    ? account.clusters[exactIdentifier]
    : account.providers.includes(exactIdentifier) ? { Arn: exactIdentifier, Url: `https://${exactIdentifier.split('oidc-provider/')[1]}` } : undefined;
  if (!found) {
    return ignoreErrorOnMissingContext
      ? dummyValue
      : { $providerError: `No resource of type ${typeName} with identifier: ${exactIdentifier}`, $dontSaveContext: true };
  }
  return [{ ...Object.fromEntries(propertiesToReturn.map((p: string) => [p, (found as any)[p]])), Identifier: exactIdentifier }];
}

/**
 * What `cdk synth` does: synthesize, answer the missing context, synthesize again, until nothing
 * new is missing. Returns the context it collected (cdk.context.json, plus transient errors) and
 * the last synth; throws what the last synth threw.
 */
function cdkSynth(account: Account, build: Build) {
  const context: Record<string, unknown> = {};
  for (let pass = 1; pass <= 5; pass++) {
    const result = synthesize(context, build);
    const missing = (result.assembly.manifest.missing ?? []).filter((m) => !(m.key in context));
    if (missing.length === 0) {
      return { ...result, context, passes: pass };
    }
    for (const m of missing) {
      context[m.key] = answer(account, m);
    }
  }
  throw new Error('the lookups did not settle');
}

function serviceAccount(stack: Stack, cluster = IrsaCluster.fromLookup(stack, 'Prod', { clusterName: 'prod' })): IrsaServiceAccount {
  return new IrsaServiceAccount(stack, 'Api', {
    cluster,
    namespace: 'payments',
    name: 'api',
    manifestDelivery: ManifestDelivery.none(),
  });
}

function trustOf(stack: Stack, sa: IrsaServiceAccount): any {
  const logicalId = stack.resolve((sa.role.node.defaultChild as any).logicalId);
  return Template.fromStack(stack).toJSON().Resources[logicalId].Properties.AssumeRolePolicyDocument;
}

function webIdentityTrust(federated: unknown, name = 'api') {
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Federated: federated },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${ISSUER}:sub`]: `system:serviceaccount:payments:${name}`,
          [`${ISSUER}:aud`]: 'sts.amazonaws.com',
        },
      },
    }],
  };
}

describe('IrsaCluster.fromLookup', () => {
  test('first synth: records the cluster query for the CLI, returns a dummy cluster, and does not fail', () => {
    // WHEN
    let cluster: IrsaCluster | undefined;
    const { assembly } = synthesize({}, (stack) => {
      cluster = IrsaCluster.fromLookup(stack, 'Prod', { clusterName: 'prod' });
    });

    // THEN only the cluster is asked for: no provider lookup of a dummy issuer
    expect(assembly.manifest.missing).toEqual([{
      key: CLUSTER_KEY,
      provider: 'cc-api-provider',
      props: {
        account: '123456789012',
        region: 'eu-west-1',
        typeName: 'AWS::EKS::Cluster',
        exactIdentifier: 'prod',
        propertiesToReturn: ['Arn', 'OpenIdConnectIssuerUrl'],
        dummyValue: [{ Arn: CLUSTER_ARN, OpenIdConnectIssuerUrl: expect.stringMatching(/^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/DUMMY[0-9A-F]{8}$/) }],
        lookupRoleArn: 'arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-eu-west-1',
      },
    }]);
    expect(cluster?.clusterName).toBe('prod');
    // and a synth outside the CLI says that its values are stand-ins
    const stack = assembly.getStackByName('Stack');
    expect(stack.messages.map((m) => [m.level, m.id, m.entry.data])).toEqual([['warning', '/Stack/Prod', 'IrsaCluster.fromLookup() has no answer yet for '
      + 'EKS cluster "prod" in account 123456789012, region eu-west-1 (no entry in cdk.context.json), so this synth uses a dummy cluster and issuer: do not '
      + 'deploy or publish its output. Synthesize with the CDK CLI (cdk synth, with credentials for the account), which looks it up and caches the '
      + 'answer in cdk.context.json. [ack: cdk-irsa:lookupPending]']]);
  });

  test('second synth: with the cluster answered, asks whether the account has a provider for its issuer, which may be missing', () => {
    // WHEN
    const { assembly } = synthesize({ [CLUSTER_KEY]: answer(WITH_PROVIDER, { props: { typeName: 'AWS::EKS::Cluster', exactIdentifier: 'prod', propertiesToReturn: ['Arn', 'OpenIdConnectIssuerUrl'] } }) },
      (stack) => serviceAccount(stack));

    // THEN
    expect(assembly.manifest.missing).toEqual([{
      key: PROVIDER_KEY,
      provider: 'cc-api-provider',
      props: {
        account: '123456789012',
        region: 'eu-west-1',
        typeName: 'AWS::IAM::OIDCProvider',
        exactIdentifier: PROVIDER_ARN,
        propertiesToReturn: ['Arn'],
        dummyValue: [],
        ignoreErrorOnMissingContext: true,
        lookupRoleArn: 'arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-eu-west-1',
      },
    }]);
  });

  test('provider exists: imports it by ARN, creates no provider, and caches both answers', () => {
    // WHEN
    let sa: IrsaServiceAccount | undefined;
    let cluster: IrsaCluster | undefined;
    const { stack, context, passes } = cdkSynth(WITH_PROVIDER, (s) => {
      cluster = IrsaCluster.fromLookup(s, 'Prod', { clusterName: 'prod' });
      sa = serviceAccount(s, cluster);
    });

    // THEN
    expect(passes).toBe(3);
    expect(context).toEqual({
      [CLUSTER_KEY]: [{ Arn: CLUSTER_ARN, OpenIdConnectIssuerUrl: ISSUER_URL, Identifier: 'prod' }],
      [PROVIDER_KEY]: [{ Arn: PROVIDER_ARN, Identifier: PROVIDER_ARN }],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(Object.keys(template.toJSON().Resources).filter((id) => template.toJSON().Resources[id].Type.startsWith('Custom::'))).toEqual([]);
    expect(trustOf(stack, sa!)).toEqual(webIdentityTrust(PROVIDER_ARN));
    const provider = cluster!.findOrCreateOidcProvider(stack);
    expect(provider.openIdConnectProviderArn).toBe(PROVIDER_ARN);
    expect(provider.node.path).toBe('Stack/Prod/OidcProvider');
    // with every answer cached, nothing says the values are stand-ins
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('lookupPending'))).toEqual([]);
  });

  test('provider missing: creates it from the issuer, retained, as fromAttributes({ issuerUrl }) does', () => {
    // WHEN
    let sa: IrsaServiceAccount | undefined;
    const { stack, context } = cdkSynth(WITHOUT_PROVIDER, (s) => {
      sa = serviceAccount(s);
    });

    // THEN the CLI caches "none" (the dummy, an empty list), so later synths keep the created provider
    expect(context[PROVIDER_KEY]).toEqual([]);
    const resources = Template.fromStack(stack).toJSON().Resources;
    expect(Object.keys(resources).filter((id) => resources[id].Type === 'AWS::IAM::OIDCProvider')).toEqual([CREATED_PROVIDER_ID]);
    expect(resources[CREATED_PROVIDER_ID]).toEqual({
      Type: 'AWS::IAM::OIDCProvider',
      Properties: { Url: ISSUER_URL, ClientIdList: ['sts.amazonaws.com'] },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(trustOf(stack, sa!)).toEqual(webIdentityTrust({ 'Fn::GetAtt': [CREATED_PROVIDER_ID, 'Arn'] }));
  });

  test('a looked-up cluster takes EKS Pod Identity service accounts, and the agent warning names fromLookup', () => {
    // WHEN
    const { stack } = cdkSynth(WITH_PROVIDER, (s) => {
      new IrsaServiceAccount(s, 'Api', {
        cluster: IrsaCluster.fromLookup(s, 'Prod', { clusterName: 'prod' }),
        namespace: 'payments',
        name: 'api',
        identityType: IdentityType.POD_IDENTITY,
        manifestDelivery: ManifestDelivery.none(),
      });
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::PodIdentityAssociation', { ClusterName: 'prod' });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings.filter((w) => w.includes('podIdentityAgentUnknown'))).toEqual([expect.stringContaining(
      'Say so in IrsaCluster.fromLookup(): podIdentityAgentInstalled: true')]);
  });

  test('fails naming the cluster, account and region where the CLI found no cluster of that name', () => {
    // WHEN the CLI answered the first synth's query with its not-found error
    const build = (s: Stack) => serviceAccount(s);

    // THEN
    expect(() => cdkSynth({ clusters: {}, providers: [] }, build)).toThrow(
      '[cdk-irsa] Stack/Prod: IrsaCluster.fromLookup(): the CDK CLI found no EKS cluster named "prod" in account 123456789012, region '
      + 'eu-west-1 (No resource of type AWS::EKS::Cluster with identifier: prod). Check clusterName, and the account and region of the '
      + 'stack (its env), then synthesize again: the CLI does not cache a failed lookup.');
  });

  test('fails with the CLI\'s error where it could not look up at all', () => {
    // GIVEN
    const context = { [CLUSTER_KEY]: { $providerError: 'Could not assume role in target account', $dontSaveContext: true } };

    // THEN
    expect(() => synthesize(context, (s) => serviceAccount(s))).toThrow(
      '[cdk-irsa] Stack/Prod: IrsaCluster.fromLookup(): the CDK CLI could not look up EKS cluster "prod" in account 123456789012, region '
      + 'eu-west-1: Could not assume role in target account. Fix the cause (credentials, the lookup role of the bootstrap stack, network), '
      + 'then synthesize again: the CLI does not cache a failed lookup.');
  });

  test('fails with the CLI\'s error where it could not look up the provider', () => {
    // GIVEN the cluster answered, the provider lookup failed (not "not found": that is an answer)
    const context = {
      [CLUSTER_KEY]: [{ Arn: CLUSTER_ARN, OpenIdConnectIssuerUrl: ISSUER_URL, Identifier: 'prod' }],
      [PROVIDER_KEY]: { $providerError: 'Encountered CC API error while getting AWS::IAM::OIDCProvider resource', $dontSaveContext: true },
    };

    // THEN
    expect(() => synthesize(context, (s) => serviceAccount(s))).toThrow(
      `[cdk-irsa] Stack/Prod: IrsaCluster.fromLookup(): the CDK CLI could not look up the IAM OIDC provider "${PROVIDER_ARN}" of cluster "prod": `
      + 'Encountered CC API error while getting AWS::IAM::OIDCProvider resource. Fix the cause (credentials, the lookup role of the bootstrap '
      + 'stack, network), then synthesize again.');
  });

  test('fails where the context holds something other than one cluster, saying which key to reset', () => {
    // GIVEN
    const context = { [CLUSTER_KEY]: [] };

    // THEN
    expect(() => synthesize(context, (s) => serviceAccount(s))).toThrow(
      `[cdk-irsa] Stack/Prod: the context holds [] for EKS cluster "prod" in account 123456789012, region eu-west-1, not one cluster with an Arn `
      + `and an OpenIdConnectIssuerUrl. Remove it with \`cdk context --reset ${JSON.stringify(CLUSTER_KEY)}\` and synthesize again.`);
  });

  test('fails for a cluster name that is a token', () => {
    expect(() => synthesize({}, (s) => IrsaCluster.fromLookup(s, 'Prod', { clusterName: new CfnParameter(s, 'Name').valueAsString }))).toThrow(
      /^\[cdk-irsa\] Stack\/Prod: clusterName "\$\{Token\[TOKEN\.\d+\]\}" is a token, which has no value at synth, when IrsaCluster\.fromLookup\(\) looks the cluster up\. Give the name as a literal string, or use IrsaCluster\.fromAttributes\(\) for a name known only at deploy\.$/);
  });

  test('fails for a cluster name EKS would not accept', () => {
    expect(() => synthesize({}, (s) => IrsaCluster.fromLookup(s, 'Prod', { clusterName: 'prod/eu' }))).toThrow(
      '[cdk-irsa] clusterName "prod/eu" is not a valid EKS cluster name: use 1 to 100 letters, digits, "-" and "_", starting with a letter or digit.');
  });

  test('fails in an environment-agnostic stack, naming what is unknown and the fix', () => {
    expect(() => synthesize({}, (s) => IrsaCluster.fromLookup(s, 'Prod', { clusterName: 'prod' }), null)).toThrow(
      '[cdk-irsa] Stack/Prod: IrsaCluster.fromLookup() looks cluster "prod" up in the account and region of stack "Stack", but the stack\'s '
      + 'account and region are not known at synth (an environment-agnostic stack). Give the stack an env: { env: { account: \'123456789012\', '
      + 'region: \'eu-west-1\' } }, or { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } } for the '
      + 'account and region of the CDK CLI\'s credentials.');
    expect(() => synthesize({}, (s) => IrsaCluster.fromLookup(s, 'Prod', { clusterName: 'prod' }), { region: 'eu-west-1' })).toThrow(
      /but the stack's account is not known at synth/);
  });

  test('fails for options a JavaScript caller got wrong', () => {
    expect(() => synthesize({}, (s) => IrsaCluster.fromLookup(s, 'Prod', undefined as any))).toThrow(
      '[cdk-irsa] IrsaCluster.fromLookup() options is missing: give at least the clusterName, for example { clusterName: "prod" }.');
    expect(() => synthesize({}, (s) => IrsaCluster.fromLookup(s, 'Prod', { clusterName: 42 } as any))).toThrow(
      '[cdk-irsa] clusterName is the number 42, not a string, the name of the EKS cluster.');
  });

  test('switching from fromAttributes({ issuerUrl }) keeps the role and drops the retained provider from the template, never a second one', () => {
    // GIVEN version 1, deployed: it created the provider
    const v1 = synthesize({}, (s) => new IrsaServiceAccount(s, 'Api', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }),
      namespace: 'payments',
      name: 'api',
      manifestDelivery: ManifestDelivery.none(),
    }));

    // WHEN version 2 looks the cluster up: the account has that provider now
    let sa: IrsaServiceAccount | undefined;
    const v2 = cdkSynth(WITH_PROVIDER, (s) => {
      sa = serviceAccount(s);
    });

    // THEN
    const before = Template.fromStack(v1.stack).toJSON().Resources;
    const after = Template.fromStack(v2.stack).toJSON().Resources;
    expect(before[CREATED_PROVIDER_ID]).toMatchObject({ DeletionPolicy: 'Retain', Properties: { Url: ISSUER_URL } });
    expect(after[CREATED_PROVIDER_ID]).toBeUndefined();
    // The role keeps its logical ID, and trusts the same provider, now by its ARN (what Fn::GetAtt Arn resolved to)
    const roleId = v2.stack.resolve((sa!.role.node.defaultChild as any).logicalId);
    expect(before[roleId].Properties.AssumeRolePolicyDocument).toEqual(webIdentityTrust({ 'Fn::GetAtt': [CREATED_PROVIDER_ID, 'Arn'] }));
    expect(after[roleId].Properties.AssumeRolePolicyDocument).toEqual(webIdentityTrust(PROVIDER_ARN));
    expect(Object.keys(after).filter((id) => after[id].Type === 'AWS::IAM::OIDCProvider')).toEqual([]);
  });

  test('another stack of the app that describes the cluster by its issuer reuses the provider the lookup creates: one per account', () => {
    // WHEN the lookup finds no provider, and a second stack of the same account uses fromAttributes({ issuerUrl })
    let other: Stack | undefined;
    let worker: IrsaServiceAccount | undefined;
    const { stack } = cdkSynth(WITHOUT_PROVIDER, (s) => {
      serviceAccount(s);
      other = new Stack(s.node.root as App, 'Other', { env: ENV });
      worker = new IrsaServiceAccount(other, 'Worker', {
        cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }),
        namespace: 'payments',
        name: 'worker',
        manifestDelivery: ManifestDelivery.none(),
      });
    });

    // THEN
    const providers = (s: Stack) => Object.keys(Template.fromStack(s).findResources('AWS::IAM::OIDCProvider'));
    expect(providers(stack)).toEqual([CREATED_PROVIDER_ID]);
    expect(providers(other!)).toEqual([]);
    expect(trustOf(other!, worker!)).toEqual(webIdentityTrust(PROVIDER_ARN, 'worker'));
    expect(other!.dependencies).toEqual([stack]);
  });
});
