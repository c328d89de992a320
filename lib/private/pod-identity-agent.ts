import { Annotations, CfnResource, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import { Construct, IConstruct, IDependable } from 'constructs';
import { v2ClusterResource } from './eks-v2-cluster-resource';
import { q } from './errors';
import { PerApp } from './per-app';
import { shortHash } from './provider-registry';

/** The EKS add-on that serves Pod Identity credentials to pods. */
export const AGENT_ADDON_NAME = 'eks-pod-identity-agent';

/** Agents by cluster (owned clusters) or cluster identity (imported ones), per app: never two. */
const agentsOfClusters = new WeakMap<IConstruct, IDependable>();
const agentsByKey = new PerApp<IDependable>();

/**
 * The agent of a cluster made in this app: an add-on for it that exists already anywhere in
 * the cluster's stack (the user's, left as it is), or else the cluster's own
 * (`cluster.eksPodIdentityAgent`, which aws-cdk-lib creates once and caches). Every association of
 * the cluster needs the agent, so the cluster's own is retained like the add-on cdk-irsa installs
 * for imported clusters (`removalPolicy`), and EKS keeps the agent running if the add-on resource
 * is ever deleted (`preserveOnDelete`): going back to IRSA, or removing the last Pod Identity
 * service account, must not uninstall the agent cluster-wide.
 */
export function agentOfCluster(cluster: eks.ICluster | eksv2.ICluster, removalPolicy: RemovalPolicy): IDependable | undefined {
  const known = agentsOfClusters.get(cluster);
  if (known) {
    return known;
  }
  const stack = Stack.of(cluster);
  const clusterName = JSON.stringify(stack.resolve(cluster.clusterName));
  // An L1 of aws-eks or of aws-eks-v2 (which has an L1 class of its own, with the same properties).
  const existing = stack.node.findAll().find((c): c is eks.CfnAddon =>
    CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::EKS::Addon'
    && (c as eks.CfnAddon).addonName === AGENT_ADDON_NAME
    && JSON.stringify(stack.resolve((c as eks.CfnAddon).clusterName)) === clusterName);
  // EKS Auto Mode runs the agent itself: no add-on unless the app has one already.
  const own = existing || isAutoMode(cluster) ? undefined : cluster.eksPodIdentityAgent;
  const resource = existing ?? own?.node.defaultChild;
  if (CfnResource.isCfnResource(resource) && resource.cfnResourceType === 'AWS::EKS::Addon') {
    retainUnlessSet(resource as eks.CfnAddon, removalPolicy);
  }
  const agent = existing ?? own;
  if (agent) {
    agentsOfClusters.set(cluster, agent);
  }
  return agent;
}

/**
 * Retains the agent add-on that cdk-irsa uses (aws-cdk-lib's, or one the app declared, which may
 * be aws-cdk-lib's too when code read `cluster.eksPodIdentityAgent` first), and lets EKS keep the
 * agent running if the resource is ever deleted; a deletion policy or `preserveOnDelete` that the
 * app set on it stays as it is.
 */
function retainUnlessSet(addon: eks.CfnAddon, removalPolicy: RemovalPolicy): void {
  if (addon.preserveOnDelete === undefined) {
    addon.preserveOnDelete = removalPolicy !== RemovalPolicy.DESTROY;
  }
  if (addon.cfnOptions.deletionPolicy === undefined) {
    addon.applyRemovalPolicy(removalPolicy);
  }
}

/** Whether an aws-eks-v2 cluster made in this app uses EKS Auto Mode (aws-eks-v2's default capacity type). */
export function isAutoMode(cluster: eks.ICluster | eksv2.ICluster): boolean {
  const computeConfig = v2ClusterResource(cluster)?.computeConfig as eksv2.CfnCluster.ComputeConfigProperty | undefined;
  return computeConfig !== undefined && !Token.isUnresolved(computeConfig) && computeConfig.enabled === true;
}

/**
 * An agent add-on for a cluster made outside the app, created once per cluster (by `key`:
 * account, region and name) in the whole app, in the stack of the first service account that
 * asks; its construct ID derives from the stable `identity`. Every association of the cluster
 * needs it, so unless told otherwise it is retained, and EKS keeps the agent running if the
 * add-on resource is ever deleted (`preserveOnDelete`).
 */
export function installAgent(scope: IConstruct, clusterName: string, key: string, identity: string, removalPolicy: RemovalPolicy): IDependable {
  const agents = agentsByKey.of(scope);
  let agent = agents.get(key);
  if (!agent) {
    const addon = new eks.CfnAddon(Stack.of(scope) as Construct, `IrsaPodIdentityAgent${shortHash(identity)}`, {
      clusterName,
      addonName: AGENT_ADDON_NAME,
      preserveOnDelete: removalPolicy !== RemovalPolicy.DESTROY,
    });
    addon.applyRemovalPolicy(removalPolicy);
    agent = addon;
    agents.set(key, agent);
  } else if (Stack.of(agent as IConstruct) !== Stack.of(scope)) {
    // Which stack installs it follows the order of the code: a stack declared earlier with
    // installPodIdentityAgent would install it next time, and fail as the add-on exists.
    Annotations.of(Stack.of(scope)).addWarningV2('cdk-irsa:agentHomeByOrder', `The EKS Pod Identity agent add-on of cluster ${clusterName} is `
      + `installed by stack ${Stack.of(agent as IConstruct).node.path}, whose service accounts come first in the app, and this stack uses it. `
      + 'Which stack installs it follows the order of the code: a stack declared before it would install it again, and that deploy fails '
      + 'as the add-on exists. Give installPodIdentityAgent: true to the cluster in one stack, and podIdentityAgentInstalled: true in the others.');
  }
  return agent;
}

/**
 * The warning for a Pod Identity service account of a cluster whose agent cdk-irsa neither knows
 * of nor installs (an imported cluster, or one known by its attributes), unless told it runs.
 */
export function warnAgentUnknown(scope: IConstruct, clusterName: string, known: string, factory: string): void {
  Annotations.of(scope).addWarningV2('cdk-irsa:podIdentityAgentUnknown', `${scope.node.path} uses EKS Pod Identity on cluster `
    + `${q(clusterName)}, which is ${known}: cdk-irsa cannot tell whether the Pod Identity agent runs there, and `
    + `without it pods get no credentials. Say so in ${factory}: podIdentityAgentInstalled: `
    + 'true where the eks-pod-identity-agent add-on is installed or the cluster uses EKS Auto Mode, or installPodIdentityAgent: true to install it from here.');
}
