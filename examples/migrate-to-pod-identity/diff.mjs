#!/usr/bin/env node
/**
 * Synthesizes this example in its four phases (before, during, cutover, after) into temporary
 * directories and prints, as Markdown, what changes from one phase to the next:
 *
 * - in the CloudFormation template, resources added, removed and changed by logical ID, and for
 *   changed ones which properties changed, down to the statements of a policy;
 * - in the ServiceAccount YAML, documents added or removed, and changed lines.
 *
 * It then checks that only the role's trust policy, the Pod Identity association and the
 * role-arn annotation change, and that the role keeps its logical ID and RoleName; it exits
 * with status 1 if not.
 *
 * Plain Node, no dependencies. It runs the app with `npx tsx`, which resolves `../../lib` to the
 * compiled library: run `npx jsii --silence-warnings=reserved-word` first. From the repository root:
 *
 *   node examples/migrate-to-pod-identity/diff.mjs           print the report
 *   node examples/migrate-to-pod-identity/diff.mjs --write   write it to DIFF.md next to this file
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const STACK = 'IrsaMigration';
const PHASES = ['before', 'during', 'cutover', 'after'];
const MODES = { before: 'IRSA', during: 'IRSA_AND_POD_IDENTITY', cutover: 'POD_IDENTITY + retainIrsaTrust', after: 'POD_IDENTITY' };
const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** Synthesizes one phase and returns its template and ServiceAccount YAML. */
function synth(phase) {
  const outdir = mkdtempSync(join(tmpdir(), `cdk-irsa-migration-${phase}-`));
  try {
    const result = spawnSync('npx', ['--no-install', 'tsx', join(HERE, 'app.ts')], {
      cwd: HERE,
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ phase }) },
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      throw new Error(`synth of phase ${phase} failed (${result.error ?? `exit ${result.status}`}):\n${result.stderr}`);
    }
    return {
      template: JSON.parse(readFileSync(join(outdir, `${STACK}.template.json`), 'utf8')),
      yaml: readFileSync(join(outdir, `${STACK}.service-accounts`, 'prod', 'service-accounts.yaml'), 'utf8'),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Structural diff of JSON values

const canonical = (value) => JSON.stringify(value, (_key, v) =>
  (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));

const short = (value, max = 400) => {
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

/**
 * The changes from `a` to `b` under `path`: objects key by key; arrays as sets of elements
 * (policy statements are compared whole, whatever their position); anything else by value.
 */
function diffValues(a, b, path, out) {
  if (canonical(a) === canonical(b)) {
    return out;
  }
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const sub = path ? `${path}.${key}` : key;
      if (!(key in b)) {
        out.push({ path: sub, kind: 'removed', value: a[key] });
      } else if (!(key in a)) {
        out.push({ path: sub, kind: 'added', value: b[key] });
      } else {
        diffValues(a[key], b[key], sub, out);
      }
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const before = new Set(a.map(canonical));
    const after = new Set(b.map(canonical));
    for (const item of a) {
      if (!after.has(canonical(item))) out.push({ path: `${path}[]`, kind: 'removed', value: item });
    }
    for (const item of b) {
      if (!before.has(canonical(item))) out.push({ path: `${path}[]`, kind: 'added', value: item });
    }
    if (!out.some((c) => c.path === `${path}[]`)) {
      out.push({ path, kind: 'reordered', value: b });
    }
    return out;
  }
  out.push({ path, kind: 'changed', from: a, value: b });
  return out;
}

/** Resources and outputs added, removed and changed between two templates. */
function diffTemplates(a, b) {
  const sections = [];
  for (const section of ['Resources', 'Outputs', 'Parameters', 'Conditions']) {
    const left = a[section] ?? {};
    const right = b[section] ?? {};
    for (const id of [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()) {
      if (!(id in right)) {
        sections.push({ section, id, kind: 'removed', type: left[id].Type, resource: left[id] });
      } else if (!(id in left)) {
        sections.push({ section, id, kind: 'added', type: right[id].Type, resource: right[id] });
      } else if (canonical(left[id]) !== canonical(right[id])) {
        sections.push({ section, id, kind: 'changed', type: right[id].Type, changes: diffValues(left[id], right[id], '', []) });
      }
    }
  }
  return sections;
}

// ---------------------------------------------------------------------------------------------
// Diff of the ServiceAccount YAML

/** The documents of a multi-document YAML file, by kind/namespace/name. */
function yamlDocuments(text) {
  const documents = new Map();
  for (const doc of text.split(/^---\s*$/m).map((d) => d.trim()).filter(Boolean)) {
    const kind = /^kind: (.+)$/m.exec(doc)?.[1] ?? '?';
    const name = /^ {2}name: (.+)$/m.exec(doc)?.[1] ?? '?';
    const namespace = /^ {2}namespace: (.+)$/m.exec(doc)?.[1];
    documents.set(`${kind} ${namespace ? `${namespace}/` : ''}${name}`, doc.split('\n'));
  }
  return documents;
}

/** A line diff (longest common subsequence): lines prefixed with ' ', '-' or '+'. */
function diffLines(a, b) {
  const table = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const lines = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push(`  ${a[i++]}`);
      j++;
    } else if (j < b.length && (i === a.length || table[i][j + 1] >= table[i + 1][j])) {
      lines.push(`+ ${b[j++]}`);
    } else {
      lines.push(`- ${a[i++]}`);
    }
  }
  return lines;
}

