import { IConstruct } from 'constructs';
import { markAsValidationError } from './aws-cdk-lib-internals';

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
    super(scope ? `[cdk-irsa] ${scope.node.path}: ${message}` : `[cdk-irsa] ${message}`);
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

/** Quotes a user value for an error message, showing its exact characters. */
export function q(value: unknown): string {
  return JSON.stringify(value);
}
