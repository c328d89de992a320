// The trust-policy table, in a process of its own: `node bench/trust.mjs` prints one JSON line.
//
// How many exact subjects fit in one role's 2,048-character trust policy with cdk-irsa's compact
// rendering (one statement, one StringEquals list) and with one statement per subject written by
// hand; and how far `IrsaRole.trustPolicySize` is from the size of the policy that IAM receives.
// Nothing is synthesized: each role's trust policy is resolved as it would be in the template, and
// every value known only at deploy is replaced with the value it takes in a real account.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const cdk = require('aws-cdk-lib');
const eks = require('aws-cdk-lib/aws-eks');
const lambda = require('aws-cdk-lib/aws-lambda');
const { RegionInfo } = require('aws-cdk-lib/region-info');
const irsa = require('../lib/index.js');

const LIMIT = 2048;
const MAX_SUBJECTS = 60;
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const EKS_ID = 'EXAMPLED539D4633E53DE1B71EXAMPLE'; // 32 characters, like every EKS issuer ID
const NAMESPACE = 'workloads';
const issuerOf = (region) => `oidc.eks.${region.name}.${region.domainSuffix}/id/${EKS_ID}`;

/** Service account names: all of `length` characters, or cycling through 20..30 with `length` 'mixed'. */
function names(count, length) {
  return Array.from({ length: count }, (_, i) => {
    const size = length === 'mixed' ? 20 + (i % 11) : length;
    return `sa-${i}-`.padEnd(size, 'x');
  });
}

/** IAM's count: the JSON text without white space. */
const iamSize = (document) => JSON.stringify(document).replace(/\s/g, '').length;

/**
 * The trust policy as IAM receives it: the resolved template value with every intrinsic replaced
 * by its deployed value (the provider's ARN, the issuer taken from the cluster's issuer URL).
 */
function deployed(value, region) {
  const issuer = issuerOf(region);
  const arn = `arn:${region.partition}:iam::${ACCOUNT}:oidc-provider/${issuer}`;
  const intrinsic = (v) => {
    if (v['Fn::Select']) {
      return issuer; // Fn::Select(1, Fn::Split('https://', <issuer URL>))
    }
    const target = v.Ref ?? v['Fn::GetAtt']?.[0];
    if (/OidcProvider/i.test(target ?? '')) {
      return arn;
    }
    throw new Error(`unexpected intrinsic in a trust policy: ${JSON.stringify(v)}`);
  };
  const walk = (v) => {
    if (Array.isArray(v)) {
      return v.map(walk);
    }
    if (v && typeof v === 'object') {
      if (v['Fn::Join']) {
        const [separator, parts] = v['Fn::Join'];
        return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : intrinsic(p))).join(separator));
      }
      const keys = Object.keys(v);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
        return intrinsic(v);
      }
      return Object.fromEntries(keys.map((k) => [k, walk(v[k])]));
    }
    return v;
  };
  return walk(value);
}

/**
 * One stack holding one IrsaRole per subject count 1..MAX_SUBJECTS, for one issuer kind:
 * 'literal' (imported cluster), 'token' (same-stack cluster, stack with a region) or
 * 'token-agnostic' (same-stack cluster, environment-agnostic stack).
 */
function irsaRoles(issuerKind, length) {
  const app = new cdk.App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const env = issuerKind === 'token-agnostic' ? undefined : { account: ACCOUNT, region: REGION };
  const stack = new cdk.Stack(app, 'Trust', { env });
  let provider;
  if (issuerKind === 'literal') {
    provider = new irsa.ClusterOidcProvider(stack, 'OidcProvider', { issuerUrl: `https://${issuerOf(RegionInfo.get(REGION))}` });
  } else {
    const cluster = new eks.Cluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_33,
      defaultCapacity: 0,
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:kubectl:1`),
    });
    provider = irsa.IrsaCluster.fromCluster(cluster).findOrCreateOidcProvider(stack);
  }
  const all = names(MAX_SUBJECTS, length);
  return Array.from({ length: MAX_SUBJECTS }, (_, i) => {
    const subjects = all.slice(0, i + 1).map((name) => irsa.ServiceAccountSubject.exact(NAMESPACE, name));
    const role = new irsa.IrsaRole(stack, `Role${i + 1}`, { provider, subjects, trustPolicySizeLimit: 1e6 });
    const rendered = stack.resolve(role.node.defaultChild.assumeRolePolicyDocument);
    // The region where the deployed policy is longest: the stack's, or, for an environment-agnostic
    // stack, any region in aws-cdk-lib's table.
    const regions = env ? [RegionInfo.get(REGION)] : RegionInfo.regions.filter((r) => r.domainSuffix && r.partition);
    const actual = Math.max(...regions.map((region) => iamSize(deployed(rendered, region))));
    return { subjects: i + 1, estimate: role.trustPolicySize, actual };
  });
}

/** One statement per subject, written by hand, literal issuer. */
function handWritten(length) {
  const issuer = issuerOf(RegionInfo.get(REGION));
  const statement = (name) => ({
    Effect: 'Allow',
    Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer}` },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { [`${issuer}:sub`]: `system:serviceaccount:${NAMESPACE}:${name}`, [`${issuer}:aud`]: 'sts.amazonaws.com' } },
  });
  const all = names(MAX_SUBJECTS, length);
  return Array.from({ length: MAX_SUBJECTS }, (_, i) => ({
    subjects: i + 1,
    actual: iamSize({ Version: '2012-10-17', Statement: all.slice(0, i + 1).map(statement) }),
  }));
}

/** The most subjects whose `key` size stays within the limit. */
const fits = (rows, key) => rows.filter((r) => r[key] <= LIMIT).reduce((max, r) => Math.max(max, r.subjects), 0);

const capacity = [];
const estimates = [];
for (const length of [20, 'mixed', 30]) {
  const hand = handWritten(length);
  capacity.push({ rendering: 'one statement per subject (hand-written)', issuer: 'literal', length, fits: fits(hand, 'actual') });
  for (const issuerKind of ['literal', 'token', 'token-agnostic']) {
    const rows = irsaRoles(issuerKind, length);
    capacity.push({
      rendering: 'cdk-irsa compact', issuer: issuerKind, length,
      fits: fits(rows, 'actual'), // what IAM would accept
      allowed: fits(rows, 'estimate'), // what cdk-irsa lets through at synth
      perSubject: (rows[MAX_SUBJECTS - 1].actual - rows[0].actual) / (MAX_SUBJECTS - 1),
      fixed: rows[0].actual - (rows[MAX_SUBJECTS - 1].actual - rows[0].actual) / (MAX_SUBJECTS - 1),
    });
    const over = rows.map((r) => r.estimate - r.actual);
    estimates.push({
      issuer: issuerKind, length,
      minDiff: Math.min(...over), maxDiff: Math.max(...over),
      underestimates: over.filter((d) => d < 0).length,
      atOne: rows[0], atFits: rows[fits(rows, 'actual') - 1],
    });
  }
}
process.stdout.write(JSON.stringify({ limit: LIMIT, namespace: NAMESPACE, capacity, estimates }) + '\n');
