/**
 * CloudFormation rules: every example app (examples/<name>/app.ts, run as `cdk synth` runs it) and
 * apps built here with trust policies in string form are synthesized with
 * @cdklabs/cdk-validator-cfnguard (its bundled cfn-guard and Control Tower proactive rules) plus
 * the IRSA rule file test/verify/rules/irsa-trust.guard, registered through aws-cdk-lib's
 * validation plugin API (./support/cfn-guard-hook.cjs for the examples, which are not edited).
 *
 * Pass criteria, read from cdk.out/validation-report.json (never from the exit code alone):
 * - the cfn-guard plugin ran without error (a rule that crashes the plugin's result parser shows
 *   up there as an error with no violations, which must not count as a pass);
 * - zero violations on the resources cdk-irsa emits (IAM roles and policies, OIDC providers, EKS
 *   Pod Identity associations and add-ons, Kubernetes manifest resources). Violations on the
 *   examples' own demo resources (buckets, tables, queues) are out of scope and only listed with
 *   VERIFY_VERBOSE=1.
 * A rule file that does not parse makes cfn-guard print nothing the plugin reads, and the plugin
 * then reports success: so the rule file is also parsed on its own and run against a
 * deliberately bad template that must fail every rule.
 *
 * Trust policies in string form (Fn::Join, when the issuer is a deploy-time token) are beyond
 * what guard can parse: the rule file checks them textually (IRSA.5), and here they are resolved
 * to object form and the object-form rules run on the resolved copy.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, Stack, Validations } from 'aws-cdk-lib';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { ClusterOidcProvider, IrsaCluster, IrsaRole, IrsaServiceAccount, ManifestDelivery, ServiceAccountSubject } from '../../lib';
import { AssemblyStack, exampleApps, ExampleRun, nestedStacksOf, stacksOf, synthesizeExamples } from './support/assembly';
import {
  describeViolations, failedRules, guardParses, HOOK, IRSA_RESOURCE_TYPES, IRSA_RULE_NAMES, IRSA_RULES, PLUGIN_NAME,
  readValidationReport, ReportViolation, RULES_DIR, runGuard, ValidationReport,
} from './support/guard';
import { IntrinsicValues, placeholderExports, withResolvedStringTrust } from './support/intrinsics';
import { ACCOUNT, cleanupScratch, REGION, scratchDir } from './support/synth';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { guardPluginWithReceipt, receiptFileOf } = require('./support/cfn-guard-hook.cjs');

jest.setTimeout(240_000);
afterAll(cleanupScratch);

const BAD_FIXTURE = path.join(__dirname, 'fixtures', 'bad-irsa-trust.template.json');
const VERBOSE = !!process.env.VERIFY_VERBOSE;

/** Fails unless the plugin ran cleanly and nothing cdk-irsa emits is in violation. */
function expectCleanForIrsa(report: ValidationReport, what: string): ReportViolation[] {
  // A plugin that found nothing is left out of the report (the receipt shows it ran); one that
  // failed is in it, with its error.
  const guard = report.plugins.filter((p) => p.name === PLUGIN_NAME);
  expect(guard.length).toBeLessThanOrEqual(1);
  expect(guard.map((p) => p.error)).toEqual(guard.map(() => undefined));
  const inScope = report.violations.filter((v) => v.plugin === PLUGIN_NAME && IRSA_RESOURCE_TYPES.has(v.resourceType ?? ''));
  const unknown = report.violations.filter((v) => v.plugin === PLUGIN_NAME && v.resourceType === undefined);
  if (inScope.length > 0 || unknown.length > 0) {
    throw new Error(`${what}: violations on what cdk-irsa emits (or on unknown resources):\n${describeViolations([...inScope, ...unknown])}`);
  }
  const outOfScope = report.violations.filter((v) => v.plugin === PLUGIN_NAME);
  if (VERBOSE && outOfScope.length > 0) {
    console.log(`${what}: ${outOfScope.length} Control Tower finding(s) on resources cdk-irsa does not emit:\n${describeViolations(outOfScope)}`);
  }
  return outOfScope;
}

