/**
 * Change safety: for each edit users make to a deployed app, version 1 and version 2 are
 * synthesized and the update is planned the way CloudFormation and aws-cdk-lib's kubectl handler
 * would run it (./support/change-plan.ts: create-only properties from the registry schemas the
 * CDK CLI bundles, DeletionPolicy/UpdateReplacePolicy, kubectl create/apply/prune/delete).
 *
 * Every edit must delete no shared resource (OIDC provider, agent add-on, manifest resource) and
 * no object that version 2 still declares. The outcome of each edit is also the table of
 * docs/changing-a-deployed-app.md, which the last tests compare with the committed page
 * (`UPDATE_CHANGE_PAGE=1` rewrites it after a deliberate change).
 *
 * "Upgrading from 0.1.0" deploys the current code over apps that cdk-irsa 0.1.0 synthesized
 * (test/fixtures/upgrade-from-0.1.0, written by scripts/upgrade-fixtures.mjs; each file names its
 * commit) and asserts each whole outcome, data loss included; its table is the page's second one.
 *
 * Against the code before the change-safety work (commit 0a823e2) every edit here fails except
 * five whose outcome did not change and which document it: a service account removed, `audience`
 * changed without `retainAudience`, a new `path` with a fixed `roleName`, and a stack that keeps
 * `issuerUrl` after the stack that created the provider is deleted, and the exports of a cluster stack
 * dropped while another stack imports them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnWaitConditionHandle, NestedStack, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ClusterOidcProvider, IdentityType, IrsaCluster, IrsaServiceAccount, IrsaServiceAccountOptions, ManifestDelivery } from '../../lib';
import { createOnlyProperties, Outcome, plan, Version, versionOf } from './support/change-plan';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const ISSUER_URL = `https://${ISSUER}`;
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
const KUBECTL_ROLE_ARN = 'arn:aws:iam::123456789012:role/kubectl';
const PAGE = path.join(__dirname, '..', '..', 'docs', 'changing-a-deployed-app.md');
/** Apps synthesized with cdk-irsa 0.1.0 by scripts/upgrade-fixtures.mjs. */
const UPGRADE_FIXTURES = path.join(__dirname, '..', 'fixtures', 'upgrade-from-0.1.0');
/** cdk-irsa 0.1.0 (never published). */
const COMMIT_0_1_0 = '0a823e26f1cda5063a7e4cdb26440f05f423296f';

type Describe = (stack: Stack) => IrsaCluster;

/** A cluster made outside the app, known by its name and issuer. */
const attributes = (extra: { installPodIdentityAgent?: boolean } = {}): Describe => () =>
  IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL, ...extra });

/** The same cluster imported as an aws-eks cluster (construct `id`), with or without a kubectl role: once per stack. */
const imported = (kubectlRoleArn?: string, id = 'Prod'): Describe => {
  const perStack = new WeakMap<Stack, IrsaCluster>();
  return (stack) => {
    const known = perStack.get(stack) ?? IrsaCluster.fromCluster(eks.Cluster.fromClusterAttributes(stack, id, {
      clusterName: 'prod',
      kubectlRoleArn,
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1'),
      openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn(stack, 'Provider', PROVIDER_ARN),
    }));
    perStack.set(stack, known);
    return known;
  };
};

/**
 * The cluster with the provider pinned as the warning cdk-irsa:providerHomeByOrder says: made by the
 * app in stack 'App' under the construct ID cdk-irsa gave it, and given to every stack.
 */
const pinnedProvider: Describe = (stack) => {
  const app = stack.node.root;
  const home = (app.node.tryFindChild('App') as Stack | undefined) ?? new Stack(app, 'App', { env: ENV });
  const provider = (home.node.tryFindChild('IrsaOidcProvider0720465B') as ClusterOidcProvider | undefined)
    ?? new ClusterOidcProvider(home, 'IrsaOidcProvider0720465B', { issuerUrl: ISSUER_URL });
  return IrsaCluster.fromAttributes({ clusterName: 'prod', openIdConnectProvider: provider });
};

/** Pins the role and association of a service account to logical IDs of another layout, as the 0.1.0 upgrade does. */
const pinOldIds = (sa: IrsaServiceAccount) => {
  (sa.role.node.defaultChild as iam.CfnRole).overrideLogicalId('ApiRoleDE7A08EC');
  sa.podIdentityAssociation!.overrideLogicalId('ApiPodIdentityAssociation9A52BBD0');
};

/** A service account of a version: in which stack, for which cluster description, with which options. */
interface Declared {
  readonly stack?: string;
  /** A NestedStack of that stack to put the service account in. */
  readonly nested?: string;
  /** A Stage of the app that holds the stack. */
  readonly stage?: string;
  /** The construct ID: 'Api' for the service account 'api'. */
  readonly id?: string;
  readonly cluster: Describe;
  readonly options: IrsaServiceAccountOptions & { [key: string]: unknown };
  /** What the app does to the service account once made (say, `overrideLogicalId()` on its L1s). */
  readonly customize?: (serviceAccount: IrsaServiceAccount) => void;
}

/** The aws-eks cluster of the 'Cluster' stack, in versions that have one. */
let clusterOfApp: eks.Cluster | undefined;
const owned: Describe = () => IrsaCluster.fromCluster(clusterOfApp!);
/** The same, where code reads aws-cdk-lib's `cluster.openIdConnectProvider` before the first service account. */
const ownedProviderReadFirst: Describe = () => {
  void clusterOfApp!.openIdConnectProvider;
  return IrsaCluster.fromCluster(clusterOfApp!);
};
/** The same, with the provider made through cdk-irsa first, as the page's recipe says. */
const ownedProviderMadeFirst: Describe = (stack) => {
  const cluster = IrsaCluster.fromCluster(clusterOfApp!);
  cluster.findOrCreateOidcProvider(stack);
  void clusterOfApp!.openIdConnectProvider;
  return cluster;
};

