/**
 * Writes the fixtures of the "upgrading from 0.1.0" cases of test/verify/change-safety.test.ts:
 * small apps synthesized with cdk-irsa 0.1.0, one JSON file per case under
 * test/fixtures/upgrade-from-0.1.0/.
 *   node scripts/upgrade-fixtures.mjs
 *
 * 0.1.0 was never published; it is commit 0a823e2 of this repository. The script checks it out into a
 * temporary git worktree (`git worktree add --detach`), links this checkout's node_modules into it,
 * compiles its lib/ with this repository's TypeScript (plain `tsc -p tsconfig.json`, no jsii), loads
 * the compiled lib with this checkout's aws-cdk-lib and synthesizes each case into a temporary
 * directory. The worktree and the directory are removed at the end, whatever happens.
 *
 * Each file holds `{ generatedFrom: { commit, by }, app, version }`, where `version` is a `Version` of
 * test/verify/support/change-plan.ts: the stacks (name and template), the objects of the GitOps YAML
 * files 0.1.0 wrote (`<stack>.service-accounts.yaml` in the assembly directory), and the service
 * accounts as `DeclaredServiceAccount`s, computed the way `versionOf()` computes them but from 0.1.0's
 * attributes (`identityMode` there, `identityType` now). The apps use the constants of
 * change-safety.test.ts (account 123456789012, region eu-west-1, cluster 'prod', its issuer, provider
 * and kubectl role ARNs) and the same construct IDs (stack 'App', service account 'Api' named 'api' in
 * 'payments'), so that the test can synthesize the same app with the current code and compare.
 *
 * Run it again after changing a case here (or the aws-cdk-lib devDependency, whose asset hashes the
 * templates hold); the test does not regenerate the fixtures, it reads the committed files.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './util.mjs';

/** cdk-irsa 0.1.0. */
const COMMIT = '0a823e26f1cda5063a7e4cdb26440f05f423296f';
const OUT = path.join(ROOT, 'test', 'fixtures', 'upgrade-from-0.1.0');

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const ISSUER_URL = `https://${ISSUER}`;
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
const KUBECTL_ROLE_ARN = 'arn:aws:iam::123456789012:role/kubectl';
const KUBECTL_LAYER_ARN = 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1';
const KUBERNETES_RESOURCE = 'Custom::AWSCDK-EKS-KubernetesResource';

/**
 * The cases: each builds one app with the 0.1.0 lib. `lib` is 0.1.0's lib/index.js, `cdk` this
 * checkout's aws-cdk-lib (the modules 0.1.0 loads too).
 */
