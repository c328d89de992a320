import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ClusterOidcProvider, IdentityType, IrsaCluster, IrsaRole, IrsaServiceAccount, ManifestDelivery, ServiceAccountSubject } from '../lib';

const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/B1E0000000000000000000000000000B';
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
const CLUSTER_ARN = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';

/** An app whose roles aws-cdk-lib pre-creates (`iam.Role.customizeRoles`), writing its report to a new folder. */
function precreatedApp(usePrecreatedRoles?: { [path: string]: string }) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-irsa-customize-'));
  const app = new App({ outdir });
  iam.Role.customizeRoles(app, { usePrecreatedRoles });
  const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn(stack, 'ClusterProvider', PROVIDER_ARN) });
  return { app, stack, cluster, outdir };
}

/** The trust of each role in the `iam-policy-report.json` that aws-cdk-lib writes for pre-created roles. */
function reportedTrust(app: App, outdir: string): { [path: string]: any[] } {
  app.synth();
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'iam-policy-report.json'), 'utf8'));
  return Object.fromEntries(report.roles.map((role: any) => [role.roleConstructPath, role.assumeRolePolicy]));
}

function webIdentity(subject: string) {
  return {
    Effect: 'Allow',
    Principal: { Federated: PROVIDER_ARN },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { [`${ISSUER}:sub`]: subject, [`${ISSUER}:aud`]: 'sts.amazonaws.com' } },
  };
}

const POD_IDENTITY = {
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
  Condition: {
    StringEquals: {
      'aws:RequestTag/eks-cluster-arn': CLUSTER_ARN,
      'aws:RequestTag/kubernetes-namespace': 'payments',
      'aws:RequestTag/kubernetes-service-account': 'api',
    },
  },
};

describe('roles pre-created with iam.Role.customizeRoles', () => {
  test('the policy report shows the trust an IrsaRole is made with', () => {
    const { app, stack, outdir } = precreatedApp();
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN);

    new IrsaRole(stack, 'Role', {
      provider,
      subjects: [ServiceAccountSubject.exact('payments', 'api'), ServiceAccountSubject.exact('payments', 'worker')],
      podIdentityTrust: { clusterArn: CLUSTER_ARN, namespace: 'payments', serviceAccount: 'api' },
    });

    expect(reportedTrust(app, outdir)['Stack/Role']).toEqual([
      {
        ...webIdentity('x'),
        Condition: { StringEquals: { [`${ISSUER}:sub`]: ['system:serviceaccount:payments:api', 'system:serviceaccount:payments:worker'], [`${ISSUER}:aud`]: 'sts.amazonaws.com' } },
      },
      POD_IDENTITY,
    ]);
    expect(Template.fromStack(stack).findResources('AWS::IAM::Role')).toEqual({});
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-irsa:precreatedRoleTrust'))).toEqual([]);
  });

  test.each([
    ['IRSA', IdentityType.IRSA, [webIdentity('system:serviceaccount:payments:api')]],
    ['POD_IDENTITY', IdentityType.POD_IDENTITY, [POD_IDENTITY]],
    ['IRSA_AND_POD_IDENTITY', IdentityType.IRSA_AND_POD_IDENTITY, [webIdentity('system:serviceaccount:payments:api'), POD_IDENTITY]],
  ])('the policy report shows the trust of an IrsaServiceAccount\'s role in mode %s', (_, identityType, expected) => {
    const { app, stack, cluster, outdir } = precreatedApp();

    const sa = new IrsaServiceAccount(stack, 'Api', {
      cluster, namespace: 'payments', name: 'api', identityType, manifestDelivery: ManifestDelivery.none(),
    });

    expect(sa.role).toBeInstanceOf(IrsaRole);
    expect(reportedTrust(app, outdir)['Stack/Api/Role']).toEqual(expected);
  });

  test('GitOps YAML names the role by the name usePrecreatedRoles maps it to', () => {
    const { app, stack, cluster } = precreatedApp({ 'Stack/Api/Role': 'payments-api-precreated' });

    const sa = new IrsaServiceAccount(stack, 'Api', { cluster, namespace: 'payments', name: 'api', manifestDelivery: ManifestDelivery.gitOps() });
    app.synth();

    expect(sa.manifest.toJson().metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/payments-api-precreated' });
  });

  test('GitOps with a pre-created role not named in usePrecreatedRoles is an error naming the role and the fix', () => {
    const { stack, cluster } = precreatedApp();

    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster, namespace: 'payments', name: 'api', manifestDelivery: ManifestDelivery.gitOps() }))
      .toThrow('the role Stack/Api/Role is pre-created (iam.Role.customizeRoles) and has no name yet, and GitOps YAML holds its ARN literally. '
        + 'Name it in usePrecreatedRoles: iam.Role.customizeRoles(app, { usePrecreatedRoles: { "Stack/Api/Role": "<role name>" } }).');
  });

  test('the report names a provider made in the app by its ARN, which the account and issuer give, where the template references it', () => {
    const { app, stack, outdir } = precreatedApp({ 'Stack/Api/Role': 'payments-api' });
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: `https://${ISSUER}` });

    new IrsaServiceAccount(stack, 'Api', { cluster, namespace: 'payments', name: 'api', manifestDelivery: ManifestDelivery.gitOps() });

    expect(reportedTrust(app, outdir)['Stack/Api/Role']).toEqual([webIdentity('system:serviceaccount:payments:api')]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-irsa:precreatedRoleTrust'))).toEqual([]);
  });

  test('a provider whose ARN the report cannot name (an environment-agnostic stack) is a warning with the statement', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-irsa-customize-')) });
    iam.Role.customizeRoles(app);
    const stack = new Stack(app, 'Stack');
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: `https://${ISSUER}` });

    new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('payments', 'api')] });

    const warnings = Annotations.fromStack(stack).findWarning('/Stack/Role', Match.stringLikeRegexp('pre-created'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toContain('"Federated":{"Fn::GetAtt":["Provider2281708E","Arn"]}');
  });

  test('trust added after the role is made, which the report cannot show, is a warning with the statements to add', () => {
    const { app, stack, outdir } = precreatedApp();
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN);
    const role = new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('payments', 'api')] });

    role.addTrust(provider, [ServiceAccountSubject.exact('payments', 'worker')]);
    role.addPodIdentityTrust({ clusterArn: CLUSTER_ARN, namespace: 'payments', serviceAccount: 'api' });

    const warnings = Annotations.fromStack(stack).findWarning('/Stack/Role', Match.stringLikeRegexp('pre-created'))
      .map((w) => w.entry.data as string);
    expect(warnings).toEqual([
      'The role Stack/Role is pre-created (iam.Role.customizeRoles), and iam-policy-report shows only the trust it was made with. Give provider, '
        + 'subjects and podIdentityTrust when making the role (with an issuer known at synth), or add these statements to the trust policy of the '
        + `role you create, or pods will be refused: ${JSON.stringify([webIdentity('system:serviceaccount:payments:worker')])} [ack: cdk-irsa:precreatedRoleTrust]`,
      'The role Stack/Role is pre-created (iam.Role.customizeRoles), and iam-policy-report shows only the trust it was made with. Give provider, '
        + 'subjects and podIdentityTrust when making the role (with an issuer known at synth), or add these statements to the trust policy of the '
        + `role you create, or pods will be refused: ${JSON.stringify([POD_IDENTITY])} [ack: cdk-irsa:precreatedRoleTrust]`,
    ]);
    expect(reportedTrust(app, outdir)['Stack/Role']).toEqual([webIdentity('system:serviceaccount:payments:api')]);
  });

  test('trust whose issuer is known only at deploy cannot be in the report: a warning says so', () => {
    const { stack } = precreatedApp();
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: new CfnParameter(stack, 'IssuerUrl').valueAsString });

    new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('payments', 'api')] });

    const warnings = Annotations.fromStack(stack).findWarning('/Stack/Role', Match.stringLikeRegexp('pre-created'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toContain('system:serviceaccount:payments:api');
  });
});

