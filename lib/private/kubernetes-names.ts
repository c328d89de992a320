import { Token } from 'aws-cdk-lib';
import { fail, q } from './errors';

/**
 * The Kubernetes naming rules that a ServiceAccount, its namespace, labels and annotations
 * must follow. The API server enforces them at apply time; we enforce them at synth.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Kubernetes limits. */
export const MAX_LABEL_LENGTH = 63;
export const MAX_SUBDOMAIN_LENGTH = 253;

/** A lower-case, dash-separated version of a name, offered as a fix in messages. */
function suggestion(value: string, maxLength: number, allowDots: boolean): string {
  const cleaned = value
    .toLowerCase()
    .replace(allowDots ? /[^a-z0-9.-]+/g : /[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, maxLength)
    .replace(/[^a-z0-9]+$/, '');
  return cleaned.length > 0 && cleaned !== value ? ` Did you mean ${q(cleaned)}?` : '';
}

/** A namespace is a DNS-1123 label: at most 63 of [a-z0-9-], starting and ending alphanumeric. */
export function validateNamespace(namespace: string, what = 'namespace'): void {
  if (Token.isUnresolved(namespace)) {
    return;
  }
  if (namespace.length === 0) {
    fail(`${what} is empty. Name a Kubernetes namespace, for example "default".`);
  }
  if (namespace.length > MAX_LABEL_LENGTH || !DNS1123_LABEL.test(namespace)) {
    fail(`${what} ${q(namespace)} is not a valid Kubernetes namespace: use 1 to ${MAX_LABEL_LENGTH} lower-case letters, digits and "-", `
      + `starting and ending with a letter or digit (RFC 1123 label).${suggestion(namespace, MAX_LABEL_LENGTH, false)}`);
  }
}

/** A ServiceAccount name is a DNS-1123 subdomain: at most 253 of [a-z0-9.-], each dot-separated part alphanumeric at both ends. */
export function validateServiceAccountName(name: string, what = 'service account name'): void {
  if (Token.isUnresolved(name)) {
    return;
  }
  if (name.length === 0) {
    fail(`${what} is empty. Name the Kubernetes ServiceAccount, for example "my-app".`);
  }
  if (name.length > MAX_SUBDOMAIN_LENGTH || !DNS1123_SUBDOMAIN.test(name)) {
    fail(`${what} ${q(name)} is not a valid Kubernetes ServiceAccount name: use 1 to ${MAX_SUBDOMAIN_LENGTH} lower-case letters, digits, "-" and ".", `
      + `starting and ending with a letter or digit (RFC 1123 subdomain).${suggestion(name, MAX_SUBDOMAIN_LENGTH, true)}`);
  }
}

/**
 * Label and annotation keys: an optional DNS-1123 subdomain prefix and "/", then a name of at most
 * 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends.
 */
export function validateQualifiedKey(key: string, what: 'label' | 'annotation'): void {
  if (Token.isUnresolved(key)) {
    return;
  }
  const rule = `a ${what} key is an optional DNS subdomain prefix (at most ${MAX_SUBDOMAIN_LENGTH} characters) and "/", then a name of 1 to ${MAX_LABEL_LENGTH} `
    + 'letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > MAX_SUBDOMAIN_LENGTH || !DNS1123_SUBDOMAIN.test(prefix))) {
    fail(`${what} key ${q(key)} has an invalid prefix ${q(prefix)}: ${rule}.`);
  }
  if (name.length === 0 || name.length > MAX_LABEL_LENGTH || !QUALIFIED_NAME.test(name)) {
    fail(`${what} key ${q(key)} is not valid: ${rule}.`);
  }
}

/** Label values: empty, or at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends. */
export function validateLabelValue(key: string, value: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (!isValidLabelValue(value)) {
    fail(`label ${q(key)} has value ${q(value)}, which is not a valid Kubernetes label value: use at most ${MAX_LABEL_LENGTH} letters, digits, "-", "_" `
      + 'and ".", starting and ending with a letter or digit, or the empty string.');
  }
}

/** Whether a string may stand as a label value as it is. */
export function isValidLabelValue(value: string): boolean {
  return value.length === 0 || (value.length <= MAX_LABEL_LENGTH && QUALIFIED_NAME.test(value));
}
