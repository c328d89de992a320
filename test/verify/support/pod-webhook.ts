/**
 * STAND-IN for the Amazon EKS pod identity webhook (github.com/aws/amazon-eks-pod-identity-webhook,
 * pkg/handler/handler.go and pkg/cache/cache.go): the same annotation reading, defaults and pod
 * mutation, re-implemented here because no API server or webhook can run in this sandbox.
 *
 * ServiceAccount annotations (prefix eks.amazonaws.com/): role-arn (no role, no mutation),
 * audience (default the webhook flag, sts.amazonaws.com), sts-regional-endpoints ("true"/"false",
 * default the webhook flag, true on current EKS), token-expiration (seconds, default 86400, raised
 * to 3600 when lower). Pod annotations: token-expiration (overrides), skip-containers (CSV).
 */

export const ANNOTATION_DOMAIN = 'eks.amazonaws.com';
export const MOUNT_PATH = '/var/run/secrets/eks.amazonaws.com/serviceaccount';
export const TOKEN_FILE = `${MOUNT_PATH}/token`;
export const VOLUME_NAME = 'aws-iam-token';
const DEFAULT_TOKEN_EXPIRATION = 86400;
const MIN_TOKEN_EXPIRATION = 3600;
const ROLE_ARN = /^arn:aws[a-z0-9-]*:iam::\d{12}:role\/[\w\-/.@+=,]+$/;

/** The webhook's flags (EKS runs it with the cluster's region and regional STS on). */
export interface WebhookFlags {
  readonly region?: string;
  readonly defaultAudience?: string;
  readonly defaultRegionalSts?: boolean;
  readonly defaultTokenExpiration?: number;
}

/** What the webhook's service account cache holds for one ServiceAccount. */
export interface ServiceAccountEntry {
  readonly roleArn?: string;
  readonly audience: string;
  readonly regionalSts: boolean;
  readonly tokenExpiration: number;
}

function parseBool(value: string): boolean | undefined {
  // Go's strconv.ParseBool
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

function parseSeconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^[+-]?\d+$/.test(value)) {
    return undefined;
  }
  return Math.max(Number(value), MIN_TOKEN_EXPIRATION);
}

/** Reads a ServiceAccount's annotations as the webhook's cache does. */
export function serviceAccountEntry(serviceAccount: any, flags: WebhookFlags = {}): ServiceAccountEntry {
  const annotations: Record<string, string> = serviceAccount.metadata?.annotations ?? {};
  const get = (name: string) => annotations[`${ANNOTATION_DOMAIN}/${name}`];
  const roleArn = get('role-arn');
  if (roleArn !== undefined && !ROLE_ARN.test(roleArn)) {
    // The webhook only logs a warning and mutates anyway; the pod then fails at STS. Fail early here.
    throw new Error(`ServiceAccount ${serviceAccount.metadata?.namespace}/${serviceAccount.metadata?.name}: role-arn ${JSON.stringify(roleArn)} is not a role ARN`);
  }
  const regional = get('sts-regional-endpoints');
  return {
    roleArn,
    audience: get('audience') ?? flags.defaultAudience ?? 'sts.amazonaws.com',
    regionalSts: (regional !== undefined ? parseBool(regional) : undefined) ?? flags.defaultRegionalSts ?? true,
    tokenExpiration: parseSeconds(get('token-expiration')) ?? flags.defaultTokenExpiration ?? DEFAULT_TOKEN_EXPIRATION,
  };
}

/** Returns the pod as the webhook would admit it (a copy; the input is left alone). */
export function mutatePod(podIn: any, serviceAccount: any, flags: WebhookFlags = {}): any {
  const pod = JSON.parse(JSON.stringify(podIn));
  const namespace = pod.metadata?.namespace ?? 'default';
  const serviceAccountName = pod.spec?.serviceAccountName ?? 'default';
  if (serviceAccount.metadata?.name !== serviceAccountName || (serviceAccount.metadata?.namespace ?? 'default') !== namespace) {
    return pod; // the cache has no entry for the pod's service account
  }
  const entry = serviceAccountEntry(serviceAccount, flags);
  if (!entry.roleArn) {
    return pod;
  }
  const podAnnotations: Record<string, string> = pod.metadata?.annotations ?? {};
  const tokenExpiration = parseSeconds(podAnnotations[`${ANNOTATION_DOMAIN}/token-expiration`]) ?? entry.tokenExpiration;
  const skip = new Set((podAnnotations[`${ANNOTATION_DOMAIN}/skip-containers`] ?? '').split(',').map((s) => s.trim()).filter(Boolean));

  const addEnv = (container: any) => {
    if (skip.has(container.name)) {
      return;
    }
    const env: any[] = container.env ?? [];
    const has = (...names: string[]) => env.some((e) => names.includes(e.name));
    const reserved = has('AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE');
    const region = has('AWS_REGION', 'AWS_DEFAULT_REGION');
    const sts = has('AWS_STS_REGIONAL_ENDPOINTS');
    if (!sts && entry.regionalSts) {
      env.push({ name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' });
    }
    if (!region && flags.region) {
      env.push({ name: 'AWS_DEFAULT_REGION', value: flags.region }, { name: 'AWS_REGION', value: flags.region });
    }
    if (!reserved) {
      env.push({ name: 'AWS_ROLE_ARN', value: entry.roleArn }, { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: TOKEN_FILE });
    }
    container.env = env;
    const mounts: any[] = container.volumeMounts ?? [];
    if (!mounts.some((m) => m.name === VOLUME_NAME)) {
      mounts.push({ name: VOLUME_NAME, readOnly: true, mountPath: MOUNT_PATH });
    }
    container.volumeMounts = mounts;
  };
  (pod.spec.initContainers ?? []).forEach(addEnv);
  (pod.spec.containers ?? []).forEach(addEnv);

  const volumes: any[] = pod.spec.volumes ?? [];
  if (!volumes.some((v) => v.name === VOLUME_NAME)) {
    volumes.unshift({
      name: VOLUME_NAME,
      projected: { sources: [{ serviceAccountToken: { audience: entry.audience, expirationSeconds: tokenExpiration, path: 'token' } }] },
    });
  }
  pod.spec.volumes = volumes;
  return pod;
}

/** The projected token source of a mutated pod. */
export function projectedToken(pod: any): { audience: string; expirationSeconds: number; path: string } {
  const volume = (pod.spec.volumes ?? []).find((v: any) => v.name === VOLUME_NAME);
  const source = volume?.projected?.sources?.find((s: any) => s.serviceAccountToken)?.serviceAccountToken;
  if (!source) {
    throw new Error('the pod has no projected service account token volume');
  }
  return source;
}

/** The environment of a container of a mutated pod, as a plain map. */
export function containerEnv(pod: any, containerName?: string): Record<string, string> {
  const container = (pod.spec.containers ?? []).find((c: any) => containerName === undefined || c.name === containerName);
  return Object.fromEntries((container?.env ?? []).map((e: any) => [e.name, e.value]));
}
