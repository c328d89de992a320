import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { fail } from './errors';

/** Helm values merged: nested objects key by key; a leaf in both is an error naming its path. */
export function mergeHelmValues(
  given: { [key: string]: any }, ours: { [key: string]: any }, path: string[], scope: Construct,
): { [key: string]: any } {
  const merged: { [key: string]: any } = { ...given };
  for (const [key, value] of Object.entries(ours)) {
    const here = [...path, key];
    const other = merged[key];
    const isObject = (v: any) => typeof v === 'object' && v !== null && !Array.isArray(v) && !Token.isUnresolved(v);
    if (other === undefined) {
      merged[key] = value;
    } else if (isObject(other) && isObject(value)) {
      merged[key] = mergeHelmValues(other, value, here, scope);
    } else {
      fail(`values sets ${here.join('.')}, which helmValues() sets for the service account. Leave it out of values.`, scope);
    }
  }
  return merged;
}
