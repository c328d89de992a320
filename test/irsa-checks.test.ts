import { App, AspectPriority, Aspects, Aws, CfnJson, CfnParameter, CfnResource, Fn, IAspect, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import {
  ClusterOidcProvider, IdentityType, IrsaCheckRule, IrsaChecks, IrsaCluster, IrsaRole, IrsaServiceAccount, ManifestDelivery, ServiceAccountSubject,
} from '../lib';

const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
const ENV = { account: '123456789012', region: 'eu-west-1' };

function setup() {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: ENV });
  Aspects.of(app).add(new IrsaChecks());
  return { app, stack };
}

/** A hand-written role with the given web-identity condition, as people write them. */
function handWrittenRole(stack: Stack, id: string, condition: any) {
  return new iam.CfnRole(stack, id, {
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }],
    },
  });
}

function findings(stack: Stack) {
  const annotations = Annotations.fromStack(stack);
  const messages = (type: 'error' | 'warning') => (type === 'error'
    ? annotations.findError('*', Match.stringLikeRegexp('cdk-irsa'))
    : annotations.findWarning('*', Match.stringLikeRegexp('cdk-irsa')))
    .map((m) => `${m.id} ${String(m.entry.data)}`).sort();
  return { errors: messages('error'), warnings: messages('warning') };
}

