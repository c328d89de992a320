/**
 * Trust semantics, checked by an independent IAM engine.
 *
 * Each scenario builds an app through cdk-irsa's public API, synthesizes it, resolves the role's
 * trust policy the way CloudFormation would (provider Ref/GetAtt to an ARN, Fn::Join strings with
 * Fn::Select/Fn::Split of the issuer to concrete values: ./support/intrinsics.ts), and evaluates
 * requests with @cloud-copilot/iam-simulate's core engine (./support/iam-engine.ts). Each request
 * names the decision it must get. Near misses must be denied.
 *
 * EKS Pod Identity trust (principal pods.eks.amazonaws.com, session tags) is in the last block.
 */
import { CfnParameter } from 'aws-cdk-lib';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ClusterOidcProvider, IdentityType, IrsaCluster, IrsaRole, IrsaServiceAccount, ManifestDelivery, ServiceAccountSubject } from '../../lib';
import { subjectClaim as sub } from './support/oracle';
import { cleanupScratch, newStack, synthesize } from './support/synth';
import {
  disagreements, logicalIdOf, PodIdentityCase, podIdentityDisagreements, podIdentityTags, TrustCase, trustPolicyOf,
} from './support/trust-check';

const A = 'oidc.eks.eu-west-1.amazonaws.com/id/A1B2C3D4E5F60718293A4B5C6D7E8F90';
const B = 'oidc.eks.eu-west-1.amazonaws.com/id/0F9E8D7C6B5A49382716F5E4D3C2B1A0';
const C = 'oidc.eks.eu-west-1.amazonaws.com/id/C0FFEE00C0FFEE00C0FFEE00C0FFEE00';
const OTHER_ACCOUNT = '210987654321';

afterAll(cleanupScratch);

/** Near misses of one exact service account (`team/api` unless given) of an issuer and audience. */
function nearMissesOfTeamApi(issuer: string, otherIssuer: string, aud = 'sts.amazonaws.com', ns = 'team', name = 'api'): TrustCase[] {
  const Ns = ns[0].toUpperCase() + ns.slice(1);
  return [
    { what: 'the service account itself', issuer, sub: sub(ns, name), aud, expect: 'allow' },
    { what: `namespace sharing a prefix (${ns}-a)`, issuer, sub: sub(`${ns}-a`, name), aud, expect: 'deny' },
    { what: `namespace that is a prefix (${ns.slice(0, -1)})`, issuer, sub: sub(ns.slice(0, -1), name), aud, expect: 'deny' },
    { what: `name with a suffix (${name}-x)`, issuer, sub: sub(ns, `${name}-x`), aud, expect: 'deny' },
    { what: `name that is a prefix (${name.slice(0, -1)})`, issuer, sub: sub(ns, name.slice(0, -1)), aud, expect: 'deny' },
    { what: 'name and namespace swapped', issuer, sub: sub(name, ns), aud, expect: 'deny' },
    { what: 'another cluster\'s issuer', issuer: otherIssuer, sub: sub(ns, name), aud, expect: 'deny' },
    { what: 'the same issuer registered in another account', issuer, providerAccount: OTHER_ACCOUNT, sub: sub(ns, name), aud, expect: 'deny' },
    { what: 'another audience', issuer, sub: sub(ns, name), aud: 'other.example.com', expect: 'deny' },
    { what: 'no aud claim', issuer, sub: sub(ns, name), aud: null, expect: 'deny' },
    { what: 'wrong action sts:AssumeRole', issuer, sub: sub(ns, name), aud, action: 'sts:AssumeRole', expect: 'deny' },
    { what: 'wrong action sts:TagSession', issuer, sub: sub(ns, name), aud, action: 'sts:TagSession', expect: 'deny' },
    { what: `namespace case changed (${Ns})`, issuer, sub: sub(Ns, name), aud, expect: 'deny' },
    { what: `name case changed (${name.toUpperCase()})`, issuer, sub: sub(ns, name.toUpperCase()), aud, expect: 'deny' },
    { what: 'prefix case changed', issuer, sub: `System:ServiceAccount:${ns}:${name}`, aud, expect: 'deny' },
    { what: 'audience case changed', issuer, sub: sub(ns, name), aud: aud.toUpperCase(), expect: 'deny' },
    { what: 'a user rather than a service account', issuer, sub: `system:user:${ns}:${name}`, aud, expect: 'deny' },
  ];
}

