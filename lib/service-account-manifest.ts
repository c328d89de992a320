import { Duration, Token } from 'aws-cdk-lib';
import { fail, q } from './private/errors';
import { requireValue, validateAudience } from './private/input-checks';
import { DEFAULT_AUDIENCE } from './private/issuer';
import {
  isValidLabelValue,
  validateLabelValue,
  validateNamespace,
  validateQualifiedKey,
  validateServiceAccountName,
} from './private/kubernetes-names';
import {
  optionalBoolean, optionalDuration, optionalString, optionalStringArray, optionalStringMap, requireProps, requireString,
} from './private/type-checks';
import { toYamlDocuments } from './private/yaml';

/** The annotations that the EKS pod identity webhook reads from a ServiceAccount. */
const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';
const AUDIENCE_ANNOTATION = 'eks.amazonaws.com/audience';
const STS_REGIONAL_ENDPOINTS_ANNOTATION = 'eks.amazonaws.com/sts-regional-endpoints';
const TOKEN_EXPIRATION_ANNOTATION = 'eks.amazonaws.com/token-expiration';

/** Typed options that own each webhook annotation, for messages. */
const TYPED_ANNOTATIONS: { [key: string]: string } = {
  [ROLE_ARN_ANNOTATION]: 'the role (roleArn)',
  [AUDIENCE_ANNOTATION]: 'audience',
  [STS_REGIONAL_ENDPOINTS_ANNOTATION]: 'stsRegionalEndpoints',
  [TOKEN_EXPIRATION_ANNOTATION]: 'tokenExpiration',
};

const MIN_TOKEN_EXPIRATION = Duration.hours(1);
const MAX_TOKEN_EXPIRATION = Duration.hours(24);
const NAME_LABEL = 'app.kubernetes.io/name';
const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/**
 * Options of a Kubernetes ServiceAccount beyond its name and role.
 */
export interface ServiceAccountManifestOptions {
  /**
   * Labels for the ServiceAccount. Keys and values follow Kubernetes rules (values at most
   * 63 characters).
   *
   * @default - `app.kubernetes.io/name` (the name, where it is a valid label value) and
   * `app.kubernetes.io/managed-by: cdk-irsa`
   */
  readonly labels?: { [key: string]: string };

  /**
   * More annotations. The four that the EKS pod identity webhook reads
   * (`eks.amazonaws.com/role-arn`, `audience`, `sts-regional-endpoints`, `token-expiration`)
   * are set through their typed options and refused here.
   *
   * @default - none
   */
  readonly annotations?: { [key: string]: string };

  /**
   * Whether pods use the regional STS endpoint (`eks.amazonaws.com/sts-regional-endpoints`).
   *
   * @see https://docs.aws.amazon.com/eks/latest/userguide/configure-sts-endpoint.html
   * @default - not annotated: the webhook's default, regional on current EKS versions
   */
  readonly stsRegionalEndpoints?: boolean;

  /**
   * How long the projected service account token lives
   * (`eks.amazonaws.com/token-expiration`), from 1 to 24 hours.
   *
   * @default - not annotated: 24 hours
   */
  readonly tokenExpiration?: Duration;

  /**
   * Whether pods mount the Kubernetes API token of the ServiceAccount automatically.
   * IRSA does not need it: its token is projected separately.
   *
   * @default - not set: Kubernetes mounts it
   */
  readonly automountServiceAccountToken?: boolean;

  /**
   * Names of Secrets holding registry credentials for pods of this ServiceAccount.
   *
   * @default - none
   */
  readonly imagePullSecrets?: string[];
}

/**
 * Properties of a `ServiceAccountManifest`.
 */
export interface ServiceAccountManifestProps extends ServiceAccountManifestOptions {
  /** The name of the ServiceAccount. */
  readonly name: string;

  /**
   * The namespace of the ServiceAccount.
   *
   * @default 'default'
   */
  readonly namespace?: string;

  /**
   * The ARN of the IAM role that pods of this ServiceAccount assume
   * (`eks.amazonaws.com/role-arn`).
   *
   * @default - no role annotation (EKS Pod Identity, or a role set later)
   */
  readonly roleArn?: string;