/** Synthesizes one version: each service account in its stack ('App' unless given), after a 'Cluster' stack if asked. */
function synth(declared: Declared[], withCluster = false) {
  const app = new App();
  const stacks = new Map<string, Stack>();
  if (withCluster) {
    const stack = new Stack(app, 'Cluster', { env: ENV });
    clusterOfApp = new eks.Cluster(stack, 'Prod', {
      version: eks.KubernetesVersion.V1_32, defaultCapacity: 0,
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1'),
    });
    // The workloads stack stays, with other resources, when its last service account goes.
    stacks.set('Cluster', stack);
    const workloads = new Stack(app, 'Workloads', { env: ENV });
    new CfnWaitConditionHandle(workloads, 'OtherResource');
    stacks.set('Workloads', workloads);
  }
  for (const d of declared) {
    const name = d.stack ?? 'App';
    const key = d.stage ? `${d.stage}/${name}` : name;
    const parent: Construct = d.stage ? (app.node.tryFindChild(d.stage) as Stage | undefined) ?? new Stage(app, d.stage) : app;
    // A stack may exist already: made by a cluster description (the stack of a provider the app makes).
    const top = stacks.get(key) ?? (parent.node.tryFindChild(name) as Stack | undefined) ?? new Stack(parent, name, { env: ENV });
    stacks.set(key, top);
    const stack = d.nested ? (top.node.tryFindChild(d.nested) as NestedStack | undefined) ?? new NestedStack(top, d.nested) : top;
    const serviceAccount = new IrsaServiceAccount(stack, d.id ?? (d.options.name === 'api' ? 'Api' : `Sa${d.options.name}`), { cluster: d.cluster(stack), ...d.options });
    d.customize?.(serviceAccount);
  }
  return versionOf(app);
}

const api = (cluster: Describe, options: Partial<IrsaServiceAccountOptions> & { [key: string]: unknown } = {}, stack?: string): Declared =>
  ({ stack, cluster, options: { name: 'api', namespace: 'payments', ...options } });
const worker = (cluster: Describe, options: Partial<IrsaServiceAccountOptions> = {}): Declared =>
  ({ cluster, options: { name: 'worker', namespace: 'payments', ...options } });
/** A Pod Identity service account, in edits that pin its IDs. */
const podIdentityApi = api(attributes({ installPodIdentityAgent: true }), { identityType: IdentityType.POD_IDENTITY });

interface Edit {
  readonly edit: string;
  readonly v1: Declared[];
  readonly v2: Declared[];
  /** Whether both versions have a 'Cluster' stack with an aws-eks cluster made in the app. */
  readonly withCluster?: boolean;
  /** Whether `cdk refactor` runs before the deploy. */
  readonly refactor?: boolean;
  /** What the docs promise. */
  readonly expected: Partial<Outcome>;
}

const kubectl = imported(KUBECTL_ROLE_ARN);

/** The same imported cluster (with its kubectl role), under another construct ID. */
const kubectlRenamed = imported(KUBECTL_ROLE_ARN, 'ProdCluster');

