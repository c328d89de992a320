import { App, CfnParameter, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ClusterOidcProvider } from '../lib';

const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const ISSUER_HOST_PATH = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER_HOST_PATH}`;

function newStack(): Stack {
  return new Stack(new App(), 'Stack');
}

describe('ClusterOidcProvider', () => {
  test('is retained by default, when it leaves the template and with its stack, and deleted only with RemovalPolicy.DESTROY', () => {
    const stack = newStack();

    new ClusterOidcProvider(stack, 'Provider', { issuerUrl: ISSUER });
    new ClusterOidcProvider(stack, 'Doomed', { issuerUrl: ISSUER.replace('EXAMPLE', 'SAMPLE'), removalPolicy: RemovalPolicy.DESTROY });

    const resources = Template.fromStack(stack).toJSON().Resources;
    expect(Object.values(resources).map((r: any) => [r.Properties.Url, r.DeletionPolicy, r.UpdateReplacePolicy])).toEqual([
      [ISSUER, 'Retain', 'Retain'],
      [ISSUER.replace('EXAMPLE', 'SAMPLE'), 'Delete', 'Delete'],
    ]);
  });

  test('fails for RemovalPolicy.SNAPSHOT, which an OIDC provider does not support', () => {
    expect(() => new ClusterOidcProvider(newStack(), 'Provider', { issuerUrl: ISSUER, removalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow('[cdk-irsa] removalPolicy RemovalPolicy.SNAPSHOT does not apply to an OIDC provider, an EKS add-on or a Kubernetes manifest. '
        + 'Use RemovalPolicy.RETAIN (the default) or RemovalPolicy.DESTROY.');
  });

  test('creates exactly one native AWS::IAM::OIDCProvider with the default audience and no thumbprints', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new ClusterOidcProvider(stack, 'Provider', { issuerUrl: ISSUER });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(Object.keys(template.toJSON().Resources)).toEqual(['Provider2281708E']);
    template.templateMatches({
      Resources: {
        Provider2281708E: {
          Type: 'AWS::IAM::OIDCProvider',
          Properties: { Url: ISSUER, ClientIdList: ['sts.amazonaws.com'] },
        },
      },
    });
    expect(template.toJSON().Resources.Provider2281708E.Properties).toEqual({ Url: ISSUER, ClientIdList: ['sts.amazonaws.com'] });
  });

  test('renders given client IDs, thumbprints and tags', () => {
    // GIVEN
    const stack = newStack();
    const thumbprint = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';

    // WHEN
    const provider = new ClusterOidcProvider(stack, 'Provider', {
      issuerUrl: ISSUER,
      clientIds: ['sts.amazonaws.com', 'vault'],
      thumbprints: [thumbprint],
    });
    Tags.of(provider).add('team', 'platform');

    // THEN
    expect(Template.fromStack(stack).toJSON().Resources.Provider2281708E.Properties).toEqual({
      Url: ISSUER,
      ClientIdList: ['sts.amazonaws.com', 'vault'],
      ThumbprintList: [thumbprint],
      Tags: [{ Key: 'team', Value: 'platform' }],
    });
  });

  test('addClientId adds an audience once', () => {
    // GIVEN
    const stack = newStack();
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: ISSUER });

    // WHEN
    provider.addClientId('vault');
    provider.addClientId('vault');
    provider.addClientId('sts.amazonaws.com');

    // THEN
    expect(provider.clientIds).toEqual(['sts.amazonaws.com', 'vault']);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::OIDCProvider', { ClientIdList: ['sts.amazonaws.com', 'vault'] });
  });

  test('exposes the issuer without https:// for condition keys, and the ARN', () => {
    const stack = newStack();
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: ISSUER });

    expect(provider.openIdConnectProviderIssuer).toEqual(ISSUER_HOST_PATH);
    expect(provider.issuerUrl).toEqual(ISSUER);
    expect(stack.resolve(provider.openIdConnectProviderArn)).toEqual({ 'Fn::GetAtt': ['Provider2281708E', 'Arn'] });
    expect(stack.resolve(provider.oidcProviderRef)).toEqual({ oidcProviderArn: { 'Fn::GetAtt': ['Provider2281708E', 'Arn'] } });
  });

  test('derives the issuer of a token URL with Fn::Select/Fn::Split', () => {
    const stack = newStack();
    const url = new CfnParameter(stack, 'Issuer').valueAsString;

    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: url });

    expect(stack.resolve(provider.openIdConnectProviderIssuer)).toEqual({
      'Fn::Select': [1, { 'Fn::Split': ['https://', { Ref: 'Issuer' }] }],
    });
  });

  describe('fromOidcProviderArn', () => {
    test('imports a provider and derives its issuer from a literal ARN', () => {
      const stack = newStack();

      const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Imported', PROVIDER_ARN);

      expect(provider.openIdConnectProviderArn).toEqual(PROVIDER_ARN);
      expect(provider.openIdConnectProviderIssuer).toEqual(ISSUER_HOST_PATH);
      expect(provider.oidcProviderRef.oidcProviderArn).toEqual(PROVIDER_ARN);
      Template.fromStack(stack).resourceCountIs('AWS::IAM::OIDCProvider', 0);
    });

    test('derives the issuer of a token ARN with Fn::Select/Fn::Split', () => {
      const stack = newStack();
      const arn = new CfnParameter(stack, 'ProviderArn').valueAsString;

      const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Imported', arn);

      expect(stack.resolve(provider.openIdConnectProviderIssuer)).toEqual({
        'Fn::Select': [1, { 'Fn::Split': [':oidc-provider/', { Ref: 'ProviderArn' }] }],
      });
    });

    test.each([
      ['arn:aws:iam::123456789012:role/foo'],
      ['arn:aws:iam::1234:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X'],
      ['oidc.eks.eu-west-1.amazonaws.com/id/X'],
      [''],
    ])('fails for the malformed ARN %j', (arn) => {
      const stack = newStack();
      expect(() => ClusterOidcProvider.fromOidcProviderArn(stack, 'Imported', arn))
        .toThrow(`${JSON.stringify(arn)} is not an IAM OIDC provider ARN. Expected "arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host and path>"`);
    });

    test('fails for an ARN whose issuer has a trailing slash', () => {
      const stack = newStack();
      expect(() => ClusterOidcProvider.fromOidcProviderArn(stack, 'Imported', `${PROVIDER_ARN}/`)).toThrow(/must not end with "\/"/);
    });
  });

  describe('validation', () => {
    test.each([
      ['http://oidc.eks.eu-west-1.amazonaws.com/id/X', 'must start with "https://"'],
      ['oidc.eks.eu-west-1.amazonaws.com/id/X', 'must start with "https://"'],
      ['https://', 'has no host'],
      ['https://oidc.eks.eu-west-1.amazonaws.com/id/X?a=b', 'must not contain a query ("?") or fragment ("#")'],
      ['https://oidc.eks.eu-west-1.amazonaws.com/id/X#frag', 'must not contain a query ("?") or fragment ("#")'],
      [`${ISSUER}/`, 'must not end with "/"'],
      ['https://oidc.eks.eu-west-1.amazonaws.com/id/A B', 'contains white space'],
      [`https://${'a'.repeat(248)}`, 'is 256 characters long; IAM accepts at most 255'],
    ])('fails for the issuer URL %j', (issuerUrl, message) => {
      const stack = newStack();
      expect(() => new ClusterOidcProvider(stack, 'Provider', { issuerUrl })).toThrow(`issuerUrl ${JSON.stringify(issuerUrl)} ${message}`);
    });

    test('fails for an empty issuer URL', () => {
      expect(() => new ClusterOidcProvider(newStack(), 'Provider', { issuerUrl: '' })).toThrow('[cdk-irsa] issuerUrl is empty.');
    });

    test('accepts an issuer URL of exactly 255 characters', () => {
      const issuerUrl = `https://oidc.example.com/${'a'.repeat(230)}`;
      expect(issuerUrl).toHaveLength(255);
      expect(() => new ClusterOidcProvider(newStack(), 'Provider', { issuerUrl })).not.toThrow();
    });

    test('fails for an empty client ID list', () => {
      expect(() => new ClusterOidcProvider(newStack(), 'Provider', { issuerUrl: ISSUER, clientIds: [] }))
        .toThrow('clientIds is empty. Give at least one audience');
    });

    test('fails for a duplicate client ID', () => {
      expect(() => new ClusterOidcProvider(newStack(), 'Provider', { issuerUrl: ISSUER, clientIds: ['a', 'b', 'a'] }))
        .toThrow('client ID "a" is listed twice in clientIds ["a","b","a"]');
    });

    test('fails for an empty client ID', () => {
      expect(() => new ClusterOidcProvider(newStack(), 'Provider', { issuerUrl: ISSUER, clientIds: [''] }))
        .toThrow('client ID "" must be 1 to 255 characters long');
    });

    test.each([
      ['9e99a48a9960b14926bb7f3b02e22da2b0ab728'],
      ['9e:99:a4:8a:99:60:b1:49:26:bb:7f:3b:02:e2:2d:a2:b0:ab:72:80'],
      ['zz99a48a9960b14926bb7f3b02e22da2b0ab7280'],
    ])('fails for the thumbprint %j', (thumbprint) => {
      expect(() => new ClusterOidcProvider(newStack(), 'Provider', { issuerUrl: ISSUER, thumbprints: [thumbprint] }))
        .toThrow(`thumbprint ${JSON.stringify(thumbprint)} is not a SHA-1 fingerprint: expected exactly 40 hexadecimal characters`);
    });

    test('fails for more than five thumbprints', () => {
      const thumbprints = ['1', '2', '3', '4', '5', '6'].map((d) => d.repeat(40));
      expect(() => new ClusterOidcProvider(newStack(), 'Provider', { issuerUrl: ISSUER, thumbprints }))
        .toThrow('thumbprints has 6 entries; IAM accepts at most 5');
    });

    test('fails for a duplicate thumbprint, whatever its case', () => {
      const thumbprints = ['a'.repeat(40), 'A'.repeat(40)];
      expect(() => new ClusterOidcProvider(newStack(), 'Provider', { issuerUrl: ISSUER, thumbprints }))
        .toThrow(`thumbprint "${'A'.repeat(40)}" is listed twice`);
    });
  });
});

