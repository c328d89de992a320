import { Token } from 'aws-cdk-lib';
import * as YAML from 'yaml';
import { fail } from './errors';

/**
 * Kubernetes objects as YAML documents, one after the other. Values must be literal: YAML is
 * read by tools that know nothing of CloudFormation, so a token would be written as garbage.
 */
export function toYamlDocuments(objects: any[], what: string): string {
  const json = JSON.stringify(objects);
  if (Token.isUnresolved(json)) {
    fail(`${what} holds a value that is known only at deploy time (a token), which YAML cannot carry. `
      + 'Give literal values (for the role ARN: a fixed roleName and a stack with an explicit account and region).');
  }
  return objects.map((o) => YAML.stringify(o, { lineWidth: 0 })).join('---\n');
}