/** Every edit of the issue, with what deploying it does. */
const EDITS: Edit[] = [
  {
    edit: 'the last kubectl service account switches to `gitOps()`',
    v1: [api(kubectl, { createNamespace: true })],
    v2: [api(kubectl, { createNamespace: true, manifestDelivery: ManifestDelivery.gitOps() })],
    expected: {},
  },
  {
    edit: 'the last kubectl service account switches to `none()`',
    v1: [api(kubectl)],
    v2: [api(kubectl, { manifestDelivery: ManifestDelivery.none() })],
    expected: {},
  },
  {
    edit: 'an imported cluster loses its kubectl role (kubectl → GitOps by default)',
    v1: [api(kubectl, { createNamespace: true })],
    v2: [api(imported(), { createNamespace: true })],
    expected: {},
  },
  {
    edit: 'an imported cluster gains its kubectl role (GitOps → kubectl by default)',
    v1: [api(imported())],
    v2: [api(kubectl)],
    expected: { failure: 'App/IrsaServiceAccountManifestsCluster\u2026: kubectl create fails, ServiceAccount payments/api exists already' },
  },
  {
    edit: 'the same, with `overwriteServiceAccount: true` for that deploy',
    v1: [api(imported())],
    v2: [api(kubectl, { overwriteServiceAccount: true })],
    expected: {},
  },
  {
    edit: '`overwriteServiceAccount` turned on',
    v1: [api(kubectl, { createNamespace: true })],
    v2: [api(kubectl, { createNamespace: true, overwriteServiceAccount: true })],
    expected: {},
  },
  {
    edit: '`overwriteServiceAccount` turned off again',
    v1: [api(kubectl, { overwriteServiceAccount: true })],
    v2: [api(kubectl)],
    expected: {},
  },
  {
    edit: 'the service account that created a namespace goes, another one in it stays',
    v1: [api(kubectl, { createNamespace: true }), worker(kubectl, { createNamespace: true, overwriteServiceAccount: true })],
    v2: [worker(kubectl, { createNamespace: true, overwriteServiceAccount: true })],
    expected: { cutOff: ['payments/api'] },
  },
  {
    edit: 'a service account is removed',
    v1: [api(kubectl), worker(kubectl)],
    v2: [worker(kubectl)],
    expected: { cutOff: ['payments/api'] },
  },
  {
    edit: 'a service account deployed with `removalPolicy: RemovalPolicy.RETAIN` is removed',
    v1: [api(kubectl, { removalPolicy: RemovalPolicy.RETAIN }), worker(kubectl)],
    v2: [worker(kubectl)],
    expected: {},
  },
  {
    edit: '`fromAttributes({ issuerUrl })` → `openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn(...)`',
    v1: [api(attributes())],
    v2: [api((stack) => IrsaCluster.fromAttributes({ clusterName: 'prod', openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn(stack, 'P', PROVIDER_ARN) }))],
    expected: {},
  },
  {
    edit: '`fromAttributes({ issuerUrl })` → `fromCluster(imported cluster)`',
    v1: [api(attributes())],
    v2: [api(imported())],
    expected: {},
  },
  {
    edit: 'the last IRSA service account moves on to Pod Identity (last step of the migration)',
    v1: [api(attributes(), { identityType: IdentityType.POD_IDENTITY, podIdentity: { retainIrsaTrust: true } })],
    v2: [api(attributes(), { identityType: IdentityType.POD_IDENTITY })],
    expected: {},
  },
  {
    edit: 'the stack that created the provider is deleted',
    v1: [api(attributes()), { ...worker(attributes()), stack: 'Other' }],
    v2: [{ stack: 'Other', options: { name: 'worker', namespace: 'payments' },
      cluster: (stack) => IrsaCluster.fromAttributes({ clusterName: 'prod', openIdConnectProvider: ClusterOidcProvider.fromOidcProviderArn(stack, 'P', PROVIDER_ARN) }) }],
    expected: { cutOff: ['payments/api'] },
  },
  {
    edit: 'the same, but the other stack keeps `issuerUrl` (it would create the provider now)',
    v1: [api(attributes()), { ...worker(attributes()), stack: 'Other' }],
    v2: [{ ...worker(attributes()), stack: 'Other' }],
    expected: { failure: `Other/IrsaOidcProvider\u2026: creating AWS::IAM::OIDCProvider fails, provider "${ISSUER_URL}" exists already`, cutOff: [] },
  },
  {
    edit: 'the same with `cdk refactor` (the provider would move to the other stack)',
    v1: [api(attributes()), { ...worker(attributes()), stack: 'Other' }],
    v2: [{ ...worker(attributes()), stack: 'Other' }],
    refactor: true,
    expected: { failure: 'cdk refactor refuses: besides moves, the app adds, removes or changes 2 resource(s)' },
  },
  {
    edit: 'a stack with a service account is declared before the stack that creates the provider',
    v1: [api(attributes()), { ...worker(attributes()), stack: 'Other' }],
    v2: [{ ...worker(attributes()), stack: 'Other' }, api(attributes())],
    expected: { failure: `Other/IrsaOidcProvider\u2026: creating AWS::IAM::OIDCProvider fails, provider "${ISSUER_URL}" exists already` },
  },
  {
    edit: 'the provider pinned as `cdk-irsa:providerHomeByOrder` says: made under the construct ID cdk-irsa gave it, given to every stack',
    v1: [api(attributes()), { ...worker(attributes()), stack: 'Other' }],
    v2: [api(pinnedProvider), { ...worker(pinnedProvider), stack: 'Other' }],
    expected: {},
  },
  {
    edit: 'then the stacks are reordered',
    v1: [api(pinnedProvider), { ...worker(pinnedProvider), stack: 'Other' }],
    v2: [{ ...worker(pinnedProvider), stack: 'Other' }, api(pinnedProvider)],
    expected: {},
  },
  {
    edit: 'the last service account of a stack that uses a cluster of another stack goes',
    withCluster: true,
    v1: [api(owned, {}, 'Workloads')],
    v2: [],
    expected: { failure: 'Cluster: removing export Cluster:ExportsOutput\u2026 fails, Workloads imports it', cutOff: [] },
  },
  {
    edit: '`installPodIdentityAgent` turned off',
    v1: [api(attributes({ installPodIdentityAgent: true }), { identityType: IdentityType.POD_IDENTITY })],
    v2: [api(attributes(), { identityType: IdentityType.POD_IDENTITY })],
    expected: {},
  },
  {
    edit: 'the only Pod Identity service account goes back to IRSA',
    v1: [api(attributes({ installPodIdentityAgent: true }), { identityType: IdentityType.IRSA_AND_POD_IDENTITY })],
    v2: [api(attributes({ installPodIdentityAgent: true }))],
    expected: {},
  },
  {
    edit: 'the only Pod Identity service account of a cluster made in the app goes back to IRSA',
    withCluster: true,
    v1: [api(owned, { identityType: IdentityType.IRSA_AND_POD_IDENTITY }, 'Cluster')],
    v2: [api(owned, {}, 'Cluster')],
    expected: {},
  },
  {
    edit: 'nothing changes in an app with a cluster made in it',
    withCluster: true,
    v1: [api(owned, {}, 'Workloads')],
    v2: [api(owned, {}, 'Workloads')],
    expected: {},
  },
  {
    edit: 'new code reads `cluster.openIdConnectProvider` before the first service account (cluster made in the app)',
    withCluster: true,
    v1: [api(owned, {}, 'Cluster')],
    v2: [api(ownedProviderReadFirst, {}, 'Cluster')],
    expected: {
      failure: 'Cluster/ProdOpenIdConnectProvider\u2026: creating Custom::AWSCDKOpenIdConnectProvider fails, '
        + 'provider {"Fn::GetAtt":["ProdB3C8223D","OpenIdConnectIssuerUrl"]} exists already',
    },
  },
  {
    edit: 'the same, with `findOrCreateOidcProvider()` called first',
    withCluster: true,
    v1: [api(owned, {}, 'Cluster')],
    v2: [api(ownedProviderMadeFirst, {}, 'Cluster')],
    expected: {},
  },
  {
    edit: 'IRSA → `POD_IDENTITY` in one step (skipping the migration)',
    v1: [api(attributes({ installPodIdentityAgent: true }))],
    v2: [api(attributes({ installPodIdentityAgent: true }), { identityType: IdentityType.POD_IDENTITY })],
    expected: { cutOff: ['payments/api'] },
  },
  {
    edit: 'a new `path` for a role cdk-irsa names',
    v1: [api(attributes())],
    v2: [api(attributes(), { roleOptions: { path: '/workloads/' } })],
    expected: { newRoleArn: ['payments/api'], cutOff: ['payments/api'] },
  },
  {
    edit: 'a new `path` for a role with a fixed `roleName`',
    v1: [api(attributes(), { roleOptions: { roleName: 'payments-api' } })],
    v2: [api(attributes(), { roleOptions: { roleName: 'payments-api', path: '/workloads/' } })],
    expected: { failure: 'App/ProdPaymentsApiRole\u2026: creating AWS::IAM::Role fails, role payments-api exists already' },
  },
  {
    edit: 'the construct of a service account is renamed',
    v1: [api(attributes())],
    v2: [{ ...api(attributes()), id: 'PaymentsApi' }],
    expected: {},
  },
  {
    edit: 'the construct of a Pod Identity service account is renamed',
    v1: [api(attributes({ installPodIdentityAgent: true }), { identityType: IdentityType.POD_IDENTITY })],
    v2: [{ ...api(attributes({ installPodIdentityAgent: true }), { identityType: IdentityType.POD_IDENTITY }), id: 'PaymentsApi' }],
    expected: {},
  },
  {
    edit: 'the construct of a service account with a fixed `roleName` is renamed',
    v1: [api(kubectl, { roleOptions: { roleName: 'payments-api' } })],
    v2: [{ ...api(kubectl, { roleOptions: { roleName: 'payments-api' } }), id: 'PaymentsApi' }],
    expected: {},
  },
  {
    edit: 'a service account moves into a `NestedStack` of its stack',
    v1: [api(attributes())],
    v2: [{ ...api(attributes()), nested: 'Payments' }],
    expected: { failure: 'App/Payments/ProdPaymentsApiRole\u2026: creating AWS::IAM::Role fails, role prod-payments-api-15156dd7 exists already' },
  },
  {
    edit: 'the construct of a service account in a `NestedStack` is renamed',
    v1: [{ ...api(attributes()), nested: 'Payments' }],
    v2: [{ ...api(attributes()), nested: 'Payments', id: 'PaymentsApi' }],
    expected: {},
  },
  {
    edit: 'the construct of a service account in a `Stage` is renamed',
    v1: [{ ...api(attributes()), stage: 'Prod' }],
    v2: [{ ...api(attributes()), stage: 'Prod', id: 'PaymentsApi' }],
    expected: {},
  },
  {
    edit: 'the construct of an imported cluster is renamed (kubectl delivery)',
    v1: [api(kubectl)],
    v2: [api(kubectlRenamed)],
    expected: { failure: 'App/IrsaServiceAccountManifestsCluster\u2026: kubectl create fails, ServiceAccount payments/api exists already' },
  },
  {
    edit: 'the same rename, with `overwriteServiceAccount: true` for that deploy',
    v1: [api(kubectl)],
    v2: [api(kubectlRenamed, { overwriteServiceAccount: true })],
    expected: {},
  },
  {
    edit: 'logical IDs pinned with `overrideLogicalId()` (as after an upgrade from 0.1.0) are dropped',
    v1: [{ ...podIdentityApi, customize: pinOldIds }],
    v2: [podIdentityApi],
    expected: { failure: 'App/ProdPaymentsApiRole\u2026: creating AWS::IAM::Role fails, role prod-payments-api-15156dd7 exists already' },
  },
  {
    edit: 'the same, with `cdk refactor` alone (nothing else changes)',
    v1: [{ ...podIdentityApi, customize: pinOldIds }],
    v2: [podIdentityApi],
    refactor: true,
    expected: {},
  },
  {
    edit: '`audience` changes, with `retainAudience` for one deploy',
    v1: [api(attributes())],
    v2: [api(attributes(), { audience: 'vault', retainAudience: 'sts.amazonaws.com' })],
    expected: {},
  },
  {
    edit: '`audience` changes without `retainAudience`',
    v1: [api(attributes())],
    v2: [api(attributes(), { audience: 'vault' })],
    expected: { cutOff: ['payments/api'] },
  },
  {
    edit: 'a kubectl service account moves to another stack',
    v1: [api(kubectl)],
    v2: [api(kubectl, {}, 'Other')],
    expected: { failure: 'Other/ProdPaymentsApiRole\u2026: creating AWS::IAM::Role fails, role prod-payments-api-15156dd7 exists already' },
  },
  {
    edit: 'the same move, with `cdk refactor` first and `overwriteServiceAccount: true`',
    v1: [api(kubectl)],
    v2: [api(kubectl, { overwriteServiceAccount: true }, 'Other')],
    refactor: true,
    expected: { failure: 'cdk refactor refuses: besides moves, the app adds, removes or changes 6 resource(s)' },
  },
  {
    edit: 'the same move, with another `roleName` and `overwriteServiceAccount: true` (new stack first)',
    v1: [api(kubectl)],
    v2: [api(kubectl, { roleOptions: { roleName: 'payments-api' }, overwriteServiceAccount: true }, 'Other')],
    expected: { newRoleArn: ['payments/api'], cutOff: ['payments/api'] },
  },
];