describe('IrsaChecks', () => {
  test('finds nothing to report on cdk-irsa service accounts of every mode', () => {
    const { stack } = setup();
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: `https://${ISSUER}`, podIdentityAgentInstalled: true });
    new IrsaServiceAccount(stack, 'A', { cluster, name: 'a' });
    new IrsaServiceAccount(stack, 'B', { cluster, name: 'b', identityType: IdentityType.POD_IDENTITY });
    new IrsaServiceAccount(stack, 'C', { cluster, name: 'c', identityType: IdentityType.IRSA_AND_POD_IDENTITY });

    expect(findings(stack)).toEqual({ errors: [], warnings: [] });
  });

  test('reads the trust of aws-cdk-lib\'s ServiceAccount through its CfnJson, and finds it pinned', () => {
    const { stack } = setup();
    const cluster = new eks.Cluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_32,
      defaultCapacity: 0,
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1'),
    });
    cluster.addServiceAccount('Legacy', { name: 'legacy', namespace: 'apps' });
    cluster.addServiceAccount('Again', { name: 'legacy', namespace: 'apps' }); // the same service account in a second role

    const { errors, warnings } = findings(stack);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(/^\/Stack\/Cluster\/Again\/Role .*SERVICE_ACCOUNT_IN_SEVERAL_ROLES/),
      expect.stringMatching(/^\/Stack\/Cluster\/Legacy\/Role .*\[cdk-irsa SERVICE_ACCOUNT_IN_SEVERAL_ROLES\] role Stack\/Cluster\/Legacy\/Role: system:serviceaccount:apps:legacy is trusted by 2 roles \(Stack\/Cluster\/Legacy\/Role, Stack\/Cluster\/Again\/Role\)/),
    ]);
  });

  test('matches the condition keys with the provider of an aws-eks-v2 cluster (Ref to its provider, CfnJson and Fn::Join)', () => {
    const { stack } = setup();
    const cluster = new eksv2.Cluster(stack, 'Cluster', {
      version: eksv2.KubernetesVersion.V1_32,
      kubectlProviderOptions: { kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1') },
    });
    cluster.addServiceAccount('Legacy', { name: 'legacy', namespace: 'apps' });
    new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromClusterV2(cluster), namespace: 'apps', name: 'api' });

    expect(findings(stack)).toEqual({ errors: [], warnings: [] });
  });

  test('reports a web-identity trust with neither sub nor aud pinned', () => {
    const { stack } = setup();
    handWrittenRole(stack, 'Open', undefined);

    expect(findings(stack).errors).toEqual([
      `/Stack/Open [cdk-irsa NO_AUDIENCE_PIN] role Stack/Open: the statement trusts web-identity tokens without pinning "${ISSUER}:aud", so tokens `
      + 'minted for any audience can assume the role. Pin it with StringEquals (sts.amazonaws.com for EKS and GitHub Actions). To accept it for '
      + 'this role: IrsaChecks.acknowledge(role, IrsaCheckRule.NO_AUDIENCE_PIN, reason).',
      `/Stack/Open [cdk-irsa NO_SUBJECT_PIN] role Stack/Open: the statement trusts web-identity tokens without pinning "${ISSUER}:sub", so every `
      + 'workload the issuer signs tokens for (every service account of a cluster) can assume the role. Pin it with StringEquals or StringLike '
      + '(cdk-irsa: ServiceAccountSubject.exact(namespace, name)). To accept it for this role: IrsaChecks.acknowledge(role, IrsaCheckRule.NO_SUBJECT_PIN, reason).',
    ]);
  });

  test('reports a wildcard under StringEquals', () => {
    const { stack } = setup();
    handWrittenRole(stack, 'Literal', { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:*', [`${ISSUER}:aud`]: 'sts.amazonaws.com' } });

    expect(findings(stack).errors).toEqual([expect.stringContaining(
      '[cdk-irsa WILDCARD_UNDER_STRING_EQUALS] role Stack/Literal: StringEquals compares "system:serviceaccount:apps:*" (sub) literally, so it never matches')]);
  });

  test.each([
    ['system:serviceaccount:*', 'ANY_NAMESPACE'],
    ['system:serviceaccount:*:api', 'ANY_NAMESPACE'],
    ['system:*', 'ANY_NAMESPACE'],
    ['system:serviceaccount:apps:*', 'NAMESPACE_WIDE'],
  ])('reports the subject pattern %j as %s', (pattern, rule) => {
    const { stack } = setup();
    handWrittenRole(stack, 'Wide', { StringLike: { [`${ISSUER}:sub`]: pattern }, StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' } });

    expect(findings(stack).errors).toEqual([expect.stringContaining(`[cdk-irsa ${rule}] role Stack/Wide: the subject pattern ${JSON.stringify(pattern)} matches`)]);
  });

  test('accepts a pattern with a fixed part', () => {
    const { stack } = setup();
    handWrittenRole(stack, 'Scoped', { StringLike: { [`${ISSUER}:sub`]: 'system:serviceaccount:team-*:runner-*' }, StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' } });

    expect(findings(stack)).toEqual({ errors: [], warnings: [] });
  });

  test('reports anyInNamespace() unless acknowledged, recording the reason', () => {
    const { stack } = setup();
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN);
    new IrsaRole(stack, 'Batch', { provider, subjects: [ServiceAccountSubject.anyInNamespace('batch')] });
    const acknowledged = new IrsaRole(stack, 'Jobs', { provider, subjects: [ServiceAccountSubject.anyInNamespace('jobs')] });

    IrsaChecks.acknowledge(acknowledged, IrsaCheckRule.NAMESPACE_WIDE, 'every job of the namespace reads the same bucket');

    expect(findings(stack).errors).toEqual([expect.stringMatching(/^\/Stack\/Batch .*NAMESPACE_WIDE/)]);
    expect(acknowledged.node.metadata.find((m) => m.type === 'cdk-irsa:acknowledged')?.data)
      .toEqual({ rule: 'NAMESPACE_WIDE', reason: 'every job of the namespace reads the same bucket' });
  });

  test('reads token issuers rendered as a JSON string', () => {
    const { stack } = setup();
    const cluster = new eks.Cluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_32,
      defaultCapacity: 0,
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1'),
    });
    const role = new IrsaRole(stack, 'Role', { provider: IrsaCluster.fromCluster(cluster).findOrCreateOidcProvider(stack), subjects: [ServiceAccountSubject.anyInNamespace('jobs')] });
    role.addTrust(IrsaCluster.fromCluster(cluster).findOrCreateOidcProvider(stack), [ServiceAccountSubject.exact('apps', 'api')]);

    expect(findings(stack).errors).toEqual([expect.stringMatching(/^\/Stack\/Role .*NAMESPACE_WIDE.*"system:serviceaccount:jobs:\*"/)]);
  });

  test('warns for a trust policy within 10 % of its limit', () => {
    const { stack } = setup();
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN);
    const subjects = Array.from({ length: 30 }, (_, i) => ServiceAccountSubject.exact('payments', `checkout-worker-${i}`));
    const role = new IrsaRole(stack, 'Full', { provider, subjects });
    expect(role.trustPolicySize).toBeGreaterThan(0.9 * 2048);
    expect(role.trustPolicySize).toBeLessThanOrEqual(2048);

    expect(findings(stack).warnings).toEqual([
      expect.stringContaining(`[cdk-irsa TRUST_POLICY_NEAR_LIMIT] role Stack/Full: the trust policy is ${role.trustPolicySize} of 2048 characters`),
    ]);
  });

  test('warns for Pod Identity trust without tag pinning', () => {
    const { stack } = setup();
    new IrsaServiceAccount(stack, 'Shared', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', podIdentityAgentInstalled: true }), name: 'shared', identityType: IdentityType.POD_IDENTITY, podIdentity: { pinSessionTags: false },
    });
    new iam.Role(stack, 'Plain', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });

    expect(findings(stack).warnings).toEqual([
      expect.stringContaining('[cdk-irsa POD_IDENTITY_NOT_PINNED] role Stack/Plain:'),
      expect.stringContaining('[cdk-irsa POD_IDENTITY_NOT_PINNED] role Stack/Shared/Role: the EKS Pod Identity trust does not pin '
        + 'aws:RequestTag/eks-cluster-arn, aws:RequestTag/kubernetes-namespace, aws:RequestTag/kubernetes-service-account'),
    ]);
  });

  test('ignores roles that no web identity or Pod Identity can assume, and asks only an audience pin of Cognito', () => {
    const { stack } = setup();
    new iam.Role(stack, 'Lambda', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new iam.Role(stack, 'Cognito', {
      assumedBy: new iam.FederatedPrincipal('cognito-identity.amazonaws.com', {
        'StringEquals': { 'cognito-identity.amazonaws.com:aud': 'eu-west-1:11111111-2222-3333-4444-555555555555' },
        'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
      }, 'sts:AssumeRoleWithWebIdentity'),
    });
    new iam.Role(stack, 'AnyPool', { assumedBy: new iam.FederatedPrincipal('cognito-identity.amazonaws.com', {}, 'sts:AssumeRoleWithWebIdentity') });

    expect(findings(stack)).toEqual({
      errors: [expect.stringContaining('/Stack/AnyPool [cdk-irsa NO_AUDIENCE_PIN] role Stack/AnyPool: the statement trusts web-identity tokens without '
        + 'pinning "cognito-identity.amazonaws.com:aud", so tokens minted for any audience can assume the role. Pin it with StringEquals (to the identity pool ID).')],
      warnings: [],
    });
  });

  test('fails to acknowledge a Stack, a Stage or a construct holding several roles: an acknowledgement covers one role', () => {
    const { app, stack } = setup();
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN);
    const group = new Construct(stack, 'Group');
    new IrsaRole(group, 'A', { provider, subjects: [ServiceAccountSubject.anyInNamespace('a')] });
    new IrsaRole(group, 'B', { provider, subjects: [ServiceAccountSubject.anyInNamespace('b')] });

    expect(() => IrsaChecks.acknowledge(stack, IrsaCheckRule.NAMESPACE_WIDE, 'reviewed'))
      .toThrow('IrsaChecks.acknowledge accepts a finding for one role, but Stack is a Stack. Pass the role itself');
    expect(() => IrsaChecks.acknowledge(app, IrsaCheckRule.NAMESPACE_WIDE, 'reviewed')).toThrow('but the app is a Stage.');
    expect(() => IrsaChecks.acknowledge(group, IrsaCheckRule.NAMESPACE_WIDE, 'reviewed')).toThrow('but Stack/Group is a construct holding 2 IAM roles.');
  });

  test('reports both roles of a construct acknowledged while it held one, then given a second', () => {
    const { stack } = setup();
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN);
    const group = new Construct(stack, 'Group');
    new IrsaRole(group, 'A', { provider, subjects: [ServiceAccountSubject.anyInNamespace('a')] });
    IrsaChecks.acknowledge(group, IrsaCheckRule.NAMESPACE_WIDE, 'reviewed A');
    new IrsaRole(group, 'B', { provider, subjects: [ServiceAccountSubject.anyInNamespace('b')] });

    expect(findings(stack).errors).toEqual([expect.stringMatching(/^\/Stack\/Group\/A .*NAMESPACE_WIDE/), expect.stringMatching(/^\/Stack\/Group\/B .*NAMESPACE_WIDE/)]);
  });

  test('fails to acknowledge without a reason', () => {
    const { stack } = setup();
    expect(() => IrsaChecks.acknowledge(stack, IrsaCheckRule.NAMESPACE_WIDE, ' '))
      .toThrow('acknowledging NAMESPACE_WIDE needs a reason, for whoever reviews the role later.');
  });

  describe('every stack of the app', () => {
    const OPEN = { StringLike: { [`${ISSUER}:sub`]: 'system:serviceaccount:*:*' } };

    test('fails synth when added to the app above a Stage whose roles it cannot reach, saying where to add it', () => {
      const app = new App();
      Aspects.of(app).add(new IrsaChecks(), { priority: AspectPriority.READONLY });
      const stage = new Stage(app, 'Prod');
      handWrittenRole(new Stack(stage, 'Workloads', { env: ENV }), 'Open', OPEN);

      expect(() => app.synth()).toThrow('[] [cdk-irsa] IrsaChecks was added to the app, but Stage "Prod" below it holds IAM roles that it cannot check (Prod/Workloads/Open): aws-cdk-lib '
        + 'synthesizes a Stage, and writes its templates, before it applies the aspects of the app or Stage around it, and never applies those inside it. '
        + 'Add the check to that Stage too: IrsaChecks.applyTo(stage).');
    });

    test('checks the roles of a Stage, and of a Stage in that Stage, when added to each', () => {
      const app = new App();
      Aspects.of(app).add(new IrsaChecks(), { priority: AspectPriority.READONLY });
      const outer = new Stage(app, 'Prod');
      Aspects.of(outer).add(new IrsaChecks(), { priority: AspectPriority.READONLY });
      const inner = new Stage(outer, 'Cell');
      Aspects.of(inner).add(new IrsaChecks(), { priority: AspectPriority.READONLY });
      const outerStack = new Stack(outer, 'Workloads', { env: ENV });
      const innerStack = new Stack(inner, 'Workloads', { env: ENV });
      handWrittenRole(outerStack, 'Open', OPEN);
      handWrittenRole(innerStack, 'Open', OPEN);
      new Stack(app, 'Empty');

      expect(findings(outerStack).errors).toEqual([expect.stringMatching(/^\/Prod\/Workloads\/Open \[cdk-irsa ANY_NAMESPACE\]/),
        expect.stringMatching(/^\/Prod\/Workloads\/Open \[cdk-irsa NO_AUDIENCE_PIN\]/)]);
      expect(findings(innerStack).errors).toEqual([expect.stringMatching(/^\/Prod\/Cell\/Workloads\/Open \[cdk-irsa ANY_NAMESPACE\]/),
        expect.stringMatching(/^\/Prod\/Cell\/Workloads\/Open \[cdk-irsa NO_AUDIENCE_PIN\]/)]);
    });

    test('fails synth when a Stage in a Stage is not covered', () => {
      const app = new App();
      const outer = new Stage(app, 'Prod');
      Aspects.of(outer).add(new IrsaChecks());
      handWrittenRole(new Stack(new Stage(outer, 'Cell'), 'Workloads', { env: ENV }), 'Open', OPEN);

      expect(() => app.synth()).toThrow(/\[Prod\] \[cdk-irsa\] IrsaChecks was added to "Prod", but Stage "Prod\/Cell" below it holds IAM roles that it cannot check \(Prod\/Cell\/Workloads\/Open\)/);
    });

    test('accepts a Stage whose stacks carry the check themselves, and reports a finding once when two checks cover a role', () => {
      const app = new App();
      Aspects.of(app).add(new IrsaChecks());
      const stack = new Stack(new Stage(app, 'Prod'), 'Workloads', { env: ENV });
      Aspects.of(stack).add(new IrsaChecks());
      Aspects.of(stack.node.scope!).add(new IrsaChecks());
      handWrittenRole(stack, 'Open', OPEN);

      expect(findings(stack).errors).toEqual([expect.stringContaining('ANY_NAMESPACE'), expect.stringContaining('NO_AUDIENCE_PIN')]);
    });

    test('runs in the validation phase, which synth({ skipValidation: true }) skips (a documented limit)', () => {
      const { app, stack } = setup();
      handWrittenRole(stack, 'Open', OPEN);

      const skipped = app.synth({ skipValidation: true }).getStackByName('Stack').messages;
      expect(skipped.filter((m) => String(m.entry.data).includes('cdk-irsa'))).toEqual([]);
    });

    test('does not refuse a Stage without roles', () => {
      const app = new App();
      Aspects.of(app).add(new IrsaChecks());
      new Stack(new Stage(app, 'Prod'), 'Buckets');

      expect(() => app.synth()).not.toThrow();
    });

    test('checks roles of nested stacks, and roles and overrides that other aspects add', () => {
      const { stack } = setup();
      handWrittenRole(new NestedStack(stack, 'Nested'), 'Open', OPEN);
      const scoped = handWrittenRole(stack, 'Scoped', {
        StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:api', [`${ISSUER}:aud`]: 'sts.amazonaws.com' },
      });
      class Widen implements IAspect {
        public visit(node: IConstruct): void {
          if (node === stack) {
            handWrittenRole(stack, 'Late', undefined);
          }
          if (node === scoped) {
            scoped.addPropertyOverride('AssumeRolePolicyDocument.Statement', [{
              Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: { StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' } },
            }]);
          }
        }
      }
      Aspects.of(stack).add(new Widen(), { priority: AspectPriority.MUTATING });

      const { errors } = findings(stack);
      expect(errors.filter((e) => e.includes('Nested'))).toEqual([expect.stringContaining('ANY_NAMESPACE'), expect.stringContaining('NO_AUDIENCE_PIN')]);
      expect(errors.filter((e) => e.startsWith('/Stack/Late '))).toEqual([expect.stringContaining('NO_AUDIENCE_PIN'), expect.stringContaining('NO_SUBJECT_PIN')]);
      expect(errors.filter((e) => e.startsWith('/Stack/Scoped '))).toEqual([expect.stringContaining('NO_SUBJECT_PIN')]);
    });
  });

  describe('wherever the document comes from', () => {
    const pinned = { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:api', [`${ISSUER}:aud`]: 'sts.amazonaws.com' } };
    const openStatement = { Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity' };

    test('reads a Statement written as one object', () => {
      const { stack } = setup();
      new iam.CfnRole(stack, 'One', { assumeRolePolicyDocument: { Version: '2012-10-17', Statement: openStatement } });

      expect(findings(stack).errors).toEqual([expect.stringContaining('NO_AUDIENCE_PIN'), expect.stringContaining('NO_SUBJECT_PIN')]);
    });

    test('reads the trust that a raw override sets, over a pinned one', () => {
      const { stack } = setup();
      const role = handWrittenRole(stack, 'Overridden', pinned);
      role.addPropertyOverride('AssumeRolePolicyDocument', { Version: '2012-10-17', Statement: [openStatement] });

      expect(findings(stack).errors).toEqual([expect.stringContaining('NO_AUDIENCE_PIN'), expect.stringContaining('NO_SUBJECT_PIN')]);
    });

    test('reads an Fn::Sub JSON string and a whole-document CfnJson', () => {
      const { stack } = setup();
      new iam.CfnRole(stack, 'Sub', {
        assumeRolePolicyDocument: Fn.sub(JSON.stringify({ Version: '2012-10-17', Statement: [{ ...openStatement, Principal: { Federated: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com' } }] })),
      });
      new iam.CfnRole(stack, 'Json', {
        assumeRolePolicyDocument: new CfnJson(stack, 'Document', { value: { Version: '2012-10-17', Statement: [openStatement] } }),
      });

      expect(findings(stack).errors).toEqual([
        expect.stringMatching(/^\/Stack\/Json .*NO_AUDIENCE_PIN/), expect.stringMatching(/^\/Stack\/Json .*NO_SUBJECT_PIN/),
        expect.stringMatching(/^\/Stack\/Sub .*NO_AUDIENCE_PIN.*"token.actions.githubusercontent.com:aud"/),
        expect.stringMatching(/^\/Stack\/Sub .*NO_SUBJECT_PIN.*"token.actions.githubusercontent.com:sub"/),
      ]);
    });

    test.each([
      ['a string that is not JSON', (role: iam.CfnRole) => role.addPropertyOverride('AssumeRolePolicyDocument', '{"Statement": ['),
        'its AssumeRolePolicyDocument is a string that is not JSON ({"Statement": [)'],
      ['a deletion override', (role: iam.CfnRole) => role.addPropertyDeletionOverride('AssumeRolePolicyDocument'),
        'it has no AssumeRolePolicyDocument (removed by an override?)'],
      ['an Fn::If', (role: iam.CfnRole) => role.addPropertyOverride('AssumeRolePolicyDocument', Fn.conditionIf('Open', { Statement: [] }, { Statement: [] })),
        'its AssumeRolePolicyDocument holds {"Fn::If":["Open"'],
      ['a statement that is an import', (role: iam.CfnRole) => role.addPropertyOverride('AssumeRolePolicyDocument.Statement.0', Fn.importValue('Statement')),
        'the statement: it is "<<'],
      ['a subject pin behind an Fn::If with an AWS::NoValue branch', (role: iam.CfnRole) => role.addPropertyOverride(
        `AssumeRolePolicyDocument.Statement.0.Condition.StringEquals.${ISSUER}:sub`, Fn.conditionIf('Pinned', 'system:serviceaccount:a:b', Aws.NO_VALUE)),
      'its AssumeRolePolicyDocument holds {"Fn::If":["Pinned","system:serviceaccount:a:b",{"Ref":"AWS::NoValue"}]}, which chooses or removes part of the document at deploy'],
      ['a subject pin that is AWS::NoValue', (role: iam.CfnRole) => role.addPropertyOverride(`AssumeRolePolicyDocument.Statement.0.Condition.StringEquals.${ISSUER}:sub`, Aws.NO_VALUE),
        'its AssumeRolePolicyDocument holds {"Ref":"AWS::NoValue"}'],
      ['a condition block that is AWS::NoValue', (role: iam.CfnRole) => role.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition.StringEquals', Aws.NO_VALUE),
        'its AssumeRolePolicyDocument holds {"Ref":"AWS::NoValue"}'],
      ['an Fn::If inside a CfnJson', (role: iam.CfnRole) => role.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition',
        new CfnJson(role.stack, `Json${role.node.id}`, { value: { StringEquals: { [`${ISSUER}:sub`]: Fn.conditionIf('Pinned', 'system:serviceaccount:a:b', Aws.NO_VALUE), [`${ISSUER}:aud`]: 'sts.amazonaws.com' } } })),
      'the CfnJson Stack/JsonRole/Resource/Default holds {"Fn::If"'],
      ['a condition key of an issuer known only at deploy', (role: iam.CfnRole) => role.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Principal.Federated', Fn.importValue('ProviderArn')),
        'whether the condition key'],
    ])('reports %s as CANNOT_VERIFY, which can be acknowledged', (_, change, reason) => {
      const { stack } = setup();
      change(handWrittenRole(stack, 'Role', pinned));
      const accepted = handWrittenRole(stack, 'Accepted', pinned);
      change(accepted);
      IrsaChecks.acknowledge(accepted, IrsaCheckRule.CANNOT_VERIFY, 'reviewed by hand');

      expect(findings(stack).errors).toEqual([expect.stringContaining(`/Stack/Role [cdk-irsa CANNOT_VERIFY] role Stack/Role: the trust policy cannot be `)]);
      expect(findings(stack).errors[0]).toContain(reason);
    });
  });

  describe('issuers other than Kubernetes', () => {
    const GITHUB = 'token.actions.githubusercontent.com';
    const GITHUB_ARN = `arn:aws:iam::123456789012:oidc-provider/${GITHUB}`;

    test('accepts well-scoped GitHub Actions roles, two of them for one environment', () => {
      const { stack } = setup();
      for (const id of ['Deploy', 'Migrate']) {
        new iam.Role(stack, id, {
          assumedBy: new iam.WebIdentityPrincipal(GITHUB_ARN, {
            StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:octo-org/octo-repo:environment:prod' },
          }),
        });
      }
      new iam.Role(stack, 'Release', {
        assumedBy: new iam.WebIdentityPrincipal(GITHUB_ARN, {
          StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' },
          StringLike: { [`${GITHUB}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/release/*' },
        }),
      });

      expect(findings(stack)).toEqual({ errors: [], warnings: [] });
    });

    test('reports a GitHub Actions role whose subject is "*"', () => {
      const { stack } = setup();
      new iam.Role(stack, 'AnyRepo', {
        assumedBy: new iam.WebIdentityPrincipal(GITHUB_ARN, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: '*' } }),
      });

      expect(findings(stack).errors).toEqual([`/Stack/AnyRepo [cdk-irsa NO_SUBJECT_PIN] role Stack/AnyRepo: the statement trusts web-identity tokens without pinning "${GITHUB}:sub" `
        + '(it has StringLike "*", which matches every value, or every owner on a public service), so every workload the issuer signs tokens for (every service account of a cluster) can '
        + 'assume the role. Pin it with StringEquals or StringLike (cdk-irsa: ServiceAccountSubject.exact(namespace, name)). To accept it for this role: '
        + 'IrsaChecks.acknowledge(role, IrsaCheckRule.NO_SUBJECT_PIN, reason).']);
    });
  });

  describe('providers of other stacks', () => {
    const pinnedTo = (issuer: string) => ({ StringEquals: { [`${issuer}:sub`]: 'system:serviceaccount:apps:api', [`${issuer}:aud`]: 'sts.amazonaws.com' } });
    const kubectlLayer = (stack: Stack) => lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1');

    test('reads the issuer of a ClusterOidcProvider of another stack through the export, for roles of every kind', () => {
      const { app, stack } = setup();
      const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: `https://${ISSUER}` });
      const workloads = new Stack(app, 'Workloads', { env: ENV });
      new IrsaRole(workloads, 'Irsa', { provider, subjects: [ServiceAccountSubject.exact('apps', 'api')] });
      new iam.Role(workloads, 'Pinned', { assumedBy: new iam.WebIdentityPrincipal(provider.openIdConnectProviderArn, pinnedTo(ISSUER)) });
      new iam.Role(workloads, 'Open', { assumedBy: new iam.WebIdentityPrincipal(provider.openIdConnectProviderArn, { StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' } }) });

      expect(findings(workloads).errors).toEqual([expect.stringContaining(`/Workloads/Open [cdk-irsa NO_SUBJECT_PIN] role Workloads/Open: the statement trusts web-identity tokens without pinning "${ISSUER}:sub"`)]);
    });

    test('reads an aws-eks cluster of another stack, and of the parent of a nested stack, for IrsaServiceAccounts', () => {
      const { app, stack } = setup();
      const cluster = new eks.Cluster(stack, 'Cluster', { version: eks.KubernetesVersion.V1_32, defaultCapacity: 0, kubectlLayer: kubectlLayer(stack) });
      const workloads = new Stack(app, 'Workloads', { env: ENV });
      new IrsaServiceAccount(workloads, 'Api', { cluster: IrsaCluster.fromCluster(cluster), namespace: 'apps', name: 'api', manifestDelivery: ManifestDelivery.none() });
      const nested = new NestedStack(stack, 'Nested');
      new IrsaServiceAccount(nested, 'Worker', { cluster: IrsaCluster.fromCluster(cluster), namespace: 'apps', name: 'worker', manifestDelivery: ManifestDelivery.none() });
      const open = new iam.Role(nested, 'Open', {
        assumedBy: new iam.WebIdentityPrincipal(cluster.openIdConnectProvider.openIdConnectProviderArn, {
          StringEquals: new CfnJson(nested, 'Aud', { value: { [`${cluster.clusterOpenIdConnectIssuer}:aud`]: 'sts.amazonaws.com' } }),
        }),
      });

      expect(findings(workloads)).toEqual({ errors: [], warnings: [] });
      expect(findings(stack).errors).toEqual([expect.stringMatching(new RegExp(`^/Stack/Nested/Open \\[cdk-irsa NO_SUBJECT_PIN\\] role Stack/Nested/Open: the statement trusts web-identity tokens without pinning "<<`))]);
      expect(open).toBeDefined();
    });

    test('reads a provider of a nested stack from its parent, through the nested stack\'s output', () => {
      const { stack } = setup();
      const nested = new NestedStack(stack, 'Nested');
      const provider = new ClusterOidcProvider(nested, 'Provider', { issuerUrl: `https://${ISSUER}` });
      new iam.Role(stack, 'Pinned', { assumedBy: new iam.WebIdentityPrincipal(provider.openIdConnectProviderArn, pinnedTo(ISSUER)) });
      new iam.Role(stack, 'OtherIssuer', { assumedBy: new iam.WebIdentityPrincipal(provider.openIdConnectProviderArn, pinnedTo('oidc.eks.eu-west-1.amazonaws.com/id/OTHER')) });

      expect(findings(stack).errors).toEqual([
        expect.stringContaining('/Stack/OtherIssuer [cdk-irsa NO_AUDIENCE_PIN]'),
        expect.stringContaining('/Stack/OtherIssuer [cdk-irsa NO_SUBJECT_PIN]'),
      ]);
    });
  });

  describe('JSON string documents', () => {
    test('fails to read a JSON string document with a parameter or an import spliced in, which can rewrite the JSON (CANNOT_VERIFY)', () => {
      const { stack } = setup();
      const namespace = new CfnParameter(stack, 'Namespace', { default: 'apps' });
      const json = (sub: string) => `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"${PROVIDER_ARN}"},"Action":"sts:AssumeRoleWithWebIdentity",`
        + `"Condition":{"StringEquals":{"${ISSUER}:aud":"sts.amazonaws.com","${ISSUER}:sub":"system:serviceaccount:${sub}:api"}}}]}`;
      const [before, after] = json('@@').split('@@');
      new iam.CfnRole(stack, 'Join', { assumeRolePolicyDocument: Fn.join('', [before, namespace.valueAsString, after]) });
      new iam.CfnRole(stack, 'Sub', { assumeRolePolicyDocument: Fn.sub(json('${Team}'), { Team: Fn.importValue('Team') }) });
      new iam.CfnRole(stack, 'Literal', { assumeRolePolicyDocument: Fn.sub(json('apps').replace('arn:aws:', 'arn:${AWS::Partition}:')) });

      expect(findings(stack).errors).toEqual([
        expect.stringContaining('/Stack/Join [cdk-irsa CANNOT_VERIFY] role Stack/Join: the trust policy cannot be read at synth: its AssumeRolePolicyDocument is a JSON string built with Fn::Join from a value known only at deploy'),
        expect.stringContaining('/Stack/Sub [cdk-irsa CANNOT_VERIFY] role Stack/Sub: the trust policy cannot be read at synth: its AssumeRolePolicyDocument is a JSON string built with Fn::Sub from a value known only at deploy'),
      ]);
    });

    test('reads cdk-irsa\'s own JSON string trust of a token issuer (cdk-irsa itself refuses a deploy-time namespace there)', () => {
      const { stack } = setup();
      const cluster = IrsaCluster.fromCluster(new eks.Cluster(stack, 'Cluster', {
        version: eks.KubernetesVersion.V1_32,
        defaultCapacity: 0,
        kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1'),
      }));
      new IrsaServiceAccount(stack, 'Literal', { cluster, namespace: 'apps', name: 'api', manifestDelivery: ManifestDelivery.none() });

      expect(findings(stack)).toEqual({ errors: [], warnings: [] });
    });
  });

  test('checks a resource whose Type an override turns into AWS::IAM::Role, and not one turned into something else', () => {
    const { stack } = setup();
    const queue = new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue', properties: {} });
    queue.addOverride('Type', 'AWS::IAM::Role');
    queue.addOverride('Properties.AssumeRolePolicyDocument', {
      Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' } } }],
    });
    handWrittenRole(stack, 'NotARole', {}).addOverride('Type', 'AWS::SQS::Queue');

    expect(findings(stack).errors).toEqual([expect.stringContaining(`/Stack/Queue [cdk-irsa NO_SUBJECT_PIN] role Stack/Queue: the statement trusts web-identity tokens without pinning "${ISSUER}:sub"`)]);
  });

  test.each([
    ['token.actions.githubusercontent.com', 'repo*'],
    ['token.actions.githubusercontent.com', 'r*'],
    ['token.actions.githubusercontent.com', '?epo:*'],
    ['token.actions.githubusercontent.com', '*my-org/app:*'],
    ['token.actions.githubusercontent.com', 'repo:my-org*/app:*'],
    ['token.actions.githubusercontent.com', 'repo:my-org?app:*'],
    ['gitlab.com', 'project_path:mygroup*'],
    ['gitlab.com', 'project*'],
    ['app.terraform.io', 'organization:my-org*'],
    ['app.terraform.io', '*organization:my-org:*'],
  ])('reports a %s subject %j with a wildcard at or before the end of the owner as NO_SUBJECT_PIN', (issuer, pattern) => {
    const { stack } = setup();
    new iam.CfnRole(stack, 'Owner', {
      assumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow', Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${issuer}` }, Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${issuer}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${issuer}:sub`]: pattern } },
        }],
      },
    });

    expect(findings(stack).errors).toEqual([expect.stringContaining(`[cdk-irsa NO_SUBJECT_PIN] role Stack/Owner: the statement trusts web-identity tokens without pinning "${issuer}:sub" `
      + `(it has StringLike ${JSON.stringify(pattern)}, which matches every value, or every owner on a public service)`)]);
  });

  test.each([
    ['token.actions.githubusercontent.com', 'repo:my-org/app:*'],
    ['token.actions.githubusercontent.com', 'repo:my-org/*'],
    ['gitlab.com', 'project_path:mygroup/app:*'],
    ['app.terraform.io', 'organization:my-org:project:*'],
  ])('accepts a %s subject %j whose owner is literal', (issuer, pattern) => {
    const { stack } = setup();
    new iam.CfnRole(stack, 'Owner', {
      assumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow', Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${issuer}` }, Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${issuer}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${issuer}:sub`]: pattern } },
        }],
      },
    });

    expect(findings(stack)).toEqual({ errors: [], warnings: [] });
  });

  test.each([
    ['StringEquals', `\${${ISSUER}:sub}`],
    ['StringLike', `\${${ISSUER}:sub}`],
    ['StringLike', 'system:serviceaccount:${aws:PrincipalTag/team}*'],
    ['StringEquals', `system:serviceaccount:\${${ISSUER}:sub}`],
  ])('fails to count a %s subject %j with an IAM policy variable as a pin', (operator, value) => {
    const { stack } = setup();
    handWrittenRole(stack, 'Variable', { [operator]: { [`${ISSUER}:sub`]: value }, StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com', ...(operator === 'StringEquals' ? { [`${ISSUER}:sub`]: value } : {}) } });

    expect(findings(stack).errors).toEqual([expect.stringContaining(`[cdk-irsa NO_SUBJECT_PIN] role Stack/Variable: the statement trusts web-identity tokens without pinning "${ISSUER}:sub" `
      + `(it has ${operator} ${JSON.stringify(value)}, a policy variable, which IAM substitutes at request time`)]);
  });

  test('fails to count a Google subject that is its own policy variable as a pin, and keeps ${*} a literal character', () => {
    const { stack } = setup();
    new iam.CfnRole(stack, 'Google', {
      assumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow', Principal: { Federated: 'accounts.google.com' }, Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'accounts.google.com:aud': 'my-app', 'accounts.google.com:sub': '${accounts.google.com:sub}' } },
        }],
      },
    });
    handWrittenRole(stack, 'Literal', { StringLike: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:api${*}' }, StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' } });

    expect(findings(stack).errors).toEqual([expect.stringContaining('[cdk-irsa NO_SUBJECT_PIN] role Stack/Google: the statement trusts web-identity tokens without pinning "accounts.google.com:sub"')]);
  });

  test.each([
    ['system:serviceaccount:*-prod:api'],
    ['system:serviceaccount:kube-*:api'],
    ['system:serviceaccount:k*:api'],
    ['system:serviceaccount:?eam:api'],
  ])('reports the namespace pattern of %j as WIDE_NAMESPACE_PATTERN', (pattern) => {
    const { stack } = setup();
    handWrittenRole(stack, 'Wide', { StringLike: { [`${ISSUER}:sub`]: pattern }, StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' } });

    expect(findings(stack).errors).toEqual([expect.stringContaining(`[cdk-irsa WIDE_NAMESPACE_PATTERN] role Stack/Wide: the namespace pattern ${JSON.stringify(pattern.split(':')[2])}`)]);
  });
});

describe('IrsaChecks declares its priority', () => {
  test('applyTo() adds it as a read-only aspect', () => {
    const app = new App();

    const checks = IrsaChecks.applyTo(app, { trustPolicySizeLimit: 4096 });

    expect(Aspects.of(app).applied.map((a) => [a.aspect, a.priority])).toEqual([[checks, AspectPriority.READONLY]]);
  });
});
