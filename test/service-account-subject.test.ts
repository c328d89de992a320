import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { ServiceAccountSubject } from '../lib';

describe('ServiceAccountSubject', () => {
  test('exact() names one service account, matched literally', () => {
    const subject = ServiceAccountSubject.exact('payments', 'api');

    expect(subject.claim).toEqual('system:serviceaccount:payments:api');
    expect(subject.isPattern).toBe(false);
    expect(subject.namespace).toEqual('payments');
    expect(subject.name).toEqual('api');
    expect(subject.toString()).toEqual('system:serviceaccount:payments:api');
  });

  test('exact() accepts dotted names up to 253 characters and namespaces up to 63', () => {
    const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(name.length).toBe(253);

    const subject = ServiceAccountSubject.exact('n'.repeat(63), name);

    expect(subject.claim).toEqual(`system:serviceaccount:${'n'.repeat(63)}:${name}`);
  });

  test('anyInNamespace() is a pattern for every name in the namespace', () => {
    const subject = ServiceAccountSubject.anyInNamespace('batch');

    expect(subject.claim).toEqual('system:serviceaccount:batch:*');
    expect(subject.isPattern).toBe(true);
  });

  test('matching() is a pattern with * and ?', () => {
    const subject = ServiceAccountSubject.matching('ci-*', 'runner-?');

    expect(subject.claim).toEqual('system:serviceaccount:ci-*:runner-?');
    expect(subject.isPattern).toBe(true);
  });

  test('matching() without wildcards is the same as exact(), so it renders under StringEquals', () => {
    const subject = ServiceAccountSubject.matching('payments', 'api');

    expect(subject.isPattern).toBe(false);
    expect(subject.claim).toEqual('system:serviceaccount:payments:api');
  });

  test('matching() accepts a literal namespace with a name pattern', () => {
    expect(ServiceAccountSubject.matching('payments', '*').claim).toEqual('system:serviceaccount:payments:*');
  });

  test.each(['ku', 'k?', 'kx*', 'kubx*', 'team-*', 'k8s-*'])('matching() accepts the namespace pattern %j, which cannot match kube-*', (pattern) => {
    expect(ServiceAccountSubject.matching(pattern, '*').claim).toEqual(`system:serviceaccount:${pattern}:*`);
  });

  test('matching() reaches reserved namespaces only on request, and names them literally without', () => {
    expect(ServiceAccountSubject.matching('kube-*', 'aws-node', { allowReservedNamespaces: true }).claim).toEqual('system:serviceaccount:kube-*:aws-node');
    expect(ServiceAccountSubject.matching('kube-system', 'ebs-*').claim).toEqual('system:serviceaccount:kube-system:ebs-*');
  });

  test('exact() keeps tokens and skips the checks it cannot make', () => {
    const stack = new Stack(new App(), 'Stack');
    const namespace = new CfnParameter(stack, 'Namespace').valueAsString;

    const subject = ServiceAccountSubject.exact(namespace, 'api');

    expect(stack.resolve(subject.claim)).toEqual({ 'Fn::Join': ['', ['system:serviceaccount:', { Ref: 'Namespace' }, ':api']] });
  });

  describe('fails for bad input', () => {
    test.each([
      ['Payments', 'is not a valid Kubernetes namespace: use 1 to 63 lower-case letters, digits and "-", starting and ending with a letter or digit (RFC 1123 label). Did you mean "payments"?'],
      ['team_a', 'is not a valid Kubernetes namespace: use 1 to 63 lower-case letters, digits and "-", starting and ending with a letter or digit (RFC 1123 label). Did you mean "team-a"?'],
      ['-team', 'is not a valid Kubernetes namespace'],
      ['team.a', 'is not a valid Kubernetes namespace'],
      ['n'.repeat(64), 'is not a valid Kubernetes namespace'],
    ])('fails for the namespace %j', (namespace, message) => {
      expect(() => ServiceAccountSubject.exact(namespace, 'api')).toThrow(`namespace ${JSON.stringify(namespace)} ${message}`);
    });

    test('fails for an empty namespace', () => {
      expect(() => ServiceAccountSubject.exact('', 'api')).toThrow('[cdk-irsa] namespace is empty.');
    });

    test.each([
      ['Api', 'Did you mean "api"?'],
      ['my_app', 'Did you mean "my-app"?'],
      ['-api', 'Did you mean "api"?'],
      ['api-', 'Did you mean "api"?'],
      ['a'.repeat(254), 'Did you mean'],
      ['a..b', 'RFC 1123 subdomain'],
    ])('fails for the service account name %j', (name, hint) => {
      expect(() => ServiceAccountSubject.exact('payments', name))
        .toThrow(new RegExp(`service account name ${JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a valid Kubernetes ServiceAccount name: .*${hint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    });

    test('fails for an empty service account name', () => {
      expect(() => ServiceAccountSubject.exact('payments', '')).toThrow('service account name is empty.');
    });

    test('fails for a wildcard in exact(), pointing to matching()', () => {
      expect(() => ServiceAccountSubject.exact('payments', 'api-*'))
        .toThrow('service account name "api-*" contains a wildcard; exact() names one service account. Use ServiceAccountSubject.matching("payments", "api-*") to match several.');
    });

    test('fails for a wildcard in the namespace of exact() or anyInNamespace(), pointing to matching()', () => {
      expect(() => ServiceAccountSubject.exact('team-*', 'api'))
        .toThrow('namespace "team-*" contains a wildcard; exact() names one service account. Use ServiceAccountSubject.matching("team-*", "api") to match several.');
      expect(() => ServiceAccountSubject.anyInNamespace('team-*'))
        .toThrow('namespace "team-*" contains a wildcard; anyInNamespace() names one namespace. Use ServiceAccountSubject.matching("team-*", "*") to match several.');
    });

    test.each([['*-*', '*'], ['*-system', '*'], ['*s*', '*'], ['*e*', 'default'], ['?ube-system', 'aws-node']])(
      'fails for the namespace pattern %j (with name %j), which starts with a wildcard', (namespacePattern, namePattern) => {
        expect(() => ServiceAccountSubject.matching(namespacePattern, namePattern)).toThrow(`namespace pattern ${JSON.stringify(namespacePattern)} `
          + 'starts with a wildcard, so anyone allowed to create a namespace ending the same way could assume the role. Start the pattern with a '
          + 'fixed part, such as "team-*", or name the namespaces (one subject each).');
      });

    test.each(['k*', 'kube*', 'kube-*', 'kube-s?stem', 'k*-system', 'ku?e-*', 'kube-node-*'])(
      'fails for the namespace pattern %j, which can match a reserved kube-* namespace', (namespacePattern) => {
        expect(() => ServiceAccountSubject.matching(namespacePattern, '*')).toThrow(`namespace pattern ${JSON.stringify(namespacePattern)} can match `
          + 'the namespaces that Kubernetes reserves (kube-*: kube-system, kube-public, kube-node-lease), whose service accounts are the '
          + 'cluster\'s own. Make the fixed part rule them out, name those namespaces literally with exact() or anyInNamespace(), or pass '
          + '{ allowReservedNamespaces: true } if that is the intent.');
      });

    test.each(['*', '**', '?', '*?'])('fails for the namespace pattern %j that matches every namespace', (pattern) => {
      expect(() => ServiceAccountSubject.matching(pattern, 'api'))
        .toThrow(`namespace pattern ${JSON.stringify(pattern)} matches every namespace, so anyone allowed to create a namespace could assume the role.`);
    });

    test.each([
      ['Team-*', 'api', 'namespace pattern "Team-*" may contain only [a-z0-9-] and the wildcards "*" and "?"'],
      ['team.*', 'api', 'namespace pattern "team.*" may contain only [a-z0-9-]'],
      ['team-*', 'API*', 'name pattern "API*" may contain only [a-z0-9.-] and the wildcards'],
      ['team-*', 'a:b*', 'name pattern "a:b*" may contain only [a-z0-9.-]'],
      ['team-*', '${aws:username}*', 'name pattern "${aws:username}*" may contain only'],
      ['team-*', '', 'name pattern is empty.'],
      [`${'t'.repeat(63)}*`, 'api', `namespace pattern "${'t'.repeat(63)}*" is 64 characters long; the names it matches have at most 63.`],
    ])('fails for the patterns %j, %j', (namespacePattern, namePattern, message) => {
      expect(() => ServiceAccountSubject.matching(namespacePattern, namePattern)).toThrow(message);
    });

    test('fails for a literal but invalid namespace with a name pattern', () => {
      expect(() => ServiceAccountSubject.matching('-team', 'api-*')).toThrow('namespace "-team" is not a valid Kubernetes namespace');
    });

    test('fails for a token namespace in anyInNamespace(), which StringLike would read as a pattern', () => {
      const stack = new Stack(new App(), 'Stack');
      const namespace = new CfnParameter(stack, 'Namespace').valueAsString;
      expect(() => ServiceAccountSubject.anyInNamespace(namespace)).toThrow(/anyInNamespace\(\) needs a literal namespace \(got "\$\{Token\[TOKEN\.\d+\]\}"\): it is rendered under StringLike/);
    });

    test('fails for token patterns', () => {
      const stack = new Stack(new App(), 'Stack');
      const namespace = new CfnParameter(stack, 'Namespace').valueAsString;
      expect(() => ServiceAccountSubject.matching(namespace, '*')).toThrow(/matching\(\) needs literal patterns/);
    });
  });
});
