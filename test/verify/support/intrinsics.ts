/**
 * A small CloudFormation intrinsic resolver, written for verification only: it knows exactly
 * the intrinsics that cdk-irsa's templates use around trust policies (`Ref`, `Fn::GetAtt`,
 * `Fn::Join`, `Fn::Select`, `Fn::Split`, and `Fn::ImportValue` across stacks) and refuses everything else, so a template that starts
 * using another intrinsic fails loudly here instead of being evaluated wrongly.
 *
 * Values come from a mapping that the test gives (logical IDs of parameters, clusters and the
 * like, and pseudo parameters), plus what CloudFormation itself documents for
 * `AWS::IAM::OIDCProvider`: `Ref` and `Fn::GetAtt <id>.Arn` both return
 * `arn:<partition>:iam::<account>:oidc-provider/<Url without https://>`.
 * Nothing here imports cdk-irsa.
 */

/** Values for `Ref` and `Fn::GetAtt`, by logical ID (or pseudo parameter name). */
export interface IntrinsicValues {
  /** `Ref: <key>` → value. Pseudo parameters (`AWS::Partition`, ...) go here too. */
  readonly refs?: Record<string, unknown>;
  /** `Fn::GetAtt: [<id>, <attr>]` → value, keyed `<id>.<attr>`. */
  readonly attributes?: Record<string, unknown>;
  /** `Fn::ImportValue: <export name>` → value (outputs of other stacks). */
  readonly imports?: Record<string, unknown>;
}

/** The stack environment: account and region for pseudo parameters and provider ARNs. */
export interface StackEnvironment {
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
  readonly urlSuffix?: string;
}

export class UnresolvableError extends Error {}

const INTRINSIC_KEY = /^(Ref|Fn::[A-Za-z]+)$/;

/** Resolves every intrinsic in `value` with `values`; throws on anything unknown or unmapped. */
export function resolveIntrinsics(value: unknown, values: IntrinsicValues): any {
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => resolveIntrinsics(v, values));
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1 && INTRINSIC_KEY.test(entries[0][0])) {
    return resolveIntrinsic(entries[0][0], entries[0][1], values);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    if (INTRINSIC_KEY.test(k)) {
      throw new UnresolvableError(`intrinsic ${k} next to other keys in ${JSON.stringify(value)}`);
    }
    out[k] = resolveIntrinsics(v, values);
  }
  return out;
}