/** The outcome with logical-ID hashes shortened in its failure, for stable messages. */
function shortened(outcome: Outcome): Outcome {
  const failure = outcome.failure?.replace(/^(\w+\/(?:\w+\/)*[A-Za-z]+?)[0-9A-F]{8,}(Resource[0-9A-F]+)?:/, '$1\u2026:')
    .replace(/(export \w+:ExportsOutput)\S+/, '$1\u2026');
  return { ...outcome, failure };
}

function outcomeOf(edit: Edit): Outcome {
  return shortened(plan(synth(edit.v1, edit.withCluster), synth(edit.v2, edit.withCluster), { refactor: edit.refactor }));
}

const outcomes = new Map<string, Outcome>();
function outcome(edit: Edit): Outcome {
  if (!outcomes.has(edit.edit)) {
    outcomes.set(edit.edit, outcomeOf(edit));
  }
  return outcomes.get(edit.edit)!;
}

describe('change safety: what deploying each edit does', () => {
  test('names each edit once (outcomes are kept by name)', () => {
    expect(new Set(EDITS.map((e) => e.edit)).size).toBe(EDITS.length);
  });

  test.each(EDITS.map((e) => [e.edit, e]))('%s', (_, edit) => {
    const result = outcome(edit as Edit);

    expect(result.deletedShared).toEqual([]);
    expect(result.deletedObjects).toEqual([]);
    expect(result.missingDeclared).toEqual([]);
    expect({ failure: result.failure, newRoleArn: result.newRoleArn, cutOff: result.cutOff })
      .toEqual({ failure: undefined, newRoleArn: [], cutOff: [], ...(edit as Edit).expected });
  });
});

