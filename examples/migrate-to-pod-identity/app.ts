/**
 * Moving a service account from IRSA to EKS Pod Identity without replacing its role, and without
 * a moment in which a running pod's credentials stop working. The same app in four phases, chosen
 * with the context variable `phase`:
 *
 *   before   IdentityType.IRSA                    the starting point
 *   during   IdentityType.IRSA_AND_POD_IDENTITY   the role trusts both; association + annotation
 *   cutover  IdentityType.POD_IDENTITY            annotation removed: restarted pods use Pod Identity,
 *            + retainIrsaTrust                    pods not yet restarted keep refreshing IRSA credentials
 *   after    IdentityType.POD_IDENTITY            web-identity trust removed
 *
 *   npx tsx examples/migrate-to-pod-identity/app.ts                  (phase before)
 *   cdk synth -c phase=during                                        (from this directory)
 *   node examples/migrate-to-pod-identity/diff.mjs                   (what changes between phases)
 *
 * Deploy one phase after the other and restart the pods after each (see docs/pod-identity.md). Between
 * phases only the role's trust policy, the association and the ServiceAccount's role-arn
 * annotation change; the role keeps its logical ID and name, so no deployment replaces it.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IdentityType, IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../../lib';

const PHASES: Record<string, IdentityType> = {
  before: IdentityType.IRSA,
  during: IdentityType.IRSA_AND_POD_IDENTITY,
  cutover: IdentityType.POD_IDENTITY,
  after: IdentityType.POD_IDENTITY,
};

const app = new App();
const phase: string = app.node.tryGetContext('phase') ?? 'before';
const identityType = PHASES[phase];
if (identityType === undefined) {
  throw new Error(`context variable phase is "${phase}": use one of ${Object.keys(PHASES).join(', ')} (cdk synth -c phase=during).`);
}

const stack = new Stack(app, 'IrsaMigration', {
  env: { account: '123456789012', region: 'eu-west-1' },
});

// The cluster, made elsewhere. The issuer is for IRSA; the ARN is what Pod Identity sends as the
// session tag `eks-cluster-arn`, which the role's trust is pinned to. The Pod Identity agent
// add-on is managed with the cluster and must run before the `during` phase is deployed
// (otherwise set installPodIdentityAgent: true here instead of podIdentityAgentInstalled).
const cluster = IrsaCluster.fromAttributes({
  clusterName: 'prod',
  issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
  clusterArn: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod',
  podIdentityAgentInstalled: true,
});
const delivery = ManifestDelivery.gitOps();

// payments/api moves to Pod Identity. Its role is named and identified alike in every mode.
const receipts = new s3.Bucket(stack, 'Receipts');
const api = new IrsaServiceAccount(stack, 'PaymentsApi', {
  cluster,
  namespace: 'payments',
  name: 'api',
  identityType,
  podIdentity: phase === 'cutover' ? { retainIrsaTrust: true } : undefined,
  manifestDelivery: delivery,
});
receipts.grantRead(api);

// payments/ledger stays on IRSA for now (one service account at a time), so the cluster's IAM
// OIDC provider stays as well.
const ledgerTable = new dynamodb.Table(stack, 'Ledger', {
  partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
});
const ledger = new IrsaServiceAccount(stack, 'PaymentsLedger', {
  cluster,
  namespace: 'payments',
  name: 'ledger',
  manifestDelivery: delivery,
});
ledgerTable.grantReadWriteData(ledger);

app.synth();
