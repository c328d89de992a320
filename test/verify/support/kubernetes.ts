import { spawnSync } from 'child_process';
import * as path from 'path';

export interface ValidationResult {
  readonly kind: string;
  readonly name: string;
  readonly errors: string[];
}

/**
 * Validates Kubernetes objects with `kubernetes-models` (the Kubernetes OpenAPI schema) plus the
 * API server's name rules, in a separate Node process (./kubernetes-validate.mjs; the package is
 * ESM-only).
 */
export function validateKubernetesObjects(objects: any[]): ValidationResult[] {
  const result = spawnSync(process.execPath, [path.join(__dirname, 'kubernetes-validate.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
    timeout: 30_000,
    cwd: path.join(__dirname, '..', '..', '..'),
  });
  if (result.status !== 0) {
    throw new Error(`kubernetes-validate.mjs failed (${result.status ?? result.signal}): ${result.stderr || result.error}`);
  }
  return JSON.parse(result.stdout);
}
