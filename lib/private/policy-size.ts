import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';

const STRING_TOKEN = /\$\{Token\[[^\]]+\]\}/g;

/** The longest value each pseudo parameter takes, from aws-cdk-lib's region table. */
const PSEUDO_BOUNDS: { [ref: string]: number } = {
  'AWS::AccountId': 12,
  'AWS::Partition': Math.max(...RegionInfo.regions.map((r) => (r.partition ?? '').length)),
  'AWS::Region': Math.max(...RegionInfo.regions.map((r) => r.name.length)),
  'AWS::URLSuffix': Math.max(...RegionInfo.regions.map((r) => (r.domainSuffix ?? '').length)),
};

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
    const bound = resolved && typeof resolved === 'object' && 'Ref' in resolved ? PSEUDO_BOUNDS[resolved.Ref] : undefined;
    return 'x'.repeat(bound ?? (JSON.stringify(resolved) ?? '').length);
  });
  return json.replace(/\s/g, '').length;
}
