// One benchmark measurement, in a process of its own:
//
//   node bench/cell.mjs <cell> <n> <on|off> [core-limit|validator-limit]
//
// builds one stack with one cluster and <n> service accounts the way <cell> does it, synthesizes it
// with aws-cdk-lib's built-in template validation on or off, and prints one JSON line of measurements.
// aws-cdk-lib refuses stacks over 500 resources twice: in Stack synthesis (context
// `@aws-cdk/core:stackResourceLimit`) and in the built-in validation (rule F0007). Both are switched
// off to measure such stacks; `core-limit` or `validator-limit` leaves one on and prints only
// whether the stack was refused.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
const require = createRequire(import.meta.url);
const cdk = require('aws-cdk-lib');
const eks = require('aws-cdk-lib/aws-eks');
const eksv2 = require('aws-cdk-lib/aws-eks-v2');
const iam = require('aws-cdk-lib/aws-iam');
const lambda = require('aws-cdk-lib/aws-lambda');
const cxapi = require('aws-cdk-lib/cx-api');
const irsa = require('../lib/index.js');

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ISSUER = `https://oidc.eks.${REGION}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`;
/** A kubectl layer that exists only as an ARN: aws-cdk-lib would otherwise stage a ~59 MB asset. */
const KUBECTL_LAYER_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:kubectl-v33:1`;
const NAMESPACE = 'workloads';
const CLUSTER_NAME = 'prod';
const serviceAccountName = (i) => `service-${String(i).padStart(4, '0')}`;

const kubectlLayer = (stack) => lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', KUBECTL_LAYER_ARN);
const eksCluster = (stack) => new eks.Cluster(stack, 'Cluster', {
  version: eks.KubernetesVersion.V1_33, defaultCapacity: 0, kubectlLayer: kubectlLayer(stack),
});
const eksV2Cluster = (stack) => new eksv2.Cluster(stack, 'Cluster', {
  version: eksv2.KubernetesVersion.V1_33, kubectlProviderOptions: { kubectlLayer: kubectlLayer(stack) },
});

const eksIrsaCluster = (stack) => irsa.IrsaCluster.fromCluster(eksCluster(stack));
const importedCluster = () => irsa.IrsaCluster.fromAttributes({ clusterName: CLUSTER_NAME, issuerUrl: ISSUER });
const irsaServiceAccounts = (stack, n, cluster, options) => {
  for (let i = 0; i < n; i++) {
    new irsa.IrsaServiceAccount(stack, `Sa${i}`, { cluster, namespace: NAMESPACE, name: serviceAccountName(i), ...options });
  }
};

/** Each cell: what it builds in `stack` for `n` service accounts. `outdir` is the cloud assembly. */
export const CELLS = {
  'a': {
    title: 'cdk-irsa, gitOps(), same-stack aws-eks Cluster (token issuer)',
    build: (stack, n) => irsaServiceAccounts(stack, n, eksIrsaCluster(stack), { manifestDelivery: irsa.ManifestDelivery.gitOps() }),
  },
  'b': {
    title: 'cdk-irsa, gitOps(), IrsaCluster.fromAttributes (literal issuer)',
    build: (stack, n) => irsaServiceAccounts(stack, n, importedCluster(), { manifestDelivery: irsa.ManifestDelivery.gitOps() }),
  },
  'c': {
    title: 'cdk-irsa, kubectl(), same-stack aws-eks Cluster',
    build: (stack, n) => irsaServiceAccounts(stack, n, eksIrsaCluster(stack), { manifestDelivery: irsa.ManifestDelivery.kubectl() }),
  },
  'd': {
    title: 'aws-eks Cluster.addServiceAccount',
    build(stack, n) {
      const cluster = eksCluster(stack);
      for (let i = 0; i < n; i++) {
        cluster.addServiceAccount(`Sa${i}`, { namespace: NAMESPACE, name: serviceAccountName(i) });
      }
    },
  },
  'e': {
    title: 'aws-eks-v2 Cluster.addServiceAccount',
    build(stack, n) {
      const cluster = eksV2Cluster(stack);
      for (let i = 0; i < n; i++) {
        cluster.addServiceAccount(`Sa${i}`, { namespace: NAMESPACE, name: serviceAccountName(i) });
      }
    },
  },
  'f': {
    title: 'hand-written minimum: CfnOIDCProvider, one CfnRole per service account (role name and audit tags as cdk-irsa sets them), YAML by hand',
    build: (stack, n, outdir) => handWritten(stack, n, outdir, (id, roleName, providerArn, condition, tags) => new iam.CfnRole(stack, id, {
      roleName,
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }],
      },
      tags,
    })),
  },
  // Timed with validation off only: what an iam.Role costs, the construct that cdk-irsa's role is.
  // The tags go on its CfnRole directly, as cdk-irsa sets them: Tags.of() would add an aspect per role.
  'f-role': {
    title: '(f) with an iam.Role (WebIdentityPrincipal) in place of each CfnRole, the same tags set on its CfnRole',
    build: (stack, n, outdir) => handWritten(stack, n, outdir, (id, roleName, providerArn, condition, tags) => {
      const role = new iam.Role(stack, id, { roleName, assumedBy: new iam.WebIdentityPrincipal(providerArn, condition) });
      for (const { key, value } of tags) {
        role.node.defaultChild.tags.setTag(key, value);
      }
      return role;
    }),
  },
  // Not timed: (b) without the audit tags that cdk-irsa puts on every role it creates.
  'b-untagged': {
    title: '(b) with auditTags: false',
    build: (stack, n) => irsaServiceAccounts(stack, n, importedCluster(), { manifestDelivery: irsa.ManifestDelivery.gitOps(), auditTags: false }),
  },
  // Baselines: the same stacks without any service account.
  'base-eks': { title: 'baseline: aws-eks Cluster alone (a, c, d at N=0)', build: (stack) => eksCluster(stack) },
  'base-eksv2': { title: 'baseline: aws-eks-v2 Cluster alone (e at N=0)', build: (stack) => eksV2Cluster(stack) },
};

/**
 * The provider, one role per service account (made by `makeRole`) and the YAML, all by hand. Each role
 * carries what cdk-irsa gives its roles, so that the comparison is like for like: the same role name
 * (readable part and a hash of region, cluster, namespace and name) and the three audit tags.
 */
function handWritten(stack, n, outdir, makeRole) {
  const issuer = ISSUER.replace('https://', '');
  const provider = new iam.CfnOIDCProvider(stack, 'Provider', { url: ISSUER, clientIdList: ['sts.amazonaws.com'] });
  const yaml = [];
  for (let i = 0; i < n; i++) {
    const name = serviceAccountName(i);
    const roleName = `${CLUSTER_NAME}-${NAMESPACE}-${name}-${roleNameHash(name)}`;
    makeRole(`Sa${i}`, roleName, provider.attrArn, {
      StringEquals: { [`${issuer}:sub`]: `system:serviceaccount:${NAMESPACE}:${name}`, [`${issuer}:aud`]: 'sts.amazonaws.com' },
    }, [
      { key: 'cdk-irsa:cluster', value: CLUSTER_NAME },
      { key: 'cdk-irsa:namespace', value: NAMESPACE },
      { key: 'cdk-irsa:service-account', value: name },
    ]);
    yaml.push(`apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  namespace: ${NAMESPACE}\n`
      + `  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::${ACCOUNT}:role/${roleName}\n`);
  }
  fs.mkdirSync(outdir, { recursive: true });
  fs.writeFileSync(path.join(outdir, 'service-accounts.yaml'), yaml.join('---\n'));
}

/** The hash that ends the name cdk-irsa gives the role of `workloads/<name>` in cluster `prod`, eu-west-1. */
const roleNameHash = (name) => createHash('sha256').update(`${REGION}\nname:${CLUSTER_NAME}\n${NAMESPACE}\n${name}`).digest('hex').slice(0, 8);

function main() {
  const [cellName, nText, validation, limit] = process.argv.slice(2);
  const cell = CELLS[cellName];
  if (!cell || !/^\d+$/.test(nText ?? '') || !['on', 'off'].includes(validation) || ![undefined, 'core-limit', 'validator-limit'].includes(limit)) {
    throw new Error('usage: node bench/cell.mjs <cell> <n> <on|off> [core-limit|validator-limit]');
  }
  const n = Number(nText);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-irsa-bench-'));
  const context = { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS };
  if (limit !== 'core-limit') {
    context['@aws-cdk/core:stackResourceLimit'] = 0; // 0 switches the check off
  }
  let result;
  try {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const app = new cdk.App({ outdir, context, builtinCloudFormationValidation: validation === 'on' });
    const stack = new cdk.Stack(app, 'Bench', { env: { account: ACCOUNT, region: REGION } });
    if (limit !== 'validator-limit') {
      cdk.Validations.of(stack).acknowledge({ id: 'CloudFormation-Validate::F0007', reason: 'benchmark: stacks over 500 resources are measured' });
    }
    cell.build(stack, n, outdir);
    let assembly;
    try {
      assembly = app.synth();
    } catch (error) {
      if (limit) {
        result = { refused: refusal(error.message, outdir) };
      } else {
        throw error;
      }
    }
    const synthMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    result ??= { synthMs, synthCpuMs: (cpu.user + cpu.system) / 1000, ...measure(assembly, outdir) };
    if (limit) {
      result = { refused: result.refused ?? null };
    }
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  // Peak resident memory of this process, last, so that nothing after it could raise it.
  process.stdout.write(JSON.stringify({ cell: cellName, n, validation, ...result, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
}

/** What the assembly holds: templates, resources, Lambdas, custom resources, assets, YAML. */
function measure(assembly, outdir) {
  const stack = assembly.getStackByName('Bench');
  const read = (file) => JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'));
  const nested = fs.readdirSync(outdir).filter((f) => f.endsWith('.nested.template.json'));
  const templates = [stack.template, ...nested.map(read)];
  const types = (template) => Object.values(template.Resources ?? {}).map((r) => r.Type);
  const allTypes = templates.flatMap(types);
  const assetManifest = read(`${stack.stackName}.assets.json`);
  const files = Object.values(assetManifest.files ?? {}).filter((a) => a.source.path !== stack.templateFile);
  // (f)'s file at the top, cdk-irsa's in <stack>.service-accounts/<cluster>/ (its kustomization.yaml aside).
  const yamlFile = fs.readdirSync(outdir, { recursive: true }).find((f) => path.basename(f) === 'service-accounts.yaml');
  const report = fs.existsSync(path.join(outdir, 'validation-report.json')) ? read('validation-report.json') : undefined;
  return {
    templateBytes: Buffer.byteLength(JSON.stringify(stack.template)), // minified
    templateFileBytes: fs.statSync(path.join(outdir, stack.templateFile)).size, // as aws-cdk-lib writes it (indented)
    nestedTemplates: nested.length,
    nestedTemplateBytes: templates.slice(1).reduce((sum, t) => sum + Buffer.byteLength(JSON.stringify(t)), 0),
    resources: types(stack.template).length,
    resourcesByType: count(types(stack.template)),
    nestedResourcesByType: count(templates.slice(1).flatMap(types)),
    lambdas: allTypes.filter((t) => t === 'AWS::Lambda::Function').length,
    customResources: allTypes.filter((t) => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource').length,
    assets: files.length + Object.keys(assetManifest.dockerImages ?? {}).length,
    assetBytes: files.reduce((sum, a) => sum + size(path.join(outdir, a.source.path)), 0),
    yamlBytes: yamlFile ? fs.statSync(path.join(outdir, yamlFile)).size : 0,
    validationFindings: report ? countFindings(report) : null,
  };
}

/** Why the stack was refused: the error's first line, or the validation report's errors. */
function refusal(message, outdir) {
  const file = path.join(outdir, 'validation-report.json');
  const errors = fs.existsSync(file)
    ? JSON.parse(fs.readFileSync(file, 'utf8')).pluginReports.flatMap((p) => p.violations)
        .filter((v) => v.severity === 'error').map((v) => `${v.ruleName}: ${v.description}`)
    : [];
  return errors.length > 0 ? errors.join('; ') : message.split('\n')[0];
}

function count(values) {
  const counts = {};
  for (const v of values) {
    counts[v] = (counts[v] ?? 0) + 1;
  }
  return counts;
}

function size(file) {
  const stat = fs.statSync(file);
  return stat.isDirectory() ? fs.readdirSync(file).reduce((sum, f) => sum + size(path.join(file, f)), 0) : stat.size;
}

/** Violations that the validation plugins reported, by rule. */
function countFindings(report) {
  const rules = {};
  for (const plugin of report.pluginReports ?? []) {
    for (const v of plugin.violations ?? []) {
      const rule = `${v.ruleName} (${v.severity})`;
      rules[rule] = (rules[rule] ?? 0) + (v.violatingConstructs?.length ?? 1);
    }
  }
  return rules;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main();
}
