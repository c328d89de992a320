/**
 * Every message that a cdk-irsa validation returns at synth starts with `[cdk-irsa] ` after
 * aws-cdk-lib puts the construct's path in front of it: read from the error `app.synth()` throws.
 * Each "error at synth" of the catalogue in docs/errors.md has a case here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Aspects, AspectPriority, Stack, Stage } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AddonPolicy, BlockInstanceMetadataForPods, ClusterOidcProvider, IdentityType, IrsaChecks, IrsaCluster, IrsaRole,
  IrsaServiceAccount, ServiceAccountSubject,
} from '../lib';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ISSUER_URL = 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

/** The `[path] message` lines of aws-cdk-lib's validation error. */
function validationErrors(app: App): { path: string; message: string }[] {
  let thrown: unknown;
  try {
    app.synth();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(Error);
  const text = (thrown as Error).message;
  expect(text).toMatch(/^Validation failed with the following errors:\n/);
  return [...text.matchAll(/^ {2}\[([^\]\n]*)\] (.*)$/gm)].map((m) => ({ path: m[1], message: m[2] }));
}

const CASES: Record<string, () => App> = {
  'an IrsaRole that trusts nobody': () => {
    const app = new App();
    new IrsaRole(new Stack(app, 'Stack', { env: ENV }), 'Role');
    return app;
  },
  'an IrsaRole whose trust policy is over its limit': () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const provider = new ClusterOidcProvider(stack, 'Provider', { issuerUrl: ISSUER_URL });
    new IrsaRole(stack, 'Role', {
      provider, trustPolicySizeLimit: 100, subjects: [ServiceAccountSubject.exact('payments', 'api')],
    });
    return app;
  },
  'an IrsaRole whose inline policies are over 10,240 characters': () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const role = new IrsaRole(stack, 'Role', {
      provider: new ClusterOidcProvider(stack, 'Provider', { issuerUrl: ISSUER_URL }),
      subjects: [ServiceAccountSubject.exact('payments', 'api')],
    });
    for (let i = 0; i < 200; i++) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::bucket-${i}/*`] }));
    }
    return app;
  },
  'a second ClusterOidcProvider of an issuer and account': () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    new ClusterOidcProvider(stack, 'First', { issuerUrl: ISSUER_URL });
    new ClusterOidcProvider(stack, 'Second', { issuerUrl: ISSUER_URL });
    return app;
  },
  'IrsaChecks on the app above a Stage it cannot reach': () => {
    const app = new App();
    Aspects.of(app).add(new IrsaChecks(), { priority: AspectPriority.READONLY });
    new iam.Role(new Stack(new Stage(app, 'Prod'), 'Workloads', { env: ENV }), 'Open', { assumedBy: new iam.AccountRootPrincipal() });
    return app;
  },
  'BlockInstanceMetadataForPods on the app above a Stage it cannot reach': () => {
    const app = new App();
    Aspects.of(app).add(new BlockInstanceMetadataForPods(), { priority: AspectPriority.MUTATING });
    new ec2.LaunchTemplate(new Stack(new Stage(app, 'Prod'), 'Nodes', { env: ENV }), 'Nodes', {});
    return app;
  },
  'a Pod Identity service account associated by an add-on that is never bound': () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    IrsaServiceAccount.forAddon(stack, 'Ebs', {
      cluster: IrsaCluster.fromAttributes({ clusterName: 'prod', issuerUrl: ISSUER_URL, podIdentityAgentInstalled: true }),
      addon: AddonPolicy.ebsCsiDriver(), identityType: IdentityType.POD_IDENTITY, podIdentity: { associatedByEksAddon: true },
    });
    return app;
  },
  'a grant on an IrsaRole that aws-cdk-lib refuses for an identity policy': () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const role = new IrsaRole(stack, 'Role', {
      provider: new ClusterOidcProvider(stack, 'Provider', { issuerUrl: ISSUER_URL }),
      subjects: [ServiceAccountSubject.exact('payments', 'api')],
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'] }));
    return app;
  },
};

describe('validation errors, as aws-cdk-lib prints them, start with [cdk-irsa]', () => {
  const reported: string[] = [];

  test.each(Object.keys(CASES))('%s', (name) => {
    const errors = validationErrors(CASES[name]());
    expect(errors.length).toBeGreaterThan(0);
    for (const { message } of errors) {
      expect(message.startsWith('[cdk-irsa] ')).toBe(true);
      reported.push(message.slice('[cdk-irsa] '.length));
    }
  });

  test('the Stage-coverage errors, on the app (path []), name the Stage and what it holds', () => {
    expect(validationErrors(CASES['IrsaChecks on the app above a Stage it cannot reach']())).toEqual([{
      path: '',
      message: '[cdk-irsa] IrsaChecks was added to the app, but Stage "Prod" below it holds IAM roles that it cannot check (Prod/Workloads/Open): '
        + 'aws-cdk-lib synthesizes a Stage, and writes its templates, before it applies the aspects of the app or Stage around it, and never applies '
        + 'those inside it. Add the check to that Stage too: IrsaChecks.applyTo(stage).',
    }]);
    expect(validationErrors(CASES['BlockInstanceMetadataForPods on the app above a Stage it cannot reach']())).toEqual([{
      path: '',
      message: '[cdk-irsa] BlockInstanceMetadataForPods was added to the app, but Stage "Prod" below it holds launch templates, launch configurations, '
        + 'auto-scaling groups or node groups that it cannot reach (Prod/Nodes/Nodes): aws-cdk-lib synthesizes a Stage, and writes its templates, '
        + 'before it applies the aspects of the app or Stage around it, and never applies those inside it. Add the aspect to that Stage too: '
        + 'BlockInstanceMetadataForPods.applyTo(stage).',
    }]);
  });

  test('every error at synth of the catalogue is among the cases', () => {
    const catalogue = fs.readFileSync(path.join(__dirname, '..', 'docs', 'errors.md'), 'utf8');
    const atSynth = [...catalogue.matchAll(/^- error at synth: `(.*)`$/gm)].map((m) => m[1]);
    expect(atSynth).toHaveLength(7);
    for (const entry of atSynth) {
      const pattern = new RegExp('^' + entry.split(/<[^<>]+>/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
      expect(reported.some((m) => pattern.test(m)) ? entry : `no case reports: ${entry}`).toBe(entry);
    }
  });
});
