import { Aws, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { fail, q } from '../errors';
import { requireArray } from '../type-checks';

/**
 * Where the ARNs of a preset point: the partition, region and account of the role that gets
 * the statements, and the domain suffix of service principals there.
 */
export interface ArnContext {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly urlSuffix: string;
}

/** Pseudo parameters: the values of whichever stack the statements end up in. */
export const PSEUDO_CONTEXT: ArnContext = {
  partition: Aws.PARTITION,
  region: Aws.REGION,
  account: Aws.ACCOUNT_ID,
  urlSuffix: Aws.URL_SUFFIX,
};

/**
 * The context of a principal's stack: the same values the pseudo parameters take at deploy,
 * written literally where the stack's environment is known, so templates read plainly.
 */
export function contextOf(principal: iam.IPrincipal): ArnContext {
  if (!Construct.isConstruct(principal)) {
    return PSEUDO_CONTEXT;
  }
  const stack = Stack.of(principal);
  const info = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region);
  return {
    partition: info?.partition ?? Aws.PARTITION,
    region: stack.region,
    account: stack.account,
    urlSuffix: info?.domainSuffix ?? Aws.URL_SUFFIX,
  };
}

/** The statements of a preset: those an AWS managed policy can replace, and those it cannot. */
export interface PresetStatements {
  /** What the managed policy (if the preset names one) covers. */
  readonly core: iam.PolicyStatement[];
  /** What stays in any case: access to the keys, buckets or queues given. */
  readonly extra: iam.PolicyStatement[];
}

/** IAM condition operators to keys to values. */
export type Conditions = { [operator: string]: { [key: string]: string | string[] } };

/** An Allow statement. */
export function allow(sid: string, actions: string[], resources: string[], ...conditions: Conditions[]): iam.PolicyStatement {
  const merged = mergeConditions(...conditions);
  return new iam.PolicyStatement({
    sid,
    actions,
    resources,
    conditions: Object.keys(merged).length > 0 ? merged : undefined,
  });
}

/** Joins condition blocks; the same key under the same operator twice is a programming error. */
export function mergeConditions(...conditions: Conditions[]): Conditions {
  const merged: Conditions = {};
  for (const block of conditions) {
    for (const [operator, keys] of Object.entries(block)) {
      merged[operator] = { ...merged[operator] };
      for (const [key, value] of Object.entries(keys)) {
        if (key in merged[operator]) {
          fail(`internal: condition ${operator} ${key} is set twice in one statement.`);
        }
        merged[operator][key] = value;
      }
    }
  }
  return merged;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export function arn(ctx: ArnContext, service: string, region: string, account: string, resource: string): string {
  return `arn:${ctx.partition}:${service}:${region}:${account}:${resource}`;
}

/** An EC2 resource of the account and region. */
export function ec2(ctx: ArnContext, resource: string): string {
  return arn(ctx, 'ec2', ctx.region, ctx.account, resource);
}

/**
 * An EC2 resource of the region in any account: subnets, security groups and capacity
 * reservations can be shared from another account (a shared VPC, AWS RAM).
 */
export function ec2AnyAccount(ctx: ArnContext, resource: string): string {
  return arn(ctx, 'ec2', ctx.region, '*', resource);
}

/** An EC2 snapshot or image of the region: their ARNs have no account. */
export function ec2Public(ctx: ArnContext, resource: string): string {
  return arn(ctx, 'ec2', ctx.region, '', resource);
}

/** A condition that a KMS key is used only through one AWS service, in any region. */
export function viaService(ctx: ArnContext, ...services: string[]): Conditions {
  const values = services.map((service) => `${service}.*.${ctx.urlSuffix}`);
  return { StringLike: { 'kms:ViaService': values.length === 1 ? values[0] : values } };
}

/** Refuses an empty list of required resources. */
export function requireSome<T>(values: T[] | undefined, name: string, preset: string, example: string): T[] {
  if (values !== undefined) {
    requireArray(values, name, `an array: ${preset} takes a list. ${example}`);
  }
  if (!values || values.length === 0) {
    fail(`${name} is empty (got ${q(values ?? [])}): ${preset} needs at least one. ${example}`);
  }
  return values;
}

const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;

/**
 * Checks an EKS cluster name. With `inTagKey`, it must be literal too: it becomes part of a
 * condition key, and a key cannot hold a value known only at deploy.
 */
export function validateClusterName(clusterName: string | undefined, preset: string, inTagKey: boolean): string {
  if (clusterName === undefined) {
    fail(`clusterName is missing: ${preset} needs the name of the EKS cluster it runs in.`);
  }
  if (Token.isUnresolved(clusterName)) {
    if (inTagKey) {
      fail(`clusterName must be a literal for ${preset} (got a token, ${clusterName}): it becomes part of the condition key `
        + `"aws:ResourceTag/…/<clusterName>", and a template cannot hold a key known only at deploy. Write the cluster's name.`);
    }
    return clusterName;
  }
  if (!EKS_CLUSTER_NAME.test(clusterName)) {
    fail(`clusterName ${q(clusterName)} is not a valid EKS cluster name: use 1 to 100 letters, digits, "-" and "_", starting with a letter or digit.`);
  }
  return clusterName;
}

/** A resource given to a preset: what it is, for the message, and its ARN. */
export interface ScopedResource {
  readonly what: string;
  readonly arn: string | undefined;
}

/**
 * Refuses resources whose ARN holds a wildcard (`*` or `?`): a hosted zone imported by the ID
 * `*`, a secret imported by a name with `*`, and the like. The preset would grant every
 * resource the pattern matches, not the one the user meant. A token's placeholder holds
 * neither character, so ARNs known only at deploy pass; their literal parts are checked.
 */
export function refuseWildcardResources(preset: string, resources: ScopedResource[]): void {
  for (const { what, arn: value } of resources) {
    if (value !== undefined && /[*?]/.test(value)) {
      fail(`${what} has the ARN ${q(value)}, which holds a wildcard: ${preset} would grant every resource it matches rather than the one given. `
        + 'Import the resource by its exact name, ID or ARN, and give each resource you mean.');
    }
  }
}

/** A Parameter Store hierarchy that grants no more than it names: no "/" alone, no wildcard. */
export function validateParameterPath(path: string): void {
  if (Token.isUnresolved(path)) {
    return;
  }
  if (path === '/' || !/^(\/[A-Za-z0-9_.\-]+)+$/.test(path)) {
    fail(`parameter path ${q(path)} is not a Parameter Store hierarchy: use "/" followed by segments of letters, digits and "_.-", `
      + 'without trailing "/" or wildcards, for example "/prod/payments". "/" alone would grant every parameter of the account.');
  }
}
