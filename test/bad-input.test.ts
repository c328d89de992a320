/**
 * Bad input, case by case: each gets a cdk-irsa error at synth that names the value and the fix,
 * never a raw TypeError, an error from deep inside aws-cdk-lib, or silence.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  AddonPolicy, ClusterOidcProvider, IdentityType, IrsaCluster, IrsaRole, IrsaServiceAccount, ManifestDelivery, ServiceAccountManifest,
  ServiceAccountSubject,
} from '../lib';

const ACCOUNT = '123456789012';
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const ISSUER_URL = `https://${ISSUER}`;
const CLUSTER_ARN = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod`;

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: 'eu-west-1' } });
}

function prod(extra: object = {}): IrsaCluster {
  return IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL, clusterArn: CLUSTER_ARN, ...extra });
}

function podIdentity(props: object): () => void {
  return () => new IrsaServiceAccount(newStack(), 'Api', { cluster: prod(), name: 'api', identityType: IdentityType.POD_IDENTITY, ...props } as any);
}

function bigPolicy(size: number): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${'b'.repeat(size)}/*`] })],
  });
}

interface Case {
  readonly what: string;
  readonly run: () => unknown;
  readonly error: RegExp | string;
}

const CASES: Case[] = [
  // A JavaScript caller can leave out what TypeScript requires.
  { what: 'a missing name', run: () => new IrsaServiceAccount(newStack(), 'Api', { cluster: prod() } as any), error: /name is missing: give the name of the Kubernetes ServiceAccount/ },
  { what: 'a missing cluster', run: () => new IrsaServiceAccount(newStack(), 'Api', { name: 'api' } as any), error: /cluster is missing: give the cluster of the service account, for example IrsaCluster\.fromAttributes/ },
  { what: 'fromAttributes({})', run: () => IrsaCluster.fromAttributes({} as any), error: /clusterName is missing: give the name of the EKS cluster/ },
  {
    what: 'subjects: [undefined]',
    run: () => new IrsaRole(newStack(), 'Role', { provider: ClusterOidcProvider.fromOidcProviderArn(newStack(), 'P', `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`), subjects: [undefined as any] }),
    error: /subjects\[0\] is undefined: give a ServiceAccountSubject, for example ServiceAccountSubject\.exact\("payments", "api"\)/,
  },
  // Issuer URLs that IAM or the tokens would not match.
  { what: 'an issuer URL with a port', run: () => prod({ issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com:443/id/X' }), error: /issuerUrl "https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com:443\/id\/X" must not contain a port or user info/ },
  { what: 'an issuer URL whose host holds a quote', run: () => prod({ issuerUrl: 'https://a"b.example.com' }),
    error: 'issuerUrl "https://a\\"b.example.com" has a host that is not a DNS name ("a\\"b.example.com"): labels of 1 to 63 letters, digits and "-", not starting or ending with "-", separated by ".".' },
  { what: 'an issuer URL whose host has an empty label', run: () => prod({ issuerUrl: 'https://oidc..example.com' }), error: 'has a host that is not a DNS name ("oidc..example.com")' },
  { what: 'an issuer URL whose host has "_"', run: () => prod({ issuerUrl: 'https://oidc_eks.example.com' }), error: 'has a host that is not a DNS name ("oidc_eks.example.com")' },
  { what: 'an issuer URL whose path holds a quote', run: () => prod({ issuerUrl: 'https://oidc.example.com/id/a"b' }),
    error: 'issuerUrl "https://oidc.example.com/id/a\\"b" has "\\"" in its path, which a URL path does not hold unescaped.' },
  { what: 'an issuer URL with user info', run: () => prod({ issuerUrl: 'https://user@oidc.eks.eu-west-1.amazonaws.com/id/X' }), error: /issuerUrl "https:\/\/user@oidc.*" must not contain a port or user info/ },
  { what: 'an issuer URL with an upper-case host', run: () => prod({ issuerUrl: 'https://OIDC.eks.eu-west-1.amazonaws.com/id/X' }), error: /issuerUrl ".*" has upper-case letters in its host: tokens carry the host in lower case, so STS would not match it\. Write the host in lower case/ },
  { what: 'an issuer URL with NUL', run: () => prod({ issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/X\u0000' }), error: /issuerUrl "https:\/\/oidc.*\\u0000" contains control or non-ASCII characters/ },
  { what: 'an issuer URL with non-ASCII characters', run: () => prod({ issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/Xé' }), error: /issuerUrl ".*Xé" contains control or non-ASCII characters/ },
  {
    what: 'a provider ARN containing https://',
    run: () => ClusterOidcProvider.fromOidcProviderArn(newStack(), 'P', `arn:aws:iam::${ACCOUNT}:oidc-provider/https://${ISSUER}`),
    error: /"arn:aws:iam::123456789012:oidc-provider\/https:\/\/oidc.*" names the issuer with "https:\/\/": provider ARNs hold the issuer's host and path only/,
  },
  // Audiences.
  { what: 'an audience with surrounding spaces', run: () => new ServiceAccountManifest({ name: 'api', audience: ' vault ' }), error: /audience " vault " has white space around it/ },
  { what: 'an audience with "*"', run: () => new ServiceAccountManifest({ name: 'api', audience: 'vault*' }), error: /audience "vault\*" holds a wildcard/ },
  {
    what: 'the default audience with a provider whose client IDs lack it',
    run: () => {
      const stack = newStack();
      const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: ISSUER_URL, clientIds: ['vault'] });
      new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', openIdConnectProvider: provider }), name: 'api' });
    },
    error: /ClusterOidcProvider Stack\/Provider does not list the audience "sts\.amazonaws\.com" in its clientIds \(\["vault"\]\)/,
  },
  // Clusters.
  { what: 'an invalid clusterName', run: () => IrsaCluster.fromAttributes({ clusterName: 'prod cluster', issuerUrl: ISSUER_URL }), error: /clusterName "prod cluster" is not a valid EKS cluster name/ },
  { what: 'a malformed clusterArn', run: () => prod({ clusterArn: 'arn:aws:eks:eu-west-1:123:prod' }), error: /clusterArn "arn:aws:eks:eu-west-1:123:prod" is not the ARN of an EKS cluster/ },
  { what: 'a clusterArn of another cluster', run: () => prod({ clusterArn: `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/staging` }), error: /clusterArn ".*cluster\/staging" names cluster "staging", not "prod"/ },
  {
    what: 'fromClusterV2 of a cluster in another account',
    run: () => {
      const app = new App();
      const clusterStack = new Stack(app, 'Clusters', { env: { account: '210987654321', region: 'eu-west-1' } });
      const cluster = new eksv2.Cluster(clusterStack, 'Other', { version: eksv2.KubernetesVersion.V1_32 });
      const stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: 'eu-west-1' } });
      new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromClusterV2(cluster), name: 'api', identityType: IdentityType.POD_IDENTITY });
    },
    error: /EKS Pod Identity associations belong to the cluster's account \(210987654321\)/,
  },
  {
    what: 'fromClusterV2 of a cluster in another account, for IAM roles for service accounts',
    run: () => {
      const app = new App();
      const clusterStack = new Stack(app, 'Clusters', { env: { account: '210987654321', region: 'eu-west-1' } });
      const cluster = new eksv2.Cluster(clusterStack, 'Other', { version: eksv2.KubernetesVersion.V1_32 });
      const stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: 'eu-west-1' } });
      new IrsaServiceAccount(stack, 'Api', { cluster: IrsaCluster.fromClusterV2(cluster), name: 'api' });
    },
    error: /Stack\/Api: the role Stack\/Api\/Role is in account 123456789012, but the OIDC provider Clusters\/Other\/IrsaOidcProvider it would trust is in account 210987654321: .* Register the cluster's issuer in 123456789012: IrsaCluster\.fromAttributes/,
  },
  // Pod Identity options.
  { what: 'a targetRoleArn that is not a role ARN', run: podIdentity({ podIdentity: { targetRoleArn: 'arn:aws:iam::210987654321:user/bob' } }), error: /podIdentity\.targetRoleArn "arn:aws:iam::210987654321:user\/bob" is not the ARN of an IAM role/ },
  { what: 'a targetRoleArn with a wildcard', run: podIdentity({ podIdentity: { targetRoleArn: 'arn:aws:iam::210987654321:role/*' } }), error: /podIdentity\.targetRoleArn ".*role\/\*" holds a wildcard/ },
  {
    what: 'more than 50 association tags',
    run: podIdentity({ podIdentity: { associationTags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) } }),
    error: /podIdentity\.associationTags has 51 tags; EKS accepts at most 50/,
  },
  { what: 'an association tag key with "aws:"', run: podIdentity({ podIdentity: { associationTags: { 'aws:team': 'x' } } }), error: /podIdentity\.associationTags key "aws:team" is not accepted by EKS/ },
  { what: 'an association tag value too long', run: podIdentity({ podIdentity: { associationTags: { team: 'x'.repeat(257) } } }), error: /podIdentity\.associationTags value of "team" is 257 characters long; EKS accepts at most 256/ },
  {
    what: 'a sessionPolicy over EKS\'s limit',
    run: podIdentity({ podIdentity: { disableSessionTags: true, sessionPolicy: bigPolicy(2100) } }),
    error: /podIdentity\.sessionPolicy is \d+ characters long; EKS accepts at most 2048/,
  },
  {
    what: 'a sessionPolicy with a Principal',
    run: podIdentity({
      podIdentity: {
        disableSessionTags: true,
        sessionPolicy: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'], principals: [new iam.AnyPrincipal()] })] }),
      },
    }),
    error: /podIdentity\.sessionPolicy has a statement with a Principal; a session policy applies to the session itself and takes none/,
  },
  // Kubernetes objects.
  {
    what: 'annotations and labels over 256 KiB',
    run: () => new ServiceAccountManifest({ name: 'api', annotations: { 'example.com/a': 'x'.repeat(200 * 1024), 'example.com/b': 'x'.repeat(60 * 1024) } }),
    error: /annotations of ServiceAccount default\/api take \d+ bytes; Kubernetes accepts at most 262144 \(256 KiB\)/,
  },
  ...['kube-system', 'kube-public', 'kube-node-lease', 'default'].map((namespace): Case => ({
    what: `createNamespace for ${namespace}`,
    run: () => new IrsaServiceAccount(newStack(), 'Api', { cluster: prod(), name: 'api', namespace, createNamespace: true, manifestDelivery: ManifestDelivery.gitOps() }),
    error: new RegExp(`createNamespace is set for namespace "${namespace}", which every cluster has already`),
  })),
  // Wrong types from JavaScript callers: YAML the API server refuses, or no manifest and no error.
  { what: 'an annotation value that is a number', run: () => new ServiceAccountManifest({ name: 'api', annotations: { 'example.com/a': 5 as any } }), error: /annotations\["example\.com\/a"\] is the number 5, not a string/ },
  { what: 'an annotation value that is a boolean', run: () => new ServiceAccountManifest({ name: 'api', annotations: { 'example.com/a': true as any } }), error: /annotations\["example\.com\/a"\] is the boolean true, not a string/ },
  { what: 'a label value that is an object', run: () => new ServiceAccountManifest({ name: 'api', labels: { team: {} as any } }), error: /labels\["team"\] is the object \{\}, not a string/ },
  { what: 'annotations that are a string', run: () => new ServiceAccountManifest({ name: 'api', annotations: 'a=b' as any }), error: /annotations is the string "a=b", not an object of string keys and string values/ },
  {
    what: 'automountServiceAccountToken as a string',
    run: () => new ServiceAccountManifest({ name: 'api', automountServiceAccountToken: 'false' as any }),
    error: /automountServiceAccountToken is the string "false", not true or false \(a boolean\)/,
  },
  { what: 'a name that is a number', run: () => new ServiceAccountManifest({ name: 5 as any }), error: /name is the number 5, not a string, the name of the Kubernetes ServiceAccount/ },
  { what: 'imagePullSecrets as a string', run: () => new ServiceAccountManifest({ name: 'api', imagePullSecrets: 'xy' as any }), error: /imagePullSecrets is the string "xy", not an array of secret names/ },
  { what: 'a tokenExpiration that is a number', run: () => new ServiceAccountManifest({ name: 'api', tokenExpiration: 3600 as any }), error: /tokenExpiration is the number 3600, not a Duration, for example Duration\.hours\(12\)/ },
  { what: 'an audience that is a number', run: () => new ServiceAccountManifest({ name: 'api', audience: 5 as any }), error: /audience is the number 5, not a string/ },
  { what: 'new ServiceAccountManifest()', run: () => new (ServiceAccountManifest as any)(), error: /ServiceAccountManifest props is missing: give at least the name/ },
  { what: 'new ServiceAccountManifest({})', run: () => new ServiceAccountManifest({} as any), error: /name is missing: give the name of the Kubernetes ServiceAccount/ },
  ...['gitOps', {}].map((manifestDelivery): Case => ({
    what: `manifestDelivery: ${JSON.stringify(manifestDelivery)}`,
    run: () => new IrsaServiceAccount(newStack(), 'Api', { cluster: prod(), name: 'api', manifestDelivery: manifestDelivery as any }),
    error: /Stack\/Api: manifestDelivery is .*, not a ManifestDelivery, for example ManifestDelivery\.gitOps\(\)/,
  })),
  {
    what: 'an IrsaServiceAccount name that is a number',
    run: () => new IrsaServiceAccount(newStack(), 'Api', { cluster: prod(), name: 5 as any }),
    error: /Stack\/Api: name is the number 5, not a string/,
  },
  {
    what: 'an IrsaServiceAccount with an annotation value that is a number',
    run: () => new IrsaServiceAccount(newStack(), 'Api', { cluster: prod(), name: 'api', annotations: { 'example.com/a': 1 as any } }),
    error: /Stack\/Api: annotations\["example\.com\/a"\] is the number 1, not a string/,
  },
  {
    what: 'a role that is an ARN string',
    run: () => new IrsaServiceAccount(newStack(), 'Api', { cluster: prod(), name: 'api', role: `arn:aws:iam::${ACCOUNT}:role/api` as any }),
    error: /Stack\/Api: role is the string "arn:aws:iam::123456789012:role\/api", not an iam\.IRole, for example iam\.Role\.fromRoleArn/,
  },
  ...['createNamespace', 'overwriteServiceAccount'].map((option): Case => ({
    what: `${option} as the string "false"`,
    run: () => new IrsaServiceAccount(newStack(), 'Api', { cluster: prod(), name: 'api', namespace: 'payments', [option]: 'false' as any }),
    error: new RegExp(`Stack/Api: ${option} is the string "false", not true or false \\(a boolean\\)`),
  })),
  ...['pinSessionTags', 'disableSessionTags'].map((option): Case => ({
    what: `podIdentity.${option} as the string "false"`,
    run: () => new IrsaServiceAccount(newStack(), 'Api', {
      cluster: prod(), name: 'api', namespace: 'payments', identityType: IdentityType.POD_IDENTITY, podIdentity: { [option]: 'false' as any },
    }),
    error: new RegExp(`Stack/Api: podIdentity\\.${option} is the string "false", not true or false \\(a boolean\\)`),
  })),
  ...[['podIdentity', 'a PodIdentityOptions struct'], ['roleOptions', 'an IrsaRoleOptions struct']].map(([option, expected]): Case => ({
    what: `${option} as a string`,
    run: () => new IrsaServiceAccount(newStack(), 'Api', { cluster: prod(), name: 'api', [option]: 'yes' as any }),
    error: new RegExp(`Stack/Api: ${option} is the string "yes", not ${expected}`),
  })),
  { what: 'a cluster that is a string', run: () => new IrsaServiceAccount(newStack(), 'Api', { cluster: 'prod' as any, name: 'api' }), error: /Stack\/Api: cluster is the string "prod", not an IrsaCluster/ },
  // Wrong types and missing arguments that gave a raw TypeError, or were accepted.
  { what: 'exact(undefined, "x")', run: () => ServiceAccountSubject.exact(undefined as any, 'x'), error: /the namespace given to exact\(\) is missing, not a string, for example exact\("payments", "api"\)/ },
  { what: 'exact(null, null)', run: () => ServiceAccountSubject.exact(null as any, null as any), error: /the namespace given to exact\(\) is null, not a string/ },
  { what: 'exact(123, "x")', run: () => ServiceAccountSubject.exact(123 as any, 'x'), error: /the namespace given to exact\(\) is the number 123, not a string/ },
  { what: 'exact("x", 123)', run: () => ServiceAccountSubject.exact('x', 123 as any), error: /the name given to exact\(\) is the number 123, not a string/ },
  { what: 'anyInNamespace()', run: () => (ServiceAccountSubject as any).anyInNamespace(), error: /the namespace given to anyInNamespace\(\) is missing, not a string/ },
  { what: 'matching({}, "x")', run: () => ServiceAccountSubject.matching({} as any, 'x'), error: /the namespace pattern given to matching\(\) is the object \{\}, not a string/ },
  { what: 'an issuerUrl that is a number', run: () => IrsaCluster.fromAttributes({ clusterName: 'a', issuerUrl: 5 as any }), error: /issuerUrl is the number 5, not a string, for example "https:\/\/oidc/ },
  { what: 'fromCluster(undefined)', run: () => IrsaCluster.fromCluster(undefined as any), error: /the cluster given to IrsaCluster\.fromCluster\(\) is missing, not an aws-eks Cluster/ },
  { what: 'fromCluster({})', run: () => IrsaCluster.fromCluster({} as any), error: /the cluster given to IrsaCluster\.fromCluster\(\) is the object \{\}, not an aws-eks Cluster/ },
  { what: 'fromClusterV2("prod")', run: () => IrsaCluster.fromClusterV2('prod' as any), error: /the cluster given to IrsaCluster\.fromClusterV2\(\) is the string "prod", not an aws-eks-v2 Cluster/ },
  {
    what: 'an IrsaServiceAccount tokenExpiration that is a number',
    run: () => new IrsaServiceAccount(newStack(), 'Api', { cluster: prod(), name: 'api', tokenExpiration: 3600 as any }),
    error: /Stack\/Api: tokenExpiration is the number 3600, not a Duration, for example Duration\.hours\(12\)/,
  },
  { what: 'an IrsaServiceAccount audience that is a number', run: () => new IrsaServiceAccount(newStack(), 'Api', { cluster: prod(), name: 'api', audience: 5 as any }), error: /Stack\/Api: audience is the number 5, not a string/ },
  {
    what: 'IrsaRole subjects that are a string',
    run: () => new IrsaRole(newStack(), 'Role', { provider: ClusterOidcProvider.fromOidcProviderArn(newStack(), 'P', `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`), subjects: 'x' as any }),
    error: /Stack\/Role: subjects is the string "x", not an array of ServiceAccountSubject/,
  },
  {
    what: 'addTrust(undefined, ...)',
    run: () => new IrsaRole(newStack(), 'Role').addTrust(undefined as any, [ServiceAccountSubject.exact('default', 'api')]),
    error: /Stack\/Role: the provider given to addTrust\(\) is missing, not an iam\.IOpenIdConnectProvider/,
  },
  { what: 'new ClusterOidcProvider without props', run: () => new (ClusterOidcProvider as any)(newStack(), 'P'), error: /Stack\/P: ClusterOidcProvider props is missing: give at least the issuerUrl/ },
  {
    what: 'clientIds that are a string',
    run: () => new ClusterOidcProvider(newStack(), 'P', { issuerUrl: ISSUER_URL, clientIds: 'sts.amazonaws.com' as any }),
    error: /Stack\/P: clientIds is the string "sts\.amazonaws\.com", not an array of client IDs/,
  },
  ...['externalDns', 'velero', 'karpenterController', 'certManager', 'clusterAutoscaler', 'externalSecrets', 'nodeTerminationHandler', 'managedPrometheus']
    .map((preset): Case => ({
      what: `AddonPolicy.${preset}() without options`,
      run: () => (AddonPolicy as any)[preset](),
      error: new RegExp(`the options of AddonPolicy\\.${preset}\\(\\) is missing`),
    })),
  { what: 'externalDns hostedZones that are a string', run: () => AddonPolicy.externalDns({ hostedZones: 'Z1' as any }), error: /hostedZones is the string "Z1", not an array: AddonPolicy\.externalDns\(\) takes a list/ },
  { what: 'a tokenExpiration that is not whole seconds', run: () => new ServiceAccountManifest({ name: 'api', tokenExpiration: Duration.millis(3_600_500) }), error: /tokenExpiration is .* not a whole number of seconds/ },
];

describe('bad input fails at synth with a cdk-irsa error that names the value and the fix', () => {
  test.each(CASES.map((c) => [c.what, c] as const))('fails for %s', (_what, c) => {
    let error: unknown;
    try {
      c.run();
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('IrsaError');
    expect((error as Error).message).toMatch(/^\[cdk-irsa\] /);
    expect((error as Error).message).toMatch(c.error);
  });

  test('accepts what the cases are near misses of', () => {
    expect(() => prod({ issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE' })).not.toThrow();
    expect(() => podIdentity({ podIdentity: { targetRoleArn: 'arn:aws:iam::210987654321:role/path/reader', associationTags: { team: 'x'.repeat(256) } } })()).not.toThrow();
    expect(() => new ServiceAccountManifest({ name: 'api', namespace: 'default', audience: 'vault', tokenExpiration: Duration.hours(2) })).not.toThrow();
    expect(() => ServiceAccountSubject.exact('default', 'api')).not.toThrow();
  });
});

describe('every switch of IrsaServiceAccount refuses a string (JavaScript callers), as the jsii assembly lists them', () => {
  // The assembly (.jsii, written by `npm run build`), not a list kept by hand: a boolean prop added
  // later without a type check fails here.
  const assembly = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.jsii'), 'utf8'));
  const booleans = (fqn: string): string[] => {
    const type = assembly.types[fqn];
    const inherited: string[] = (type.interfaces ?? []).flatMap(booleans);
    return [...inherited, ...(type.properties ?? []).filter((p: any) => p.type.primitive === 'boolean').map((p: any) => p.name)];
  };
  const own = booleans('cdk-irsa.IrsaServiceAccountProps');
  const ofPodIdentity = booleans('cdk-irsa.PodIdentityOptions');

  test('the assembly has the switches', () => {
    expect(own).toEqual(expect.arrayContaining(['createNamespace', 'overwriteServiceAccount', 'auditTags', 'automountServiceAccountToken']));
    expect(ofPodIdentity).toEqual(expect.arrayContaining(['pinSessionTags', 'retainIrsaTrust']));
  });

  test.each(own)('%s', (option) => {
    expect(() => new IrsaServiceAccount(newStack(), 'Api', { cluster: prod(), name: 'api', namespace: 'payments', [option]: 'false' as any }))
      .toThrow(new RegExp(`Stack/Api: ${option} is the string "false", not true or false \\(a boolean\\)`));
  });

  test.each(ofPodIdentity)('podIdentity.%s', (option) => {
    expect(podIdentity({ podIdentity: { [option]: 'false' as any } })).toThrow(
      new RegExp(`Stack/Api: podIdentity\\.${option} is the string "false", not true or false \\(a boolean\\)`));
  });
});

describe('a cluster of aws-eks or aws-eks-v2 where another kind is expected (JavaScript and Python callers) is named with the right factory', () => {
  const kubectlLayer = (stack: Stack) => lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', `arn:aws:lambda:eu-west-1:${ACCOUNT}:layer:kubectl:1`);
  const clusters: Array<[string, (stack: Stack) => unknown, string, string]> = [
    ['a made aws-eks cluster', (stack) => new eks.Cluster(stack, 'Cluster', { version: eks.KubernetesVersion.V1_32, defaultCapacity: 0, kubectlLayer: kubectlLayer(stack) }),
      'aws-eks', 'fromCluster'],
    ['an imported aws-eks cluster', (stack) => eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'prod' }), 'aws-eks', 'fromCluster'],
    ['a made aws-eks-v2 cluster', (stack) => new eksv2.Cluster(stack, 'Cluster', { version: eksv2.KubernetesVersion.V1_32 }), 'aws-eks-v2', 'fromClusterV2'],
    ['an imported aws-eks-v2 cluster', (stack) => eksv2.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'prod' }), 'aws-eks-v2', 'fromClusterV2'],
  ];

  test.each(clusters)('%s given to IrsaServiceAccount as it is', (_, make, module, factory) => {
    const stack = newStack();
    const cluster = make(stack);
    expect(() => new IrsaServiceAccount(stack, 'Api', { cluster: cluster as any, name: 'api' }))
      .toThrow(`[cdk-irsa] Stack/Api: cluster is an ${module} cluster (Stack/Cluster), not an IrsaCluster: give IrsaCluster.${factory}(cluster).`);
  });

  test.each(clusters)('%s given to the factory of the other module', (_, make, module, factory) => {
    const stack = newStack();
    const cluster = make(stack) as any;
    const other = factory === 'fromCluster' ? 'fromClusterV2' : 'fromCluster';
    const call = () => other === 'fromCluster' ? IrsaCluster.fromCluster(cluster) : IrsaCluster.fromClusterV2(cluster);
    expect(call).toThrow(`[cdk-irsa] IrsaCluster.${other}() takes an ${other === 'fromCluster' ? 'aws-eks' : 'aws-eks-v2'} cluster, but Stack/Cluster `
      + `is an ${module} cluster: use IrsaCluster.${factory}(cluster).`);
    expect(() => (factory === 'fromCluster' ? IrsaCluster.fromCluster(cluster) : IrsaCluster.fromClusterV2(cluster))).not.toThrow();
  });
});
