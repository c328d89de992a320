import type { CertManagerPolicyOptions } from '../../addon-policy-options';
import { allow, arn, ArnContext, Conditions, PresetStatements } from './context';

/**
 * cert-manager's ACME DNS-01 solver for Route 53, scoped to the hosted zones given and to TXT
 * records (named `_acme-challenge.*` unless that is turned off).
 */
export function certManagerStatements(ctx: ArnContext, options: CertManagerPolicyOptions): PresetStatements {
  const zones = options.hostedZones.map((zone) => zone.hostedZoneArn);
  const txtOnly: Conditions = { 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] } };
  const challengeNames: Conditions = (options.acmeChallengeRecordsOnly ?? true)
    ? { 'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] } }
    : {};
  return {
    core: [
      allow('GetChanges', ['route53:GetChange'], [arn(ctx, 'route53', '', '', 'change/*')]),
      allow('ChangeChallengeRecords', ['route53:ChangeResourceRecordSets'], zones, txtOnly, challengeNames),
      allow('ListRecords', ['route53:ListResourceRecordSets'], zones),
      allow('FindHostedZones', ['route53:ListHostedZonesByName'], ['*']),
    ],
    extra: [],
  };
}
