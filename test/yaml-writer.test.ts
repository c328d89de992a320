/**
 * lib/private/yaml.ts writes the common case (maps, sequences, plain strings, booleans, whole
 * numbers) itself, for speed, and everything else with the `yaml` package: the two must write
 * the same bytes wherever the fast writer takes an object.
 */
import { plainYaml, toYaml11, toYamlDocuments } from '../lib/private/yaml';
import { ServiceAccountManifest } from '../lib/service-account-manifest';

/** A deterministic pseudo-random generator (a linear congruential one), so that a failure repeats. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Strings near the edges: what YAML 1.1 or 1.2 reads as something else, and characters that need quotes. */
const EDGES = ['true', 'no', 'on', 'y', 'Y', 'null', 'Null', '~', 'yes', 'off', 'e1', 'E5', 'a:', 'a:b', 'a::', 'a:-', 'a: b', 'a #b',
  'arn:aws:iam::123456789012:role/api', 'x-y', 'x_y', '0o17', '1e3', '1_0:20', '.inf', 'NaN', 'x@y', '-x', 'é', ''];

function randomObjects(seed: number, count: number, alphabet: string): any[] {
  const random = generator(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const text = (): string => (random() < 0.4 ? pick(EDGES)
    : Array.from({ length: 1 + Math.floor(random() * 8) }, () => pick([...alphabet])).join(''));
  const value = (depth: number): any => {
    const r = random();
    if (depth > 2 || r < 0.5) {
      return random() < 0.8 ? text() : pick([true, false, 0, 7, -3, 1.5, null, 1e21]);
    }
    return r < 0.75 ? map(depth + 1) : Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1));
  };
  const map = (depth: number): any => Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [text(), value(depth)]));
  return Array.from({ length: count }, () => (random() < 0.5 ? map(0) : { key: value(0) }));
}

describe('the fast YAML writer', () => {
  test.each([
    ['every kind of character', 'abcXYZ019._/@:-# \'"!%&*?|>{}[],=~<\n\tyYnNoOeE'],
    ['the characters written plain, where YAML 1.1 types hide', 'abeEyn019._/@:-'],
  ])('writes what the yaml package writes, wherever it takes an object (%s)', (_what, alphabet) => {
    const objects = randomObjects(14, 20_000, alphabet);
    const taken = objects.filter((object) => plainYaml(object) !== undefined);
    // Enough of both kinds for the comparison to mean something.
    expect(taken.length).toBeGreaterThan(2_000);
    expect(taken.length).toBeLessThan(objects.length);
    const differing = taken.filter((object) => plainYaml(object) !== toYaml11(object));
    expect(differing).toEqual([]);
  });

  test('takes a ServiceAccount with the usual annotations, labels and image pull secrets', () => {
    const manifest = new ServiceAccountManifest({
      name: 'api', namespace: 'payments', roleArn: 'arn:aws:iam::123456789012:role/payments-api', imagePullSecrets: ['registry'],
      automountServiceAccountToken: false, labels: { team: 'payments' },
    }).toJson();
    const yaml = plainYaml(manifest);
    expect(yaml).toBe([
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata:',
      '  name: api',
      '  namespace: payments',
      '  labels:',
      '    app.kubernetes.io/managed-by: cdk-irsa',
      '    app.kubernetes.io/name: api',
      '    team: payments',
      '  annotations:',
      '    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/payments-api',
      'automountServiceAccountToken: false',
      'imagePullSecrets:',
      '  - name: registry',
      '',
    ].join('\n'));
    expect(yaml).toBe(toYaml11(manifest));
  });

  test.each(['e1', 'on', 'Yes', '0o17', 'a:', '1', '.inf', 'null'])('leaves %j to the yaml package, which quotes it', (value) => {
    expect(plainYaml({ value })).toBeUndefined();
    expect(toYamlDocuments([{ value }], 'test')).toBe(`value: "${value}"\n`);
  });

  test.each(['a b', '-x', 'a#b'])('leaves %j to the yaml package, which writes it plain', (value) => {
    expect(plainYaml({ value })).toBeUndefined();
    expect(toYamlDocuments([{ value }], 'test')).toBe(`value: ${value}\n`);
  });

  test('leaves empty documents, numbers that are not whole and nulls to the yaml package', () => {
    for (const object of [{}, { a: 1.5 }, { a: null }, { a: [[]] }, { a: [{}] }]) {
      expect(plainYaml(object)).toBeUndefined();
    }
    expect(toYamlDocuments([{}, { a: 1.5 }, { a: null }], 'test')).toBe('{}\n---\na: 1.5\n---\na: null\n');
  });
});
