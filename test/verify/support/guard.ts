/**
 * cfn-guard helpers: the binary that @cdklabs/cdk-validator-cfnguard bundles, the IRSA rule file,
 * reading aws-cdk-lib's validation-report.json, and deciding which violations concern what
 * cdk-irsa emits.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const RULES_DIR = path.join(__dirname, '..', 'rules');
export const IRSA_RULES = path.join(RULES_DIR, 'irsa-trust.guard');
export const HOOK = path.join(__dirname, 'cfn-guard-hook.cjs');
export const PLUGIN_NAME = 'cdk-validator-cfnguard';

/** The rules of the IRSA rule file, by name. */
export const IRSA_RULE_NAMES = [
  'irsa_web_identity_trust_pins_sub',
  'irsa_web_identity_trust_pins_aud',
  'irsa_web_identity_trust_no_wildcard_under_string_equals',
  'irsa_web_identity_trust_sub_pattern_not_wide_open',
  'irsa_string_form_trust_names_sub_and_aud',
];

/**
 * Resource types that cdk-irsa emits (or whose content it shapes): violations on them must be
 * zero. Everything else in an example (its demo buckets, tables and queues, a cluster's VPC) is
 * the example's or aws-cdk-lib's, and reported only.
 */
export const IRSA_RESOURCE_TYPES = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::OIDCProvider',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::EKS::PodIdentityAssociation',
  'AWS::EKS::Addon',
  'Custom::AWSCDK-EKS-KubernetesResource',
]);

/** The cfn-guard binary that the plugin runs, for this platform. */
export function guardBinary(): string {
  const platform = os.platform() === 'linux' ? 'ubuntu' : os.platform() === 'darwin' ? 'macos' : undefined;
  const arch = os.arch() === 'x64' ? 'x86_64' : os.arch() === 'arm64' ? 'aarch64' : undefined;
  if (!platform || !arch) {
    throw new Error(`cfn-guard is bundled for linux and macOS on x64 and arm64 only, not ${os.platform()}/${os.arch()}`);
  }
  return path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'bin', platform, arch, 'cfn-guard');
}

/** Whether the rule file parses (cfn-guard parse-tree). */
export function guardParses(rules: string): { ok: boolean; output: string } {
  const result = spawnSync(guardBinary(), ['parse-tree', '--rules', rules], { encoding: 'utf8', timeout: 30_000 });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

export interface GuardFileResult {
  readonly name: string;
  readonly status: 'PASS' | 'FAIL' | 'SKIP';
  readonly compliant: string[];
  readonly not_applicable: string[];
  readonly not_compliant: any[];
}

/** Runs cfn-guard directly (structured JSON output) on templates with a rule file. */
export function runGuard(rules: string, templates: string[]): GuardFileResult[] {
  const result = spawnSync(guardBinary(), [
    'validate', '--rules', rules, ...templates.flatMap((t) => ['--data', t]),
    '--output-format', 'json', '--show-summary', 'none', '--structured',
  ], { encoding: 'utf8', timeout: 60_000 });
  // 0: compliant, 19: not compliant; anything else (5 on a rule that does not parse) is an error.
  if (result.status !== 0 && result.status !== 19) {
    throw new Error(`cfn-guard exited with ${result.status ?? result.signal}: ${result.stderr}${result.stdout}`);
  }
  const parsed = JSON.parse(result.stdout);
  return parsed.map((r: any) => ({
    ...r,
    not_compliant: r.not_compliant ?? [],
    compliant: r.compliant ?? [],
    not_applicable: r.not_applicable ?? [],
  }));
}

/** The names of the rules that a structured result reports as not compliant. */
export function failedRules(result: GuardFileResult): string[] {
  return result.not_compliant.map((n: any) => n.Rule?.name ?? n.name).filter(Boolean);
}

export interface ReportViolation {
  readonly plugin: string;
  readonly ruleName: string;
  readonly description: string;
  readonly templatePath: string;
  readonly logicalId: string;
  readonly resourceType?: string;
}

export interface ValidationReport {
  readonly plugins: Array<{ name: string; conclusion: string; error?: string }>;
  readonly violations: ReportViolation[];
}

/**
 * Reads `validation-report.json` of a cloud assembly: every plugin's conclusion and error, and
 * every violation with the type of the resource it is about (looked up in the template).
 */
export function readValidationReport(assemblyDir: string): ValidationReport {
  const file = path.join(assemblyDir, 'validation-report.json');
  if (!fs.existsSync(file)) {
    throw new Error(`no validation-report.json in ${assemblyDir}: the validation plugins did not run`);
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const templates = new Map<string, any>();
  const typeOf = (templatePath: string, logicalId: string) => {
    if (!templates.has(templatePath)) {
      const full = path.join(assemblyDir, templatePath);
      templates.set(templatePath, fs.existsSync(full) ? JSON.parse(fs.readFileSync(full, 'utf8')) : {});
    }
    return templates.get(templatePath)?.Resources?.[logicalId]?.Type;
  };
  const plugins = (report.pluginReports ?? []).map((p: any) => ({ name: p.pluginName, conclusion: p.conclusion, error: p.metadata?.error }));
  const violations = (report.pluginReports ?? []).flatMap((p: any) => (p.violations ?? []).flatMap((v: any) =>
    (v.violatingConstructs ?? []).map((c: any) => ({
      plugin: p.pluginName,
      ruleName: v.ruleName,
      description: v.description,
      templatePath: c.cloudFormationResource?.templatePath,
      logicalId: c.cloudFormationResource?.logicalId,
      resourceType: typeOf(c.cloudFormationResource?.templatePath, c.cloudFormationResource?.logicalId),
    }))));
  return { plugins, violations };
}

/** One line per violation, for messages. */
export function describeViolations(violations: ReportViolation[]): string {
  return violations.map((v) => `${v.ruleName} on ${v.logicalId} (${v.resourceType ?? 'unknown type'}) in ${v.templatePath}: ${v.description}`).join('\n');
}
