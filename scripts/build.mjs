/**
 * `npm run build`: compiles lib/ with jsii and fails on any jsii warning that is not accepted
 * below. jsii itself exits 0 on warnings, so its output is read line by line.
 */
import { bin, fail, JSII_ENV, run } from './util.mjs';

/** Warnings that are expected, each with the reason it is harmless. */
const ACCEPTED = [
  {
    test: (line) => /\bJSII5018\b/.test(line) && line.includes('"namespace" is a reserved word'),
    reason: '`namespace` is the Kubernetes term used for props and parameters; pacmak escapes C# reserved words (@namespace)',
  },
  {
    test: (line) => /\bJSII6\b/.test(line) && line.includes('[metadata/missing-dev-dependency]'),
    reason: 'intentional: peerDependencies name the lowest supported version, devDependencies pin the newest to build and test against',
  },
];

const result = run(bin('jsii'), [], { env: JSII_ENV, capture: true, allowFailure: true });
const output = `${result.stdout}${result.stderr}`;
process.stdout.write(output);
if (result.status !== 0) {
  fail(`jsii failed (exit ${result.status ?? result.signal})`);
}

const warnings = output.split('\n').filter((line) => /\bwarning JSII\d+:/.test(line));
// jsii ends with "Errors: 0 | Warnings: N": if not all of them were recognized above, the output
// format changed and this script must be fixed rather than pass silently.
const reported = Number(/\bWarnings: (\d+)/.exec(output)?.[1] ?? warnings.length);
if (reported !== warnings.length) {
  fail(`jsii reported ${reported} warning(s) but scripts/build.mjs recognized ${warnings.length}`);
}

const accepted = new Map();
const rejected = [];
for (const line of warnings) {
  const rule = ACCEPTED.find((candidate) => candidate.test(line));
  if (rule) {
    accepted.set(rule.reason, (accepted.get(rule.reason) ?? 0) + 1);
  } else {
    rejected.push(line.trim());
  }
}

console.log('');
for (const [reason, count] of accepted) {
  console.log(`accepted ${count} jsii warning(s): ${reason}`);
}
if (rejected.length > 0) {
  fail(`${rejected.length} jsii warning(s) not accepted (scripts/build.mjs lists the accepted ones):\n  ${rejected.join('\n  ')}`);
}
console.log('build: jsii compiled lib/ with no unexpected warnings');
