import type { NodeTerminationHandlerPolicyOptions } from '../../addon-policy-options';
import { allow, arn, ArnContext, PresetStatements, viaService } from './context';

/** AWS Node Termination Handler in queue processor mode, scoped to its queue. */
export function nodeTerminationHandlerStatements(ctx: ArnContext, options: NodeTerminationHandlerPolicyOptions): PresetStatements {
  const queue = options.queue;
  const statements = [
    allow('DescribeInstances', ['autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeTags', 'ec2:DescribeInstances'], ['*']),
    allow('CompleteLifecycleActions', ['autoscaling:CompleteLifecycleAction'], [
      arn(ctx, 'autoscaling', ctx.region, ctx.account, 'autoScalingGroup:*:autoScalingGroupName/*'),
    ]),
    allow('ReceiveEvents', ['sqs:DeleteMessage', 'sqs:ReceiveMessage'], [queue.queueArn]),
  ];
  if (queue.encryptionMasterKey) {
    statements.push(allow('DecryptEvents', ['kms:Decrypt'], [queue.encryptionMasterKey.keyArn], viaService(ctx, 'sqs')));
  }
  return { core: statements, extra: [] };
}
