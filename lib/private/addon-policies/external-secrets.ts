import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { ExternalSecretsPolicyOptions } from '../../addon-policy-options';
import { allow, arn, ArnContext, PresetStatements, viaService } from './context';

/**
 * External Secrets Operator reading AWS Secrets Manager secrets and Systems Manager Parameter
 * Store parameters, scoped to the secrets, parameters and parameter paths given.
 */
export function externalSecretsStatements(ctx: ArnContext, options: ExternalSecretsPolicyOptions): PresetStatements {
  const statements = [];
  const secrets = options.secrets ?? [];
  if (secrets.length > 0) {
    statements.push(allow('ReadSecrets', [
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetResourcePolicy',
      'secretsmanager:GetSecretValue',
      'secretsmanager:ListSecretVersionIds',
    ], secrets.map(secretArnForPolicies)));
  }
  const parameters = (options.parameters ?? []).map((parameter) => parameter.parameterArn);
  const paths = options.parameterPaths ?? [];
  const parameter = (name: string) => arn(ctx, 'ssm', ctx.region, ctx.account, `parameter${name}`);
  if (parameters.length > 0 || paths.length > 0) {
    statements.push(allow('ReadParameters', ['ssm:GetParameter', 'ssm:GetParameters'], [...parameters, ...paths.map((path) => parameter(`${path}/*`))]));
  }
  if (paths.length > 0) {
    statements.push(allow('ReadParameterPaths', ['ssm:GetParametersByPath'], paths.flatMap((path) => [parameter(path), parameter(`${path}/*`)])));
  }
  const secretKeys = secrets.flatMap((secret) => secret.encryptionKey ? [secret.encryptionKey] : []);
  const keys = [...(options.kmsKeys ?? []), ...secretKeys].map((key) => key.keyArn);
  if (keys.length > 0) {
    const services = [...(secrets.length > 0 ? ['secretsmanager'] : []), ...(parameters.length > 0 || paths.length > 0 ? ['ssm'] : [])];
    statements.push(allow('DecryptSecrets', ['kms:Decrypt'], [...new Set(keys)], viaService(ctx, ...services)));
  }
  return { core: statements, extra: [] };
}

/**
 * The ARN of a secret for a policy: the full ARN where known, otherwise the partial ARN (a
 * secret imported by name) with the six random characters Secrets Manager appends.
 */
function secretArnForPolicies(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}
