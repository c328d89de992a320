import { Annotations, AspectPriority, Aspects, CfnResource, IAspect, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail, q, validateAtSynth } from './private/errors';
import {
  describeValue, LAUNCH_CONFIGURATION, LAUNCH_TEMPLATE, MetadataOptionName, readMetadataOptions, REQUIRED_HOP_LIMIT, REQUIRED_TOKENS,
  SettableOption, writeMetadataOptions,
} from './private/imds-metadata-options';
import { AUTO_SCALING_GROUP, autoScalingGroupSources, LaunchSource, NODEGROUP, nodegroupSource } from './private/imds-references';
import { renderedType } from './private/raw-overrides';
import { aspectRoot, namedResources, uncoveredStages } from './private/stage-coverage';

/** The metadata entry that records an exemption, with its reason, in the cloud assembly. */
const EXEMPTION = 'cdk-irsa:imdsExempt';

/** The IDs of the findings; warnings carry them, so that they can be acknowledged. */
const FINDING = {
  NOT_BLOCKED: 'cdk-irsa:imdsNotBlocked',
  EXPLICIT_SETTING: 'cdk-irsa:imdsExplicitSetting',
  UNREADABLE: 'cdk-irsa:imdsUnreadable',
  NO_LAUNCH_TEMPLATE: 'cdk-irsa:imdsNoLaunchTemplate',
  EXTERNAL_SOURCE: 'cdk-irsa:imdsExternalSource',
  TEMPLATE_VERSION: 'cdk-irsa:imdsTemplateVersion',
  OVERRIDDEN: 'cdk-irsa:imdsOverridden',
} as const;

/** The resources whose instances the aspect secures or reports. */
const NODE_TYPES = [LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION, AUTO_SCALING_GROUP, NODEGROUP];
const EXPOSED = 'pods on its instances may reach the instance metadata service and take the node role\'s credentials.';
const EXEMPT_HINT = 'If pods on these nodes must reach IMDS, exempt it: BlockInstanceMetadataForPods.exempt(construct, reason).';

/**
 * What `BlockInstanceMetadataForPods` does with the nodes it finds.
 */
export enum BlockInstanceMetadataMode {
  /**
   * Set `HttpTokens: required` and `HttpPutResponseHopLimit: 1` on every launch template and
   * launch configuration in scope that leaves them unset, and report what cannot be set: node
   * groups without a launch template, templates defined outside the app, values set otherwise
   * by the user (unless `overrideExplicitSettings`).
   */
  ENFORCE = 'ENFORCE',

  /**
   * Change nothing; report every node group, auto-scaling group, launch template and launch
   * configuration in scope whose instances let pods reach the instance metadata service.
   */
  REPORT = 'REPORT',
}

/**
 * How `BlockInstanceMetadataForPods` reports what it finds.
 */
export enum BlockInstanceMetadataSeverity {
  /** Error annotations: `cdk synth` fails. */
  ERROR = 'ERROR',

  /**
   * Warning annotations, each with an ID (`cdk-irsa:imds…`) that
   * `Annotations.of(construct).acknowledgeWarning()` accepts, on the reported construct
   * or any of its parents.
   */
  WARNING = 'WARNING',
}

/**
 * Properties of `BlockInstanceMetadataForPods`.
 */
export interface BlockInstanceMetadataForPodsProps {
  /**
   * Whether to set the metadata options where the constructs allow it, or only report.
   *
   * @default BlockInstanceMetadataMode.ENFORCE
   */
  readonly mode?: BlockInstanceMetadataMode;

  /**
   * How to report what is not blocked and cannot be set: as errors, which make `cdk synth`
   * fail, or as warnings.
   *
   * @default BlockInstanceMetadataSeverity.ERROR
   */
  readonly severity?: BlockInstanceMetadataSeverity;

