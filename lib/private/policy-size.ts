import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PSEUDO_PARAMETER_BOUNDS } from './regions';

const STRING_TOKEN = /\$\{Token\[[^\]]+\]\}/g;

/**
 * The size of an identity policy as IAM counts it (no white space), with values known only at
 * deploy measured as well as synth allows: pseudo parameters at their longest value, other
 * references at the length of their template form.
 */
export function policyDocumentSize(stack: Stack, document: iam.PolicyDocument): number {
  const json = JSON.stringify(document.toJSON() ?? {}).replace(STRING_TOKEN, (token) => {
    const resolved = stack.resolve(token);
    if (typeof resolved === 'string') {
      return resolved;
    }
    const bound = resolved && typeof resolved === 'object' && 'Ref' in resolved ? PSEUDO_PARAMETER_BOUNDS[resolved.Ref] : undefined;
    return 'x'.repeat(bound ?? (JSON.stringify(resolved) ?? '').length);
  });
  return json.replace(/\s/g, '').length;
}