function diffYaml(a, b) {
  const left = yamlDocuments(a);
  const right = yamlDocuments(b);
  const changes = [];
  for (const key of [...new Set([...left.keys(), ...right.keys()])]) {
    if (!right.has(key)) {
      changes.push({ key, kind: 'removed', lines: left.get(key).map((l) => `- ${l}`) });
    } else if (!left.has(key)) {
      changes.push({ key, kind: 'added', lines: right.get(key).map((l) => `+ ${l}`) });
    } else if (left.get(key).join('\n') !== right.get(key).join('\n')) {
      changes.push({ key, kind: 'changed', lines: diffLines(left.get(key), right.get(key)) });
    }
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Report

/** A value inline where it is short and simple, else as an indented JSON block under the list item. */
function value(v) {
  if (v === null || typeof v !== 'object') {
    return ` \`${JSON.stringify(v)}\``;
  }
  return ['', '', '    ```json', ...JSON.stringify(v, null, 2).split('\n').map((l) => `    ${l}`), '    ```', ''].join('\n');
}

function describeChange(change) {
  switch (change.kind) {
    case 'added': return `added to \`${change.path.replace(/\[\]$/, '')}\`:${value(change.value)}`;
    case 'removed': return `removed from \`${change.path.replace(/\[\]$/, '')}\`:${value(change.value)}`;
    case 'reordered': return `\`${change.path}\`: same elements, other order`;
    default: return `\`${change.path}\`: \`${short(change.from)}\` → \`${short(change.value)}\``;
  }
}

function renderPair(from, to, templateChanges, yamlChanges) {
  const lines = [`## ${from} → ${to}`, '', `\`${MODES[from]}\` → \`${MODES[to]}\``, '', '### Template', ''];
  if (templateChanges.length === 0) {
    lines.push('No change.', '');
  }
  for (const c of templateChanges) {
    const what = c.section === 'Resources' ? `\`${c.id}\` (${c.type})` : `${c.section.replace(/s$/, '').toLowerCase()} \`${c.id}\``;
    if (c.kind === 'changed') {
      const properties = [...new Set(c.changes.map((x) => x.path.replace(/\[\]$/, '').split('.').slice(0, 2).join('.')))];
      lines.push(`- **changed** ${what}: ${properties.map((p) => `\`${p}\``).join(', ')}`);
      lines.push(...c.changes.map((x) => `  - ${describeChange(x)}`));
    } else {
      lines.push(`- **${c.kind}** ${what}:${value(c.resource)}`);
    }
  }
  if (templateChanges.length > 0) {
    lines.push('');
  }
  lines.push('### ServiceAccount YAML', '');
  if (yamlChanges.length === 0) {
    lines.push('No change.', '');
  }
  for (const c of yamlChanges) {
    lines.push(`- **${c.kind}** ${c.key}`, '', '```diff', ...c.lines, '```', '');
  }
  return lines;
}

/** What the migration promises: only trust, association and annotation change. */
function check(results, pairs) {
  const failures = { roles: [], template: [], yaml: [] };
  const roleIds = PHASES.map((phase) => Object.entries(results[phase].template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role')
    .map(([id, r]) => `${id} ${r.Properties.RoleName}`)
    .sort()
    .join(', '));
  if (new Set(roleIds).size !== 1) {
    failures.roles.push(`the roles differ between phases: ${roleIds.join(' | ')}`);
  }
  for (const { from, to, templateChanges, yamlChanges } of pairs) {
    for (const c of templateChanges) {
      const association = c.section === 'Resources' && c.type === 'AWS::EKS::PodIdentityAssociation' && c.kind !== 'changed';
      const trust = c.section === 'Resources' && c.type === 'AWS::IAM::Role' && c.kind === 'changed'
        && c.changes.every((x) => x.path.startsWith('Properties.AssumeRolePolicyDocument'));
      if (!association && !trust) {
        failures.template.push(`${from} → ${to}: unexpected change of ${c.section} ${c.id} (${c.kind})`);
      }
    }
    for (const c of yamlChanges) {
      const changed = c.lines.filter((l) => !l.startsWith('  ')).map((l) => l.slice(2).trim());
      const annotationOnly = c.kind === 'changed'
        && changed.every((l) => l === 'annotations:' || l.startsWith(`${ROLE_ARN_ANNOTATION}:`));
      if (!annotationOnly) {
        failures.yaml.push(`${from} → ${to}: unexpected change of ${c.key} in the ServiceAccount YAML`);
      }
    }
  }
  return { failures, roles: roleIds[0] };
}

const results = Object.fromEntries(PHASES.map((phase) => [phase, synth(phase)]));
const pairs = [['before', 'during'], ['during', 'cutover'], ['cutover', 'after'], ['before', 'after']].map(([from, to]) => ({
  from,
  to,
  templateChanges: diffTemplates(results[from].template, results[to].template),
  yamlChanges: diffYaml(results[from].yaml, results[to].yaml),
}));
const { failures, roles } = check(results, pairs);
const mark = (list) => [list.length === 0 ? '✔' : '✘', ...list.map((f) => `\n  - ✘ ${f}`)];
const allFailures = [...failures.roles, ...failures.template, ...failures.yaml];

const report = [
  '# What changes between the phases',
  '',
  '<!-- Generated by diff.mjs; do not edit. Regenerate from the repository root with',
  '     npx jsii --silence-warnings=reserved-word && node examples/migrate-to-pod-identity/diff.mjs --write -->',
  '',
  `The stack \`${STACK}\` of [app.ts](app.ts), synthesized with \`-c phase=before\`, \`during\`, \`cutover\` and \`after\`.`,
  'Only `payments/api` changes mode; `payments/ledger` stays on IRSA, so the IAM OIDC provider stays too.',
  '',
  '## Checks',
  '',
  `- ${mark(failures.roles)[0]} the IAM roles have the same logical IDs and RoleNames in every phase: ${roles.split(', ').map((r) => `\`${r}\``).join(', ')}${mark(failures.roles).slice(1).join('')}`,
  `- ${mark(failures.template)[0]} the only template changes are the role's \`AssumeRolePolicyDocument\` and the \`AWS::EKS::PodIdentityAssociation\` (added or removed, never changed)${mark(failures.template).slice(1).join('')}`,
  `- ${mark(failures.yaml)[0]} the only ServiceAccount change is the \`${ROLE_ARN_ANNOTATION}\` annotation${mark(failures.yaml).slice(1).join('')}`,
  '',
  ...pairs.flatMap((p) => renderPair(p.from, p.to, p.templateChanges, p.yamlChanges)),
].join('\n').replace(/\n+$/, '\n');

if (process.argv.includes('--write')) {
  writeFileSync(join(HERE, 'DIFF.md'), report);
  console.log(`wrote ${join(HERE, 'DIFF.md')}`);
} else {
  process.stdout.write(report);
}
if (allFailures.length > 0) {
  console.error(`\n${allFailures.length} unexpected change(s):\n${allFailures.map((f) => `  ${f}`).join('\n')}`);
  process.exit(1);
}