  /**
   * The audience of the projected token (`eks.amazonaws.com/audience`). It must be one of
   * the OIDC provider's client IDs and match the role's trust.
   *
   * @default 'sts.amazonaws.com' (not annotated)
   */
  readonly audience?: string;
}

/**
 * A Kubernetes v1 ServiceAccount for IAM roles for service accounts: its name, namespace,
 * the role annotation and the typed options of the EKS pod identity webhook.
 *
 * Every name, label and annotation is checked against the Kubernetes rules when the object
 * is made, so a bad value fails at synth rather than at apply time. No label derived from the
 * name breaks the 63-character limit of label values.
 *
 * @example
 * const manifest = new ServiceAccountManifest({
 *   name: 'api',
 *   namespace: 'payments',
 *   roleArn: 'arn:aws:iam::123456789012:role/payments-api',
 *   tokenExpiration: Duration.hours(12),
 * });
 * const yaml = manifest.toYaml();
 */
export class ServiceAccountManifest {
  /** The name of the ServiceAccount. */
  public readonly name: string;

  /** The namespace of the ServiceAccount. */
  public readonly namespace: string;

  /** The ARN of the role that the ServiceAccount is annotated with, if any. */
  public readonly roleArn?: string;

  private readonly labels: { [key: string]: string };
  private readonly annotations: { [key: string]: string };
  private readonly automountServiceAccountToken?: boolean;
  private readonly imagePullSecrets: string[];

  constructor(props: ServiceAccountManifestProps) {
    checkManifestPropTypes(props);
    validateServiceAccountName(props.name);
    this.name = props.name;
    this.namespace = props.namespace ?? 'default';
    validateNamespace(this.namespace);
    this.roleArn = props.roleArn;
    this.automountServiceAccountToken = props.automountServiceAccountToken;
    this.imagePullSecrets = [...(props.imagePullSecrets ?? [])];
    for (const secret of this.imagePullSecrets) {
      validateServiceAccountName(secret, 'image pull secret name');
    }

    this.labels = { ...defaultLabels(this.name), ...props.labels };
    for (const [key, value] of Object.entries(this.labels)) {
      validateQualifiedKey(key, 'label');
      validateLabelValue(key, value);
    }

    for (const key of Object.keys(props.annotations ?? {})) {
      validateQualifiedKey(key, 'annotation');
      const owner = TYPED_ANNOTATIONS[key];
      if (owner) {
        fail(`annotation ${q(key)} is set through ${owner}, not through annotations. Remove it from annotations and use that option.`);
      }
    }
    this.annotations = { ...props.annotations, ...webhookAnnotations(props) };
    validateAnnotationsSize(this.annotations, `ServiceAccount ${this.namespace}/${this.name}`);
  }

  /**
   * The ServiceAccount as a Kubernetes object, ready for a manifest. Tokens (such as a role
   * ARN known only at deploy) stay tokens.
   */
  public toJson(): any {
    return {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { ...this.labels },
        ...(Object.keys(this.annotations).length > 0 ? { annotations: { ...this.annotations } } : {}),
      },
      ...(this.automountServiceAccountToken !== undefined ? { automountServiceAccountToken: this.automountServiceAccountToken } : {}),
      ...(this.imagePullSecrets.length > 0 ? { imagePullSecrets: this.imagePullSecrets.map((name) => ({ name })) } : {}),
    };
  }

  /**
   * The ServiceAccount as a YAML document. Every value must be literal: a role ARN known
   * only at deploy cannot be written to YAML, and is a synth error.
   */
  public toYaml(): string {
    return toYamlDocuments([this.toJson()], `ServiceAccount ${this.namespace}/${this.name}`);
  }
}