const CASES = [
  {
    name: 'kubectl',
    app: 'kubectl delivery on an imported aws-eks cluster with a kubectl role',
    build: ({ lib, stack, kubectlCluster }) => new lib.IrsaServiceAccount(stack, 'Api', { cluster: kubectlCluster(), ...API }),
  },
  {
    name: 'kubectl-create-namespace',
    app: 'kubectl delivery with createNamespace',
    build: ({ lib, stack, kubectlCluster }) => new lib.IrsaServiceAccount(stack, 'Api', { cluster: kubectlCluster(), ...API, createNamespace: true }),
  },
  {
    name: 'gitops',
    app: 'GitOps delivery on a cluster known by its name and issuer',
    build: ({ lib, stack }) => new lib.IrsaServiceAccount(stack, 'Api', { cluster: attributes(lib), ...API }),
  },
  {
    name: 'gitops-create-namespace',
    app: 'GitOps delivery with createNamespace',
    build: ({ lib, stack }) => new lib.IrsaServiceAccount(stack, 'Api', { cluster: attributes(lib), ...API, createNamespace: true }),
  },
  {
    name: 'role-name',
    app: 'kubectl delivery with a fixed roleName',
    build: ({ lib, stack, kubectlCluster }) => new lib.IrsaServiceAccount(stack, 'Api', { cluster: kubectlCluster(), ...API, roleName: 'payments-api' }),
  },
  {
    name: 'pod-identity',
    app: 'Pod Identity on a cluster known by its attributes, the agent installed by cdk-irsa',
    build: ({ lib, stack }) => new lib.IrsaServiceAccount(stack, 'Api', {
      cluster: attributes(lib, { installPodIdentityAgent: true }), ...API, identityMode: lib.IdentityMode.POD_IDENTITY,
    }),
  },
  {
    name: 'pod-identity-retain-irsa-trust',
    app: 'the middle of the move from IRSA to Pod Identity: POD_IDENTITY with retainIrsaTrust',
    build: ({ lib, stack }) => new lib.IrsaServiceAccount(stack, 'Api', {
      cluster: attributes(lib, { installPodIdentityAgent: true }), ...API, identityMode: lib.IdentityMode.POD_IDENTITY, retainIrsaTrust: true,
    }),
  },
  {
    name: 'kubectl-create-namespace-default',
    app: 'kubectl delivery with createNamespace for the namespace default (a synth error now)',
    build: ({ lib, stack, kubectlCluster }) => new lib.IrsaServiceAccount(stack, 'Api', {
      cluster: kubectlCluster(), name: 'api', namespace: 'default', createNamespace: true,
    }),
  },
  {
    name: 'kubectl-overwrite',
    app: 'kubectl delivery with overwrite: true (0.1.0 put it in a separate "…Overwrite" manifest resource, not retained)',
    build: ({ lib, stack, kubectlCluster }) => new lib.IrsaServiceAccount(stack, 'Api', { cluster: kubectlCluster(), ...API, overwrite: true }),
  },
  {
    name: 'kubectl-overwrite-create-namespace',
    app: 'kubectl delivery with overwrite: true and createNamespace (the namespace in the "…Overwrite" manifest resource)',
    build: ({ lib, stack, kubectlCluster }) => new lib.IrsaServiceAccount(stack, 'Api', {
      cluster: kubectlCluster(), ...API, overwrite: true, createNamespace: true,
    }),
  },
  {
    name: 'kubectl-overwrite-retained',
    app: 'the same after the documented pre-step: DeletionPolicy and UpdateReplacePolicy Retain on the "…Overwrite" manifest resource',
    build: ({ lib, cdk, stack, kubectlCluster }) => {
      new lib.IrsaServiceAccount(stack, 'Api', { cluster: kubectlCluster(), ...API, overwrite: true });
      retainOverwriteManifests(cdk, stack);
    },
  },
  {
    name: 'kubectl-overwrite-mixed',
    app: 'kubectl delivery, one service account with overwrite: true beside one without (two manifest resources in 0.1.0)',
    build: ({ lib, stack, kubectlCluster }) => {
      const cluster = kubectlCluster();
      new lib.IrsaServiceAccount(stack, 'Api', { cluster, ...API, createNamespace: true });
      new lib.IrsaServiceAccount(stack, 'Saworker', { cluster, name: 'worker', namespace: 'payments', overwrite: true });
    },
  },
];

/** The service account of every case, as in change-safety.test.ts. */
const API = { name: 'api', namespace: 'payments' };

/** The cluster known by its name and issuer (`attributes()` in change-safety.test.ts). */
function attributes(lib, extra = {}) {
  return lib.IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL, ...extra });
}

/**
 * The documented pre-step for `overwrite`: every "…Overwrite" manifest resource of the stack gets
 * DeletionPolicy and UpdateReplacePolicy Retain on its L1.
 */
function retainOverwriteManifests(cdk, stack) {
  // The loop of docs/changing-a-deployed-app.md, "Upgrading from 0.1.0".
  let retained = 0;
  for (const construct of stack.node.findAll()) {
    if (construct instanceof cdk.CfnResource && construct.cfnResourceType === KUBERNETES_RESOURCE && construct.node.path.includes('Overwrite')) {
      construct.applyRemovalPolicy(cdk.RemovalPolicy.RETAIN);
      retained++;
    }
  }
  if (retained === 0) {
    throw new Error('no "…Overwrite" manifest resource to retain');
  }
}