  /**
   * Whether to replace values that the user set to something else (`HttpTokens: optional`, a
   * hop limit of 2 or more, a token), with an info annotation naming what was replaced.
   * Without it, such values are reported and kept. Only with `BlockInstanceMetadataMode.ENFORCE`.
   *
   * @default false
   */
  readonly overrideExplicitSettings?: boolean;
}

/**
 * An aspect that keeps pods off the node's IAM role by making the nodes' instance metadata
 * service (IMDS) unreachable from pods: IMDSv2 required (`HttpTokens: required`, so no
 * token-less IMDSv1 requests) and a PUT response hop limit of 1 (the token response cannot
 * cross the extra hop into a pod's network namespace). Pods on the host network (the VPC CNI,
 * kube-proxy, the EKS Pod Identity agent) still reach it.
 *
 * It looks at every launch template (`ec2.LaunchTemplate`, `CfnLaunchTemplate`), launch
 * configuration, auto-scaling group (`autoscaling.AutoScalingGroup`, `CfnAutoScalingGroup`,
 * including those of `Cluster.addAutoScalingGroupCapacity`) and EKS managed node group
 * (aws-eks and aws-eks-v2 `Nodegroup`, `CfnNodegroup`) in scope, whatever module made them:
 *
 * - a launch template or launch configuration defined in the app gets the two values where it
 *   leaves them unset (`ENFORCE`); a value the user set otherwise is reported and kept, unless
 *   `overrideExplicitSettings`. `HttpEndpoint: disabled` (no IMDS at all) is accepted as it is;
 * - a group that launches from a template or configuration of the app gets it secured, even
 *   when the template is outside the aspect's scope; when the group pins a version other than
 *   the template's latest, a warning says that an existing template's change will not reach it;
 * - a managed node group without a launch template is reported: EKS then gives it a launch
 *   template of its own with a hop limit of 2. The aspect does not add one, because EKS cannot
 *   add a launch template to an existing node group and an aspect cannot tell new from existing;
 * - a group whose template is defined outside the app (a literal ID or name, an imported
 *   template), or that is made from an instance, is reported: it can be neither checked nor set.
 *
 * Raw overrides count: a deletion override of the options leaves them unset, and a launch
 * template attached (or removed) by override is followed. Findings name the construct, what is
 * wrong and the fix. A construct whose pods must reach IMDS can be exempted, with a reason, with
 * `BlockInstanceMetadataForPods.exempt()`. Add the aspect to every `Stage` as well (aws-cdk-lib
 * never applies an app's aspects inside a Stage): a Stage with nodes that it cannot reach fails
 * synth, naming the Stage.
 *
 * @see https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
 * @see https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html
 *
 * @example
 * BlockInstanceMetadataForPods.applyTo(this);
 */
export class BlockInstanceMetadataForPods implements IAspect {
  /**
   * Adds the aspect to every node below `scope` (an App, a Stage, a Stack) as a mutating aspect,
   * `Aspects.of(scope).add(aspect, { priority: AspectPriority.MUTATING })`, so that it runs
   * before read-only aspects (cdk-nag's packs, say), which then see the nodes it secured. Added
   * at a later priority, it warns (`cdk-irsa:imdsAspectPriority`).
   *
   * @param scope the construct whose nodes to secure
   * @param props options of the aspect
   * @returns the aspect added
   */
  public static applyTo(scope: IConstruct, props: BlockInstanceMetadataForPodsProps = {}): BlockInstanceMetadataForPods {
    const aspect = new BlockInstanceMetadataForPods(props);
    Aspects.of(scope).add(aspect, { priority: AspectPriority.MUTATING });
    return aspect;
  }

