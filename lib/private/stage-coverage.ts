import { Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { q } from './errors';

/** A Stage that an aspect cannot reach, with the resources of it that the aspect would have needed to see. */
export interface UncoveredStage<T extends IConstruct = IConstruct> {
  readonly stage: Stage;
  readonly resources: T[];
}

/** How many of an uncovered Stage's resources a message names. */
const NAMED = 3;

/**
 * aws-cdk-lib synthesizes every Stage below the one being synthesized first, each with only the
 * aspects added inside it, and writes its assembly; the aspects of the app or outer Stage never
 * reach into it. An aspect that must see every resource therefore has to be added inside each
 * Stage. This returns the Stages of the given resources in which no construct between the
 * resource and its Stage (the Stage included) carries such an aspect, each with its resources.
 */
export function uncoveredStages<T extends IConstruct>(resources: T[], carriesAspect: (construct: IConstruct) => boolean): UncoveredStage<T>[] {
  const out: { stage: Stage; resources: T[] }[] = [];
  for (const resource of resources) {
    const stage = Stage.of(resource);
    if (!stage) {
      continue;
    }
    const known = out.find((u) => u.stage === stage);
    if (known) {
      known.resources.push(resource);
      continue;
    }
    const scopes = resource.node.scopes;
    const within = scopes.slice(scopes.indexOf(stage));
    if (!within.some(carriesAspect)) {
      out.push({ stage, resources: [resource] });
    }
  }
  return out;
}

/**
 * The paths of an uncovered Stage's resources, for a message (the first few, and how many more):
 * the validation that reports the Stage may be on the app, whose path aws-cdk-lib shows as `[]`,
 * so the message itself names the Stage and what in it is affected.
 */
export function namedResources<T extends IConstruct>(uncovered: UncoveredStage<T>, pathOf: (resource: T) => string): string {
  const paths = [...new Set(uncovered.resources.map(pathOf))];
  const named = paths.slice(0, NAMED).join(', ');
  return paths.length > NAMED ? `${named} and ${paths.length - NAMED} more` : named;
}

/** The construct an aspect was added to, for a message: the app, whose path is empty, or the quoted path. */
export function aspectRoot(root: IConstruct): string {
  return root.node.path ? q(root.node.path) : 'the app';
}
