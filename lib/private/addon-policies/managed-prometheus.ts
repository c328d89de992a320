import type { ManagedPrometheusPolicyOptions } from '../../addon-policy-options';
import { allow, ArnContext, PresetStatements } from './context';

/** Remote write (and, if asked, queries) to one Amazon Managed Service for Prometheus workspace. */
export function managedPrometheusStatements(_ctx: ArnContext, options: ManagedPrometheusPolicyOptions): PresetStatements {
  return {
    core: [allow('RemoteWrite', ['aps:RemoteWrite'], [options.workspaceArn])],
    extra: options.query ? [
      allow('QueryMetrics', ['aps:GetLabels', 'aps:GetMetricMetadata', 'aps:GetSeries', 'aps:QueryMetrics'], [options.workspaceArn]),
    ] : [],
  };
}
