import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { parse } from 'yaml';
import { ServiceAccountManifest } from '../lib';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/payments-api';

describe('ServiceAccountManifest', () => {
  test('models a v1 ServiceAccount with the role annotation and default labels', () => {
    const manifest = new ServiceAccountManifest({ name: 'api', namespace: 'payments', roleArn: ROLE_ARN });

    expect(manifest.toJson()).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'api',
        namespace: 'payments',
        labels: { 'app.kubernetes.io/managed-by': 'cdk-irsa', 'app.kubernetes.io/name': 'api' },
        annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN },
      },
    });
    expect(manifest.name).toEqual('api');
    expect(manifest.namespace).toEqual('payments');
    expect(manifest.roleArn).toEqual(ROLE_ARN);
  });

  test('defaults to the "default" namespace, and has no annotations without a role', () => {
    const manifest = new ServiceAccountManifest({ name: 'api' });

    expect(manifest.toJson()).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'api', namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'cdk-irsa', 'app.kubernetes.io/name': 'api' } },
    });
  });

  test('renders every typed option', () => {
    const manifest = new ServiceAccountManifest({
      name: 'api',
      namespace: 'payments',
      roleArn: ROLE_ARN,
      audience: 'vault',
      stsRegionalEndpoints: true,
      tokenExpiration: Duration.hours(12),
      labels: { 'team': 'payments', 'app.kubernetes.io/name': 'checkout' },
      annotations: { 'example.com/owner': 'payments-team' },
      automountServiceAccountToken: false,
      imagePullSecrets: ['registry', 'mirror'],
    });

    expect(manifest.toJson()).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'api',
        namespace: 'payments',
        labels: { 'app.kubernetes.io/managed-by': 'cdk-irsa', 'app.kubernetes.io/name': 'checkout', 'team': 'payments' },
        annotations: {
          'example.com/owner': 'payments-team',
          'eks.amazonaws.com/role-arn': ROLE_ARN,
          'eks.amazonaws.com/audience': 'vault',
          'eks.amazonaws.com/sts-regional-endpoints': 'true',
          'eks.amazonaws.com/token-expiration': '43200',
        },
      },
      automountServiceAccountToken: false,
      imagePullSecrets: [{ name: 'registry' }, { name: 'mirror' }],
    });
  });

  test('does not annotate the default audience, and writes false for regional endpoints', () => {
    const manifest = new ServiceAccountManifest({ name: 'api', audience: 'sts.amazonaws.com', stsRegionalEndpoints: false });

    expect(manifest.toJson().metadata.annotations).toEqual({ 'eks.amazonaws.com/sts-regional-endpoints': 'false' });
  });

  test.each([[Duration.hours(1), '3600'], [Duration.hours(24), '86400'], [Duration.minutes(90), '5400']])(
    'accepts the token expiration %s', (expiration, seconds) => {
      const manifest = new ServiceAccountManifest({ name: 'api', tokenExpiration: expiration });
      expect(manifest.toJson().metadata.annotations['eks.amazonaws.com/token-expiration']).toEqual(seconds);
    });

  test('leaves out the name label where the name is too long for a label value', () => {
    // GIVEN a valid ServiceAccount name of 64 characters: label values stop at 63
    const name = `${'a'.repeat(31)}.${'b'.repeat(32)}`;

    const manifest = new ServiceAccountManifest({ name });

    expect(manifest.toJson().metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk-irsa' });
  });

  test('keeps tokens in toJson()', () => {
    const stack = new Stack(new App(), 'Stack');
    const roleArn = new CfnParameter(stack, 'RoleArn').valueAsString;

    const manifest = new ServiceAccountManifest({ name: 'api', roleArn });

    expect(stack.resolve(manifest.toJson().metadata.annotations)).toEqual({ 'eks.amazonaws.com/role-arn': { Ref: 'RoleArn' } });
  });

  test('writes YAML', () => {
    const manifest = new ServiceAccountManifest({ name: 'api', namespace: 'payments', roleArn: ROLE_ARN, imagePullSecrets: ['registry'] });

    expect(manifest.toYaml()).toEqual([
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata:',
      '  name: api',
      '  namespace: payments',
      '  labels:',
      '    app.kubernetes.io/managed-by: cdk-irsa',
      '    app.kubernetes.io/name: api',
      '  annotations:',
      `    eks.amazonaws.com/role-arn: ${ROLE_ARN}`,
      'imagePullSecrets:',
      '  - name: registry',
      '',
    ].join('\n'));
  });

  test('quotes YAML values that would otherwise change type', () => {
    const manifest = new ServiceAccountManifest({ name: 'api', stsRegionalEndpoints: true, labels: { version: '1.0' } });

    const yaml = manifest.toYaml();

    expect(yaml).toContain('eks.amazonaws.com/sts-regional-endpoints: "true"');
    expect(yaml).toContain('version: "1.0"');
  });

  describe('YAML 1.1 readers (kubectl, Argo CD, Flux) read every string back as the same string', () => {
    // go-yaml v2 rules: booleans and nulls, binary, octal, hexadecimal and `_`-separated integers,
    // floats, infinities, sexagesimal numbers, timestamps, merge keys.
    const TRICKY = [
      'y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'yEs', 'no', 'No', 'NO', 'on', 'On', 'ON', 'oN', 'off', 'Off', 'OFF',
      'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', 'nUll', '~', '',
      '0b101', '-0b1', '0B1', '017', '0017', '0o17', '+0o7', '0x1F', '0X1f', '-0x1', '1_000', '1__0', '+1', '-1', '0', '12',
      '1.5', '1.', '.5', '1e3', '1E+3', '-1.5e-3', '1_000.5', '.inf', '.Inf', '.INF', '-.inf', '+.inf', '.nan', '.NaN', '.NAN',
      '1:20', '1:20:30', '-1:20', '1:20.5', '190:20:30.15', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2002-12-14 21:59:43.10 -5',
      '<<', '=', '-', '--', '...', '---', '? x', 'x: y', '#c', 'a #b', '@x', '`x', '!x', '&x', '*x', '%x', '|', '>', '"x"', "'x'",
      '[x]', '{x}', ' x', 'x ', 'x\ny', 'é',
      // go-yaml v2 removes `_` before matching numbers.
      '1e1_0', '1e_3', '9_9e1_0', '1.0e1_0', '-1_0.5e-1_0', '._5', '+_1', '0x_1f', '1_0:20',
      // A first line that starts with white space is lost in a block scalar.
      ' \n', '  \n', ' \n\n', ' \nx', 'x\n y', '\t\n', ' x\ny\n',
    ];

    function roundTrip(annotations: { [key: string]: string }) {
      const manifest = new ServiceAccountManifest({ name: 'on', namespace: 'no', roleArn: ROLE_ARN, annotations, labels: { y: 'off', n: '0b101' } });
      const yaml = manifest.toYaml();
      return { yaml, expected: manifest.toJson(), yaml11: parse(yaml, { version: '1.1' }), yaml12: parse(yaml) };
    }

    test('values', () => {
      const annotations = Object.fromEntries(TRICKY.map((value, i) => [`example.com/v${i}`, value]));

      const { expected, yaml11, yaml12 } = roundTrip(annotations);

      expect(yaml11).toEqual(expected);
      expect(yaml12).toEqual(expected);
    });

    test('keys', () => {
      const keys = TRICKY.filter((key) => /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key));
      expect(keys.length).toBeGreaterThan(40);

      const { expected, yaml11, yaml12 } = roundTrip(Object.fromEntries(keys.map((key) => [key, 'x'])));

      expect(yaml11).toEqual(expected);
      expect(yaml12).toEqual(expected);
    });

    test('also quotes what go-yaml v2 reads differently from the yaml package\'s 1.1 schema', () => {
      const { yaml } = roundTrip({ 'example.com/a': 'oN', 'example.com/b': '0o17', 'example.com/c': '<<', 'example.com/d': '=', 'yEs': '-.INF' });

      expect(yaml).toContain('example.com/a: "oN"');
      expect(yaml).toContain('example.com/b: "0o17"');
      expect(yaml).toContain('example.com/c: "<<"');
      expect(yaml).toContain('example.com/d: "="');
      expect(yaml).toContain('"yEs": "-.INF"');
      expect(yaml).toContain('  name: "on"\n  namespace: "no"\n');
      expect(yaml).not.toContain('%YAML');
    });

    test('quotes numbers with `_` in the exponent or mantissa, which go-yaml v2 reads as floats', () => {
      const { yaml } = roundTrip({ 'example.com/a': '1e1_0', 'example.com/b': '9_9e1_0', 'example.com/c': '1.0e1_0', 'example.com/d': '1e_3' });

      expect(yaml).toContain('example.com/a: "1e1_0"');
      expect(yaml).toContain('example.com/b: "9_9e1_0"');
      expect(yaml).toContain('example.com/c: "1.0e1_0"');
      expect(yaml).toContain('example.com/d: "1e_3"');
    });

    test('quotes and escapes NEL, LS, PS and the byte order mark, which YAML 1.1 readers (go-yaml, PyYAML) take for line breaks', () => {
      const annotations = { 'example.com/a': 'a\u2028b', 'example.com/b': 'c\u2029d', 'example.com/c': 'e\u0085f', 'example.com/d': 'g\ufeffh' };

      const { yaml, expected, yaml11, yaml12 } = roundTrip(annotations);

      expect(yaml).toContain('example.com/a: "a\\u2028b"\n');
      expect(yaml).toContain('example.com/b: "c\\u2029d"\n');
      expect(yaml).toContain('example.com/c: "e\\u0085f"\n');
      expect(yaml).toContain('example.com/d: "g\\ufeffh"\n');
      expect(yaml).not.toMatch(/[\u0085\u2028\u2029\ufeff]/);
      expect(yaml11).toEqual(expected);
      expect(yaml12).toEqual(expected);
    });

    test('quotes several lines of which one starts with white space, instead of a block scalar that would lose it', () => {
      const { yaml } = roundTrip({ 'example.com/a': ' \n', 'example.com/b': ' \n\n', 'example.com/c': 'x\ny' });

      expect(yaml).toContain('example.com/a: "\\ \\n"');
      expect(yaml).toContain('example.com/b: "\\ \\n\\n"');
      expect(yaml).toContain('example.com/c: |-\n      x\n      y\n');
    });
  });

  describe('fails for bad input', () => {
    test('fails for YAML of a token role ARN', () => {
      const stack = new Stack(new App(), 'Stack');
      const manifest = new ServiceAccountManifest({ name: 'api', namespace: 'payments', roleArn: new CfnParameter(stack, 'RoleArn').valueAsString });

      expect(() => manifest.toYaml()).toThrow('ServiceAccount payments/api holds a value that is known only at deploy time (a token), which YAML cannot carry.');
    });

    test.each([Duration.minutes(59), Duration.hours(25), Duration.seconds(0)])('fails for the token expiration %s', (tokenExpiration) => {
      expect(() => new ServiceAccountManifest({ name: 'api', tokenExpiration }))
        .toThrow(new RegExp(`tokenExpiration is .* \\(${tokenExpiration.toSeconds()} seconds\\); EKS accepts 1 to 24 hours \\(3600 to 86400 seconds\\)`));
    });

    test.each([
      ['eks.amazonaws.com/role-arn', 'the role (roleArn)'],
      ['eks.amazonaws.com/audience', 'audience'],
      ['eks.amazonaws.com/sts-regional-endpoints', 'stsRegionalEndpoints'],
      ['eks.amazonaws.com/token-expiration', 'tokenExpiration'],
    ])('fails for the annotation %j, which a typed option sets', (key, option) => {
      expect(() => new ServiceAccountManifest({ name: 'api', annotations: { [key]: 'x' } }))
        .toThrow(`annotation "${key}" is set through ${option}, not through annotations. Remove it from annotations and use that option.`);
    });

    test.each([
      ['Bad Key', 'annotation key "Bad Key" is not valid'],
      ['-key', 'annotation key "-key" is not valid'],
      [`${'k'.repeat(64)}`, `annotation key "${'k'.repeat(64)}" is not valid`],
      ['Example.com/key', 'annotation key "Example.com/key" has an invalid prefix "Example.com"'],
      ['/key', 'annotation key "/key" has an invalid prefix ""'],
      ['example.com/', 'annotation key "example.com/" is not valid'],
    ])('fails for the annotation key %j', (key, message) => {
      expect(() => new ServiceAccountManifest({ name: 'api', annotations: { [key]: 'x' } })).toThrow(message);
    });

    test.each([
      ['bad key', 'v', 'label key "bad key" is not valid'],
      ['team', 'v'.repeat(64), `label "team" has value "${'v'.repeat(64)}", which is not a valid Kubernetes label value`],
      ['team', 'a b', 'label "team" has value "a b", which is not a valid Kubernetes label value'],
      ['team', '-a', 'label "team" has value "-a"'],
    ])('fails for the label %j: %j', (key, value, message) => {
      expect(() => new ServiceAccountManifest({ name: 'api', labels: { [key]: value } })).toThrow(message);
    });

    test('accepts an empty label value', () => {
      expect(new ServiceAccountManifest({ name: 'api', labels: { marker: '' } }).toJson().metadata.labels.marker).toEqual('');
    });

    test('fails for a bad name or namespace', () => {
      expect(() => new ServiceAccountManifest({ name: 'API' })).toThrow('service account name "API" is not a valid Kubernetes ServiceAccount name');
      expect(() => new ServiceAccountManifest({ name: 'api', namespace: 'Pay_ments' })).toThrow('namespace "Pay_ments" is not a valid Kubernetes namespace');
    });

    test('fails for a bad image pull secret name', () => {
      expect(() => new ServiceAccountManifest({ name: 'api', imagePullSecrets: ['My_Secret'] }))
        .toThrow('image pull secret name "My_Secret" is not a valid Kubernetes ServiceAccount name');
    });

    test('fails for an empty audience', () => {
      expect(() => new ServiceAccountManifest({ name: 'api', audience: '' })).toThrow('audience "" is empty. Leave it out to use "sts.amazonaws.com".');
    });
  });
});
