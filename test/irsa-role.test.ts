import { App, CfnParameter, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { ClusterOidcProvider, GrantsPolicyType, IrsaRole, ServiceAccountSubject } from '../lib';
import { iamSize, parseJoinedJson } from './util';

const BLUE_ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/B1E0000000000000000000000000000B';
const GREEN_ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/6REE000000000000000000000000006E';
const BLUE_ARN = `arn:aws:iam::123456789012:oidc-provider/${BLUE_ISSUER}`;
const GREEN_ARN = `arn:aws:iam::123456789012:oidc-provider/${GREEN_ISSUER}`;

function setup() {
  const stack = new Stack(new App(), 'Stack');
  const blue = ClusterOidcProvider.fromOidcProviderArn(stack, 'Blue', BLUE_ARN);
  const green = ClusterOidcProvider.fromOidcProviderArn(stack, 'Green', GREEN_ARN);
  return { stack, blue, green };
}

function roleOf(stack: Stack): any {
  const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
  const ids = Object.keys(roles);
  expect(ids).toHaveLength(1);
  return roles[ids[0]].Properties;
}

function statement(arn: any, condition: any) {
  return { Effect: 'Allow', Principal: { Federated: arn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition };
}

describe('IrsaRole trust policy', () => {
  test('trusts exactly one service account and audience, as a plain object when the issuer is literal', () => {
    // GIVEN
    const { stack, blue } = setup();

    // WHEN
    new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')] });

    // THEN
    expect(roleOf(stack).AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        statement(BLUE_ARN, {
          StringEquals: {
            [`${BLUE_ISSUER}:sub`]: 'system:serviceaccount:payments:api',
            [`${BLUE_ISSUER}:aud`]: 'sts.amazonaws.com',
          },
        }),
      ],
    });
  });

  test('puts all exact subjects in one StringEquals list and all patterns in one StringLike list, aud pinned in both', () => {
    const { stack, blue } = setup();

    new IrsaRole(stack, 'Role', {
      provider: blue,
      subjects: [
        ServiceAccountSubject.exact('payments', 'api'),
        ServiceAccountSubject.anyInNamespace('batch'),
        ServiceAccountSubject.exact('payments', 'worker'),
        ServiceAccountSubject.matching('ci-*', 'runner-?'),
      ],
    });

    expect(roleOf(stack).AssumeRolePolicyDocument.Statement).toEqual([
      statement(BLUE_ARN, {
        StringEquals: {
          [`${BLUE_ISSUER}:sub`]: ['system:serviceaccount:payments:api', 'system:serviceaccount:payments:worker'],
          [`${BLUE_ISSUER}:aud`]: 'sts.amazonaws.com',
        },
      }),
      statement(BLUE_ARN, {
        StringEquals: { [`${BLUE_ISSUER}:aud`]: 'sts.amazonaws.com' },
        StringLike: { [`${BLUE_ISSUER}:sub`]: ['system:serviceaccount:batch:*', 'system:serviceaccount:ci-*:runner-?'] },
      }),
    ]);
  });

  test('never renders a wildcard under StringEquals', () => {
    const { stack, blue } = setup();

    new IrsaRole(stack, 'Role', {
      provider: blue,
      subjects: [ServiceAccountSubject.matching('team-*', 'api'), ServiceAccountSubject.exact('payments', 'api')],
    });

    for (const s of roleOf(stack).AssumeRolePolicyDocument.Statement) {
      expect(JSON.stringify(s.Condition.StringEquals)).not.toContain('*');
    }
  });

  test('renders exact() with a token namespace under StringEquals only, where a deploy-time "*" is compared literally', () => {
    const { stack, blue } = setup();
    const namespace = new CfnParameter(stack, 'Namespace').valueAsString;

    new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact(namespace, 'api')] });

    const statements = roleOf(stack).AssumeRolePolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(Object.keys(statements[0].Condition)).toEqual(['StringEquals']);
    expect(JSON.stringify(statements[0].Condition.StringEquals)).toContain('"Ref":"Namespace"');
  });

  test('fails for a deploy-time namespace where the issuer is known only at deploy, which would go unescaped into the JSON string trust', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: new CfnParameter(stack, 'Issuer').valueAsString });
    const namespace = new CfnParameter(stack, 'Namespace').valueAsString;

    new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact(namespace, 'api')] });

    expect(() => Template.fromStack(stack)).toThrow(/\[cdk-irsa\] Stack\/Role: the trust of Stack\/Role names \{"Ref":"Namespace"\}, a value known only at deploy, while the issuer of its OIDC provider is known only at deploy too: .* Give the namespace, name and audience literally, or give the cluster's issuer literally/);
  });

  describe('where the issuer is known only at deploy (the trust is one JSON string), a statement added to assumeRolePolicy', () => {
    /** A role with a token issuer and one statement added that trusts `principal`. */
    function roleTrusting(principal: (stack: Stack) => iam.IPrincipal): Stack {
      const app = new App();
      const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
      const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: new CfnParameter(stack, 'Issuer').valueAsString });
      const role = new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('payments', 'api')] });
      role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [principal(stack)] }));
      return stack;
    }
    const refused = (value: string) => new RegExp('\\[cdk-irsa\\] Stack/Role: the trust of Stack/Role holds ' + value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      + ' \\(in a Pod Identity pin or a statement added to assumeRolePolicy\\), a value known only at deploy that can carry any text');

    test.each([
      ['a parameter', (stack: Stack) => new iam.ArnPrincipal(new CfnParameter(stack, 'Trusted').valueAsString), '{"Ref":"Trusted"}'],
      ['an import by export name', () => new iam.ArnPrincipal(Fn.importValue('SomeRoleArn')), '{"Fn::ImportValue":"SomeRoleArn"}'],
      ['Fn::Sub', () => new iam.ArnPrincipal(Fn.sub('arn:aws:iam::${AWS::AccountId}:role/${Name}', { Name: 'x' })),
        '{"Fn::Sub":["arn:aws:iam::${AWS::AccountId}:role/${Name}",{"Name":"x"}]}'],
      ['a dynamic reference', () => new iam.ArnPrincipal('{{resolve:ssm:trusted-role}}'), '"{{resolve:ssm:trusted-role}}"'],
    ])('is refused when it holds %s, which would go unescaped into the string', (_, principal, shown) => {
      expect(() => Template.fromStack(roleTrusting(principal))).toThrow(refused(shown));
    });

    test.each([
      ['the ARN of a role of the stack (Fn::GetAtt)', (stack: Stack) => new iam.ArnPrincipal(
        new iam.Role(stack, 'Other', { assumedBy: new iam.AccountRootPrincipal() }).roleArn)],
      ['the account root (pseudo parameters)', () => new iam.AccountRootPrincipal()],
    ])('is kept when it holds %s', (_, principal) => {
      const trust = parseJoinedJson(Template.fromStack(roleTrusting(principal)).toJSON().Resources.Role1ABCC5F0.Properties.AssumeRolePolicyDocument);
      expect(trust.Statement).toHaveLength(2);
      expect(trust.Statement[1].Action).toEqual('sts:AssumeRole');
    });
  });

  test('keeps, in a JSON string trust, a role ARN that CDK imports from another stack of the app', () => {
    const app = new App();
    const env = { account: '123456789012', region: 'eu-west-1' };
    const other = new iam.Role(new Stack(app, 'Other', { env }), 'Trusted', { assumedBy: new iam.AccountRootPrincipal() });
    const stack = new Stack(app, 'Stack', { env });
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: new CfnParameter(stack, 'Issuer').valueAsString });
    const role = new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('payments', 'api')] });
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.ArnPrincipal(other.roleArn)] }));

    const joined = JSON.stringify(Template.fromStack(stack).toJSON().Resources.Role1ABCC5F0.Properties.AssumeRolePolicyDocument);
    expect(joined).toContain('{"Fn::ImportValue":"Other:ExportsOutputFnGetAttTrusted');
  });

  test('refuses, in a JSON string trust, a Pod Identity pin that holds a parameter', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: new CfnParameter(stack, 'Issuer').valueAsString });
    const role = new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('payments', 'api')] });
    role.addPodIdentityTrust({ clusterArn: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod', namespace: new CfnParameter(stack, 'Ns').valueAsString, serviceAccount: 'api' });

    expect(() => Template.fromStack(stack)).toThrow('[cdk-irsa] Stack/Role: the trust of Stack/Role holds {"Ref":"Ns"} (in a Pod Identity pin or a statement added to assumeRolePolicy)');
  });

  test('uses a custom audience', () => {
    const { stack, blue } = setup();

    new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')], audience: 'vault' });

    expect(roleOf(stack).AssumeRolePolicyDocument.Statement).toEqual([
      statement(BLUE_ARN, { StringEquals: { [`${BLUE_ISSUER}:sub`]: 'system:serviceaccount:payments:api', [`${BLUE_ISSUER}:aud`]: 'vault' } }),
    ]);
  });

  test('addTrust() trusts another cluster in statements of its own', () => {
    const { stack, blue, green } = setup();
    const role = new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')] });

    role.addTrust(green, [ServiceAccountSubject.exact('payments', 'api'), ServiceAccountSubject.anyInNamespace('jobs')]);

    expect(roleOf(stack).AssumeRolePolicyDocument.Statement).toEqual([
      statement(BLUE_ARN, { StringEquals: { [`${BLUE_ISSUER}:sub`]: 'system:serviceaccount:payments:api', [`${BLUE_ISSUER}:aud`]: 'sts.amazonaws.com' } }),
      statement(GREEN_ARN, { StringEquals: { [`${GREEN_ISSUER}:sub`]: 'system:serviceaccount:payments:api', [`${GREEN_ISSUER}:aud`]: 'sts.amazonaws.com' } }),
      statement(GREEN_ARN, {
        StringEquals: { [`${GREEN_ISSUER}:aud`]: 'sts.amazonaws.com' },
        StringLike: { [`${GREEN_ISSUER}:sub`]: 'system:serviceaccount:jobs:*' },
      }),
    ]);
  });

  test('addTrust() on the same provider and audience extends its statement; another audience gets its own', () => {
    const { stack, blue } = setup();
    const role = new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')] });

    role.addTrust(blue, [ServiceAccountSubject.exact('payments', 'worker')]);
    role.addTrust(blue, [ServiceAccountSubject.exact('payments', 'api')], { audience: 'vault' });

    expect(roleOf(stack).AssumeRolePolicyDocument.Statement).toEqual([
      statement(BLUE_ARN, {
        StringEquals: {
          [`${BLUE_ISSUER}:sub`]: ['system:serviceaccount:payments:api', 'system:serviceaccount:payments:worker'],
          [`${BLUE_ISSUER}:aud`]: 'sts.amazonaws.com',
        },
      }),
      statement(BLUE_ARN, { StringEquals: { [`${BLUE_ISSUER}:sub`]: 'system:serviceaccount:payments:api', [`${BLUE_ISSUER}:aud`]: 'vault' } }),
    ]);
  });

  test('keeps trust statements added later through the role API', () => {
    const { stack, blue } = setup();
    const role = new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')] });

    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      principals: [new iam.ArnPrincipal('arn:aws:iam::123456789012:role/breakglass')],
    }));

    const statements = roleOf(stack).AssumeRolePolicyDocument.Statement;
    expect(statements).toHaveLength(2);
    expect(statements[1]).toEqual({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/breakglass' } });
  });

  test('reflects trust and grants added after the role was first resolved', () => {
    // GIVEN a role whose template form something resolves early (an aspect, a report, a test)
    const { stack, blue, green } = setup();
    const role = new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')] });
    const resource = role.node.defaultChild as iam.CfnRole;
    stack.resolve(resource.assumeRolePolicyDocument);
    stack.resolve(resource.policies);

    // WHEN more is added
    role.addTrust(green, [ServiceAccountSubject.exact('payments', 'api')]);
    role.addPodIdentityTrust({ namespace: 'payments', serviceAccount: 'api', clusterArn: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod' });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));

    // THEN the template holds it all, and the size counts what the template holds
    const properties = roleOf(stack);
    expect(properties.AssumeRolePolicyDocument.Statement.map((s: any) => s.Principal)).toEqual([
      { Federated: BLUE_ARN }, { Federated: GREEN_ARN }, { Service: 'pods.eks.amazonaws.com' },
    ]);
    expect(role.trustPolicySize).toEqual(iamSize(properties.AssumeRolePolicyDocument));
    expect(properties.Policies.map((p: any) => p.PolicyName)).toEqual(['Grants']);
  });

  test('renders one JSON string (Fn::Join), not a CfnJson custom resource, when the issuer is a token', () => {
    // GIVEN a provider whose issuer is known only at deploy
    const stack = new Stack(new App(), 'Stack');
    const issuerUrl = new CfnParameter(stack, 'IssuerUrl').valueAsString;
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl });

    // WHEN
    new IrsaRole(stack, 'Role', {
      provider,
      subjects: [ServiceAccountSubject.exact('payments', 'api'), ServiceAccountSubject.anyInNamespace('batch')],
    });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::AWSCDKCfnJson', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    const document = roleOf(stack).AssumeRolePolicyDocument;
    const issuer = '${Issuer:Ref:IssuerUrl}';
    const arn = '${GetAtt:Provider2281708E.Arn}';
    expect(parseJoinedJson(document)).toEqual({
      Version: '2012-10-17',
      Statement: [
        statement(arn, { StringEquals: { [`${issuer}:sub`]: 'system:serviceaccount:payments:api', [`${issuer}:aud`]: 'sts.amazonaws.com' } }),
        statement(arn, { StringEquals: { [`${issuer}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${issuer}:sub`]: 'system:serviceaccount:batch:*' } }),
      ],
    });
    expect(JSON.stringify(document)).toContain('{"Fn::Select":[1,{"Fn::Split":["https://",{"Ref":"IssuerUrl"}]}]}');
  });

  test('keeps an object for a literal issuer whose provider ARN is a token', () => {
    const stack = new Stack(new App(), 'Stack');
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: `https://${BLUE_ISSUER}` });

    new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('payments', 'api')] });

    expect(roleOf(stack).AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Federated: { 'Fn::GetAtt': ['Provider2281708E', 'Arn'] } });
  });
});