  /**
   * Exempts a construct and everything below it from the aspect, with the reason, which is
   * recorded in the cloud assembly.
   *
   * Exempt the construct that carries the setting: the launch template whose instances' pods
   * must reach IMDS (an auto-scaling group made by aws-cdk-lib holds its own launch template or
   * configuration), or a node group without a launch template. Exempting a group does not
   * exempt a launch template defined elsewhere: the aspect still secures it if it is in scope.
   *
   * @param scope the construct to leave alone
   * @param reason why its pods may reach the instance metadata service
   */
  public static exempt(scope: IConstruct, reason: string): void {
    if (reason.trim().length === 0) {
      fail('exempting a construct from BlockInstanceMetadataForPods needs a reason, for whoever reviews the nodes later.', scope);
    }
    scope.node.addMetadata(EXEMPTION, { reason });
  }

  private readonly mode: BlockInstanceMetadataMode;
  private readonly severity: BlockInstanceMetadataSeverity;
  private readonly overrideExplicitSettings: boolean;
  /** Launch templates and configurations handled, and whether this aspect changed them. */
  private readonly secured = new Map<CfnResource, boolean>();
  private readonly checkedGroups = new Set<CfnResource>();
  /** The constructs the aspect was added to. */
  private readonly roots = new WeakSet<IConstruct>();

  constructor(props: BlockInstanceMetadataForPodsProps = {}) {
    this.mode = props.mode ?? BlockInstanceMetadataMode.ENFORCE;
    this.severity = props.severity ?? BlockInstanceMetadataSeverity.ERROR;
    this.overrideExplicitSettings = props.overrideExplicitSettings ?? false;
    if (this.overrideExplicitSettings && this.mode === BlockInstanceMetadataMode.REPORT) {
      fail('overrideExplicitSettings needs mode BlockInstanceMetadataMode.ENFORCE: BlockInstanceMetadataMode.REPORT changes nothing.');
    }
  }

  /**
   * Secures or reports one construct, if it is a launch template, launch configuration,
   * auto-scaling group or managed node group.
   */
  public visit(node: IConstruct): void {
    if (!node.node.scopes.some((a) => this.roots.has(a))) {
      this.roots.add(node);
      validateAtSynth(node, () => this.refuseUnreachableStages(node));
      this.warnOfLatePriority(node);
    }
    if (!CfnResource.isCfnResource(node) || exempted(node)) {
      return;
    }
    const type = renderedType(node);
    if (NODE_TYPES.includes(type) && (node.constructor as any)?.CFN_RESOURCE_TYPE_NAME !== type) {
      this.report(node, FINDING.UNREADABLE, `${KINDS[type]} ${owner(node).node.path} is a CfnResource of type ${type} that is not the typed L1 `
        + '(ec2.CfnLaunchTemplate, autoscaling.CfnLaunchConfiguration, autoscaling.CfnAutoScalingGroup, eks.CfnNodegroup), or whose Type an override '
        + `changed: its instance metadata options can be neither checked nor set. Define it with the typed L1. ${EXEMPT_HINT}`);
      return;
    }
    switch (type) {
      case LAUNCH_TEMPLATE:
      case LAUNCH_CONFIGURATION:
        this.secure(node);
        break;
      case AUTO_SCALING_GROUP:
        this.checkGroup(node, autoScalingGroupSources(node));
        break;
      case NODEGROUP:
        this.checkNodegroup(node);
        break;
    }
  }

  /**
   * A mutating aspect added after mutating priority may run after read-only aspects of the same
   * or an earlier priority (cdk-nag's, added without one), which then report nodes it secures.
   */
  private warnOfLatePriority(root: IConstruct): void {
    const priority = Aspects.of(root).applied.find((a) => a.aspect === this)?.priority;
    if (priority !== undefined && priority > AspectPriority.MUTATING) {
      Annotations.of(root).addWarningV2('cdk-irsa:imdsAspectPriority', `BlockInstanceMetadataForPods was added to ${root.node.path || 'the app'} `
        + `at priority ${priority}, after mutating priority (AspectPriority.MUTATING, ${AspectPriority.MUTATING}): aspects that read the nodes at the `
        + 'same or an earlier priority (cdk-nag\'s packs, added without one) may run before it and report what it then secures. Add it with '
        + 'BlockInstanceMetadataForPods.applyTo(scope), or with { priority: AspectPriority.MUTATING }.');
    }
  }

