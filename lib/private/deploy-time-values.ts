import { CfnParameter, Stack } from 'aws-cdk-lib';

/**
 * Which values known only at deploy may be spliced into a trust policy that is one JSON string
 * (`Fn::Join`): CloudFormation puts a value in as it is, unescaped, so only values that cannot
 * hold a quote or a backslash are safe there. Those are the pseudo parameters, references to
 * resources (a `Ref` or `Fn::GetAtt` of a resource of the template: names, IDs and ARNs that AWS
 * forms), the imports that CDK makes for references across stacks (of such values in another
 * stack) and strings built from them with `Fn::Join`, `Fn::Select` and `Fn::Split`. A parameter,
 * an import of an export by name, a mapping, a condition, `Fn::Sub` or a dynamic reference
 * (`{{resolve:...}}`) can carry any text.
 */

const SAFE_PSEUDO_PARAMETERS = new Set(['AWS::AccountId', 'AWS::Partition', 'AWS::Region', 'AWS::URLSuffix', 'AWS::StackName', 'AWS::StackId']);
const CDK_REFERENCE_EXPORT = /^[A-Za-z0-9-]+:ExportsOutput[A-Za-z0-9]+$/;
const SAFE_COMBINATORS = new Set(['Fn::Join', 'Fn::Select', 'Fn::Split']);

/**
 * The first value in `resolved` (a resolved statement or value) that could put arbitrary text into
 * a JSON string, as it appears in the template, or `undefined` if there is none.
 */
export function unsafeDeployTimeValue(stack: Stack, resolved: unknown): string | undefined {
  let parameters: Set<string> | undefined;
  const isParameter = (logicalId: string) => {
    parameters ??= new Set(stack.node.findAll().filter((c): c is CfnParameter => c instanceof CfnParameter)
      .map((p) => stack.resolve(p.logicalId)));
    return parameters.has(logicalId);
  };
  const visit = (value: unknown): string | undefined => {
    if (typeof value === 'string') {
      return value.includes('{{resolve:') ? JSON.stringify(value) : undefined;
    }
    if (value === null || typeof value !== 'object') {
      return undefined;
    }
    if (isIntrinsic(value)) {
      const [intrinsic, inner] = Object.entries(value)[0];
      if (intrinsic === 'Ref') {
        const safe = typeof inner === 'string' && (SAFE_PSEUDO_PARAMETERS.has(inner) || (!inner.startsWith('AWS::') && !isParameter(inner)));
        return safe ? undefined : JSON.stringify(value);
      }
      if (intrinsic === 'Fn::GetAtt') {
        return undefined;
      }
      if (intrinsic === 'Fn::ImportValue') {
        // CDK names the exports of its references across stacks `<stack>:ExportsOutput<what>`.
        return typeof inner === 'string' && CDK_REFERENCE_EXPORT.test(inner) ? undefined : JSON.stringify(value);
      }
      if (!SAFE_COMBINATORS.has(intrinsic)) {
        return JSON.stringify(value);
      }
    }
    // An array's items, an object's values (a safe combinator's arguments among them).
    for (const item of Object.values(value)) {
      const found = visit(item);
      if (found !== undefined) {
        return found;
      }
    }
    return undefined;
  };
  return visit(resolved);
}

/** Whether a value is one CloudFormation intrinsic (`Ref` or `Fn::*`, alone in its object). */
export function isIntrinsic(value: any): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}