describe('an IrsaRole\'s assumeRolePolicy document', () => {
  test('holds the trust given to the constructor, and the template renders it once beside statements added later', () => {
    const stack = new Stack(new App(), 'Stack');
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN);
    const role = new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('payments', 'api')] });
    const breakglass = { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/breakglass' } };

    role.assumeRolePolicy!.addStatements(iam.PolicyStatement.fromJson(breakglass));

    expect(stack.resolve(role.assumeRolePolicy!.toJSON().Statement)).toEqual([webIdentity('system:serviceaccount:payments:api'), breakglass]);
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    expect(Object.values(roles).map((r: any) => r.Properties.AssumeRolePolicyDocument.Statement))
      .toEqual([[webIdentity('system:serviceaccount:payments:api'), breakglass]]);
  });

  test('holds the statements the template renders, exact subjects and patterns, naming a provider made in the app by its ARN', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: `https://${ISSUER}` });
    const role = new IrsaRole(stack, 'Role', {
      provider,
      subjects: [ServiceAccountSubject.exact('payments', 'api'), ServiceAccountSubject.exact('payments', 'worker'), ServiceAccountSubject.anyInNamespace('batch')],
      audience: 'payments.example.com',
      podIdentityTrust: { clusterArn: CLUSTER_ARN, namespace: 'payments', serviceAccount: 'api' },
    });

    const aud = { [`${ISSUER}:aud`]: 'payments.example.com' };
    const statements = (federated: any) => [
      { Action: 'sts:AssumeRoleWithWebIdentity', Effect: 'Allow', Principal: { Federated: federated },
        Condition: { StringEquals: { [`${ISSUER}:sub`]: ['system:serviceaccount:payments:api', 'system:serviceaccount:payments:worker'], ...aud } } },
      { Action: 'sts:AssumeRoleWithWebIdentity', Effect: 'Allow', Principal: { Federated: federated },
        Condition: { StringEquals: aud, StringLike: { [`${ISSUER}:sub`]: 'system:serviceaccount:batch:*' } } },
      POD_IDENTITY,
    ];
    // The document names the provider by the ARN IAM gives it (for readers that cannot resolve a
    // reference); the template references the provider resource, the same value at deploy.
    expect(stack.resolve(role.assumeRolePolicy!.toJSON().Statement)).toEqual(statements(PROVIDER_ARN));
    const rendered = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties.AssumeRolePolicyDocument.Statement;
    expect(rendered).toEqual(statements({ 'Fn::GetAtt': [stack.getLogicalId(provider.node.defaultChild as iam.CfnOIDCProvider), 'Arn'] }));
  });
});
