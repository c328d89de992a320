import * as api from '../lib';

describe('the public API', () => {
  test('lib/index exports only what jsii carries to every language: classes and enums, no constants or functions of TypeScript only', () => {
    const isClass = (value: unknown) => typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));
    const isEnum = (value: unknown) => typeof value === 'object' && value !== null
      && Object.values(value).every((member) => typeof member === 'string' || typeof member === 'number');

    const others = Object.entries(api).filter(([, value]) => !isClass(value) && !isEnum(value)).map(([name]) => name);

    expect(others).toEqual([]);
    expect(Object.keys(api)).toEqual(expect.arrayContaining(['IrsaServiceAccount', 'IrsaRole', 'IrsaCluster', 'ClusterOidcProvider', 'IdentityType']));
  });
});
