import { CfnResource, isResolvableObject } from 'aws-cdk-lib';
import { rawOverridesOf } from './aws-cdk-lib-internals';

/** What the raw overrides (`addPropertyOverride`, `addPropertyDeletionOverride`) of a resource say about one property path. */
export interface RawOverride {
  /** Whether an override touches the path (or one of its parents). */
  readonly present: boolean;
  /** Whether an override deletes the path or one of its parents. */
  readonly deleted: boolean;
  /** The value an override sets there (CloudFormation names), merged over the properties. */
  readonly value?: any;
}

/**
 * Reads the raw overrides of a resource at a path below `Properties` (a deletion override is a
 * key whose value is `undefined`). If aws-cdk-lib changes where it keeps them, overrides read as
 * absent (test/aws-cdk-lib-internals.test.ts breaks loudly).
 */
export function rawOverride(resource: CfnResource, path: string[]): RawOverride {
  let current: any = rawOverridesOf(resource);
  for (const segment of ['Properties', ...path]) {
    if (current === null || typeof current !== 'object' || isResolvableObject(current) || !(segment in current)) {
      return { present: false, deleted: false };
    }
    current = current[segment];
    if (current === undefined) {
      return { present: true, deleted: true };
    }
  }
  return { present: true, deleted: false, value: current };
}

/**
 * A resource's CloudFormation type as it will be rendered: the `Type` a raw override
 * (`addOverride('Type', ...)`) sets, over the one it was created with.
 */
export function renderedType(resource: CfnResource): string {
  const overrides: any = rawOverridesOf(resource);
  const type = 'Type' in overrides ? resource.stack.resolve(overrides.Type) : undefined;
  return typeof type === 'string' ? type : resource.cfnResourceType;
}

/**
 * A typed L1 property value (camelCase keys) with an override (CloudFormation keys) merged over
 * it the way CloudFormation rendering does: objects merged key by key, anything else replaced,
 * `undefined` deleting. The result has camelCase keys.
 */
export function withOverride(property: any, override: RawOverride): any {
  if (!override.present) {
    return property;
  }
  if (override.deleted) {
    return undefined;
  }
  return merge(property, camelCase(override.value));
}

function merge(base: any, over: any): any {
  if (!isPlainObject(base) || !isPlainObject(over)) {
    return over;
  }
  const out: any = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) {
      delete out[key];
    } else {
      out[key] = merge(base[key], value);
    }
  }
  return out;
}

function camelCase(value: any): any {
  if (Array.isArray(value)) {
    return value.map(camelCase);
  }
  if (!isPlainObject(value)) {
    return value;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), camelCase(v)]));
}

function isPlainObject(value: any): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !isResolvableObject(value);
}