/** Types that a JavaScript caller can get wrong, which would make YAML the API server refuses or reads otherwise. */
function checkManifestPropTypes(props: ServiceAccountManifestProps): void {
  requireProps(props, 'ServiceAccountManifest props', 'give at least the name of the ServiceAccount, for example { name: "api" }.');
  requireValue(props.name, 'name', 'give the name of the Kubernetes ServiceAccount.');
  requireString(props.name, 'name', 'a string, the name of the Kubernetes ServiceAccount');
  optionalString(props.namespace, 'namespace', 'a string, the namespace of the ServiceAccount');
  optionalString(props.roleArn, 'roleArn', 'a string, the ARN of the IAM role');
  optionalString(props.audience, 'audience', 'a string, for example "sts.amazonaws.com"');
  optionalBoolean(props.automountServiceAccountToken, 'automountServiceAccountToken');
  optionalBoolean(props.stsRegionalEndpoints, 'stsRegionalEndpoints');
  optionalStringArray(props.imagePullSecrets, 'imagePullSecrets', 'an array of secret names, for example ["registry"]');
  optionalStringMap(props.labels, 'labels');
  optionalStringMap(props.annotations, 'annotations');
  optionalDuration(props.tokenExpiration, 'tokenExpiration', 'Duration.hours(12)');
}

function defaultLabels(name: string): { [key: string]: string } {
  const labels: { [key: string]: string } = { [MANAGED_BY_LABEL]: 'cdk-irsa' };
  // A ServiceAccount name may be 253 characters long, a label value only 63: label it only where it fits.
  if (!Token.isUnresolved(name) && isValidLabelValue(name)) {
    labels[NAME_LABEL] = name;
  }
  return labels;
}

function webhookAnnotations(props: ServiceAccountManifestProps): { [key: string]: string } {
  const annotations: { [key: string]: string } = {};
  if (props.roleArn !== undefined) {
    annotations[ROLE_ARN_ANNOTATION] = props.roleArn;
  }
  if (props.audience !== undefined && !Token.isUnresolved(props.audience) && props.audience.trim().length === 0) {
    fail(`audience ${q(props.audience)} is empty. Leave it out to use "${DEFAULT_AUDIENCE}".`);
  }
  if (props.audience !== undefined) {
    validateAudience(props.audience);
  }
  if (props.audience !== undefined && props.audience !== DEFAULT_AUDIENCE) {
    annotations[AUDIENCE_ANNOTATION] = props.audience;
  }
  if (props.stsRegionalEndpoints !== undefined) {
    annotations[STS_REGIONAL_ENDPOINTS_ANNOTATION] = String(props.stsRegionalEndpoints);
  }
  if (props.tokenExpiration !== undefined) {
    annotations[TOKEN_EXPIRATION_ANNOTATION] = String(tokenExpirationSeconds(props.tokenExpiration));
  }
  return annotations;
}

function tokenExpirationSeconds(expiration: Duration): number {
  if (expiration.isUnresolved()) {
    fail('tokenExpiration must be a literal duration: the webhook reads it as a number of seconds.');
  }
  const milliseconds = expiration.toMilliseconds();
  if (milliseconds % 1000 !== 0) {
    fail(`tokenExpiration is ${expiration.toHumanString()}, not a whole number of seconds: the webhook reads it as seconds. Round it, `
      + 'for example Duration.hours(12).');
  }
  const seconds = milliseconds / 1000;
  if (seconds < MIN_TOKEN_EXPIRATION.toSeconds() || seconds > MAX_TOKEN_EXPIRATION.toSeconds()) {
    fail(`tokenExpiration is ${expiration.toHumanString()} (${seconds} seconds); EKS accepts 1 to 24 hours (3600 to 86400 seconds). `
      + 'Shorter values would be raised to an hour silently, longer ones are refused.');
  }
  return seconds;
}

/** Kubernetes' limit on the total size of an object's annotations (keys and values). */
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

function validateAnnotationsSize(annotations: { [key: string]: string }, what: string): void {
  const text = Object.entries(annotations).filter(([key, value]) => !Token.isUnresolved(key) && !Token.isUnresolved(value));
  const bytes = text.reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(String(value)), 0);
  if (bytes > MAX_ANNOTATIONS_BYTES) {
    fail(`the annotations of ${what} take ${bytes} bytes; Kubernetes accepts at most ${MAX_ANNOTATIONS_BYTES} (256 KiB) in total. `
      + 'Keep large data out of annotations (a ConfigMap holds it).');
  }
}
