import { Duration } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { fail, q } from './errors';

/**
 * Type checks at the API boundary. TypeScript callers cannot get these wrong, but callers in
 * JavaScript (or through jsii with `any`) can: each check names the value received and what to
 * give instead, rather than a TypeError from deep inside or YAML the API server refuses.
 * Tokens are strings (or numbers), so they pass the string checks.
 */

/** How a value of the wrong type is named in an error. */
export function describeValue(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (value === undefined) {
    return 'missing';
  }
  if (Array.isArray(value)) {
    return `the array ${preview(value)}`;
  }
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : `the object ${preview(value)}`;
  }
  if (typeof value === 'function') {
    return 'a function';
  }
  return `the ${typeof value} ${preview(value)}`;
}

function preview(value: unknown): string {
  let text: string | undefined;
  try {
    text = typeof value === 'bigint' ? String(value) : q(value);
  } catch {
    text = undefined;
  }
  text = text ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function wrongType(what: string, value: unknown, expected: string, scope?: IConstruct): never {
  fail(`${what} is ${describeValue(value)}, not ${expected}.`, scope);
}

/** A required string. */
export function requireString(value: unknown, what: string, expected: string, scope?: IConstruct): string {
  if (typeof value !== 'string') {
    wrongType(what, value, expected, scope);
  }
  return value;
}

/** A string, or nothing. */
export function optionalString(value: unknown, what: string, expected: string, scope?: IConstruct): string | undefined {
  return value === undefined ? undefined : requireString(value, what, expected, scope);
}

/** A boolean, or nothing. */
export function optionalBoolean(value: unknown, what: string, scope?: IConstruct): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    wrongType(what, value, 'true or false (a boolean)', scope);
  }
  return value as boolean | undefined;
}

/** An array, or nothing. Its elements are checked by the caller. */
export function optionalArray<T>(value: T[] | undefined, what: string, expected: string, scope?: IConstruct): T[] | undefined {
  if (value !== undefined && !Array.isArray(value)) {
    wrongType(what, value, expected, scope);
  }
  return value;
}

/** A required array. Its elements are checked by the caller. */
export function requireArray<T>(value: T[], what: string, expected: string, scope?: IConstruct): T[] {
  if (!Array.isArray(value)) {
    wrongType(what, value, expected, scope);
  }
  return value;
}

/** An array of strings, or nothing. */
export function optionalStringArray(value: unknown, what: string, expected: string, scope?: IConstruct): string[] | undefined {
  const array = optionalArray(value as unknown[] | undefined, what, expected, scope);
  array?.forEach((element, i) => requireString(element, `${what}[${i}]`, 'a string', scope));
  return array as string[] | undefined;
}

/** A map of strings to strings, or nothing. */
export function optionalStringMap(value: unknown, what: string, scope?: IConstruct): { [key: string]: string } | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    wrongType(what, value, 'an object of string keys and string values, for example { team: "payments" }', scope);
  }
  for (const [key, element] of Object.entries(value)) {
    requireString(element, `${what}[${q(key)}]`, 'a string (quote numbers and booleans, for example "true")', scope);
  }
  return value as { [key: string]: string };
}

/** A `Duration`, or nothing. */
export function optionalDuration(value: unknown, what: string, example: string, scope?: IConstruct): Duration | undefined {
  if (value !== undefined && !(value instanceof Duration)) {
    wrongType(what, value, `a Duration, for example ${example}`, scope);
  }
  return value;
}

/** An object of a class of this library (such as `ManifestDelivery`), or nothing. */
export function optionalInstance<T>(value: T | undefined, type: object, what: string, expected: string, scope?: IConstruct): T | undefined {
  if (value !== undefined && !(value instanceof (type as any))) {
    wrongType(what, value, expected, scope);
  }
  return value;
}

/** A struct (a plain object, not an array), or nothing. Its members are checked by the caller. */
export function optionalObject<T>(value: T | undefined, what: string, expected: string, scope?: IConstruct): T | undefined {
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    wrongType(what, value, expected, scope);
  }
  return value;
}

/** A required object that has the members given (an interface such as `iam.IRole`). */
export function requireObjectWith<T>(value: T, members: string[], what: string, expected: string, scope?: IConstruct): T {
  if (value === null || typeof value !== 'object' || members.some((member) => !(member in (value as object)))) {
    wrongType(what, value, expected, scope);
  }
  return value;
}

/** A required construct. */
export function requireConstruct<T>(value: T, what: string, expected: string, scope?: IConstruct): T {
  if (!Construct.isConstruct(value)) {
    wrongType(what, value, expected, scope);
  }
  return value;
}

/** Props that a JavaScript caller may leave out although the types require them. */
export function requireProps<T>(value: T | undefined | null, what: string, fix: string, scope?: IConstruct): T {
  if (value === undefined || value === null || typeof value !== 'object') {
    fail(`${what} is ${describeValue(value)}: ${fix}`, scope);
  }
  return value;
}
