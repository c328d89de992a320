/**
 * What cdk-irsa needs to know about AWS regions, from aws-cdk-lib's region table, looked up once
 * per region: `RegionInfo.get(region).partition` searches the table on every read, which is
 * measurable with hundreds of service accounts.
 */
import { Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/** The facts of one region. */
export interface RegionFacts {
  readonly partition?: string;
  readonly domainSuffix?: string;
}

const byName = new Map<string, RegionFacts>();

/** The facts of a region given literally; `undefined` for a token or no region. */
export function regionFacts(region: string | undefined): RegionFacts | undefined {
  if (region === undefined || Token.isUnresolved(region)) {
    return undefined;
  }
  let facts = byName.get(region);
  if (!facts) {
    const info = RegionInfo.get(region);
    facts = { partition: info.partition, domainSuffix: info.domainSuffix };
    byName.set(region, facts);
  }
  return facts;
}

/** The partition (`aws`, `aws-cn`, …) of a literal region that aws-cdk-lib knows; else `undefined`. */
export function partitionOfRegion(region: string | undefined): string | undefined {
  return regionFacts(region)?.partition;
}

/** The partition of a stack's region, where the region is literal and known to aws-cdk-lib. */
export function partitionOf(stack: Stack): string | undefined {
  return partitionOfRegion(stack.region);
}

/** The longest region name, domain suffix and partition of aws-cdk-lib's region table. */
export const LONGEST_REGION = Math.max(...RegionInfo.regions.map((r) => r.name.length));
export const LONGEST_DOMAIN_SUFFIX = Math.max(...RegionInfo.regions.map((r) => (r.domainSuffix ?? '').length));
export const LONGEST_PARTITION = Math.max(...RegionInfo.regions.map((r) => (r.partition ?? '').length));

/** The longest value each pseudo parameter takes. */
export const PSEUDO_PARAMETER_BOUNDS: { readonly [ref: string]: number } = {
  'AWS::AccountId': 12,
  'AWS::Partition': LONGEST_PARTITION,
  'AWS::Region': LONGEST_REGION,
  'AWS::URLSuffix': LONGEST_DOMAIN_SUFFIX,
};
