import { CfnOutput, CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import { renderedResource } from './aws-cdk-lib-internals';
import { isIntrinsic } from './deploy-time-values';
import { shortHash } from './provider-registry';

/** CloudFormation types whose `Ref` / `Fn::GetAtt Arn` is the ARN of an IAM OIDC provider with a `Url` property. */
const OIDC_PROVIDER_TYPES = ['AWS::IAM::OIDCProvider', 'Custom::AWSCDKOpenIdConnectProvider'];
/** aws-cdk-lib's Lambda-backed `CfnJson`: `Fn::GetAtt <id>.Value` is its `Value` property, parsed. */
const CFN_JSON_TYPE = 'Custom::AWSCDKCfnJson';
/** Attributes that are an issuer URL (EKS clusters of aws-eks and aws-eks-v2): always `https://…`. */
const ISSUER_URL_ATTRIBUTE = 'OpenIdConnectIssuerUrl';
/** Pseudo parameters whose values AWS sets, without characters that matter in JSON. */
const SAFE_PSEUDO_PARAMETERS = ['AWS::Partition', 'AWS::AccountId', 'AWS::Region', 'AWS::URLSuffix'];
/** aws-eks's `Custom::AWSCDK-EKS-Cluster` attribute: the issuer URL without `https://`. */
const ISSUER_ATTRIBUTE = 'OpenIdConnectIssuer';
const PROVIDER_ARN_MARKER = 'oidc-provider/';

/** A role's trust policy as the check reads it: the document, or why it cannot be read. */
export interface TrustDocumentReading {
  readonly document?: any;
  readonly unreadable?: string;
}

/**
 * Reads a role's trust policy as the JSON document IAM will see, from the role's CloudFormation
 * rendering (raw overrides and deletion overrides included): an object, a JSON string, or a JSON
 * string built with `Fn::Join` / `Fn::Sub`; a `Fn::GetAtt <CfnJson>.Value` anywhere in it is
 * replaced by that `CfnJson`'s input.
 *
 * Values known only at deploy become placeholders `<<hash>>`, the same for the same value, so
 * that two roles trusting one issuer still compare equal. The ARN of an OIDC provider of the same
 * stack is rebuilt from its `Url` (`arn:…:oidc-provider/<host and path>`), a cluster's
 * `OpenIdConnectIssuerUrl` reads as `https://<<hash>>`, and `Fn::Select`/`Fn::Split` over them are
 * evaluated, so that the issuer in a condition key can be matched with the provider in `Principal`.
 * Anything else that decides the document's shape (an `Fn::If`, a parameter, an import) makes the
 * document unreadable, with the reason.
 */
export function readTrustDocument(role: CfnResource, readers: Map<Stack, TemplateReader> = new Map()): TrustDocumentReading {
  const stack = Stack.of(role);
  const reader = TemplateReader.of(stack, readers);
  const rendered = reader.template(role);
  if (!rendered) {
    return { unreadable: 'its CloudFormation rendering cannot be read (aws-cdk-lib changed how resources render)' };
  }
  const value = rendered.Properties?.AssumeRolePolicyDocument;
  if (value === undefined) {
    return { unreadable: 'it has no AssumeRolePolicyDocument (removed by an override?)' };
  }
  return reader.document(value, 'its AssumeRolePolicyDocument');
}

/** A stand-in for a value known only at deploy. */
export function placeholder(intrinsic: any): string {
  return `<<${shortHash(JSON.stringify(intrinsic))}>>`;
}

/** Whether a string holds a placeholder (a part known only at deploy). */
export function isOpaque(value: string): boolean {
  return /<<[^<>]*>>/.test(value);
}

/**
 * The issuer (host and path) of a federated principal: the part after `oidc-provider/` of a
 * provider ARN, an identity provider's name (`accounts.google.com`) as it is, or, for a
 * placeholder, a placeholder of its own that `Fn::Select 1 of Fn::Split oidc-provider/` of the same
 * value also yields.
 */
export function issuerOfPrincipal(federated: string): string {
  const at = federated.indexOf(`:${PROVIDER_ARN_MARKER}`);
  if (at >= 0) {
    return federated.slice(at + PROVIDER_ARN_MARKER.length + 1);
  }
  const whole = /^<<([^<>]*)>>$/.exec(federated);
  return whole ? `<<issuer-${whole[1]}>>` : federated;
}

/** Reads resources of one stack from their CloudFormation rendering; share one per stack across roles. */
export class TemplateReader {
  /** The reader of a stack, from the shared map (made and added when missing). */
  public static of(stack: Stack, readers: Map<Stack, TemplateReader>): TemplateReader {
    const reader = readers.get(stack) ?? new TemplateReader(stack, readers);
    readers.set(stack, reader);
    return reader;
  }

  private byLogicalId?: Map<string, CfnResource>;
  /**
   * How many values known only at deploy, other than the pieces of a provider's ARN or an issuer
   * that AWS makes (pseudo parameters, a provider's ARN, a cluster's issuer), were read: any such
   * value can hold a `"` and rewrite a JSON document it is spliced into.
   */
  private unsafeParts = 0;
  /** How deep cross-stack references are being followed, against reference loops. */
  private following = 0;

  constructor(private readonly stack: Stack, private readonly readers: Map<Stack, TemplateReader> = new Map()) {}

  /** A resource's CloudFormation rendering, overrides applied, resolved. */
  public template(resource: CfnResource): any | undefined {
    // If aws-cdk-lib changes how one resource renders, every role reads as unreadable.
    return renderedResource(resource);
  }

  /** A trust document from a template value: object, JSON string, or a string built from intrinsics. */
  public document(value: any, what: string, depth = 0): TrustDocumentReading {
    const conditional = conditionalPart(value);
    if (conditional !== undefined) {
      return {
        unreadable: `${what} holds ${shorten(JSON.stringify(conditional))}, which chooses or removes part of the document at deploy `
          + '(a pin that can vanish never counts)',
      };
    }
    if (typeof value === 'string') {
      return parseJson(value, what);
    }
    if (isIntrinsic(value)) {
      const json = this.cfnJson(value, depth);
      if (json) {
        return json;
      }
      const [name] = Object.keys(value);
      if (name === 'Fn::Join' || name === 'Fn::Sub') {
        const before = this.unsafeParts;
        const text = this.text(value);
        if (text !== undefined && this.unsafeParts > before) {
          return {
            unreadable: `${what} is a JSON string built with ${name} from a value known only at deploy (${shorten(text)}): `
              + 'a value spliced into JSON text can close its string and rewrite the document',
          };
        }
        return text === undefined ? { unreadable: `${what} is an ${name} the check cannot evaluate` } : parseJson(text, what);
      }
      return { unreadable: `${what} is given by ${name} (${shorten(JSON.stringify(value))}), known only at deploy` };
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      try {
        return { document: this.walk(value, depth) };
      } catch (e) {
        if (e instanceof UnreadablePart) {
          return { unreadable: e.message };
        }
        throw e;
      }
    }
    return { unreadable: `${what} is ${shorten(JSON.stringify(value))}, not a policy document` };
  }

  /** Copies an object, replacing `CfnJson` values by their input and other intrinsics by their text. */
  private walk(value: any, depth: number): any {
    if (Array.isArray(value)) {
      return value.map((v) => this.walk(v, depth));
    }
    if (isIntrinsic(value)) {
      const json = this.cfnJson(value, depth);
      if (json?.unreadable !== undefined) {
        throw new UnreadablePart(json.unreadable);
      }
      if (json?.document !== undefined) {
        return json.document;
      }
      return this.text(value) ?? placeholder(value);
    }
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.walk(v, depth)]));
    }
    return value;
  }

  /** `Fn::GetAtt <CfnJson>.Value` read from that resource's input. */
  private cfnJson(value: any, depth: number): TrustDocumentReading | undefined {
    const [id, attribute] = getAtt(value) ?? [];
    const resource = id === undefined ? undefined : this.resource(id);
    if (!resource || attribute !== 'Value' || resource.cfnResourceType !== CFN_JSON_TYPE || depth > 3) {
      return undefined;
    }
    const input = this.template(resource)?.Properties?.Value;
    return input === undefined ? undefined : this.document(input, `the CfnJson ${resource.node.path}`, depth + 1);
  }

  /**
   * A string value with placeholders for what is known only at deploy; `undefined` when the value
   * is not a string (a list, an object).
   */
  private text(value: any): string | undefined {
    if (typeof value === 'string') {
      return value;
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    if (!isIntrinsic(value)) {
      return undefined;
    }
    const [name] = Object.keys(value);
    const arg = value[name];
    switch (name) {
      case 'Ref':
        return this.providerArn(String(arg), value) ?? this.fromParentStack(String(arg))
          ?? (SAFE_PSEUDO_PARAMETERS.includes(String(arg)) ? placeholder(value) : this.unsafe(value));
      case 'Fn::ImportValue':
        return this.fromExport(arg) ?? this.unsafe(value);
      case 'Fn::GetAtt': {
        const [id, attribute] = getAtt(value)!;
        if (attribute === 'Arn') {
          return this.providerArn(id, value) ?? this.unsafe(value);
        }
        if (attribute.startsWith('Outputs.')) {
          return this.fromNestedStack(id, attribute.slice('Outputs.'.length)) ?? this.unsafe(value);
        }
        if (attribute === ISSUER_ATTRIBUTE) {
          // aws-eks's cluster resource has the issuer without `https://` too: the same placeholder as the URL's host.
          return placeholder({ 'Fn::GetAtt': [id, ISSUER_URL_ATTRIBUTE] });
        }
        return attribute === ISSUER_URL_ATTRIBUTE ? `https://${placeholder(value)}` : this.unsafe(value);
      }
      case 'Fn::Join': {
        const [separator, parts] = Array.isArray(arg) ? arg : [];
        if (typeof separator !== 'string' || !Array.isArray(parts)) {
          return undefined;
        }
        const texts = parts.map((p) => this.text(p));
        return texts.every((t) => t !== undefined) ? texts.join(separator) : undefined;
      }
      case 'Fn::Select': {
        const [index, list] = Array.isArray(arg) ? arg : [];
        const items = this.list(list);
        return items && typeof index === 'number' && index >= 0 && index < items.length ? items[index] : this.unsafe(value);
      }
      case 'Fn::Sub':
        return this.sub(value);
      default:
        return this.unsafe(value);
    }
  }

  private list(value: any): string[] | undefined {
    if (Array.isArray(value)) {
      const texts = value.map((v) => this.text(v));
      return texts.every((t) => t !== undefined) ? texts as string[] : undefined;
    }
    if (isIntrinsic(value) && 'Fn::Split' in value) {
      const [separator, source] = Array.isArray(value['Fn::Split']) ? value['Fn::Split'] : [];
      const text = this.text(source);
      if (typeof separator !== 'string' || separator === '' || text === undefined) {
        return undefined;
      }
      const whole = /^<<([^<>]*)>>$/.exec(text);
      if (whole && separator.endsWith(PROVIDER_ARN_MARKER)) {
        // The issuer part of a provider ARN known only at deploy: the same placeholder as the principal's.
        return [placeholder(value), issuerOfPrincipal(text)];
      }
      return text.split(separator);
    }
    return undefined;
  }

  private sub(value: any): string | undefined {
    const arg = value['Fn::Sub'];
    const [template, variables] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? arg : [];
    if (typeof template !== 'string' || !variables || typeof variables !== 'object') {
      return undefined;
    }
    let failed = false;
    const text = template.replace(/\$\{(!?)([^}]*)\}/g, (_, literal: string, name: string) => {
      if (literal) {
        return `\${${name}}`;
      }
      const given = name in variables ? (variables as any)[name] : name.includes('.') && !name.startsWith('AWS::')
        ? { 'Fn::GetAtt': [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)] }
        : { Ref: name };
      const part = this.text(given);
      failed ||= part === undefined;
      return part ?? '';
    });
    return failed ? undefined : text;
  }

  /**
   * The text of a value another stack of the app gives this one, read in that stack, so that a
   * provider made there is known by its issuer here: an export (`Fn::ImportValue`), a parameter
   * a parent stack passes to this nested stack, an output of a nested stack of this one.
   */
  private follow(stack: Stack, value: any): string | undefined {
    const reader = TemplateReader.of(stack, this.readers);
    if (reader.following > 3) {
      return undefined;
    }
    reader.following++;
    const before = reader.unsafeParts;
    try {
      return reader.text(stack.resolve(value));
    } finally {
      reader.following--;
      this.unsafeParts += reader.unsafeParts - before;
    }
  }

  private fromExport(name: any): string | undefined {
    if (typeof name !== 'string') {
      return undefined;
    }
    for (const output of this.stack.node.root.node.findAll()) {
      if (output instanceof CfnOutput && output.exportName !== undefined) {
        const producer = Stack.of(output);
        if (producer !== this.stack && producer.resolve(output.exportName) === name) {
          return this.follow(producer, output.value);
        }
      }
    }
    return undefined;
  }

  private fromParentStack(logicalId: string): string | undefined {
    const nested = this.stack.nestedStackParent && NestedStack.isNestedStack(this.stack) ? this.stack : undefined;
    const resource = nested?.nestedStackResource;
    if (!nested || !resource) {
      return undefined;
    }
    const parent = TemplateReader.of(nested.nestedStackParent!, this.readers);
    const given = parent.template(resource)?.Properties?.Parameters?.[logicalId];
    return given === undefined ? undefined : this.follow(nested.nestedStackParent!, given);
  }

  private fromNestedStack(logicalId: string, outputId: string): string | undefined {
    for (const child of this.stack.node.findAll()) {
      if (NestedStack.isNestedStack(child) && child.nestedStackParent === this.stack && child.nestedStackResource
        && this.stack.resolve(child.nestedStackResource.logicalId) === logicalId) {
        const output = child.node.findAll()
          .find((c): c is CfnOutput => c instanceof CfnOutput && Stack.of(c) === child && child.resolve(c.logicalId) === outputId);
        return output ? this.follow(child, output.value) : undefined;
      }
    }
    return undefined;
  }

  /** The placeholder of a value known only at deploy that may be anything (a parameter, an import, an attribute). */
  private unsafe(value: any): string {
    this.unsafeParts++;
    return placeholder(value);
  }

  /** The ARN of an OIDC provider of this stack, from its Url. */
  private providerArn(logicalId: string, reference: any): string | undefined {
    const resource = this.resource(logicalId);
    if (!resource || !OIDC_PROVIDER_TYPES.includes(resource.cfnResourceType)) {
      return undefined;
    }
    const url = this.text(this.template(resource)?.Properties?.Url);
    if (url === undefined || !url.startsWith('https://')) {
      return placeholder(reference);
    }
    return `arn:<<partition>>:iam::<<account>>:${PROVIDER_ARN_MARKER}${url.slice('https://'.length)}`;
  }

  private resource(logicalId: string): CfnResource | undefined {
    if (!this.byLogicalId) {
      this.byLogicalId = new Map();
      for (const c of this.stack.node.findAll()) {
        if (CfnResource.isCfnResource(c) && c.stack === this.stack) {
          this.byLogicalId.set(this.stack.resolve(c.logicalId), c);
        }
      }
    }
    return this.byLogicalId.get(logicalId);
  }
}