describe('trust policies rendered by cdk-irsa, evaluated by iam-simulate', () => {
  test('exact subject (IrsaRole with a ClusterOidcProvider): only that service account, cluster and audience', () => {
    const stack = newStack();
    const provider = new ClusterOidcProvider(stack, 'ProviderA', { issuerUrl: `https://${A}` });
    const role = new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('team', 'api')] });

    const document = trustPolicyOf(synthesize(stack), logicalIdOf(role));

    expect(disagreements(document, nearMissesOfTeamApi(A, B))).toEqual([]);
  });

  test('several exact subjects: each of them, and no recombination of their parts', () => {
    const stack = newStack();
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'ProviderA', `arn:aws:iam::123456789012:oidc-provider/${A}`);
    const role = new IrsaRole(stack, 'Role', {
      provider,
      subjects: [
        ServiceAccountSubject.exact('team', 'api'),
        ServiceAccountSubject.exact('team', 'worker'),
        ServiceAccountSubject.exact('payments', 'api'),
      ],
    });

    const document = trustPolicyOf(synthesize(stack), logicalIdOf(role));

    expect(disagreements(document, [
      ...nearMissesOfTeamApi(A, B),
      { what: 'second subject', issuer: A, sub: sub('team', 'worker'), expect: 'allow' },
      { what: 'third subject', issuer: A, sub: sub('payments', 'api'), expect: 'allow' },
      { what: 'namespace of one, name of another', issuer: A, sub: sub('payments', 'worker'), expect: 'deny' },
      { what: 'a namespace as a name', issuer: A, sub: sub('team', 'payments'), expect: 'deny' },
      { what: 'second subject, another audience', issuer: A, sub: sub('team', 'worker'), aud: 'other.example.com', expect: 'deny' },
      { what: 'second subject, another cluster', issuer: B, sub: sub('team', 'worker'), expect: 'deny' },
    ])).toEqual([]);
  });

  test('anyInNamespace: every service account of that namespace and no other namespace', () => {
    const stack = newStack();
    const provider = new ClusterOidcProvider(stack, 'ProviderA', { issuerUrl: `https://${A}` });
    const role = new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.anyInNamespace('team')] });

    const document = trustPolicyOf(synthesize(stack), logicalIdOf(role));

    expect(disagreements(document, [
      { what: 'a service account of the namespace', issuer: A, sub: sub('team', 'api'), expect: 'allow' },
      { what: 'another service account of the namespace', issuer: A, sub: sub('team', 'x.y-z'), expect: 'allow' },
      { what: 'namespace sharing a prefix (team-a)', issuer: A, sub: sub('team-a', 'api'), expect: 'deny' },
      { what: 'namespace with a suffix (teams)', issuer: A, sub: sub('teams', 'api'), expect: 'deny' },
      { what: 'namespace with a prefix (xteam)', issuer: A, sub: sub('xteam', 'api'), expect: 'deny' },
      { what: 'namespace case changed', issuer: A, sub: sub('TEAM', 'api'), expect: 'deny' },
      { what: 'another cluster', issuer: B, sub: sub('team', 'api'), expect: 'deny' },
      { what: 'another audience', issuer: A, sub: sub('team', 'api'), aud: 'other.example.com', expect: 'deny' },
      { what: 'no aud claim', issuer: A, sub: sub('team', 'api'), aud: null, expect: 'deny' },
      { what: 'wrong action', issuer: A, sub: sub('team', 'api'), action: 'sts:AssumeRole', expect: 'deny' },
    ])).toEqual([]);
  });

  test('patterns (matching) next to an exact subject: each as documented, aud pinned in both statements', () => {
    const stack = newStack();
    const provider = new ClusterOidcProvider(stack, 'ProviderA', { issuerUrl: `https://${A}` });
    const role = new IrsaRole(stack, 'Role', {
      provider,
      subjects: [ServiceAccountSubject.exact('team', 'api'), ServiceAccountSubject.matching('ci-*', 'runner-?')],
    });

    const document = trustPolicyOf(synthesize(stack), logicalIdOf(role));

    expect(disagreements(document, [
      ...nearMissesOfTeamApi(A, B),
      { what: 'pattern: ci-1/runner-a', issuer: A, sub: sub('ci-1', 'runner-a'), expect: 'allow' },
      { what: 'pattern: ci-build-7/runner-9', issuer: A, sub: sub('ci-build-7', 'runner-9'), expect: 'allow' },
      { what: 'pattern: ? is exactly one character (runner-ab)', issuer: A, sub: sub('ci-1', 'runner-ab'), expect: 'deny' },
      { what: 'pattern: ? is not zero characters (runner-)', issuer: A, sub: sub('ci-1', 'runner-'), expect: 'deny' },
      { what: 'pattern: namespace without the fixed dash (ci)', issuer: A, sub: sub('ci', 'runner-a'), expect: 'deny' },
      { what: 'pattern: namespace with a prefix (xci-1)', issuer: A, sub: sub('xci-1', 'runner-a'), expect: 'deny' },
      { what: 'pattern: name with a prefix (xrunner-a)', issuer: A, sub: sub('ci-1', 'xrunner-a'), expect: 'deny' },
      { what: 'pattern: exact namespace with pattern name', issuer: A, sub: sub('team', 'runner-a'), expect: 'deny' },
      { what: 'pattern: another audience', issuer: A, sub: sub('ci-1', 'runner-a'), aud: 'other.example.com', expect: 'deny' },
      { what: 'pattern: no aud claim', issuer: A, sub: sub('ci-1', 'runner-a'), aud: null, expect: 'deny' },
      { what: 'pattern: another cluster', issuer: B, sub: sub('ci-1', 'runner-a'), expect: 'deny' },
      { what: 'pattern: wrong action', issuer: A, sub: sub('ci-1', 'runner-a'), action: 'sts:AssumeRole', expect: 'deny' },
      { what: 'pattern: case changed', issuer: A, sub: sub('CI-1', 'runner-a'), expect: 'deny' },
    ])).toEqual([]);
  });

  test('several clusters (addTrust), one of them with a second audience: no crossing between clusters or audiences', () => {
    const stack = newStack();
    const providerA = new ClusterOidcProvider(stack, 'ProviderA', { issuerUrl: `https://${A}` });
    const providerB = new ClusterOidcProvider(stack, 'ProviderB', { issuerUrl: `https://${B}`, clientIds: ['sts.amazonaws.com', 'batch.example.com'] });
    const role = new IrsaRole(stack, 'Role', { provider: providerA, subjects: [ServiceAccountSubject.exact('team', 'api')] });
    role.addTrust(providerB, [ServiceAccountSubject.exact('team', 'worker')]);
    role.addTrust(providerB, [ServiceAccountSubject.anyInNamespace('batch')], { audience: 'batch.example.com' });

    const document = trustPolicyOf(synthesize(stack), logicalIdOf(role));

    expect(disagreements(document, [
      ...nearMissesOfTeamApi(A, C),
      { what: 'A: team/api', issuer: A, sub: sub('team', 'api'), expect: 'allow' },
      { what: 'B: team/worker', issuer: B, sub: sub('team', 'worker'), expect: 'allow' },
      { what: 'B: batch/*, its audience', issuer: B, sub: sub('batch', 'job-1'), aud: 'batch.example.com', expect: 'allow' },
      { what: 'A: team/worker (trusted on B only)', issuer: A, sub: sub('team', 'worker'), expect: 'deny' },
      { what: 'B: team/api (trusted on A only)', issuer: B, sub: sub('team', 'api'), expect: 'deny' },
      { what: 'B: batch/* with the default audience', issuer: B, sub: sub('batch', 'job-1'), expect: 'deny' },
      { what: 'B: team/worker with batch\'s audience', issuer: B, sub: sub('team', 'worker'), aud: 'batch.example.com', expect: 'deny' },
      { what: 'A: batch/* with batch\'s audience', issuer: A, sub: sub('batch', 'job-1'), aud: 'batch.example.com', expect: 'deny' },
    ])).toEqual([]);
  });

  test('custom audience: that audience only, never the default', () => {
    const stack = newStack();
    const provider = new ClusterOidcProvider(stack, 'ProviderA', { issuerUrl: `https://${A}`, clientIds: ['custom.example.com'] });
    const role = new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('team', 'api')], audience: 'custom.example.com' });

    const document = trustPolicyOf(synthesize(stack), logicalIdOf(role));

    expect(disagreements(document, [
      ...nearMissesOfTeamApi(A, B, 'custom.example.com'),
      { what: 'the default audience', issuer: A, sub: sub('team', 'api'), aud: 'sts.amazonaws.com', expect: 'deny' },
      { what: 'the audience with a suffix', issuer: A, sub: sub('team', 'api'), aud: 'custom.example.com.evil', expect: 'deny' },
    ])).toEqual([]);
  });

  test('issuer known only at deploy (aws-eks-v2 cluster of the app): the JSON-string trust resolves and holds', () => {
    const stack = newStack();
    const cluster = new eksv2.Cluster(stack, 'Cluster', { version: eksv2.KubernetesVersion.V1_33 });
    const serviceAccount = new IrsaServiceAccount(stack, 'Api', {
      cluster: IrsaCluster.fromClusterV2(cluster),
      namespace: 'team',
      name: 'api',
      manifestDelivery: ManifestDelivery.none(),
    });
    const template = synthesize(stack);
    const roleId = logicalIdOf(serviceAccount.role);
    expect(template.Resources[roleId].Properties.AssumeRolePolicyDocument).toHaveProperty(['Fn::Join']);

    const document = trustPolicyOf(template, roleId, { attributes: { [`${logicalIdOf(cluster)}.OpenIdConnectIssuerUrl`]: `https://${C}` } });

    expect(disagreements(document, nearMissesOfTeamApi(C, A))).toEqual([]);
  });

  test('provider imported by an ARN known only at deploy (parameter): issuer taken from the ARN', () => {
    const stack = newStack();
    const arn = new CfnParameter(stack, 'ProviderArn', { type: 'String' });
    const provider = ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', arn.valueAsString);
    const role = new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('team', 'api')] });

    const document = trustPolicyOf(synthesize(stack), logicalIdOf(role), { refs: { ProviderArn: `arn:aws:iam::123456789012:oidc-provider/${B}` } });

    expect(disagreements(document, nearMissesOfTeamApi(B, A))).toEqual([]);
  });

  test('IrsaServiceAccount of a cluster known by its attributes (GitOps), with a custom audience', () => {
    const stack = newStack();
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: `https://${A}` });
    const serviceAccount = new IrsaServiceAccount(stack, 'Api', {
      cluster,
      namespace: 'team',
      name: 'api',
      audience: 'custom.example.com',
      manifestDelivery: ManifestDelivery.gitOps(),
    });
    const template = synthesize(stack);

    const document = trustPolicyOf(template, logicalIdOf(serviceAccount.role));

    expect(disagreements(document, nearMissesOfTeamApi(A, B, 'custom.example.com'))).toEqual([]);
    // STS accepts the token only if its audience is one of the provider's client IDs.
    const providers = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::OIDCProvider');
    expect(providers).toHaveLength(1);
    expect(providers[0].Properties.ClientIdList).toContain('custom.example.com');
  });

  test('a plain iam.Role given to IrsaServiceAccount keeps its own trust and gains exactly the service account', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Plain', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    new IrsaServiceAccount(stack, 'Api', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: `https://${A}` }),
      namespace: 'team',
      name: 'api',
      role,
      manifestDelivery: ManifestDelivery.none(),
    });

    const document = trustPolicyOf(synthesize(stack), logicalIdOf(role));

    expect(disagreements(document, nearMissesOfTeamApi(A, B))).toEqual([]);
  });

  test('the checker catches a deliberately wrong trust policy (a namespace prefix match)', () => {
    // GIVEN the correct policy for team/api ...
    const stack = newStack();
    const provider = new ClusterOidcProvider(stack, 'ProviderA', { issuerUrl: `https://${A}` });
    const role = new IrsaRole(stack, 'Role', { provider, subjects: [ServiceAccountSubject.exact('team', 'api')] });
    const document = trustPolicyOf(synthesize(stack), logicalIdOf(role));

    // ... broken the way a hand-written policy often is: StringLike with "team*".
    const wrong = JSON.parse(JSON.stringify(document));
    const condition = wrong.Statement[0].Condition;
    condition.StringLike = { [`${A}:sub`]: 'system:serviceaccount:team*:api' };
    delete condition.StringEquals[`${A}:sub`];

    // THEN the same table finds the near miss it lets through.
    expect(disagreements(wrong, nearMissesOfTeamApi(A, B))).toEqual([
      expect.stringContaining('namespace sharing a prefix (team-a): expected deny, engine says Allowed'),
    ]);
  });

  test('the checker catches a deliberately wrong trust policy (aud not pinned, wildcard under StringEquals)', () => {
    const document = {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${A}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${A}:sub`]: ['system:serviceaccount:team:api', 'system:serviceaccount:ci-*:runner-?'] } },
      }],
    };

    const found = disagreements(document, [
      ...nearMissesOfTeamApi(A, B),
      { what: 'pattern: ci-1/runner-a', issuer: A, sub: sub('ci-1', 'runner-a'), expect: 'allow' },
    ]);

    expect(found).toEqual([
      expect.stringContaining('another audience: expected deny'),
      expect.stringContaining('no aud claim: expected deny'),
      expect.stringContaining('audience case changed: expected deny'),
      expect.stringContaining('pattern: ci-1/runner-a: expected allow, engine says ImplicitlyDenied'),
    ]);
  });
});

describe('EKS Pod Identity trust, evaluated by iam-simulate', () => {
  const CLUSTER_ARN = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';
  const tags = podIdentityTags;

  /** Near misses of the association of payments/api on cluster prod. */
  function nearMissesOfPaymentsApi(): PodIdentityCase[] {
    return [
      { what: 'the association itself', tags: tags(CLUSTER_ARN, 'payments', 'api'), expect: 'allow' },
      { what: 'another namespace', tags: tags(CLUSTER_ARN, 'payments-a', 'api'), expect: 'deny' },
      { what: 'another service account', tags: tags(CLUSTER_ARN, 'payments', 'api-x'), expect: 'deny' },
      { what: 'another cluster of the same name in another region', tags: tags(CLUSTER_ARN.replace('eu-west-1', 'us-east-1'), 'payments', 'api'), expect: 'deny' },
      { what: 'another cluster', tags: tags(CLUSTER_ARN.replace(/prod$/, 'staging'), 'payments', 'api'), expect: 'deny' },
      { what: 'namespace case changed', tags: tags(CLUSTER_ARN, 'Payments', 'api'), expect: 'deny' },
      { what: 'no session tags', tags: undefined, expect: 'deny' },
      { what: 'another service principal', principal: 'ec2.amazonaws.com', tags: tags(CLUSTER_ARN, 'payments', 'api'), expect: 'deny' },
    ];
  }

  function podIdentityRole(options: Partial<ConstructorParameters<typeof IrsaServiceAccount>[2]> = {}) {
    const stack = newStack();
    const serviceAccount = new IrsaServiceAccount(stack, 'Api', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: `https://${A}` }),
      namespace: 'payments',
      name: 'api',
      identityType: IdentityType.POD_IDENTITY,
      manifestDelivery: ManifestDelivery.none(),
      ...options,
    });
    return trustPolicyOf(synthesize(stack), logicalIdOf(serviceAccount.role));
  }

  test('pinned (the default): only that cluster, namespace and service account, with both actions', () => {
    expect(podIdentityDisagreements(podIdentityRole(), nearMissesOfPaymentsApi())).toEqual([]);
  });

  test('without tag pinning: any association in the account, as documented', () => {
    expect(podIdentityDisagreements(podIdentityRole({ podIdentity: { pinSessionTags: false } }), [
      { what: 'the association itself', tags: tags(CLUSTER_ARN, 'payments', 'api'), expect: 'allow' },
      { what: 'another namespace and service account', tags: tags(CLUSTER_ARN, 'other', 'other'), expect: 'allow' },
      { what: 'another service principal', principal: 'ec2.amazonaws.com', tags: tags(CLUSTER_ARN, 'payments', 'api'), expect: 'deny' },
    ])).toEqual([]);
  });

  test('with session tags disabled (for a session policy): no tags to pin, the association still works', () => {
    expect(podIdentityDisagreements(podIdentityRole({ podIdentity: { disableSessionTags: true } }), [
      { what: 'the association, without tags', tags: undefined, expect: 'allow' },
      { what: 'another service principal', principal: 'ec2.amazonaws.com', tags: undefined, expect: 'deny' },
    ])).toEqual([]);
  });

  test('a role shared by pinned service accounts admits each and no other association; an unpinned one cannot join', () => {
    const stack = newStack();
    const role = new IrsaRole(stack, 'Shared');
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', clusterArn: CLUSTER_ARN });
    const options = { cluster, role, identityType: IdentityType.POD_IDENTITY, manifestDelivery: ManifestDelivery.none() };
    new IrsaServiceAccount(stack, 'Api', { ...options, namespace: 'payments', name: 'api' });
    new IrsaServiceAccount(stack, 'Gen', { ...options, namespace: 'reports', name: 'gen' });

    expect(() => new IrsaServiceAccount(stack, 'Open', { ...options, namespace: 'reports', name: 'open', podIdentity: { pinSessionTags: false } }))
      .toThrow(/would trust EKS Pod Identity pinned to payments\/api, reports\/gen and also unpinned/);
    expect(podIdentityDisagreements(trustPolicyOf(synthesize(stack), logicalIdOf(role)), [
      ...nearMissesOfPaymentsApi(),
      { what: 'the other service account', tags: tags(CLUSTER_ARN, 'reports', 'gen'), expect: 'allow' },
      { what: 'the refused unpinned one', tags: tags(CLUSTER_ARN, 'reports', 'open'), expect: 'deny' },
      { what: 'parts of both recombined', tags: tags(CLUSTER_ARN, 'reports', 'api'), expect: 'deny' },
    ])).toEqual([]);
  });

  test('IRSA and Pod Identity together (migration): each way admits exactly its service account', () => {
    const document = podIdentityRole({ identityType: IdentityType.IRSA_AND_POD_IDENTITY });
    expect(podIdentityDisagreements(document, nearMissesOfPaymentsApi())).toEqual([]);
    expect(disagreements(document, nearMissesOfTeamApi(A, B, 'sts.amazonaws.com', 'payments', 'api'))).toEqual([]);
  });

  test('the checker catches a deliberately wrong Pod Identity trust (namespace pinned, service account not)', () => {
    const document = podIdentityRole();
    for (const statement of document.Statement) {
      delete statement.Condition.StringEquals['aws:RequestTag/kubernetes-service-account'];
    }
    expect(podIdentityDisagreements(document, nearMissesOfPaymentsApi())).toEqual([
      expect.stringContaining('another service account: expected deny'),
    ]);
  });
});