describe('the planner', () => {
  test('reads create-only properties from the registry schemas bundled with the CDK CLI', () => {
    expect([...createOnlyProperties('AWS::IAM::Role')].sort()).toEqual(['Path', 'RoleName']);
    expect([...createOnlyProperties('AWS::IAM::OIDCProvider')]).toEqual(['Url']);
    expect([...createOnlyProperties('AWS::EKS::PodIdentityAssociation')].sort()).toEqual(['ClusterName', 'Namespace', 'ServiceAccount']);
  });

  test('sees kubectl delete of a manifest resource that is not retained, and pruning of allowlisted kinds only', () => {
    const manifest = (objects: any[], extra: any = {}) => ({
      Type: 'Custom::AWSCDK-EKS-KubernetesResource', ...extra, Properties: { Manifest: JSON.stringify(objects), PruneLabel: 'p' },
    });
    const ns = { kind: 'Namespace', metadata: { name: 'n', labels: { p: '' } } };
    const sa = { kind: 'ServiceAccount', metadata: { name: 's', namespace: 'n', labels: { p: '' } } };
    const v = (resources: any) => ({ stacks: [{ name: 'S', template: { Resources: resources } }], gitOps: [], serviceAccounts: [] });

    expect(plan(v({ M: manifest([ns, sa]) }), v({})).deletedObjects).toEqual(['Namespace n', 'ServiceAccount n/s']);
    expect(plan(v({ M: manifest([ns, sa], { DeletionPolicy: 'Retain' }) }), v({})).deletedObjects).toEqual([]);
    expect(plan(v({ M: manifest([ns, sa]) }), v({ M: manifest([]) })).deletedObjects).toEqual(['Namespace n']);
  });
});

describe('the planner with cdk refactor', () => {
  const role = (name: string, extra: any = {}) => ({ Type: 'AWS::IAM::Role', Properties: { RoleName: name, ...extra } });
  const v = (stacks: { [name: string]: any }) => ({
    stacks: Object.entries(stacks).map(([name, resources]) => ({ name, template: { Resources: resources } })), gitOps: [], serviceAccounts: [],
  });

  // B deploys before A, which removes R only then: without a move, B cannot create S.
  test('moves a resource that appears unchanged at one new place, keeping it', () => {
    expect(plan(v({ A: { R: role('r') } }), v({ B: { S: role('r') }, A: {} }), { refactor: true }).failure).toBeUndefined();
    expect(plan(v({ A: { R: role('r') } }), v({ B: { S: role('r') }, A: {} })).failure).toEqual('B/S: creating AWS::IAM::Role fails, role r exists already');
  });

  test('is refused, as by the CLI, where the app also adds, removes or changes a resource', () => {
    const refused = 'cdk refactor refuses: besides moves, the app adds, removes or changes 1 resource(s)';
    expect(plan(v({ A: { R: role('r') } }), v({ B: { S: role('r'), T: role('t') }, A: {} }), { refactor: true }).failure).toEqual(refused);
    expect(plan(v({ A: { R: role('r'), Q: role('q') } }), v({ B: { S: role('r') }, A: {} }), { refactor: true }).failure).toEqual(refused);
    expect(plan(v({ A: { R: role('r'), Q: role('q') } }), v({ B: { S: role('r') }, A: { Q: role('q', { Path: '/x/' }) } }), { refactor: true }).failure)
      .toEqual(refused);
  });

  test('compares references by what they point to, as the CLI\'s digest does, and rewrites them in what it moves', () => {
    const association = (roleId: string) => ({ Type: 'AWS::EKS::PodIdentityAssociation', Properties: { RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } } });
    const v1 = v({ A: { R: role('r'), P: association('R') } });

    expect(plan(v1, v({ A: { S: role('r'), Q: association('S') } }), { refactor: true }).failure).toBeUndefined();
    expect(plan(v1, v({ A: { S: role('r'), Q: association('S') } })).failure).toEqual('A/S: creating AWS::IAM::Role fails, role r exists already');
    // A changed resource that is referred to changes what refers to it: neither moves, and the CLI refuses.
    expect(plan(v1, v({ A: { S: role('r', { Path: '/x/' }), Q: association('S') } }), { refactor: true }).failure)
      .toEqual('cdk refactor refuses: besides moves, the app adds, removes or changes 4 resource(s)');
  });

  test('moves neither a changed resource nor one of two alike', () => {
    expect(plan(v({ A: { R: role('r') } }), v({ B: { S: role('r', { Path: '/x/' }) }, A: {} }), { refactor: true }).failure)
      .toEqual('cdk refactor refuses: besides moves, the app adds, removes or changes 2 resource(s)');
    expect(plan(v({ A: { R: role('r') } }), v({ B: { S: role('r'), T: role('r') }, A: {} }), { refactor: true }).failure)
      .toEqual('cdk refactor refuses: besides moves, the app adds, removes or changes 3 resource(s)');
  });
});