  /** Refuses Stages below the construct the aspect was added to that hold nodes it never saw (see `uncoveredStages`). */
  private refuseUnreachableStages(root: IConstruct): string[] {
    const stage = Stage.isStage(root) ? root : Stage.of(root);
    const nodes = root.node.findAll()
      .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && NODE_TYPES.includes(renderedType(c)) && Stage.of(c) !== stage);
    return uncoveredStages(nodes, (a) => Aspects.of(a).all.some((x) => x instanceof BlockInstanceMetadataForPods)).map((s) =>
      `BlockInstanceMetadataForPods was added to ${aspectRoot(root)}, but Stage ${q(s.stage.node.path)} below it holds launch templates, `
      + `launch configurations, auto-scaling groups or node groups that it cannot reach (${namedResources(s, (n) => owner(n).node.path)}): `
      + 'aws-cdk-lib synthesizes a Stage, and writes its '
      + 'templates, before it applies the aspects of the app or Stage around it, and never applies those inside it. Add the aspect to that '
      + 'Stage too: BlockInstanceMetadataForPods.applyTo(stage).');
  }

  /** Checks and, where allowed, sets the options of a template or configuration, once; says whether it changed them. */
  private secure(resource: CfnResource): boolean {
    const known = this.secured.get(resource);
    if (known !== undefined) {
      return known;
    }
    let changed = false;
    if (!exempted(resource)) {
      changed = this.secureOnce(resource);
    }
    this.secured.set(resource, changed);
    return changed;
  }

  private secureOnce(resource: CfnResource): boolean {
    const subject = describe(resource);
    const reading = readMetadataOptions(resource);
    if (reading.unreadable) {
      this.report(resource, FINDING.UNREADABLE, `${subject}: its metadata options cannot be checked or set, because ${reading.unreadable}. `
        + `Give them as literal values (HttpTokens "${REQUIRED_TOKENS}", HttpPutResponseHopLimit ${REQUIRED_HOP_LIMIT}). ${EXEMPT_HINT}`);
      return false;
    }
    const { unset, conflicts } = evaluate(reading.values);
    if (unset.length === 0 && conflicts.length === 0) {
      return false;
    }
    if (this.mode === BlockInstanceMetadataMode.REPORT) {
      const problems = [...conflicts.map((c) => c.problem), ...unset.map(unsetProblem)];
      this.report(resource, FINDING.NOT_BLOCKED, `${subject} ${problems.join(' and ')}: ${EXPOSED} Set ${fixFor(resource)}`
        + `${conflicts.length === 0 ? ', or let BlockInstanceMetadataForPods set it (BlockInstanceMetadataMode.ENFORCE)' : ''}. ${EXEMPT_HINT}`);
      return false;
    }
    const toSet: SettableOption[] = [...unset];
    if (conflicts.length > 0 && this.overrideExplicitSettings) {
      toSet.push(...conflicts.map((c) => c.name));
      Annotations.of(owner(resource)).addInfo(`[${FINDING.OVERRIDDEN}] ${subject}: BlockInstanceMetadataForPods replaced `
        + `${conflicts.map((c) => `${c.name} ${describeValue(reading.values[c.name])}`).join(' and ')} with `
        + `${conflicts.map((c) => `${c.name} ${JSON.stringify(c.name === 'HttpTokens' ? REQUIRED_TOKENS : REQUIRED_HOP_LIMIT)}`).join(' and ')}, `
        + 'as overrideExplicitSettings allows.');
    } else if (conflicts.length > 0) {
      this.report(resource, FINDING.EXPLICIT_SETTING, `${subject} ${conflicts.map((c) => c.problem).join(' and ')}: ${EXPOSED} `
        + `Set ${fixFor(resource)}, or let BlockInstanceMetadataForPods replace the value (overrideExplicitSettings: true). ${EXEMPT_HINT}`);
    }
    if (toSet.length > 0) {
      writeMetadataOptions(resource, reading, toSet);
    }
    return toSet.length > 0;
  }

  private checkNodegroup(nodegroup: CfnResource): void {
    const source = nodegroupSource(nodegroup);
    if (source) {
      this.checkGroup(nodegroup, [source]);
      return;
    }
    if (this.checkedGroups.has(nodegroup)) {
      return;
    }
    this.checkedGroups.add(nodegroup);
    const l1 = nodegroup as any;
    const refused: string[] = [];
    const moves: string[] = [];
    if (l1.diskSize !== undefined) {
      refused.push('diskSize');
      moves.push('size the root volume in the template\'s blockDevices');
    }
    if (l1.remoteAccess !== undefined) {
      refused.push('remoteAccess');
      moves.push('give the template a keyPair and security groups');
    }
    this.report(nodegroup, FINDING.NO_LAUNCH_TEMPLATE, `${describe(nodegroup)} has no launch template, so EKS gives it one of its own with a hop `
      + 'limit of 2: pods can take the node role\'s credentials from the instance metadata service. Give the node group a launch template '
      + '(launchTemplateSpec) that requires IMDSv2 with a hop limit of 1, such as an ec2.LaunchTemplate of this app, which this aspect completes. '
      + (refused.length > 0 ? `EKS refuses ${refused.join(' and ')} next to a launch template: ${moves.join(', and ')}. ` : '')
      + 'EKS cannot add a launch template to an existing node group: create a new node group and move the workloads to it. '
      + EXEMPT_HINT);
  }

  private checkGroup(group: CfnResource, sources: LaunchSource[]): void {
    if (this.checkedGroups.has(group)) {
      return;
    }
    this.checkedGroups.add(group);
    const subject = describe(group);
    for (const source of sources) {
      if (source.kind === 'unreadable') {
        this.report(group, FINDING.UNREADABLE, `${subject}: what it launches instances from cannot be read, because ${source.description}. `
          + `Give the launch template as a literal specification. ${EXEMPT_HINT}`);
      } else if (source.kind === 'external') {
        this.report(group, FINDING.EXTERNAL_SOURCE, `${subject} launches instances from ${source.description}: whether they require IMDSv2 `
          + 'with a hop limit of 1 can be neither checked nor set here. Define the launch template in this app, or make sure it requires '
          + 'IMDSv2 with a hop limit of 1 and exempt the group: BlockInstanceMetadataForPods.exempt(construct, reason).');
      } else if (this.secure(source.resource) && source.version && !source.version.latest) {
        warn(group, FINDING.TEMPLATE_VERSION, `[${FINDING.TEMPLATE_VERSION}] ${subject} uses `
          + `${describe(source.resource)} at ${source.version.description}, not its latest version. BlockInstanceMetadataForPods changed `
          + 'the template: if the template already exists, CloudFormation adds a new version and leaves the default version where it was, '
          + 'so this group keeps launching instances without the change. Use the template\'s latest version '
          + '(ec2.LaunchTemplate.latestVersionNumber, or the LatestVersionNumber attribute).');
      }
    }
  }

  private report(resource: CfnResource, id: string, message: string): void {
    const text = `[${id}] ${message}`;
    if (this.severity === BlockInstanceMetadataSeverity.ERROR) {
      Annotations.of(owner(resource)).addError(text);
    } else {
      warn(resource, id, text);
    }
  }
}

