import { CfnResource, isResolvableObject, Token } from 'aws-cdk-lib';
import { rawOverride } from './raw-overrides';

/** CloudFormation types of the resources that carry instance metadata options. */
export const LAUNCH_TEMPLATE = 'AWS::EC2::LaunchTemplate';
export const LAUNCH_CONFIGURATION = 'AWS::AutoScaling::LaunchConfiguration';

/** The values that keep pods off the instance metadata service. */
export const REQUIRED_TOKENS = 'required';
export const REQUIRED_HOP_LIMIT = 1;

/** The three metadata options that decide whether pods reach IMDS, by CloudFormation name. */
export type MetadataOptionName = 'HttpEndpoint' | 'HttpTokens' | 'HttpPutResponseHopLimit';

const PROPERTY_NAMES: Record<MetadataOptionName, string> = {
  HttpEndpoint: 'httpEndpoint',
  HttpTokens: 'httpTokens',
  HttpPutResponseHopLimit: 'httpPutResponseHopLimit',
};

/** What a launch template or launch configuration says about instance metadata. */
export interface MetadataOptionsReading {
  /** Why the options cannot be read or set: a part of them is a token. */
  readonly unreadable?: string;
  /** The effective value of each option (`undefined` when unset), raw overrides included. */
  readonly values: Partial<Record<MetadataOptionName, unknown>>;
  /** The options that a raw override (`addPropertyOverride`, or a deletion override of the options) sets. */
  readonly overridden: MetadataOptionName[];
}

/** Where the metadata options sit in a resource, as CloudFormation names them. */
function cfnPath(resource: CfnResource): string[] {
  return resource.cfnResourceType === LAUNCH_TEMPLATE ? ['LaunchTemplateData', 'MetadataOptions'] : ['MetadataOptions'];
}

/**
 * Reads the metadata options of a `CfnLaunchTemplate` or `CfnLaunchConfiguration` (of any copy
 * of aws-cdk-lib: the resource is recognized by its CloudFormation type), from its properties
 * and from the raw overrides that escape hatches add on top of them.
 */
export function readMetadataOptions(resource: CfnResource): MetadataOptionsReading {
  const container = propertyContainer(resource);
  if (container.unreadable) {
    return { unreadable: container.unreadable, values: {}, overridden: [] };
  }
  const options = container.options ?? {};
  const values: Partial<Record<MetadataOptionName, unknown>> = {};
  for (const [name, property] of Object.entries(PROPERTY_NAMES) as Array<[MetadataOptionName, string]>) {
    values[name] = options[property];
  }
  const overrides = rawOverrides(resource);
  if (overrides.unreadable) {
    return { unreadable: overrides.unreadable, values: {}, overridden: [] };
  }
  const overridden: MetadataOptionName[] = [];
  for (const name of Object.keys(PROPERTY_NAMES) as MetadataOptionName[]) {
    if (overrides.deleted) {
      // A deletion override removes the options from the template: they are unset, and only an override can set them.
      values[name] = undefined;
      overridden.push(name);
    } else if (overrides.options && name in overrides.options) {
      values[name] = overrides.options[name];
      overridden.push(name);
    }
  }
  return { values, overridden };
}

/** The options that this library sets, and the value each must have. */
export type SettableOption = 'HttpTokens' | 'HttpPutResponseHopLimit';
const REQUIRED_VALUES: Record<SettableOption, string | number> = {
  HttpTokens: REQUIRED_TOKENS,
  HttpPutResponseHopLimit: REQUIRED_HOP_LIMIT,
};

/**
 * Sets the given options to their required values (`HttpTokens: required`,
 * `HttpPutResponseHopLimit: 1`), keeping every other option. Call only on a resource whose
 * reading is not `unreadable`.
 */
export function writeMetadataOptions(resource: CfnResource, reading: MetadataOptionsReading, names: SettableOption[]): void {
  const values: Record<string, string | number> = {};
  for (const name of names) {
    values[PROPERTY_NAMES[name]] = REQUIRED_VALUES[name];
  }
  const l1 = resource as any;
  if (resource.cfnResourceType === LAUNCH_TEMPLATE) {
    const data = l1.launchTemplateData ?? {};
    l1.launchTemplateData = { ...data, metadataOptions: { ...data.metadataOptions, ...values } };
  } else {
    l1.metadataOptions = { ...l1.metadataOptions, ...values };
  }
  // A raw override wins over the properties: set the overridden values there too.
  for (const name of names.filter((n) => reading.overridden.includes(n))) {
    resource.addPropertyOverride([...cfnPath(resource), name].join('.'), REQUIRED_VALUES[name]);
  }
}

/** The metadata options object from the typed L1 properties. */
function propertyContainer(resource: CfnResource): { options?: any; unreadable?: string } {
  const l1 = resource as any;
  let options: any;
  if (resource.cfnResourceType === LAUNCH_TEMPLATE) {
    const data = l1.launchTemplateData;
    if (isResolvableObject(data)) {
      return { unreadable: 'its LaunchTemplateData is a token' };
    }
    options = data?.metadataOptions;
  } else {
    options = l1.metadataOptions;
  }
  if (isResolvableObject(options)) {
    return { unreadable: 'its MetadataOptions is a token' };
  }
  return { options };
}

/** The metadata options that raw overrides set or delete. */
function rawOverrides(resource: CfnResource): { options?: any; deleted?: boolean; unreadable?: string } {
  const path = cfnPath(resource);
  for (let i = 1; i <= path.length; i++) {
    const override = rawOverride(resource, path.slice(0, i));
    if (!override.present) {
      return {};
    }
    if (override.deleted) {
      return { deleted: true };
    }
    const conditional = deployTimeShape(override.value);
    if (conditional !== undefined) {
      return { unreadable: `an override sets its ${path.slice(0, i).join('.')} with ${JSON.stringify(conditional)}, which decides at deploy whether the options are there` };
    }
    if (isResolvableObject(override.value) || typeof override.value !== 'object') {
      return { unreadable: `an override sets its ${path.slice(0, i).join('.')} to ${Token.isUnresolved(override.value) ? 'a token' : JSON.stringify(override.value)}` };
    }
    if (i === path.length) {
      return { options: override.value };
    }
  }
  return {};
}

/**
 * The first part of a raw override value that decides its shape at deploy: an intrinsic in place
 * of the object (`{ "Fn::If": ... }`, `{ "Ref": ... }`), or an `Fn::If` / `AWS::NoValue` anywhere in it.
 */
export function deployTimeShape(value: unknown): unknown {
  if (!isPlain(value)) {
    return undefined;
  }
  const keys = Array.isArray(value) ? [] : Object.keys(value as object);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    return value;
  }
  return conditionalIn(value);
}

function conditionalIn(value: unknown): unknown {
  if (!isPlain(value)) {
    return undefined;
  }
  if (!Array.isArray(value) && ('Fn::If' in (value as object) || (value as any).Ref === 'AWS::NoValue')) {
    return value;
  }
  for (const v of Object.values(value as object)) {
    const found = conditionalIn(v);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

function isPlain(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !isResolvableObject(value);
}

/** A value as a message shows it: quoted, or described when it is known only at deploy. */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return 'unset';
  }
  return Token.isUnresolved(value) ? 'a value known only at deploy' : JSON.stringify(value);
}
