import { App, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IrsaCluster, IrsaServiceAccount, ManifestDelivery } from '../lib';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER_URL = 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

describe('audit tags', () => {
  test('tag the role with cluster, namespace and service account', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });

    new IrsaServiceAccount(stack, 'Api', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'api', namespace: 'payments',
    });

    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.Tags).toEqual([
      { Key: 'cdk-irsa:cluster', Value: 'prod' },
      { Key: 'cdk-irsa:namespace', Value: 'payments' },
      { Key: 'cdk-irsa:service-account', Value: 'api' },
    ]);
  });

  test('merge with the app\'s tags, and yield to a Tags.of() of the same key, add or remove', () => {
    // GIVEN an app that tags everything, and overrides or removes audit tags on one service account
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL });
    Tags.of(app).add('team', 'platform');
    const api = new IrsaServiceAccount(stack, 'Api', { cluster, name: 'api', namespace: 'payments' });
    Tags.of(api).add('cdk-irsa:cluster', 'prod-blue');
    Tags.of(api).remove('cdk-irsa:namespace');

    // THEN the role has the app's tag, the user's value for the cluster, and no namespace tag
    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.Tags).toEqual([
      { Key: 'cdk-irsa:cluster', Value: 'prod-blue' },
      { Key: 'cdk-irsa:service-account', Value: 'api' },
      { Key: 'team', Value: 'platform' },
    ]);
  });

  test('can be switched off', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });

    new IrsaServiceAccount(stack, 'Api', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'api', auditTags: false,
    });

    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.Tags).toBeUndefined();
  });

  test('are not put on a role given with role, which may serve several workloads', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const role = new iam.Role(stack, 'Shared', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });

    new IrsaServiceAccount(stack, 'Api', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL }), name: 'api', role, manifestDelivery: ManifestDelivery.none(),
    });

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { Tags: Match.absent() });
  });
});
