/**
 * Property-based check of trust semantics: random clusters (issuers given in every way the public
 * API takes them: created, imported by ARN, by cluster attributes, as deploy-time parameters) and
 * random subjects (exact, anyInNamespace, patterns) and audiences; the role is built through the
 * public API and synthesized, its trust policy resolved, and @cloud-copilot/iam-simulate's engine
 * must allow exactly what an independent oracle (./support/oracle.ts, written from Kubernetes
 * and IAM semantics) says was intended, on at least 10,000 generated requests.
 *
 * The seed is fixed so CI is reproducible; failures print it with the path to replay:
 *   FC_SEED=<seed> FC_PATH=<path> npx jest test/verify/trust-property.test.ts
 * FC_SEED=random picks a new seed (printed) for exploratory runs; FC_RUNS changes the number of
 * scenarios.
 */
import * as fc from 'fast-check';
import { cleanupScratch } from './support/synth';
import { compare, GeneratedRequest, renderScenario, requestArb, Scenario, scenarioArb } from './support/trust-scenarios';

const DEFAULT_SEED = 20250605;
const SEED = process.env.FC_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FC_SEED ?? DEFAULT_SEED);
const PATH = process.env.FC_PATH;
const RUNS = Number(process.env.FC_RUNS ?? 125);
const REQUESTS_PER_SCENARIO = 100;
const MIN_REQUESTS = 10_000;

afterAll(cleanupScratch);

const casesArb = scenarioArb.chain((scenario) => fc.tuple(
  fc.constant(scenario),
  fc.array(requestArb(scenario), { minLength: REQUESTS_PER_SCENARIO, maxLength: REQUESTS_PER_SCENARIO }),
));

/** Checks the property with a renderer; counts the requests evaluated. */
function property(render: (scenario: Scenario) => any, counter: { requests: number; intended: number }) {
  return fc.property(casesArb, ([scenario, requests]: [Scenario, GeneratedRequest[]]) => {
    const document = render(scenario);
    counter.requests += requests.length;
    const found = compare(scenario, document, requests, counter);
    if (found.length > 0) {
      throw new Error(`${found.length} of ${requests.length} requests disagree with the intended set:\n  ${found.slice(0, 8).join('\n  ')}\n`
        + `trust policy: ${JSON.stringify(document)}`);
    }
  });
}

describe('trust policies allow exactly the intended service accounts (fast-check + iam-simulate)', () => {
  test(`at least ${MIN_REQUESTS} generated requests, seed ${SEED}`, () => {
    const counter = { requests: 0, intended: 0 };
    const details = fc.check(property(renderScenario, counter), { seed: SEED, path: PATH, numRuns: RUNS, endOnFailure: PATH !== undefined });
    if (process.env.VERIFY_VERBOSE) {
      console.log(`seed ${SEED}: ${details.numRuns} scenarios, ${counter.requests} requests, ${counter.intended} intended`);
    }
    if (details.failed) {
      // fast-check's report names seed, path and the shrunk counterexample.
      throw new Error(`${fc.defaultReportMessage(details)}\nReplay: FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath} `
        + 'npx jest test/verify/trust-property.test.ts');
    }
    if (PATH === undefined && process.env.FC_RUNS === undefined) {
      expect(counter.requests).toBeGreaterThanOrEqual(MIN_REQUESTS);
      // The generator must not drift into asking only hopeless questions: a fair share is intended.
      expect(counter.intended / counter.requests).toBeGreaterThan(0.15);
      expect(counter.intended / counter.requests).toBeLessThan(0.85);
    }
  });

  describe('the same check rejects deliberately wrong renderings', () => {
    /** Renders correctly, then breaks every statement with `breakStatement`. */
    const broken = (breakStatement: (condition: any) => void) => (scenario: Scenario) => {
      const document = renderScenario(scenario);
      for (const statement of document.Statement) {
        breakStatement(statement.Condition);
      }
      return document;
    };

    test('aud not pinned', () => {
      const unpinned = broken((condition) => {
        for (const operator of Object.values<any>(condition)) {
          for (const key of Object.keys(operator).filter((k) => k.endsWith(':aud'))) {
            delete operator[key];
          }
        }
      });
      const details = fc.check(property(unpinned, { requests: 0, intended: 0 }), { seed: SEED, numRuns: 100, endOnFailure: true });
      expect(details.failed).toBe(true);
      expect(String(details.errorInstance)).toMatch(/allowed but not intended/);
    });

    test('exact subjects matched as prefixes (StringLike "<subject>*")', () => {
      const prefixes = broken((condition) => {
        const equals = condition.StringEquals ?? {};
        for (const key of Object.keys(equals).filter((k) => k.endsWith(':sub'))) {
          const values = [equals[key]].flat().map((v: string) => `${v}*`);
          condition.StringLike = { ...condition.StringLike, [key]: values };
          delete equals[key];
        }
      });
      const details = fc.check(property(prefixes, { requests: 0, intended: 0 }), { seed: SEED, numRuns: 100, endOnFailure: true });
      expect(details.failed).toBe(true);
      expect(String(details.errorInstance)).toMatch(/allowed but not intended/);
    });

    test('patterns rendered under StringEquals (wildcards taken literally)', () => {
      const literal = broken((condition) => {
        const like = condition.StringLike ?? {};
        for (const key of Object.keys(like)) {
          condition.StringEquals = { ...condition.StringEquals, [key]: like[key] };
        }
        delete condition.StringLike;
      });
      const details = fc.check(property(literal, { requests: 0, intended: 0 }), { seed: SEED, numRuns: 100, endOnFailure: true });
      expect(details.failed).toBe(true);
      expect(String(details.errorInstance)).toMatch(/intended but denied/);
    });
  });
});
