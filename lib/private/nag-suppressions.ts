import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IDependable } from 'constructs';

/** cdk-nag's rule for wildcards in identity policies. */
export const WILDCARD_RULE = 'AwsSolutions-IAM5';
/** The CloudFormation metadata entry that cdk-nag v2 reads suppressions from (and v3 writes for audit trails). */
export const CDK_NAG_METADATA = 'cdk_nag';
/** aws-cdk-lib's construct metadata of acknowledged validation rules (`Validations.ACKNOWLEDGED_RULES_METADATA_KEY`), which cdk-nag v3 reads. */
export const ACKNOWLEDGED_RULES_METADATA = 'aws:cdk:acknowledged-rules';

/**
 * The wildcard findings of `AwsSolutions-IAM5` for these statements, written as cdk-nag writes
 * them: `Action::<action>` for each allowed action with `*`, `Resource::<resource>` for each
 * resource with `*`, intrinsic functions flattened (`${X}` and `Ref` as `<X>`, `Fn::GetAtt` as
 * `<Resource.Attribute>`, `Fn::Join` joined).
 */
export function wildcardFindings(stack: Stack, statements: iam.PolicyStatement[]): string[] {
  const findings = new Set<string>();
  for (const statement of statements) {
    const json = stack.resolve(statement.toStatementJson());
    if (json.Effect !== 'Allow') {
      continue;
    }
    asArray(json.Action).filter((action) => action.includes('*')).forEach((action) => findings.add(`Action::${action}`));
    asArray(json.Resource).map(flatten).filter((resource) => resource.includes('*')).forEach((resource) => findings.add(`Resource::${resource}`));
  }
  return [...findings];
}

/**
 * Marks the wildcards of `statements` as accepted for cdk-nag's `AwsSolutions-IAM5`, with a
 * reason, on the resource that holds them (the role, or the policy that `policyDependable` names):
 * in the `cdk_nag` CloudFormation metadata with `applies_to` (cdk-nag v2), and as one
 * acknowledged rule per finding in the construct metadata that cdk-nag v3 reads. No dependency
 * on cdk-nag: both are plain metadata.
 */
export function acknowledgeWildcards(policyDependable: IDependable, statements: iam.PolicyStatement[], reason: string): void {
  if (!Construct.isConstruct(policyDependable)) {
    return;
  }
  const resource = policyDependable.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    return;
  }
  const findings = wildcardFindings(Stack.of(resource), statements);
  if (findings.length === 0) {
    return;
  }
  const existing = resource.getMetadata(CDK_NAG_METADATA) ?? {};
  const rules = [...(existing.rules_to_suppress ?? []), { id: WILDCARD_RULE, reason, applies_to: findings }];
  resource.addMetadata(CDK_NAG_METADATA, { ...existing, rules_to_suppress: rules });
  resource.node.addMetadata(ACKNOWLEDGED_RULES_METADATA, Object.fromEntries(findings.map((finding) => [`${WILDCARD_RULE}[${finding}]`, reason])));
}

function asArray(value: any): any[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** A resolved CloudFormation value as one string, the way cdk-nag names findings. */
function flatten(value: any): string {
  if (value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value.replace(/\${/g, '<').replace(/}/g, '>');
  }
  if (value['Fn::Join']) {
    const [delimiter, parts] = value['Fn::Join'];
    return parts.map(flatten).join(delimiter);
  }
  if (value['Fn::Sub']) {
    return flatten(value['Fn::Sub']);
  }
  if (value['Fn::GetAtt']) {
    const [logicalId, attribute] = value['Fn::GetAtt'];
    return `<${flatten(logicalId)}.${flatten(attribute)}>`;
  }
  if (value['Fn::ImportValue']) {
    return flatten(value['Fn::ImportValue']);
  }
  if (value.Ref) {
    return `<${flatten(value.Ref)}>`;
  }
  return JSON.stringify(value);
}
