import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AddonPolicy, IrsaCluster, IrsaServiceAccount, ManifestDelivery, ManifestDeliveryKind } from '../lib';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

function setup() {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  const cluster = IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: `https://${ISSUER}` });
  return { stack, cluster };
}

describe('IrsaServiceAccount.forAddon', () => {
  test('uses the add-on\'s service account, trusts only it, grants its scoped statements and delivers nothing by default', () => {
    const { stack, cluster } = setup();

    const sa = IrsaServiceAccount.forAddon(stack, 'Ebs', { cluster, addon: AddonPolicy.ebsCsiDriver() });

    expect([sa.serviceAccountNamespace, sa.serviceAccountName]).toEqual(['kube-system', 'ebs-csi-controller-sa']);
    expect(sa.manifestDelivery.kind).toEqual(ManifestDeliveryKind.NONE);
    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals[`${ISSUER}:sub`]).toEqual('system:serviceaccount:kube-system:ebs-csi-controller-sa');
    const grants = role.Policies.find((p: any) => p.PolicyName === 'Grants').PolicyDocument.Statement;
    const expected = Stack.of(stack).resolve(AddonPolicy.ebsCsiDriver().statements().map((s) => s.toStatementJson()));
    expect(grants.map((s: any) => s.Action)).toEqual(expected.map((s: any) => s.Action));
    expect(role.ManagedPolicyArns).toBeUndefined();
  });

  test('takes another name, namespace and delivery', () => {
    const { stack, cluster } = setup();

    const sa = IrsaServiceAccount.forAddon(stack, 'Dns', {
      cluster,
      addon: AddonPolicy.awsLoadBalancerController(),
      name: 'alb',
      namespace: 'ingress',
      manifestDelivery: ManifestDelivery.gitOps(),
    });

    expect([sa.serviceAccountNamespace, sa.serviceAccountName, sa.manifestFile]).toEqual(['ingress', 'alb', 'Stack.service-accounts/prod/service-accounts.yaml']);
  });

  test('attaches the AWS managed policy when asked', () => {
    const { stack, cluster } = setup();

    IrsaServiceAccount.forAddon(stack, 'Cni', { cluster, addon: AddonPolicy.vpcCni(), useManagedPolicy: true });

    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties;
    expect(role.ManagedPolicyArns).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonEKS_CNI_Policy']] }]);
    expect(role.Policies).toBeUndefined();
  });
});