function resolveIntrinsic(name: string, arg: unknown, values: IntrinsicValues): unknown {
  switch (name) {
    case 'Ref': {
      const key = String(arg);
      if (!(key in (values.refs ?? {}))) {
        throw new UnresolvableError(`no value given for Ref ${key}`);
      }
      return values.refs![key];
    }
    case 'Fn::GetAtt': {
      const [id, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
      const key = `${id}.${attr}`;
      if (!(key in (values.attributes ?? {}))) {
        throw new UnresolvableError(`no value given for Fn::GetAtt ${key}`);
      }
      return values.attributes![key];
    }
    case 'Fn::ImportValue': {
      const name = resolveIntrinsics(arg, values);
      if (typeof name !== 'string' || !(name in (values.imports ?? {}))) {
        throw new UnresolvableError(`no value given for Fn::ImportValue ${JSON.stringify(name)}`);
      }
      return values.imports![name];
    }
    case 'Fn::Join': {
      const [separator, parts] = arg as [string, unknown[]];
      const resolved = resolveIntrinsics(parts, values);
      if (!Array.isArray(resolved) || resolved.some((p) => typeof p !== 'string')) {
        throw new UnresolvableError(`Fn::Join of non-strings: ${JSON.stringify(resolved)}`);
      }
      return resolved.join(separator);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [unknown, unknown];
      const i = Number(resolveIntrinsics(index, values));
      const resolved = resolveIntrinsics(list, values);
      if (!Array.isArray(resolved) || !Number.isInteger(i) || i < 0 || i >= resolved.length) {
        // CloudFormation fails the deployment here; so do we.
        throw new UnresolvableError(`Fn::Select index ${i} out of range of ${JSON.stringify(resolved)}`);
      }
      return resolved[i];
    }
    case 'Fn::Split': {
      const [delimiter, source] = arg as [string, unknown];
      const resolved = resolveIntrinsics(source, values);
      if (typeof resolved !== 'string') {
        throw new UnresolvableError(`Fn::Split of a non-string: ${JSON.stringify(resolved)}`);
      }
      return resolved.split(delimiter);
    }
    default:
      throw new UnresolvableError(`intrinsic ${name} is not supported by the verification resolver: ${JSON.stringify(arg)}`);
  }
}

/**
 * The values CloudFormation would produce for a template: pseudo parameters from `env`, the
 * mapping given, and the ARN of every `AWS::IAM::OIDCProvider` derived from its (resolved) Url.
 */
export function templateValues(template: any, env: StackEnvironment, given: IntrinsicValues = {}): IntrinsicValues {
  const partition = env.partition ?? 'aws';
  const refs: Record<string, unknown> = {
    'AWS::Partition': partition,
    'AWS::AccountId': env.account,
    'AWS::Region': env.region,
    'AWS::URLSuffix': env.urlSuffix ?? 'amazonaws.com',
    'AWS::NoValue': undefined,
    ...given.refs,
  };
  const attributes: Record<string, unknown> = { ...given.attributes };
  const base = { refs, attributes, imports: given.imports };
  for (const [id, resource] of Object.entries<any>(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::IAM::OIDCProvider') {
      continue;
    }
    const url = resolveIntrinsics(resource.Properties?.Url, base);
    if (typeof url !== 'string' || !url.startsWith('https://')) {
      throw new UnresolvableError(`OIDC provider ${id} has Url ${JSON.stringify(url)}`);
    }
    const arn = `arn:${partition}:iam::${env.account}:oidc-provider/${url.slice('https://'.length)}`;
    refs[id] ??= arn;
    attributes[`${id}.Arn`] ??= arn;
  }
  return base;
}

/** Every `AWS::IAM::Role` of a template, by logical ID. */
export function rolesOf(template: any): Record<string, any> {
  return Object.fromEntries(Object.entries<any>(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::IAM::Role'));
}

/**
 * A role's trust policy as IAM will store it: intrinsics resolved, and parsed where the
 * template holds it as a JSON string (an `Fn::Join`, which CloudFormation accepts).
 */
export function resolvedTrustPolicy(template: any, roleLogicalId: string, values: IntrinsicValues): any {
  const role = template.Resources?.[roleLogicalId];
  if (!role || role.Type !== 'AWS::IAM::Role') {
    throw new Error(`${roleLogicalId} is not an AWS::IAM::Role of the template`);
  }
  const document = resolveIntrinsics(role.Properties.AssumeRolePolicyDocument, values);
  return typeof document === 'string' ? JSON.parse(document) : document;
}

/**
 * Values for `Fn::GetAtt <cluster>.OpenIdConnectIssuerUrl` of every EKS cluster of a template
 * (`AWS::EKS::Cluster`, or aws-eks's `Custom::AWSCDK-EKS-Cluster`): a made-up EKS issuer URL per cluster, for checks that need the shape of the issuer,
 * not its value.
 */
export function placeholderIssuers(template: any, region: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, resource] of Object.entries<any>(template.Resources ?? {})) {
    if (resource.Type === 'AWS::EKS::Cluster' || resource.Type === 'Custom::AWSCDK-EKS-Cluster') {
      const hex = Buffer.from(id).toString('hex').toUpperCase().padEnd(32, '0').slice(0, 32);
      out[`${id}.OpenIdConnectIssuerUrl`] = `https://oidc.eks.${region}.amazonaws.com/id/${hex}`;
    }
  }
  return out;
}

/**
 * A copy of the template in which every role trust policy held as a JSON string (Fn::Join) is
 * replaced by the object it resolves to, so that rules written for object-form policies apply.
 * Returns the copy and the logical IDs of the roles resolved.
 */
export function withResolvedStringTrust(template: any, env: StackEnvironment, given: IntrinsicValues = {}): { template: any; resolved: string[] } {
  const values = templateValues(template, env, {
    refs: given.refs,
    attributes: { ...placeholderIssuers(template, env.region), ...given.attributes },
    imports: given.imports,
  });
  const copy = JSON.parse(JSON.stringify(template));
  const resolved: string[] = [];
  for (const [id, role] of Object.entries(rolesOf(copy))) {
    const document = role.Properties?.AssumeRolePolicyDocument;
    if (document && typeof document === 'object' && 'Fn::Join' in document) {
      role.Properties.AssumeRolePolicyDocument = resolvedTrustPolicy(template, id, values);
      resolved.push(id);
    }
  }
  return { template: copy, resolved };
}

/**
 * The exports of a set of stacks (Outputs with Export.Name), resolved with placeholder issuers
 * where they come from a cluster: the values `Fn::ImportValue` gets in the other stacks.
 */
export function placeholderExports(stacks: Array<{ template: any; env: StackEnvironment }>, given: IntrinsicValues = {}): Record<string, unknown> {
  const imports: Record<string, unknown> = { ...given.imports };
  // Two passes: an export may be built on an import of another stack.
  for (let pass = 0; pass < 2; pass++) {
    for (const { template, env } of stacks) {
      let values: IntrinsicValues;
      try {
        const attributes = { ...placeholderIssuers(template, env.region), ...given.attributes };
        values = templateValues(template, env, { refs: given.refs, attributes, imports });
      } catch {
        continue;
      }
      for (const output of Object.values<any>(template.Outputs ?? {})) {
        const name = output.Export?.Name;
        if (typeof name === 'string' && !(name in imports)) {
          try {
            imports[name] = resolveIntrinsics(output.Value, values);
          } catch {
            // not resolvable (yet): left out
          }
        }
      }
    }
  }
  return imports;
}
