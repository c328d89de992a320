/**
 * Rules for IAM `StringLike` patterns over Kubernetes namespaces: who could create a namespace
 * that a pattern matches, and so assume the role.
 */

/** Namespaces that Kubernetes and EKS reserve for the cluster's own workloads: `kube-*`. */
export const RESERVED_NAMESPACES = 'kube-*';

/**
 * Whether some namespace name matches both IAM `StringLike` patterns (`*` any run of
 * characters, `?` exactly one): a walk over pairs of positions, each step reading one
 * character that both patterns accept.
 */
export function patternsOverlap(a: string, b: string): boolean {
  const seen = new Set<string>();
  const queue: Array<[number, number]> = [[0, 0]];
  while (queue.length > 0) {
    const [i, j] = queue.pop()!;
    const key = `${i},${j}`;
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    if (i === a.length && j === b.length) {
      return true;
    }
    // A star may match nothing.
    if (a[i] === '*') {
      queue.push([i + 1, j]);
    }
    if (b[j] === '*') {
      queue.push([i, j + 1]);
    }
    // Or both read one character: a star stays where it is.
    if (i < a.length && j < b.length && sameCharacterPossible(a[i], b[j])) {
      queue.push([a[i] === '*' ? i : i + 1, b[j] === '*' ? j : j + 1]);
    }
  }
  return false;
}

function sameCharacterPossible(x: string, y: string): boolean {
  return x === '*' || x === '?' || y === '*' || y === '?' || x === y;
}

/** Whether a namespace pattern could match a reserved namespace (`kube-system`, `kube-public`, `kube-node-lease`, any `kube-*`). */
export function canMatchReservedNamespace(pattern: string): boolean {
  return patternsOverlap(pattern, RESERVED_NAMESPACES);
}