/** A fixture of scripts/upgrade-fixtures.mjs: an app as cdk-irsa 0.1.0 synthesized it. */
interface UpgradeFixture {
  readonly generatedFrom: { readonly commit: string; readonly by: string };
  readonly app: string;
  readonly version: Version;
}

function fixture(name: string): UpgradeFixture {
  return JSON.parse(fs.readFileSync(path.join(UPGRADE_FIXTURES, `${name}.json`), 'utf8'));
}

/** The upgrade of an app built with 0.1.0 to the current code. */
interface Upgrade {
  /** The app, as the page's table names it. */
  readonly app: string;
  /** Its fixture (test/fixtures/upgrade-from-0.1.0/<fixture>.json): version 1. */
  readonly fixture: string;
  /** What the app becomes with the current code: the same app with the renamed props, or a migration of CHANGELOG.md. */
  readonly upgrade: string;
  /** The same app with the current code: version 2. */
  readonly v2: Declared[];
  /** Whether `cdk refactor` runs before the deploy. */
  readonly refactor?: boolean;
  /**
   * The whole outcome: lists left out are empty, `failure` left out is a deploy that succeeds.
   * Change it here when the current code changes the outcome (for instance the logical IDs of roles).
   */
  readonly expected: Partial<Outcome>;
}

/** The role name 0.1.0 gave a GitOps (and Pod Identity) service account 'api' of 'payments' on cluster 'prod' with this issuer. */
const ROLE_NAME_0_1_0 = 'prod-payments-api-0e4a0c56';
/** The logical IDs 0.1.0 gave the role and the association of construct 'Api' (from its path). */
const ROLE_ID_0_1_0 = 'ApiRoleDE7A08EC';
const ASSOCIATION_ID_0_1_0 = 'ApiPodIdentityAssociation9A52BBD0';

/** The upgrade's pre-step for the role: its 0.1.0 logical ID, kept with `overrideLogicalId()`. */
const keepRoleId = (sa: IrsaServiceAccount) => (sa.role.node.defaultChild as iam.CfnRole).overrideLogicalId(ROLE_ID_0_1_0);
/** The same for the Pod Identity association. */
const keepAssociationId = (sa: IrsaServiceAccount) => sa.podIdentityAssociation!.overrideLogicalId(ASSOCIATION_ID_0_1_0);
const keepBothIds = (sa: IrsaServiceAccount) => {
  keepRoleId(sa);
  keepAssociationId(sa);
};

const RC = { newRoleArn: ['payments/api'], cutOff: ['payments/api'] };
const OVERWRITE_MANIFEST_0_1_0 = 'Custom::AWSCDK-EKS-KubernetesResource App/IrsaServiceAccountManifestsClusterDB28E32FOverwrite6B09C251';
const PINNED = `0.1.0's role name pinned: \`roleOptions: { roleName: '${ROLE_NAME_0_1_0}' }\``;
const podIdentity = (options: Partial<IrsaServiceAccountOptions> = {}, customize?: (sa: IrsaServiceAccount) => void): Declared[] =>
  [{ ...api(attributes({ installPodIdentityAgent: true }), { identityType: IdentityType.POD_IDENTITY, ...options }), customize }];
const midMigration = { podIdentity: { retainIrsaTrust: true } };