/** Thrown while copying a document when a part of it cannot be read. */
class UnreadablePart extends Error {}

/**
 * The first `Fn::If` or `Ref: AWS::NoValue` in a value (or `undefined`): either can remove a
 * condition, a value or a whole block at deploy, so no pin below one can be relied on.
 */
function conditionalPart(value: any): any {
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = conditionalPart(v);
      if (found !== undefined) {
        return found;
      }
    }
    return undefined;
  }
  if (!value || typeof value !== 'object') {
    return undefined;
  }
  if ('Fn::If' in value || value.Ref === 'AWS::NoValue') {
    return value;
  }
  return conditionalPart(Object.values(value));
}

function getAtt(value: any): [string, string] | undefined {
  const arg = value?.['Fn::GetAtt'];
  if (Array.isArray(arg) && typeof arg[0] === 'string' && typeof arg[1] === 'string') {
    return [arg[0], arg[1]];
  }
  if (typeof arg === 'string' && arg.includes('.')) {
    return [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)];
  }
  return undefined;
}

function parseJson(text: string, what: string): TrustDocumentReading {
  try {
    const document = JSON.parse(text);
    return document && typeof document === 'object' && !Array.isArray(document)
      ? { document }
      : { unreadable: `${what} is the JSON ${shorten(text)}, not a policy document` };
  } catch {
    return { unreadable: `${what} is a string that is not JSON (${shorten(text)})` };
  }
}

function shorten(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