describe('IrsaRole permissions', () => {
  test('puts grants in the inline policy "Grants" of the one role resource, with no AWS::IAM::Policy', () => {
    const { stack, blue } = setup();
    const role = new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')] });
    const bucket = new s3.Bucket(stack, 'Bucket');

    bucket.grantRead(role);
    const result = role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));

    expect(result.statementAdded).toBe(true);
    expect(result.policyDependable).toBe(role);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(roleOf(stack).Policies).toEqual([
      {
        PolicyName: 'Grants',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
              Effect: 'Allow',
              Resource: [{ 'Fn::GetAtt': ['Bucket83908E77', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket83908E77', 'Arn'] }, '/*']] }],
            },
            { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: '*' },
          ],
        },
      },
    ]);
  });

  test('measures grants that hold references resolving to nothing', () => {
    const { stack, blue } = setup();
    const role = new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')] });
    const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });

    table.grantReadWriteData(role);

    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('keeps inline policies given as props, before Grants', () => {
    const { stack, blue } = setup();
    const own = new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] })] });
    const role = new IrsaRole(stack, 'Role', {
      provider: blue,
      subjects: [ServiceAccountSubject.exact('payments', 'api')],
      inlinePolicies: { Publish: own },
    });

    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));

    expect(roleOf(stack).Policies.map((p: any) => p.PolicyName)).toEqual(['Publish', 'Grants']);
  });

  test('has no Policies property while nothing is granted', () => {
    const { stack, blue } = setup();

    new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')] });

    expect(roleOf(stack).Policies).toBeUndefined();
  });

  test('leaves the L1 Policies unset while nothing is granted, so checkers reading it find no token resolving to nothing', () => {
    const { stack, blue } = setup();
    const role = new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')] });
    const resource = role.node.defaultChild as iam.CfnRole;

    expect(resource.policies).toBeUndefined();
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));
    expect(stack.resolve(resource.policies)).toEqual([{
      policyName: 'Grants',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'sqs:SendMessage', Effect: 'Allow', Resource: '*' }] },
    }]);
  });

  test('puts grants in a customer-managed policy attached to the role with GrantsPolicyType.CUSTOMER_MANAGED', () => {
    const { stack, blue } = setup();
    const role = new IrsaRole(stack, 'Role', {
      provider: blue,
      subjects: [ServiceAccountSubject.exact('payments', 'api')],
      grantsPolicyType: GrantsPolicyType.CUSTOMER_MANAGED,
    });
    const bucket = new s3.Bucket(stack, 'Bucket');

    bucket.grantRead(role);
    const result = role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));

    const template = Template.fromStack(stack);
    const policies = template.findResources('AWS::IAM::ManagedPolicy');
    expect(Object.keys(policies)).toEqual([expect.stringMatching(/^RoleGrantsPolicy/)]);
    expect(result).toEqual({ statementAdded: true, policyDependable: role.node.findChild('GrantsPolicy') });
    expect(Object.values(policies)[0]).toEqual({
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: '',
        Path: '/',
        Roles: [{ Ref: 'Role1ABCC5F0' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
              Effect: 'Allow',
              Resource: [{ 'Fn::GetAtt': ['Bucket83908E77', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket83908E77', 'Arn'] }, '/*']] }],
            },
            { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: '*' },
          ],
        },
      },
    });
    expect(roleOf(stack).Policies).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('makes no managed policy with GrantsPolicyType.CUSTOMER_MANAGED while nothing is granted, and keeps given inline policies', () => {
    const { stack, blue } = setup();
    const own = new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] })] });

    new IrsaRole(stack, 'Role', {
      provider: blue,
      subjects: [ServiceAccountSubject.exact('payments', 'api')],
      grantsPolicyType: GrantsPolicyType.CUSTOMER_MANAGED,
      inlinePolicies: { Publish: own },
    });

    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(roleOf(stack).Policies.map((p: any) => p.PolicyName)).toEqual(['Publish']);
  });

  test('passes the usual role options through', () => {
    const { stack, blue } = setup();
    const boundary = iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'boundary');

    new IrsaRole(stack, 'Role', {
      provider: blue,
      subjects: [ServiceAccountSubject.exact('payments', 'api')],
      roleName: 'payments-api',
      path: '/workloads/',
      description: 'payments API pods',
      maxSessionDuration: Duration.hours(2),
      permissionsBoundary: boundary,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3ReadOnlyAccess')],
    });

    const props = roleOf(stack);
    expect(props.RoleName).toEqual('payments-api');
    expect(props.Path).toEqual('/workloads/');
    expect(props.Description).toEqual('payments API pods');
    expect(props.MaxSessionDuration).toEqual(7200);
    expect(JSON.stringify(props.PermissionsBoundary)).toContain(':policy/boundary');
    expect(JSON.stringify(props.ManagedPolicyArns)).toContain(':iam::aws:policy/AmazonS3ReadOnlyAccess');
  });
});

describe('IrsaRole trust policy size', () => {
  test('measures a literal trust policy exactly as IAM counts it', () => {
    const { stack, blue, green } = setup();
    const role = new IrsaRole(stack, 'Role', {
      provider: blue,
      subjects: [ServiceAccountSubject.exact('payments', 'api'), ServiceAccountSubject.matching('ci-*', '*')],
    });
    role.addTrust(green, [ServiceAccountSubject.exact('payments', 'api')], { audience: 'vault' });

    expect(role.trustPolicySize).toEqual(iamSize(roleOf(stack).AssumeRolePolicyDocument));
  });

  test('measures a token issuer at the longest value it can take, never below the real size', () => {
    // GIVEN a region-agnostic stack, where the issuer could be in any region
    const stack = new Stack(new App(), 'Stack');
    const issuerUrl = new CfnParameter(stack, 'IssuerUrl').valueAsString;
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl });
    const role = new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('payments', 'api')] });

    // WHEN the issuer and ARN are substituted with the longest real ones
    const rendered = JSON.stringify(roleOf(stack).AssumeRolePolicyDocument['Fn::Join'][1].map((part: any) =>
      typeof part === 'string' ? part : ('Fn::GetAtt' in part
        ? `arn:aws-us-gov:iam::123456789012:oidc-provider/oidc.eks.us-isof-south-1.csp.hci.ic.gov/id/${'A'.repeat(32)}`
        : `oidc.eks.us-isof-south-1.csp.hci.ic.gov/id/${'A'.repeat(32)}`)).join(''));
    const realSize = JSON.parse(rendered).replace(/\s/g, '').length;

    // THEN
    expect(role.trustPolicySize).toBeGreaterThanOrEqual(realSize);
    expect(role.trustPolicySize - realSize).toBeLessThan(20);
  });

  test('measures Pod Identity pins whose cluster ARN is a token at the longest EKS cluster ARN, never below the real size', () => {
    // GIVEN the longest real cluster ARN: the longest region and a 100-character cluster name
    const longestRegion = RegionInfo.regions.map((r) => r.name).reduce((a, b) => (b.length > a.length ? b : a));
    const longestArn = `arn:aws:eks:${longestRegion}:123456789012:cluster/${'c'.repeat(100)}`;
    const env = { account: '123456789012', region: 'eu-west-1' };
    const stack = new Stack(new App(), 'Stack', { env });
    const literalStack = new Stack(new App(), 'Literal', { env });
    const tokenArn = new CfnParameter(stack, 'ClusterArn').valueAsString;
    const withToken = new IrsaRole(stack, 'WithToken');
    const withLongest = new IrsaRole(literalStack, 'WithLongest', { trustPolicySizeLimit: 4096 });

    // WHEN six service accounts of different namespaces share each role
    for (let i = 0; i < 6; i++) {
      withToken.addPodIdentityTrust({ clusterArn: tokenArn, namespace: `namespace-${i}`, serviceAccount: 'api' });
      withLongest.addPodIdentityTrust({ clusterArn: longestArn, namespace: `namespace-${i}`, serviceAccount: 'api' });
    }

    // THEN the token is measured at least as long as the longest real ARN, and the policy is refused
    const literalSize = iamSize(roleOf(literalStack).AssumeRolePolicyDocument);
    expect(withLongest.trustPolicySize).toEqual(literalSize);
    expect(withToken.trustPolicySize).toBeGreaterThanOrEqual(literalSize);
    expect(withToken.trustPolicySize).toBeGreaterThan(2048);
    expect(() => Template.fromStack(stack)).toThrow(/\[Stack\/WithToken\] \[cdk-irsa\] the trust policy would be at most \d+ characters, over the limit of 2048 .* It trusts 6 service account subject\(s\)\./);
  });

  test('measures the ARN of a role of the app in a hand-added statement at its longest form, not as 255 characters', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const deep = new iam.Role(stack, 'Deep', { assumedBy: new iam.AccountRootPrincipal(), path: `/${'p'.repeat(510)}/` });
    const named = new iam.Role(stack, 'Named', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'breakglass' });
    const role = new IrsaRole(stack, 'Role');
    role.addPodIdentityTrust({ clusterArn: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod', namespace: 'payments', serviceAccount: 'api' });
    const before = role.trustPolicySize;
    const statementSize = (principal: string) => iamSize({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: principal } }) + 1;

    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.ArnPrincipal(deep.roleArn)] }));
    const withDeep = role.trustPolicySize;
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.ArnPrincipal(named.roleArn)] }));

    // path of 512 characters and a generated name of at most 64
    expect(withDeep - before).toEqual(statementSize(`arn:aws:iam::123456789012:role/${'p'.repeat(510)}/${'n'.repeat(64)}`));
    expect(role.trustPolicySize - withDeep).toEqual(statementSize('arn:aws:iam::123456789012:role/breakglass'));
  });

  test('measures two token cluster ARNs as two statements, and tokens in hand-added statements at their longest', () => {
    const stack = new Stack(new App(), 'Stack');
    const blue = new CfnParameter(stack, 'Blue').valueAsString;
    const green = new CfnParameter(stack, 'Green').valueAsString;
    const two = new IrsaRole(stack, 'Two');
    two.addPodIdentityTrust({ clusterArn: blue, namespace: 'payments', serviceAccount: 'api' });
    two.addPodIdentityTrust({ clusterArn: green, namespace: 'payments', serviceAccount: 'api' });
    const one = new IrsaRole(stack, 'One');
    one.addPodIdentityTrust({ clusterArn: blue, namespace: 'payments', serviceAccount: 'api' });
    const before = one.trustPolicySize;

    one.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      principals: [new iam.ArnPrincipal(new CfnParameter(stack, 'Breakglass').valueAsString)],
    }));

    expect(two.trustPolicySize).toBeGreaterThan(2 * before - 40);
    expect(one.trustPolicySize - before).toEqual(iamSize({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: 'x'.repeat(255) } }) + 1);
  });

  test('is exact for a token issuer when the stack region is known', () => {
    const stack = new Stack(new App(), 'Stack', { env: { region: 'eu-west-1' } });
    const issuerUrl = new CfnParameter(stack, 'IssuerUrl').valueAsString;
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl });
    const role = new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('payments', 'api')] });

    const parts = roleOf(stack).AssumeRolePolicyDocument['Fn::Join'][1].map((part: any) =>
      typeof part === 'string' ? part : ('Fn::GetAtt' in part
        ? `arn:aws:iam::123456789012:oidc-provider/${BLUE_ISSUER}`
        : BLUE_ISSUER));
    expect(role.trustPolicySize).toEqual(parts.join('').replace(/\s/g, '').length);
  });

  test('fails at synth, naming size, limit and fixes, for a trust policy over 2,048 characters', () => {
    // GIVEN 40 subjects of about 45 characters each
    const { stack, blue } = setup();
    const subjects = Array.from({ length: 40 }, (_, i) => ServiceAccountSubject.exact('payments-namespace', `service-account-number-${i}`));
    const role = new IrsaRole(stack, 'Role', { provider: blue, subjects });

    // THEN
    expect(role.trustPolicySize).toBeGreaterThan(2048);
    expect(() => Template.fromStack(stack)).toThrow(
      `the trust policy would be ${role.trustPolicySize} characters, over the limit of 2048 (IAM quota ACLSizePerRole), and fail at deploy `
      + 'with LimitExceeded. It trusts 40 service account subject(s). Trust fewer service accounts per role, cover several with one pattern '
      + '(ServiceAccountSubject.matching or anyInNamespace), or have the quota raised and set trustPolicySizeLimit to it.');
  });

  test('says "at most" when the size is an upper bound', () => {
    const stack = new Stack(new App(), 'Stack');
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: new CfnParameter(stack, 'IssuerUrl').valueAsString });
    const subjects = Array.from({ length: 40 }, (_, i) => ServiceAccountSubject.exact('payments-namespace', `service-account-number-${i}`));
    new IrsaRole(stack, 'Role', { provider, subjects });

    expect(() => Template.fromStack(stack)).toThrow(/the trust policy would be at most \d+ characters, over the limit of 2048/);
  });

  test('accepts the same policy with a raised limit', () => {
    const { stack, blue } = setup();
    const subjects = Array.from({ length: 40 }, (_, i) => ServiceAccountSubject.exact('payments-namespace', `service-account-number-${i}`));

    new IrsaRole(stack, 'Role', { provider: blue, subjects, trustPolicySizeLimit: 4096 });

    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('costs each further exact subject only its quoted claim and a comma', () => {
    // GIVEN roles with one and with 30 subjects of the same provider
    const { stack, blue } = setup();
    const claim = (i: number) => ServiceAccountSubject.exact('payments', `checkout-api-${String(i).padStart(2, '0')}`);
    const one = new IrsaRole(stack, 'One', { provider: blue, subjects: [claim(0)] });
    const many = new IrsaRole(stack, 'Many', { provider: blue, subjects: Array.from({ length: 30 }, (_, i) => claim(i)) });

    // THEN the list brackets cost 2, every further subject its JSON string plus a comma
    const perSubject = JSON.stringify(claim(1).claim).length + 1;
    expect(many.trustPolicySize - one.trustPolicySize).toEqual(2 + 29 * perSubject);
  });
});

describe('IrsaRole bad input', () => {
  test('fails for unpinned Pod Identity trust beside pinned trust, unless allowed', () => {
    const stack = new Stack(new App(), 'Stack');
    const role = new IrsaRole(stack, 'Role');
    const clusterArn = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';
    role.addPodIdentityTrust({ clusterArn, namespace: 'payments', serviceAccount: 'api' });
    role.addPodIdentityTrust({ clusterArn, namespace: 'payments', serviceAccount: 'api' });

    expect(() => role.addPodIdentityTrust()).toThrow('the role Stack/Role would trust EKS Pod Identity pinned to payments/api and also unpinned or partly pinned (no pins; ');
    expect(() => role.addPodIdentityTrust({ namespace: 'payments', serviceAccount: 'reports' }))
      .toThrow('pinned to payments/api and also unpinned or partly pinned (only namespace "payments", serviceAccount "reports"; ');
    const shared = new IrsaRole(stack, 'Shared', { allowUnpinnedPodIdentity: true });
    shared.addPodIdentityTrust({ clusterArn, namespace: 'payments', serviceAccount: 'api' });
    expect(() => shared.addPodIdentityTrust()).not.toThrow();
  });

  test('accepts partly pinned Pod Identity trust when no statement pins all three', () => {
    const stack = new Stack(new App(), 'Stack');
    const role = new IrsaRole(stack, 'Role');
    role.addPodIdentityTrust({ namespace: 'payments', serviceAccount: 'api' });
    expect(() => role.addPodIdentityTrust({ namespace: 'reports' })).not.toThrow();
  });

  test.each([
    ['namespace', '*'], ['serviceAccount', '*'], ['serviceAccount', 'api-*'], ['namespace', ''], ['clusterArn', ''], ['clusterArn', 'arn:aws:eks:eu-west-1:123456789012:cluster/?'],
  ])('fails for the Pod Identity pin %s %j, which no session tag can equal under StringEquals', (what, value) => {
    const stack = new Stack(new App(), 'Stack');
    const role = new IrsaRole(stack, 'Role', { allowUnpinnedPodIdentity: true });
    expect(() => role.addPodIdentityTrust({ [what]: value }))
      .toThrow(`Pod Identity trust of Stack/Role: ${what} ${JSON.stringify(value)} can never equal the session tag (StringEquals compares "*" and "?" literally, `
        + 'and no tag is empty), so no pod could assume the role.');
  });

  test.each([
    ['clusterArn', 'not-an-arn', 'clusterArn "not-an-arn" is not the ARN of an EKS cluster: expected "arn:<partition>:eks:<region>:<12-digit account>:cluster/<name>"'],
    ['namespace', 'A B', 'namespace "A B" is not a valid Kubernetes namespace: use 1 to 63 lower-case letters, digits and "-", starting and ending with a letter or digit (RFC 1123 label). Did you mean "a-b"?'],
    ['serviceAccount', 'x_y', 'serviceAccount "x_y" is not a valid Kubernetes ServiceAccount name: use 1 to 253 lower-case letters'],
  ])('fails for the Pod Identity pin %s %j, which is no value EKS sends, given to the constructor or to addPodIdentityTrust()', (what, value, message) => {
    const stack = new Stack(new App(), 'Stack');
    expect(() => new IrsaRole(stack, 'Role', { podIdentityTrust: { [what]: value } })).toThrow(`[cdk-irsa] Pod Identity trust of Stack/Role: ${message}`);
    const role = new IrsaRole(stack, 'Other');
    expect(() => role.addPodIdentityTrust({ [what]: value })).toThrow(`[cdk-irsa] Pod Identity trust of Stack/Other: ${message}`);
  });

  test('fails for an empty subject list', () => {
    const { stack, blue } = setup();
    expect(() => new IrsaRole(stack, 'Role', { provider: blue, subjects: [] }))
      .toThrow('subjects is empty: a role for service accounts must trust at least one. Use ServiceAccountSubject.exact(namespace, name).');
  });

  test('fails for a duplicate subject', () => {
    const { stack, blue } = setup();
    const subject = ServiceAccountSubject.exact('payments', 'api');
    expect(() => new IrsaRole(stack, 'Role', { provider: blue, subjects: [subject, ServiceAccountSubject.exact('payments', 'api')] }))
      .toThrow('subject system:serviceaccount:payments:api is listed twice. List each service account once.');
  });

  test('fails when addTrust() repeats a subject already trusted through the provider and audience', () => {
    const { stack, blue } = setup();
    const role = new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')] });
    expect(() => role.addTrust(blue, [ServiceAccountSubject.exact('payments', 'api')]))
      .toThrow('Stack/Role: system:serviceaccount:payments:api is already trusted through this provider with audience "sts.amazonaws.com".');
  });

  test.each(['', '  '])('fails for the empty audience %j', (audience) => {
    const { stack, blue } = setup();
    expect(() => new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')], audience }))
      .toThrow(`audience ${JSON.stringify(audience)} is empty. Leave it out to use "sts.amazonaws.com"`);
  });

  test.each(['a'.repeat(65), 'my role', 'role/name', ''])('fails for the role name %j', (roleName) => {
    const { stack, blue } = setup();
    expect(() => new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')], roleName }))
      .toThrow(`roleName ${JSON.stringify(roleName)} is not a valid IAM role name: use 1 to 64 letters, digits and "+=,.@_-".`);
  });

  test.each(['workloads', '/workloads', 'workloads/', '', '/a b/', `/${'a'.repeat(511)}/`])('fails for the path %j', (path) => {
    const { stack, blue } = setup();
    expect(() => new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')], path }))
      .toThrow(`path ${JSON.stringify(path)} is not a valid IAM role path: use "/" or "/<segments>/"`);
  });

  test('fails for a max session duration over 12 hours (checked by aws-cdk-lib)', () => {
    const { stack, blue } = setup();
    expect(() => new IrsaRole(stack, 'Role', {
      provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')], maxSessionDuration: Duration.hours(13),
    })).toThrow(/maxSessionDuration is set to 46800, but must be >= 3600sec \(1hr\) and <= 43200sec \(12hrs\)/);
  });

  test.each([0, -1, 2.5])('fails for the trust policy size limit %j', (limit) => {
    const { stack, blue } = setup();
    expect(() => new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')], trustPolicySizeLimit: limit }))
      .toThrow(`trustPolicySizeLimit must be a positive whole number of characters (got ${limit})`);
  });

  test('fails for an inline policy named Grants', () => {
    const { stack, blue } = setup();
    expect(() => new IrsaRole(stack, 'Role', {
      provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')], inlinePolicies: { Grants: new iam.PolicyDocument() },
    })).toThrow('inline policy name "Grants" is reserved for the statements that grant*() calls add. Give your policy another name.');
  });

  test('fails at synth when the inline policies exceed 10,240 characters', () => {
    const { stack, blue } = setup();
    const role = new IrsaRole(stack, 'Role', { provider: blue, subjects: [ServiceAccountSubject.exact('payments', 'api')] });
    for (let i = 0; i < 120; i++) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::bucket-number-${i}/*`] }));
    }
    expect(() => Template.fromStack(stack)).toThrow(/the role's inline policies \(including Grants, which holds what grant\*\(\) calls added\) are \d+ characters, over IAM's limit of 10240/);
  });
});
