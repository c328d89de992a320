import type { CloudWatchObservabilityPolicyOptions } from '../../addon-policy-options';
import { allow, arn, ArnContext, PresetStatements } from './context';

/**
 * The Amazon CloudWatch Observability add-on (CloudWatch agent and Fluent Bit): the actions of
 * `CloudWatchAgentServerPolicy`, with log groups scoped to Container Insights (of the cluster, if
 * named) and Application Signals.
 */
export function cloudWatchObservabilityStatements(ctx: ArnContext, options: CloudWatchObservabilityPolicyOptions): PresetStatements {
  const logGroup = (name: string) => arn(ctx, 'logs', ctx.region, ctx.account, `log-group:${name}`);
  return {
    core: [
      allow('PutMetricsAndTraces', [
        'cloudwatch:PutMetricData',
        'ec2:DescribeTags',
        'ec2:DescribeVolumes',
        'xray:GetSamplingRules',
        'xray:GetSamplingStatisticSummaries',
        'xray:GetSamplingTargets',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ], ['*']),
      // DescribeLogGroups has no resource-level permissions: on an ARN it would be granted nothing.
      allow('DescribeLogGroups', ['logs:DescribeLogGroups'], ['*']),
      allow('WriteLogs', [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:DescribeLogStreams',
        'logs:PutLogEvents',
        'logs:PutRetentionPolicy',
      ], [
        logGroup(`/aws/containerinsights/${options.clusterName ?? '*'}/*`),
        logGroup('/aws/application-signals/data'),
        logGroup('/aws/application-signals/data:*'),
      ]),
      allow('ReadAgentConfiguration', ['ssm:GetParameter'], [arn(ctx, 'ssm', ctx.region, ctx.account, 'parameter/AmazonCloudWatch-*')]),
    ],
    extra: [],
  };
}