/** What the plugin was run on, from its receipt: every stack template, without error. */
function expectPluginRanOnEveryStack(outdir: string, stacks: AssemblyStack[]): void {
  const receipt = receiptFileOf(outdir);
  if (!fs.existsSync(receipt)) {
    throw new Error(`the cfn-guard plugin never ran for ${outdir} (no ${receipt})`);
  }
  const runs = fs.readFileSync(receipt, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(runs.filter((r) => r.error)).toEqual([]);
  const validated = new Set(runs.flatMap((r) => r.templatePaths.map((t: string) => path.basename(t))));
  expect(stacks.map((st) => `${st.artifactId}.template.json`).filter((t) => !validated.has(t))).toEqual([]);
}

/** Runs the IRSA rules directly on every template of the stacks, string-form trust resolved first. */
function expectIrsaRulesPass(stacks: AssemblyStack[], outdir: string, given: IntrinsicValues = {}): { resolved: string[] } {
  const resolvedIds: string[] = [];
  const imports = placeholderExports(stacks, given);
  const files = stacks.map((stack) => {
    const { template, resolved } = withResolvedStringTrust(stack.template, stack.env, { ...given, imports });
    resolvedIds.push(...resolved);
    const file = path.join(outdir, `${stack.artifactId}.irsa-resolved.json`);
    fs.writeFileSync(file, JSON.stringify(template));
    return file;
  });
  for (const [i, result] of runGuard(IRSA_RULES, files).entries()) {
    expect({ template: stacks[i].artifactId, failed: failedRules(result) }).toEqual({ template: stacks[i].artifactId, failed: [] });
    // Every rule was evaluated (compliant, or not applicable where the template has nothing for it).
    expect([...result.compliant, ...result.not_applicable].sort()).toEqual([...IRSA_RULE_NAMES].sort());
  }
  return { resolved: resolvedIds };
}

/** Synthesizes an app of this process with the same plugins as the hook adds to the examples. */
function synthWithGuard(app: App, rules = [RULES_DIR], controlTowerRulesEnabled = true): string {
  Validations.of(app).addPlugins(guardPluginWithReceipt({ controlTowerRulesEnabled, rules }, receiptFileOf(app.outdir)));
  try {
    app.synth();
  } catch (e) {
    // In-memory apps throw when a plugin reports errors; the report has the details.
    if (!/ValidationFailed|Validation failed/.test(String(e))) {
      throw e;
    }
  }
  return app.outdir;
}

describe('the IRSA rule file', () => {
  test('parses', () => {
    const { ok, output } = guardParses(IRSA_RULES);
    expect({ ok, output: ok ? '' : output }).toEqual({ ok: true, output: '' });
  });

  test('fails the deliberately bad fixture on exactly the bad roles, rule by rule (cfn-guard directly)', () => {
    const [result] = runGuard(IRSA_RULES, [BAD_FIXTURE]);
    const byRule = Object.fromEntries(result.not_compliant.map((n: any) => [n.Rule.name, [...new Set(JSON.stringify(n).match(/\/Resources\/[A-Za-z0-9]+/g)!.map((p) => p.slice(11)))].sort()]));

    expect(result.status).toBe('FAIL');
    expect(byRule).toEqual({
      irsa_web_identity_trust_pins_sub: ['BadNoCondition', 'BadNoSub'],
      irsa_web_identity_trust_pins_aud: ['BadAudOnlyLike', 'BadNoAud', 'BadNoCondition'],
      irsa_web_identity_trust_no_wildcard_under_string_equals: ['BadWildcardUnderStringEquals'],
      irsa_web_identity_trust_sub_pattern_not_wide_open: ['BadWideOpenNamespace', 'BadWideOpenStar'],
      irsa_string_form_trust_names_sub_and_aud: ['BadStringFormNoAud'],
    });
  });

  test('fails the bad fixture through aws-cdk-lib validation, and validation-report.json names every bad role', () => {
    const app = new App({ outdir: path.join(scratchDir(), 'bad-fixture.out') });
    const stack = new Stack(app, 'BadFixture', { env: { account: ACCOUNT, region: REGION } });
    new CfnInclude(stack, 'Template', { templateFile: BAD_FIXTURE });

    const report = readValidationReport(synthWithGuard(app));

    expect(report.plugins.find((p) => p.name === PLUGIN_NAME)).toEqual({ name: PLUGIN_NAME, conclusion: 'failure', error: undefined });
    const irsa = report.violations.filter((v) => v.ruleName.startsWith('irsa_'));
    expect([...new Set(irsa.map((v) => v.logicalId))].sort()).toEqual([
      'BadAudOnlyLike', 'BadNoAud', 'BadNoCondition', 'BadNoSub', 'BadStringFormNoAud',
      'BadWideOpenNamespace', 'BadWideOpenStar', 'BadWildcardUnderStringEquals',
    ]);
    expect(() => expectCleanForIrsa(report, 'bad fixture')).toThrow(/violations on what cdk-irsa emits/);
  });

  test('a rule that crashes the plugin\'s result parser is caught from the report, not passed', () => {
    const crash = path.join(scratchDir(), 'crash.guard');
    // A failing `!empty` on a filtered map gives guard output the plugin 0.0.62 cannot read.
    fs.writeFileSync(crash, [
      "let roles = Resources.*[ Type == 'AWS::IAM::Role' ]",
      'rule crash_the_plugin when %roles !empty {',
      '    %roles.Properties.AssumeRolePolicyDocument[ keys == /NoSuchKey/ ] !empty',
      '}',
      '',
    ].join('\n'));
    const app = new App({ outdir: path.join(scratchDir(), 'crash.out') });
    const stack = new Stack(app, 'Crash', { env: { account: ACCOUNT, region: REGION } });
    new IrsaRole(stack, 'Role', {
      provider: ClusterOidcProvider.fromOidcProviderArn(stack, 'P', `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/C0000000000000000000000000000000`),
      subjects: [ServiceAccountSubject.exact('team', 'api')],
    });
    const report = readValidationReport(synthWithGuard(app, [crash], false));

    expect(report.violations).toEqual([]); // nothing to see here, says the plugin ...
    expect(report.plugins[0].error).toMatch(/failed processing cfn-guard results/); // ... but it failed
    expect(() => expectCleanForIrsa(report, 'crash')).toThrow();
  });
});

const EXAMPLES = exampleApps();

(EXAMPLES.length > 0 ? describe : describe.skip)('examples, synthesized with Control Tower and IRSA rules', () => {
  const runs = new Map<string, ExampleRun>();

  beforeAll(async () => {
    // One Node process for all examples (tsx and aws-cdk-lib load once), the hook registering the plugin.
    const outroot = path.join(scratchDir(), 'examples');
    for (const run of await synthesizeExamples(EXAMPLES, outroot, ['--require', HOOK], { IRSA_GUARD_HOOK: '1' })) {
      runs.set(run.name, run);
    }
  });

  test.each(EXAMPLES)('%s: the plugin ran on every stack without error, zero violations on what cdk-irsa emits', (name) => {
    const run = runs.get(name)!;
    if (!fs.existsSync(path.join(run.outdir, 'validation-report.json'))) {
      throw new Error(`examples/${name} did not synthesize:\n${run.error}`);
    }
    expectPluginRanOnEveryStack(run.outdir, stacksOf(run.outdir));
    const outOfScope = expectCleanForIrsa(readValidationReport(run.outdir), `examples/${name}`);
    // The app threw only because of findings outside cdk-irsa's resources, if at all.
    expect(run.error === undefined || (/ValidationFailed/.test(run.error) && outOfScope.length > 0)).toBe(true);
  });

  test.each(EXAMPLES)('%s: every IRSA rule evaluated and passed on every template (string-form trust resolved)', (name) => {
    const outdir = runs.get(name)!.outdir;
    const stacks = stacksOf(outdir);
    expect(stacks.length).toBeGreaterThan(0);
    expectIrsaRulesPass([...stacks, ...nestedStacksOf(outdir, stacks[0].env)], outdir);
  });
});

describe('trust policies in string form (issuer known only at deploy)', () => {
  test('aws-eks-v2 cluster of the app and a provider ARN from a parameter: plugin clean, resolved copies pass', () => {
    const app = new App({ outdir: path.join(scratchDir(), 'string-form.out') });
    const stack = new Stack(app, 'StringForm', { env: { account: ACCOUNT, region: REGION } });
    const cluster = new eksv2.Cluster(stack, 'Cluster', { version: eksv2.KubernetesVersion.V1_33 });
    new IrsaServiceAccount(stack, 'Api', {
      cluster: IrsaCluster.fromClusterV2(cluster),
      namespace: 'team',
      name: 'api',
      manifestDelivery: ManifestDelivery.none(),
    });
    const arn = new CfnParameter(stack, 'ProviderArn', { type: 'String' });
    new IrsaRole(stack, 'Shared', {
      provider: ClusterOidcProvider.fromOidcProviderArn(stack, 'Imported', arn.valueAsString),
      subjects: [ServiceAccountSubject.exact('team', 'api'), ServiceAccountSubject.matching('ci-*', 'runner-?')],
    });

    const report = readValidationReport(synthWithGuard(app));
    expectPluginRanOnEveryStack(app.outdir, stacksOf(app.outdir));
    expectCleanForIrsa(report, 'string-form app');

    const { resolved } = expectIrsaRulesPass(stacksOf(app.outdir), app.outdir, {
      refs: { ProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/D0000000000000000000000000000000` },
    });
    expect(resolved).toHaveLength(2);
  });
});
