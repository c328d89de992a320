import { Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * aws-cdk-lib synthesizes every Stage below the one being synthesized first, each with only the
 * aspects added inside it, and writes its assembly; the aspects of the app or outer Stage never
 * reach into it. An aspect that must see every resource therefore has to be added inside each
 * Stage. This returns the Stages of the given resources in which no construct between the
 * resource and its Stage (the Stage included) carries such an aspect.
 */
export function uncoveredStages(resources: IConstruct[], carriesAspect: (construct: IConstruct) => boolean): Stage[] {
  const out: Stage[] = [];
  for (const resource of resources) {
    const stage = Stage.of(resource);
    if (!stage || out.includes(stage)) {
      continue;
    }
    const scopes = resource.node.scopes;
    const within = scopes.slice(scopes.indexOf(stage));
    if (!within.some(carriesAspect)) {
      out.push(stage);
    }
  }
  return out;
}
