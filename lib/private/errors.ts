import { IConstruct } from 'constructs';

/**
 * The one way cdk-irsa reports bad input at synth time.
 *
 * Messages name the value received and what would be accepted; the construct path,
 * where there is one, tells the user which of their constructs is wrong.
 */
export class IrsaError extends Error {
  constructor(message: string, scope?: IConstruct) {
    super(scope ? `[cdk-irsa] ${scope.node.path}: ${message}` : `[cdk-irsa] ${message}`);
    this.name = 'IrsaError';
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