describe('ClusterOidcProvider as aws-cdk-lib\'s iam.IOidcProvider', () => {
  const ARN = 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

  test('a provider made here has the ARN and issuer under both interfaces\' names', () => {
    const stack = new Stack(new App(), 'Stack');
    const provider: iam.IOidcProvider = new ClusterOidcProvider(stack, 'Provider', {
      issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
    });

    expect(stack.resolve(provider.oidcProviderArn)).toEqual({ 'Fn::GetAtt': ['Provider2281708E', 'Arn'] });
    expect(provider.oidcProviderArn).toBe(provider.openIdConnectProviderArn);
    expect(provider.oidcProviderIssuer).toEqual('oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE');
    expect(provider.oidcProviderIssuer).toBe(provider.openIdConnectProviderIssuer);
  });

  test('an imported provider is one too', () => {
    const stack = new Stack(new App(), 'Stack');
    const imported = ClusterOidcProvider.fromOidcProviderArn(stack, 'Imported', ARN) as iam.IOpenIdConnectProvider & iam.IOidcProvider;

    expect(imported.oidcProviderArn).toEqual(ARN);
    expect(imported.oidcProviderIssuer).toEqual('oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE');
    expect(imported.oidcProviderRef).toEqual({ oidcProviderArn: ARN });
  });
});
