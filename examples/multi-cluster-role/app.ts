/**
 * One IAM role for a service that runs on two clusters at once, as during a blue/green
 * migration: the role trusts service accounts of both clusters' issuers, with exact subjects,
 * name patterns, a whole namespace, and (on green) a custom audience.
 *
 * IrsaRole is the building block under IrsaServiceAccount: use it directly when one role is
 * shared by several service accounts or clusters, and write their ServiceAccounts with
 * ServiceAccountManifest.
 *
 *   npx tsx examples/multi-cluster-role/app.ts
 */
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ClusterOidcProvider,
  IrsaCluster,
  IrsaRole,
  ServiceAccountManifest,
  ServiceAccountSubject,
} from '../../lib';

const ACCOUNT = '123456789012';
const ROLE_NAME = 'reports';
const GREEN_AUDIENCE = 'reports.example.com';

const app = new App();
const stack = new Stack(app, 'IrsaMultiClusterRole', {
  env: { account: ACCOUNT, region: 'eu-west-1' },
});

// Blue, the cluster being retired, known by its issuer: cdk-irsa creates its IAM OIDC
// provider (once per issuer and account) and hands it out.
const blue = IrsaCluster.fromAttributes({
  clusterName: 'blue',
  issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/B1E0000000000000000000000000B1E0',
});

// Green, the new cluster. Its provider is made here directly because green's pods use a
// custom audience, and IAM accepts a token only if its audience is one of the provider's
// client IDs.
const greenProvider = new ClusterOidcProvider(stack, 'GreenProvider', {
  issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/6EE0000000000000000000000000A6EE',
  clientIds: [GREEN_AUDIENCE],
});

// The role, first trusted by blue's service accounts:
// - exactly reports/generator (StringEquals);
// - any service account named worker-<anything> in a namespace reports-<anything> (StringLike).
const role = new IrsaRole(stack, 'ReportsRole', {
  roleName: ROLE_NAME,
  provider: blue.findOrCreateOidcProvider(stack),
  subjects: [
    ServiceAccountSubject.exact('reports', 'generator'),
    ServiceAccountSubject.matching('reports-*', 'worker-*'),
  ],
});

// Then by green's, with green's audience: the same subjects, plus every service account of
// the reports-batch namespace. Patterns of one provider and audience share one StringLike list.
role.addTrust(greenProvider, [
  ServiceAccountSubject.exact('reports', 'generator'),
  ServiceAccountSubject.matching('reports-*', 'worker-*'),
  ServiceAccountSubject.anyInNamespace('reports-batch'),
], { audience: GREEN_AUDIENCE });

// IrsaRole is an iam.Role: grants land in its inline policy "Grants".
const bucket = new s3.Bucket(stack, 'Reports');
bucket.grantReadWrite(role);

// The generator's ServiceAccount on green, annotated with the role and green's audience.
// The role has a fixed name in a stack with an explicit account, so its ARN is known at synth.
const greenGenerator = new ServiceAccountManifest({
  name: 'generator',
  namespace: 'reports',
  roleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`,
  audience: GREEN_AUDIENCE,
});

app.synth();

// Every provider and audience pair adds a statement for exact subjects and one for patterns.
// IAM's default quota of 2,048 characters holds about four such statements; cdk-irsa measures
// the policy at synth and fails there rather than at deploy.
console.log(`trust policy: ${role.trustPolicySize} of ${role.trustPolicySizeLimit} characters`);
console.log(greenGenerator.toYaml());
