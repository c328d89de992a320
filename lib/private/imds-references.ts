import { CfnResource, isResolvableObject, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { deployTimeShape, LAUNCH_CONFIGURATION, LAUNCH_TEMPLATE } from './imds-metadata-options';
import { rawOverride, withOverride } from './raw-overrides';

/** CloudFormation types of the resources that launch nodes from a template. */
export const AUTO_SCALING_GROUP = 'AWS::AutoScaling::AutoScalingGroup';
export const NODEGROUP = 'AWS::EKS::Nodegroup';

/** What a node group or auto-scaling group launches its instances from. */
export type LaunchSource =
  /** A launch template or launch configuration defined in this app. */
  | { readonly kind: 'inApp'; readonly resource: CfnResource; readonly version?: VersionUse }
  /** One that is not: referenced by a literal ID or name, an imported value, or an instance. */
  | { readonly kind: 'external'; readonly description: string }
  /** One that cannot be read: the property is a token. */
  | { readonly kind: 'unreadable'; readonly description: string };

/** How a group picks the version of a launch template. */
export interface VersionUse {
  /** Whether the group follows the template's latest version (`$Latest` or `LatestVersionNumber`). */
  readonly latest: boolean;
  /** The version as a message shows it: `version "3"`, `its DefaultVersionNumber`. */
  readonly description: string;
}

/**
 * The launch templates (including those of a mixed instances policy and its overrides) and
 * the launch configuration or instance that an `AWS::AutoScaling::AutoScalingGroup` uses.
 */
export function autoScalingGroupSources(group: CfnResource): LaunchSource[] {
  const names = ['LaunchTemplate', 'MixedInstancesPolicy', 'LaunchConfigurationName', 'InstanceId'];
  const conditional = conditionalOverride(group, names);
  if (conditional) {
    return [conditional];
  }
  const l1 = effectiveProperties(group, names);
  const sources: LaunchSource[] = [];
  if (l1.launchTemplate !== undefined) {
    sources.push(templateSource(group, l1.launchTemplate, 'launchTemplateId', 'launchTemplateName', 'LaunchTemplate'));
  }
  const policy = l1.mixedInstancesPolicy;
  if (isResolvableObject(policy) || isResolvableObject(policy?.launchTemplate)) {
    sources.push({ kind: 'unreadable', description: 'its MixedInstancesPolicy is a token' });
  } else if (policy?.launchTemplate) {
    const { launchTemplateSpecification, overrides } = policy.launchTemplate;
    sources.push(templateSource(group, launchTemplateSpecification, 'launchTemplateId', 'launchTemplateName',
      'MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification'));
    if (isResolvableObject(overrides)) {
      sources.push({ kind: 'unreadable', description: 'its MixedInstancesPolicy.LaunchTemplate.Overrides is a token' });
    } else {
      (overrides ?? []).forEach((override: any, i: number) => {
        if (override?.launchTemplateSpecification !== undefined) {
          sources.push(templateSource(group, override.launchTemplateSpecification, 'launchTemplateId', 'launchTemplateName',
            `MixedInstancesPolicy.LaunchTemplate.Overrides[${i}].LaunchTemplateSpecification`));
        }
      });
    }
  }
  if (l1.launchConfigurationName !== undefined) {
    const target = referencedResource(l1.launchConfigurationName, LAUNCH_CONFIGURATION);
    sources.push(target
      ? { kind: 'inApp', resource: target }
      : { kind: 'external', description: `launch configuration ${show(l1.launchConfigurationName)}, which is not defined in this app` });
  }
  if (l1.instanceId !== undefined) {
    sources.push({ kind: 'external', description: `the settings of instance ${show(l1.instanceId)}` });
  }
  return sources;
}

/** The launch template of an `AWS::EKS::Nodegroup`, or `undefined` when it has none. */
export function nodegroupSource(nodegroup: CfnResource): LaunchSource | undefined {
  const conditional = conditionalOverride(nodegroup, ['LaunchTemplate']);
  if (conditional) {
    return conditional;
  }
  const spec = effectiveProperties(nodegroup, ['LaunchTemplate']).launchTemplate;
  return spec === undefined ? undefined : templateSource(nodegroup, spec, 'id', 'name', 'LaunchTemplate');
}

/** An override of one of the properties whose shape is decided at deploy (`Fn::If`, `AWS::NoValue`), as an unreadable source. */
function conditionalOverride(resource: CfnResource, names: string[]): LaunchSource | undefined {
  for (const name of names) {
    const override = rawOverride(resource, [name]);
    const conditional = override.present && !override.deleted ? deployTimeShape(override.value) : undefined;
    if (conditional !== undefined) {
      return { kind: 'unreadable', description: `an override sets its ${name} with ${JSON.stringify(conditional)}, which decides at deploy what it launches from` };
    }
  }
  return undefined;
}

/** The typed properties of a resource with its raw overrides (set, merged or deleted) applied, by camelCase name. */
function effectiveProperties(resource: CfnResource, names: string[]): Record<string, any> {
  const out: Record<string, any> = {};
  for (const name of names) {
    const property = name.charAt(0).toLowerCase() + name.slice(1);
    out[property] = withOverride((resource as any)[property], rawOverride(resource, [name]));
  }
  return out;
}

function templateSource(owner: CfnResource, spec: any, idKey: string, nameKey: string, property: string): LaunchSource {
  if (isResolvableObject(spec)) {
    return { kind: 'unreadable', description: `its ${property} is a token` };
  }
  const id = spec?.[idKey];
  const name = spec?.[nameKey];
  const template = referencedResource(id, LAUNCH_TEMPLATE) ?? referencedResource(name, LAUNCH_TEMPLATE) ?? templateNamed(owner, name);
  const version = describeVersion(spec?.version, template);
  if (!template) {
    return {
      kind: 'external',
      description: `launch template ${show(id ?? name)} at ${version.description}, which is not defined in this app`,
    };
  }
  return { kind: 'inApp', resource: template, version };
}

/** The resource of the given type that a token (`Ref`, `Fn::GetAtt`) points at, if it is one. */
function referencedResource(value: unknown, type: string): CfnResource | undefined {
  const target = referencedConstruct(value);
  return target && CfnResource.isCfnResource(target) && target.cfnResourceType === type ? target : undefined;
}

function referencedConstruct(value: unknown): IConstruct | undefined {
  if (value === undefined || !Token.isUnresolved(value)) {
    return undefined;
  }
  const token = Tokenization.reverse(value, { failConcat: false });
  return token && Reference.isReference(token) ? token.target : undefined;
}

/** A launch template of the same stack whose literal name is the one given. */
function templateNamed(owner: CfnResource, name: unknown): CfnResource | undefined {
  if (typeof name !== 'string' || Token.isUnresolved(name)) {
    return undefined;
  }
  return Stack.of(owner).node.findAll().find((c): c is CfnResource => CfnResource.isCfnResource(c)
    && c.cfnResourceType === LAUNCH_TEMPLATE && (c as any).launchTemplateName === name);
}

function describeVersion(version: unknown, template: CfnResource | undefined): VersionUse {
  if (version === undefined) {
    return { latest: false, description: 'its default version (no version given)' };
  }
  if (version === '$Latest') {
    return { latest: true, description: 'version "$Latest"' };
  }
  const token = Token.isUnresolved(version) ? Tokenization.reverse(version, { failConcat: false }) : undefined;
  if (token && Reference.isReference(token) && token.target === template) {
    return { latest: token.displayName === 'LatestVersionNumber', description: `its ${token.displayName}` };
  }
  return { latest: false, description: `version ${show(version)}` };
}

/** A value as a message shows it: quoted, or described when it is known only at deploy. */
function show(value: unknown): string {
  if (!Token.isUnresolved(value)) {
    return JSON.stringify(value);
  }
  const target = referencedConstruct(value);
  return target ? `from ${target.node.path}` : '(a value known only at deploy)';
}