/**
 * Adds a warning on the L1 resource itself, below the construct the user made: aws-cdk-lib
 * before 2.271 applies `Annotations.of(x).acknowledgeWarning()` to warnings added later only
 * below `x`, so a warning on the owner could not be acknowledged on the owner.
 */
function warn(resource: CfnResource, id: string, text: string): void {
  Annotations.of(resource).addWarningV2(id, text);
}

interface Conflict {
  readonly name: SettableOption;
  readonly problem: string;
}

/** Which required values are unset, and which are set to something else. */
function evaluate(values: Partial<Record<MetadataOptionName, unknown>>): { unset: SettableOption[]; conflicts: Conflict[] } {
  const unset: SettableOption[] = [];
  const conflicts: Conflict[] = [];
  if (values.HttpEndpoint === 'disabled') {
    return { unset, conflicts }; // no instance metadata service at all
  }
  const tokens = values.HttpTokens;
  if (tokens === undefined) {
    unset.push('HttpTokens');
  } else if (Token.isUnresolved(tokens)) {
    conflicts.push({ name: 'HttpTokens', problem: 'sets HttpTokens to a value known only at deploy (it cannot be checked)' });
  } else if (tokens !== REQUIRED_TOKENS) {
    conflicts.push({ name: 'HttpTokens', problem: `sets HttpTokens to ${JSON.stringify(tokens)} (IMDSv1 answers pods whatever the hop limit)` });
  }
  const hopLimit = values.HttpPutResponseHopLimit;
  if (hopLimit === undefined) {
    unset.push('HttpPutResponseHopLimit');
  } else if (Token.isUnresolved(hopLimit)) {
    conflicts.push({ name: 'HttpPutResponseHopLimit', problem: 'sets HttpPutResponseHopLimit to a value known only at deploy (it cannot be checked)' });
  } else if (hopLimit !== REQUIRED_HOP_LIMIT && hopLimit !== String(REQUIRED_HOP_LIMIT)) { // CloudFormation accepts "1" too
    conflicts.push({
      name: 'HttpPutResponseHopLimit',
      problem: `sets HttpPutResponseHopLimit to ${JSON.stringify(hopLimit)} (IMDSv2 token responses reach pods)`,
    });
  }
  return { unset, conflicts };
}