const UPGRADES: Upgrade[] = [
  {
    app: 'kubectl delivery (imported cluster with a kubectl role)',
    fixture: 'kubectl',
    upgrade: 'the same app',
    v2: [api(kubectl)],
    expected: RC,
  },
  {
    app: 'kubectl delivery, `createNamespace: true`',
    fixture: 'kubectl-create-namespace',
    upgrade: 'the same app',
    v2: [api(kubectl, { createNamespace: true })],
    expected: RC,
  },
  {
    app: 'kubectl delivery, `roleName: \'payments-api\'`',
    fixture: 'role-name',
    upgrade: '`roleOptions: { roleName: \'payments-api\' }`',
    v2: [api(kubectl, { roleOptions: { roleName: 'payments-api' } })],
    expected: { failure: 'App/ProdPaymentsApiRole\u2026: creating AWS::IAM::Role fails, role payments-api exists already' },
  },
  {
    app: 'kubectl delivery, `roleName: \'payments-api\'`',
    fixture: 'role-name',
    upgrade: `the same, the role's 0.1.0 logical ID kept: \`overrideLogicalId('${ROLE_ID_0_1_0}')\``,
    v2: [{ ...api(kubectl, { roleOptions: { roleName: 'payments-api' } }), customize: keepRoleId }],
    expected: {},
  },
  {
    app: 'GitOps delivery (`fromAttributes({ issuerUrl })`)',
    fixture: 'gitops',
    upgrade: 'the same app',
    v2: [api(attributes())],
    expected: RC,
  },
  {
    app: 'GitOps delivery (`fromAttributes({ issuerUrl })`)',
    fixture: 'gitops',
    upgrade: PINNED,
    v2: [api(attributes(), { roleOptions: { roleName: ROLE_NAME_0_1_0 } })],
    expected: { failure: `App/ProdPaymentsApiRole\u2026: creating AWS::IAM::Role fails, role ${ROLE_NAME_0_1_0} exists already` },
  },
  {
    app: 'GitOps delivery (`fromAttributes({ issuerUrl })`)',
    fixture: 'gitops',
    upgrade: `${PINNED}, the role's 0.1.0 logical ID kept`,
    v2: [{ ...api(attributes(), { roleOptions: { roleName: ROLE_NAME_0_1_0 } }), customize: keepRoleId }],
    expected: {},
  },
  {
    app: 'GitOps delivery, `createNamespace: true`',
    fixture: 'gitops-create-namespace',
    upgrade: 'the same app',
    v2: [api(attributes(), { createNamespace: true })],
    expected: RC,
  },
  {
    app: 'Pod Identity (`identityMode: POD_IDENTITY`, `installPodIdentityAgent: true`)',
    fixture: 'pod-identity',
    upgrade: '`identityType: IdentityType.POD_IDENTITY`',
    v2: podIdentity(),
    expected: {
      failure: 'App/ProdPaymentsApiPodIdentityAssociation\u2026: creating AWS::EKS::PodIdentityAssociation fails, association "prod"/payments/api exists already',
    },
  },
  {
    app: 'Pod Identity (`identityMode: POD_IDENTITY`, `installPodIdentityAgent: true`)',
    fixture: 'pod-identity',
    upgrade: `the same, the association's 0.1.0 logical ID kept: \`overrideLogicalId('${ASSOCIATION_ID_0_1_0}')\``,
    v2: podIdentity({}, keepAssociationId),
    expected: RC,
  },
  {
    app: 'Pod Identity (`identityMode: POD_IDENTITY`, `installPodIdentityAgent: true`)',
    fixture: 'pod-identity',
    upgrade: `${PINNED}, the 0.1.0 logical IDs of role and association kept`,
    v2: podIdentity({ roleOptions: { roleName: ROLE_NAME_0_1_0 } }, keepBothIds),
    expected: {},
  },
  {
    app: 'Pod Identity, mid-migration (`identityMode: POD_IDENTITY`, `retainIrsaTrust: true`)',
    fixture: 'pod-identity-retain-irsa-trust',
    upgrade: '`identityType: IdentityType.POD_IDENTITY`, `podIdentity: { retainIrsaTrust: true }`',
    v2: podIdentity(midMigration),
    expected: {
      failure: 'App/ProdPaymentsApiPodIdentityAssociation\u2026: creating AWS::EKS::PodIdentityAssociation fails, association "prod"/payments/api exists already',
    },
  },
  {
    app: 'Pod Identity, mid-migration (`identityMode: POD_IDENTITY`, `retainIrsaTrust: true`)',
    fixture: 'pod-identity-retain-irsa-trust',
    upgrade: 'the same, the association\'s 0.1.0 logical ID kept',
    v2: podIdentity(midMigration, keepAssociationId),
    expected: RC,
  },
  {
    app: 'Pod Identity, mid-migration (`identityMode: POD_IDENTITY`, `retainIrsaTrust: true`)',
    fixture: 'pod-identity-retain-irsa-trust',
    upgrade: `${PINNED}, the 0.1.0 logical IDs of role and association kept`,
    v2: podIdentity({ ...midMigration, roleOptions: { roleName: ROLE_NAME_0_1_0 } }, keepBothIds),
    expected: {},
  },
  {
    app: 'kubectl delivery, `namespace: \'default\'` with `createNamespace: true`',
    fixture: 'kubectl-create-namespace-default',
    upgrade: 'without `createNamespace` (with it, synth fails)',
    v2: [{ cluster: kubectl, options: { name: 'api', namespace: 'default' } }],
    expected: { newRoleArn: ['default/api'], cutOff: ['default/api'] },
  },
  {
    app: 'kubectl delivery, `overwrite: true`',
    fixture: 'kubectl-overwrite',
    upgrade: '`overwriteServiceAccount: true`',
    v2: [api(kubectl, { overwriteServiceAccount: true })],
    expected: {
      ...RC,
      deletedShared: [OVERWRITE_MANIFEST_0_1_0],
      deletedObjects: ['ServiceAccount payments/api'],
      missingDeclared: ['ServiceAccount payments/api'],
    },
  },
  {
    app: 'kubectl delivery, `overwrite: true`, `createNamespace: true`',
    fixture: 'kubectl-overwrite-create-namespace',
    upgrade: '`overwriteServiceAccount: true`',
    v2: [api(kubectl, { overwriteServiceAccount: true, createNamespace: true })],
    expected: {
      ...RC,
      deletedShared: [OVERWRITE_MANIFEST_0_1_0],
      // Deleting the namespace deletes everything in it: the workloads too.
      deletedObjects: ['Namespace payments', 'ServiceAccount payments/api'],
      missingDeclared: ['Namespace payments', 'ServiceAccount payments/api'],
    },
  },
  {
    app: 'kubectl delivery, `overwrite: true`, deployed once with the "\u2026Overwrite" manifest resource retained',
    fixture: 'kubectl-overwrite-retained',
    upgrade: '`overwriteServiceAccount: true`',
    v2: [api(kubectl, { overwriteServiceAccount: true })],
    expected: RC,
  },
  {
    app: 'kubectl delivery, `payments/api` with `createNamespace: true`, `payments/worker` with `overwrite: true`',
    fixture: 'kubectl-overwrite-mixed',
    upgrade: '`overwriteServiceAccount: true` for `payments/worker`',
    v2: [api(kubectl, { createNamespace: true }), worker(kubectl, { overwriteServiceAccount: true })],
    expected: {
      newRoleArn: ['payments/api', 'payments/worker'],
      cutOff: ['payments/api', 'payments/worker'],
      deletedShared: [OVERWRITE_MANIFEST_0_1_0],
      deletedObjects: ['ServiceAccount payments/worker'],
      missingDeclared: ['ServiceAccount payments/worker'],
    },
  },
];

