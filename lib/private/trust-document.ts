import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { shortHash } from './provider-registry';

/**
 * Reads a role's trust policy as the JSON document IAM will see, from its template form: an
 * object, or a JSON string joined with `Fn::Join` (cdk-irsa's rendering for token issuers).
 * A value known only at deploy becomes a placeholder `<<hash>>`, the same for the same value,
 * so that two roles trusting one issuer still compare equal. Conditions rendered by aws-cdk-lib's
 * Lambda-backed `CfnJson` are read from that resource's input.
 */
export function readTrustDocument(role: iam.CfnRole): any | undefined {
  const stack = Stack.of(role);
  const resolved = stack.resolve(role.assumeRolePolicyDocument);
  if (resolved && typeof resolved === 'object' && Array.isArray(resolved.Statement)) {
    for (const statement of resolved.Statement) {
      for (const [operator, block] of Object.entries<any>(statement?.Condition ?? {})) {
        if (block && typeof block === 'object' && 'Fn::GetAtt' in block) {
          statement.Condition[operator] = cfnJsonValue(stack, block['Fn::GetAtt'][0]) ?? block;
        }
      }
    }
  }
  const document = fromTemplateValue(resolved);
  return document && Array.isArray(document.Statement ?? []) ? document : undefined;
}

/** An object as it stands, or the JSON text of an `Fn::Join`/string, parsed with placeholders. */
function fromTemplateValue(value: any): any | undefined {
  if (typeof value === 'string') {
    return parse(value);
  }
  if (value && typeof value === 'object' && 'Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'];
    return parse(parts.map((p: any) => (typeof p === 'string' ? p : placeholder(p))).join(separator));
  }
  return value && typeof value === 'object' ? replaceIntrinsics(value) : undefined;
}

function parse(text: string): any | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A stand-in for a value known only at deploy. */
export function placeholder(intrinsic: any): string {
  return `<<${shortHash(JSON.stringify(intrinsic))}>>`;
}

/** Copies an object, writing every intrinsic function (a value known at deploy) as a placeholder. */
function replaceIntrinsics(value: any): any {
  if (Array.isArray(value)) {
    return value.map(replaceIntrinsics);
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return placeholder(value);
    }
    return Object.fromEntries(keys.map((k) => [k, replaceIntrinsics(value[k])]));
  }
  return value;
}

/** The input of aws-cdk-lib's `CfnJson` custom resource with this logical ID, if there is one. */
function cfnJsonValue(stack: Stack, logicalId: string): any | undefined {
  const resource = stack.node.findAll().find((c): c is CfnResource =>
    CfnResource.isCfnResource(c) && c.cfnResourceType === 'Custom::AWSCDKCfnJson' && stack.resolve(c.logicalId) === logicalId);
  // The custom resource keeps its input among its (internal) CloudFormation properties.
  const value = resource ? stack.resolve((resource as any)._cfnProperties?.Value) : undefined;
  return value === undefined || Token.isUnresolved(value) ? undefined : fromTemplateValue(value);
}