function unsetProblem(name: SettableOption): string {
  return name === 'HttpTokens'
    ? 'leaves HttpTokens unset (IMDSv1 then answers, unless the AMI or the account\'s IMDS defaults require IMDSv2)'
    : 'leaves HttpPutResponseHopLimit unset (the AMI or the account\'s IMDS defaults then decide: 2 for AMIs that require IMDSv2, '
      + 'such as Amazon Linux 2023)';
}

/** How to require IMDSv2 with a hop limit of 1 on this kind of resource. */
function fixFor(resource: CfnResource): string {
  return resource.cfnResourceType === LAUNCH_TEMPLATE
    ? 'requireImdsv2: true and httpPutResponseHopLimit: 1 (CfnLaunchTemplate: LaunchTemplateData.MetadataOptions '
      + `{ HttpTokens: "${REQUIRED_TOKENS}", HttpPutResponseHopLimit: ${REQUIRED_HOP_LIMIT} })`
    : `MetadataOptions { HttpTokens: "${REQUIRED_TOKENS}", HttpPutResponseHopLimit: ${REQUIRED_HOP_LIMIT} }`;
}

/** The construct users know a resource by: its L2 when the resource is the L2's default child. */
function owner(resource: CfnResource): IConstruct {
  const scope = resource.node.scope;
  return scope && scope.node.defaultChild === resource ? scope : resource;
}

const KINDS: Record<string, string> = {
  [LAUNCH_TEMPLATE]: 'launch template',
  [LAUNCH_CONFIGURATION]: 'launch configuration',
  [AUTO_SCALING_GROUP]: 'auto-scaling group',
  [NODEGROUP]: 'managed node group',
};

function describe(resource: CfnResource): string {
  return `${KINDS[resource.cfnResourceType]} ${owner(resource).node.path}`;
}

function exempted(construct: IConstruct): boolean {
  for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
    if (c.node.metadata.some((m) => m.type === EXEMPTION)) {
      return true;
    }
  }
  return false;
}