const upgradeOutcomes = new Map<string, Outcome>();
function upgradeOutcome(upgrade: Upgrade): Outcome {
  const key = `${upgrade.fixture}\n${upgrade.upgrade}`;
  if (!upgradeOutcomes.has(key)) {
    upgradeOutcomes.set(key, shortened(plan(fixture(upgrade.fixture).version, synth(upgrade.v2), { refactor: upgrade.refactor })));
  }
  return upgradeOutcomes.get(key)!;
}

describe('upgrading from 0.1.0', () => {
  test('the fixtures come from 0.1.0, whose role name and logical IDs the pinned cases give', () => {
    for (const name of new Set(UPGRADES.map((u) => u.fixture))) {
      expect(fixture(name).generatedFrom).toEqual({ commit: COMMIT_0_1_0, by: 'scripts/upgrade-fixtures.mjs' });
    }
    expect(fixture('gitops').version.serviceAccounts[0].role.roleName).toEqual(ROLE_NAME_0_1_0);
    expect(fixture('pod-identity').version.serviceAccounts[0].role.roleName).toEqual(ROLE_NAME_0_1_0);
    expect(fixture('gitops').version.serviceAccounts[0].role.logicalId).toEqual(ROLE_ID_0_1_0);
    expect(Object.keys(fixture('pod-identity').version.stacks[0].template.Resources)).toContain(ASSOCIATION_ID_0_1_0);
  });

  test('fails at synth where 0.1.0 delivered the namespace default (createNamespace), until createNamespace goes', () => {
    const v2 = () => synth([{ cluster: kubectl, options: { name: 'api', namespace: 'default', createNamespace: true } }]);

    expect(v2).toThrow(new Error('[cdk-irsa] App/Api: createNamespace is set for namespace "default", which every cluster has already: '
      + 'delivering it would take it over (and kubectl delivery could prune it). Leave createNamespace out.'));
  });

  test.each(UPGRADES.map((u) => [`${u.app}: ${u.upgrade}`, u]))('%s', (_, upgrade) => {
    const u = upgrade as Upgrade;

    expect(upgradeOutcome(u)).toEqual({
      failure: undefined, newRoleArn: [], cutOff: [], deletedObjects: [], deletedShared: [], missingDeclared: [], ...u.expected,
    });
  });
});

/** Markdown list of keys, `none` for an empty list. */
function list(keys: string[]): string {
  return keys.length === 0 ? 'none' : keys.map((k) => `\`${k}\``).join(', ');
}

/**
 * Compares the block of the page between `<!-- <marker>:start -->` and `<!-- <marker>:end -->` with
 * `table`; UPDATE_CHANGE_PAGE=1 rewrites it after a deliberate change of behaviour.
 */
function expectPageBlock(marker: string, table: string): void {
  const page = fs.readFileSync(PAGE, 'utf8');
  const [head, rest] = page.split(`<!-- ${marker}:start -->`);
  const [committedBlock, tail] = rest.split(`<!-- ${marker}:end -->`);
  if (process.env.UPDATE_CHANGE_PAGE) {
    fs.writeFileSync(PAGE, `${head}<!-- ${marker}:start -->\n${table}\n<!-- ${marker}:end -->${tail}`);
  }
  expect(committedBlock.trim()).toEqual(table);
}

describe('docs/changing-a-deployed-app.md', () => {
  test('its table is the outcome of each edit, as planned here', () => {
    const rows = EDITS.map((edit) => {
      const o = outcome(edit);
      const deploy = !o.failure ? 'succeeds' : o.failure.startsWith('cdk refactor') ? o.failure : `fails and rolls back: ${o.failure}`;
      return `| ${edit.edit} | ${deploy} | ${list(o.newRoleArn)} | ${list(o.cutOff)} |`;
    });
    const table = ['| edit | deploy | roles with a new ARN | pods cut off until restarted |', '|---|---|---|---|', ...rows].join('\n');
    expectPageBlock('outcomes', table);
  });

  test('its "Upgrading from 0.1.0" table is the outcome of each upgrade, as planned here', () => {
    const rows = UPGRADES.map((upgrade) => {
      const o = upgradeOutcome(upgrade);
      const deploy = !o.failure ? 'succeeds' : o.failure.startsWith('cdk refactor') ? o.failure : `fails and rolls back: ${o.failure}`;
      const namespaces = o.deletedObjects.some((k) => k.startsWith('Namespace ')) ? ' (a namespace with everything in it)' : '';
      return `| ${upgrade.app} | ${upgrade.upgrade} | ${deploy} | ${list(o.newRoleArn)} | ${list(o.cutOff)} | ${list(o.deletedObjects)}${namespaces} |`;
    });
    const table = [
      '| app built with 0.1.0 | upgraded to | deploy | roles with a new ARN | pods cut off until restarted | deleted from the cluster |',
      '|---|---|---|---|---|---|',
      ...rows,
    ].join('\n');
    expectPageBlock('upgrade', table);
  });
});