/** Synthesizes one case with the 0.1.0 lib into a `Version`. */
function versionOf(lib, modules, outdir, build) {
  const { cdk, eks, lambda, YAML } = modules;
  const app = new cdk.App({ outdir });
  const stack = new cdk.Stack(app, 'App', { env: ENV });
  // `imported(KUBECTL_ROLE_ARN)` of change-safety.test.ts, with 0.1.0's name of the provider import.
  const kubectlCluster = () => lib.IrsaCluster.fromCluster(eks.Cluster.fromClusterAttributes(stack, 'Prod', {
    clusterName: 'prod',
    kubectlRoleArn: KUBECTL_ROLE_ARN,
    kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', KUBECTL_LAYER_ARN),
    openIdConnectProvider: lib.ClusterOidcProvider.fromProviderArn(stack, 'Provider', PROVIDER_ARN),
  }));
  build({ lib, cdk, stack, kubectlCluster });

  const assembly = app.synth();
  const stacks = assembly.stacks.map((s) => ({ name: s.stackName, template: s.template }));
  // 0.1.0 wrote <stack artifact>.service-accounts.yaml at the top of the assembly directory.
  const gitOps = [];
  const files = fs.readdirSync(assembly.directory).filter((f) => f.endsWith('.service-accounts.yaml')).sort();
  for (const file of files) {
    const text = fs.readFileSync(path.join(assembly.directory, file), 'utf8');
    gitOps.push(...YAML.parseAllDocuments(text).map((d) => d.toJSON()).filter((o) => o));
  }
  const serviceAccounts = app.node.findAll().filter((c) => c instanceof lib.IrsaServiceAccount).map((sa) => {
    const roleStack = cdk.Stack.of(sa.role);
    const cfnRole = sa.role.node.defaultChild;
    const annotations = sa.manifest.toJson().metadata.annotations ?? {};
    const annotated = 'eks.amazonaws.com/role-arn' in annotations;
    const roleName = roleStack.resolve(cfnRole.roleName);
    return {
      key: `${sa.serviceAccountNamespace}/${sa.serviceAccountName}`,
      delivery: sa.manifestDelivery.kind,
      role: { stack: roleStack.stackName, logicalId: roleStack.resolve(cfnRole.logicalId), ...(roleName !== undefined ? { roleName } : {}) },
      ...(annotated ? { irsaAudience: annotations['eks.amazonaws.com/audience'] ?? 'sts.amazonaws.com' } : {}),
      // 0.1.0's identityMode is the current identityType: Pod Identity where it made an association.
      podIdentity: sa.podIdentityAssociation !== undefined,
    };
  });
  return { stacks, gitOps, serviceAccounts };
}

function git(...args) {
  return execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-irsa-0.1.0-'));
  const source = path.join(tmp, 'src');
  let worktree = false;
  try {
    console.log(`$ git worktree add --detach ${source} ${COMMIT.slice(0, 7)}`);
    git('worktree', 'add', '--detach', source, COMMIT);
    worktree = true;
    // This checkout's node_modules (in a worktree of the lead's checkout, a link to its node_modules).
    const nodeModules = fs.realpathSync(path.join(ROOT, 'node_modules'));
    fs.symlinkSync(nodeModules, path.join(source, 'node_modules'), 'dir');
    console.log('$ tsc -p tsconfig.json (0.1.0)');
    execFileSync(process.execPath, [path.join(nodeModules, 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: source, stdio: 'inherit' });

    // Both this script and 0.1.0's lib resolve aws-cdk-lib to the same files (Node follows the link), so they share its classes.
    const require = createRequire(path.join(source, 'lib', 'index.js'));
    const lib = require('./index.js');
    const modules = {
      cdk: require('aws-cdk-lib'),
      eks: require('aws-cdk-lib/aws-eks'),
      lambda: require('aws-cdk-lib/aws-lambda'),
      YAML: require('yaml'),
    };
    const { CfnResource } = createRequire(import.meta.url)('aws-cdk-lib');
    if (modules.cdk.CfnResource !== CfnResource) {
      throw new Error('0.1.0 loaded another copy of aws-cdk-lib');
    }

    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
    for (const c of CASES) {
      const version = versionOf(lib, modules, path.join(tmp, 'cdk.out', c.name), c.build);
      const fixture = { generatedFrom: { commit: COMMIT, by: 'scripts/upgrade-fixtures.mjs' }, app: c.app, version };
      fs.writeFileSync(path.join(OUT, `${c.name}.json`), `${JSON.stringify(fixture, null, 2)}\n`);
      console.log(`wrote ${path.relative(ROOT, path.join(OUT, `${c.name}.json`))}`);
    }
  } finally {
    if (worktree) {
      // The link first, so that nothing follows it into the shared node_modules.
      fs.rmSync(path.join(source, 'node_modules'), { force: true });
      git('worktree', 'remove', '--force', source);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
