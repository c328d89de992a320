/**
 * IrsaChecks against a corpus of trust documents (./fixtures/irsa-checks-corpus.ts): good and bad,
 * EKS and other issuers, L1, L2, cdk-irsa, overrides, strings, intrinsics. Each document must get
 * exactly its expected findings, and the independent IAM engine (./support/iam-engine.ts) decides
 * along: wherever the check finds nothing, the engine must deny every token of another workload
 * (another namespace or service account, another repository or organization, another cluster,
 * another audience) and allow the token the role is for; where the check reports a hole, the
 * engine must let the attacking token through.
 */
import { App, Aspects, AspectPriority, CfnElement, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { IrsaChecks } from '../../lib';
import { ACCOUNT, AUDIENCE, CORPUS, CorpusCase, CorpusToken } from './fixtures/irsa-checks-corpus';
import { providerArnFor, TrustPolicyEvaluator, WEB_IDENTITY_ACTION } from './support/iam-engine';
import { resolvedTrustPolicy, templateValues } from './support/intrinsics';
import { cleanupScratch, REGION, scratchDir } from './support/synth';

afterAll(cleanupScratch);

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/corpus`;

interface Outcome {
  readonly findings: string[];
  readonly document: () => any;
}

function run(c: CorpusCase): Outcome {
  // Built-in template validation off: some documents are deliberately odd (NotPrincipal, no Principal), and what
  // is checked here is IrsaChecks' verdict and the IAM engine's, not CloudFormation's schema.
  const app = new App({ outdir: `${scratchDir()}/${c.name.replace(/[^a-z0-9]+/gi, '-')}`, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Corpus', { env: { account: ACCOUNT, region: REGION } });
  Aspects.of(app).add(new IrsaChecks(), { priority: AspectPriority.READONLY });
  const role = c.role(stack);
  const assembly = app.synth();
  const artifact = assembly.getStackByName('Corpus');
  const findings = artifact.messages
    .filter((m) => String(m.entry.data).startsWith('[cdk-irsa ') && m.id.startsWith(`/Corpus/${role.node.id}`))
    .map((m) => /^\[cdk-irsa ([A-Z_]+)\]/.exec(String(m.entry.data))![1]).sort();
  return {
    findings,
    document: () => c.engineDocument
      ?? resolvedTrustPolicy(artifact.template, logicalId(role), templateValues(artifact.template, { account: ACCOUNT, region: REGION })),
  };
}

function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).resolve(element.logicalId);
}

function decide(document: any, token: CorpusToken): string {
  const context: Record<string, string> = {};
  if (token.sub !== undefined) {
    context[`${token.issuer}:sub`] = token.sub;
  }
  const aud = token.aud === null ? undefined : token.aud ?? AUDIENCE[token.issuer];
  if (aud !== undefined) {
    context[`${token.issuer}:aud`] = aud;
  }
  for (const [claim, value] of Object.entries(token.claims ?? {})) {
    context[`${token.issuer}:${claim}`] = value;
  }
  return new TrustPolicyEvaluator(document).evaluate({
    principal: token.principal ?? providerArnFor(token.issuer, ACCOUNT),
    action: token.action ?? WEB_IDENTITY_ACTION,
    roleArn: ROLE_ARN,
    context,
  });
}

test('the corpus holds at least 60 documents, each with its source', () => {
  expect(CORPUS.length).toBeGreaterThanOrEqual(60);
  expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  expect(CORPUS.filter((c) => c.source.trim() === '')).toEqual([]);
});

describe.each(CORPUS.map((c) => [c.name, c] as const))('%s', (_, c) => {
  let outcome: Outcome;
  beforeAll(() => {
    outcome = run(c);
  });

  test(`gets ${c.findings.length === 0 ? 'no finding' : c.findings.join(', ')}`, () => {
    expect(outcome.findings).toEqual(c.findings);
  });

  const errors = c.findings.filter((f) => !['TRUST_POLICY_NEAR_LIMIT', 'SERVICE_ACCOUNT_IN_SEVERAL_ROLES', 'POD_IDENTITY_NOT_PINNED'].includes(f));
  if (errors.length === 0) {
    test('the engine denies every token of another workload, and allows the role\'s own', () => {
      const document = outcome.document();
      expect(c.others.map((t) => `${JSON.stringify(t)} ${decide(document, t)}`))
        .toEqual(c.others.map((t) => `${JSON.stringify(t)} ImplicitlyDenied`));
      if (c.own) {
        expect(decide(document, c.own)).toBe('Allowed');
      }
    });
  }
  if (c.attack) {
    test('the engine lets the attacking token through: the finding is real', () => {
      expect(decide(outcome.document(), c.attack!)).toBe('Allowed');
    });
  }
});
