import { Fn, Token } from 'aws-cdk-lib';
import { fail, q } from './errors';

/** What the ARN of an IAM OIDC provider holds before the issuer's host and path. */
const PROVIDER_ARN_MARKER = ':oidc-provider/';
const ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/;

/** IAM's limit on the length of an OIDC provider URL. */
export const MAX_ISSUER_URL_LENGTH = 255;

/** The audience that EKS projects into service account tokens for STS, and the default client ID of a provider. */
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';

/**
 * Checks a literal issuer URL the way IAM will, so that mistakes surface at synth.
 * Tokens are skipped: their value is known only at deploy.
 */
export function validateIssuerUrl(url: string): void {
  if (Token.isUnresolved(url)) {
    return;
  }
  const fix = 'Use the cluster\'s issuer exactly as `aws eks describe-cluster --query cluster.identity.oidc.issuer` prints it, for example "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE".';
  if (url.length === 0) {
    fail(`issuerUrl is empty. ${fix}`);
  }
  if (url.length > MAX_ISSUER_URL_LENGTH) {
    fail(`issuerUrl ${q(url)} is ${url.length} characters long; IAM accepts at most ${MAX_ISSUER_URL_LENGTH}.`);
  }
  if (!url.startsWith('https://')) {
    fail(`issuerUrl ${q(url)} must start with "https://": IAM only trusts HTTPS issuers. ${fix}`);
  }
  const rest = url.slice('https://'.length);
  if (rest.length === 0 || rest.startsWith('/')) {
    fail(`issuerUrl ${q(url)} has no host. ${fix}`);
  }
  if (/[?#]/.test(rest)) {
    fail(`issuerUrl ${q(url)} must not contain a query ("?") or fragment ("#"): tokens carry the issuer without them. ${fix}`);
  }
  if (rest.endsWith('/')) {
    fail(`issuerUrl ${q(url)} must not end with "/": the issuer in the tokens has no trailing slash, so STS would not match it. Remove the trailing slash.`);
  }
  if (/\s/.test(rest)) {
    fail(`issuerUrl ${q(url)} contains white space. ${fix}`);
  }
  if (/[^\x21-\x7e]/.test(rest)) {
    fail(`issuerUrl ${q(url)} contains control or non-ASCII characters, which no EKS issuer has. ${fix}`);
  }
  const host = rest.split('/')[0];
  if (/[@:]/.test(host)) {
    fail(`issuerUrl ${q(url)} must not contain a port or user info: IAM matches the issuer of the tokens, which has neither. ${fix}`);
  }
  if (host !== host.toLowerCase()) {
    fail(`issuerUrl ${q(url)} has upper-case letters in its host: tokens carry the host in lower case, so STS would not match it. `
      + `Write the host in lower case (${q(host.toLowerCase())}).`);
  }
  if (host.length > MAX_HOST_LENGTH || !host.split('.').every((label) => DNS_LABEL.test(label))) {
    fail(`issuerUrl ${q(url)} has a host that is not a DNS name (${q(host)}): labels of 1 to 63 letters, digits and "-", `
      + `not starting or ending with "-", separated by ".". ${fix}`);
  }
  // The path goes into IAM condition keys and provider ARNs as it is: only what a URL path holds unescaped.
  const badPath = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/.exec(rest.slice(host.length));
  if (badPath) {
    fail(`issuerUrl ${q(url)} has ${q(badPath[0])} in its path, which a URL path does not hold unescaped. ${fix}`);
  }
}

/** A DNS label (RFC 1123): 1 to 63 letters, digits and "-", alphanumeric at both ends. */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_HOST_LENGTH = 253;

/**
 * The issuer's host and path, without "https://": the form that IAM condition keys
 * (`<issuer>:sub`, `<issuer>:aud`) and provider ARNs use. Token-aware.
 */
export function issuerHostPath(url: string): string {
  if (Token.isUnresolved(url)) {
    return Fn.select(1, Fn.split('https://', url));
  }
  return url.replace(/^https:\/\//, '');
}

/**
 * The region of an EKS issuer, from its host (`oidc.eks.<region>.amazonaws.com`), or `undefined`
 * for a token or another issuer.
 */
export function issuerRegion(url: string): string | undefined {
  if (Token.isUnresolved(url)) {
    return undefined;
  }
  return /^https:\/\/oidc\.eks\.([a-z]{2}(?:-[a-z]+)+-\d+)\./.exec(url)?.[1];
}

/** Checks a literal OIDC provider ARN. Tokens are skipped. */
export function validateProviderArn(arn: string): void {
  if (Token.isUnresolved(arn)) {
    return;
  }
  const match = ARN_PATTERN.exec(arn);
  if (match && /^https?:\/\//i.test(match[1])) {
    fail(`${q(arn)} names the issuer with "${match[1].split('//')[0]}//": provider ARNs hold the issuer's host and path only. `
      + `Write "${arn.replace(/oidc-provider\/https?:\/\//i, 'oidc-provider/')}".`);
  }
  if (!match) {
    fail(`${q(arn)} is not an IAM OIDC provider ARN. Expected "arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host and path>", for example "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE".`);
  }
  validateIssuerUrl(`https://${match[1]}`);
}

/** The issuer host/path named by a provider ARN. Token-aware. */
export function issuerFromProviderArn(arn: string): string {
  if (Token.isUnresolved(arn)) {
    return Fn.select(1, Fn.split(PROVIDER_ARN_MARKER, arn));
  }
  return arn.slice(arn.indexOf(PROVIDER_ARN_MARKER) + PROVIDER_ARN_MARKER.length);
}
