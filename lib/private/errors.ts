import { IConstruct } from 'constructs';
import { markAsValidationError } from './aws-cdk-lib-internals';

/** What starts every message of cdk-irsa, thrown or returned from a validation. */
const PREFIX = '[cdk-irsa]';

/**
 * The one way cdk-irsa reports bad input at synth time.
 *
 * Messages name the value received and what would be accepted; the construct path,
 * where there is one, tells the user which of their constructs is wrong. Like aws-cdk-lib's own,
 * it is a validation error to `Errors.isValidationError()`.
 */
export class IrsaError extends Error {
  /** The message without prefix or path. */
  public declare readonly detail: string;
  /** Whether the message names a construct. */
  public declare readonly scoped: boolean;

  constructor(message: string, scope?: IConstruct) {
    super(scope ? `${PREFIX} ${scope.node.path}: ${message}` : `${PREFIX} ${message}`);
    this.name = 'IrsaError';
    // Not enumerable: Node prints an error's own enumerable fields after its stack, which would
    // repeat the message.
    Object.defineProperty(this, 'detail', { value: message });
    Object.defineProperty(this, 'scoped', { value: scope !== undefined });
    markAsValidationError(this);
  }
}

/**
 * Runs checks on behalf of a construct: an error that names no construct is raised again
 * naming this one, so that among many service accounts the user sees which is wrong.
 */
export function checkedFor<T>(scope: IConstruct, checks: () => T): T {
  try {
    return checks();
  } catch (error) {
    if (error instanceof IrsaError && !error.scoped) {
      throw new IrsaError(error.detail, scope);
    }
    throw error;
  }
}

/** Throws an `IrsaError`. Use this, never `throw new Error`, in library code. */
export function fail(message: string, scope?: IConstruct): never {
  throw new IrsaError(message, scope);
}

/**
 * The one way cdk-irsa checks a construct at synth (`node.addValidation`): every message the check
 * returns starts with `[cdk-irsa] `, after which aws-cdk-lib puts the construct's path in front
 * (`[Stack/Role] [cdk-irsa] ...`), so that in any language the message tells it is cdk-irsa's.
 */
export function validateAtSynth(scope: IConstruct, validate: () => string[]): void {
  scope.node.addValidation({ validate: () => validate().map((message) => `${PREFIX} ${message}`) });
}

/** Quotes a user value for an error message, showing its exact characters. */
export function q(value: unknown): string {
  return JSON.stringify(value);
}
