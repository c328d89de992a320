import type { ExternalDnsPolicyOptions } from '../../addon-policy-options';
import { allow, ArnContext, PresetStatements } from './context';

/** ExternalDNS with the AWS (Route 53) provider, scoped to the hosted zones given. */
export function externalDnsStatements(_ctx: ArnContext, options: ExternalDnsPolicyOptions): PresetStatements {
  const zones = options.hostedZones.map((zone) => zone.hostedZoneArn);
  return {
    core: [
      allow('ListHostedZones', ['route53:ListHostedZones'], ['*']),
      allow('ManageRecords', ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'], zones),
    ],
    extra: [],
  };
}
