/**
 * `npm run example`: synthesizes examples/quickstart (or `npm run example -- <name>` for
 * examples/<name>) into a temporary directory and prints what a user would deploy:
 * - the IAM OIDC providers (AWS::IAM::OIDCProvider) of every stack,
 * - every IAM role whose trust policy allows sts:AssumeRoleWithWebIdentity, with that trust
 *   policy (an Fn::Join string is joined, its intrinsic parts shown as ${Ref:Id}/${GetAtt:Id.Attr}),
 * - the stack outputs,
 * - every .yaml file in the cloud assembly (ServiceAccount manifests written for GitOps), verbatim.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exampleNames, fail, synthesizeExample, tempDir } from './util.mjs';

const name = process.argv[2] ?? 'quickstart';
if (!exampleNames().includes(name)) {
  fail(`no examples/${name}/app.ts (available: ${exampleNames().join(', ')})`);
}

const outdir = path.join(tempDir('example'), 'cdk.out');
console.log(`Synthesizing examples/${name}/app.ts ...`);
const result = await synthesizeExample(name, outdir);
if (!result.ok) {
  process.stdout.write(result.output);
  fail(`examples/${name}/app.ts failed to synthesize (${result.error?.message ?? `exit ${result.status}`})`);
}
console.log(`Cloud assembly: ${outdir}`);

for (const stack of stacksOf(outdir)) {
  printStack(stack);
}
printYamlFiles(outdir);

/** The stacks of an assembly, nested assemblies (stages) included. */
function stacksOf(dir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  return Object.entries(manifest.artifacts ?? {}).flatMap(([id, artifact]) => {
    if (artifact.type === 'aws:cloudformation:stack') {
      const template = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8'));
      return [{ id, displayName: artifact.displayName ?? id, environment: artifact.environment, template }];
    }
    if (artifact.type === 'cdk:cloud-assembly') {
      return stacksOf(path.join(dir, artifact.properties.directoryName));
    }
    return [];
  });
}

function printStack(stack) {
  const resources = Object.entries(stack.template.Resources ?? {});
  heading(`Stack ${stack.displayName} (${stack.environment ?? 'environment-agnostic'})`);

  const providers = resources.filter(([, resource]) => resource.Type === 'AWS::IAM::OIDCProvider');
  console.log('\nIAM OIDC providers (AWS::IAM::OIDCProvider):');
  if (providers.length === 0) {
    console.log('  none yet');
  }
  for (const [logicalId, { Properties: props = {} }] of providers) {
    console.log(`  ${logicalId}`);
    console.log(`    Url:            ${render(props.Url)}`);
    console.log(`    ClientIdList:   ${(props.ClientIdList ?? []).map(render).join(', ') || '(none)'}`);
    if (props.ThumbprintList) {
      console.log(`    ThumbprintList: ${props.ThumbprintList.map(render).join(', ')}`);
    }
  }

  const roles = resources.filter(([, resource]) => resource.Type === 'AWS::IAM::Role'
    && JSON.stringify(resource.Properties?.AssumeRolePolicyDocument ?? '').includes('sts:AssumeRoleWithWebIdentity'));
  console.log('\nIAM roles that trust web identities (sts:AssumeRoleWithWebIdentity):');
  if (roles.length === 0) {
    console.log('  none yet');
  }
  for (const [logicalId, { Properties: props }] of roles) {
    console.log(`  ${logicalId}${props.RoleName ? ` (RoleName: ${render(props.RoleName)})` : ''}`);
    console.log('    AssumeRolePolicyDocument:');
    console.log(indent(trustPolicyText(props.AssumeRolePolicyDocument), 6));
  }

  const outputs = Object.entries(stack.template.Outputs ?? {});
  if (outputs.length > 0) {
    console.log('\nOutputs:');
    for (const [outputId, output] of outputs) {
      console.log(`  ${outputId}: ${render(output.Value)}`);
    }
  }
}

/** A trust policy as readable JSON: an object as is, an Fn::Join string joined and parsed. */
function trustPolicyText(document) {
  if (document && typeof document === 'object' && 'Fn::Join' in document) {
    const text = render(document);
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }
  return JSON.stringify(renderDeep(document), null, 2);
}

/** Every .yaml file under the assembly directory, verbatim. */
function printYamlFiles(dir) {
  heading('YAML files in the cloud assembly (ServiceAccount manifests for GitOps)');
  const files = fs.readdirSync(dir, { recursive: true })
    .filter((file) => file.endsWith('.yaml') && fs.statSync(path.join(dir, file)).isFile())
    .sort();
  if (files.length === 0) {
    console.log('\n  none yet');
  }
  for (const file of files) {
    console.log(`\n# ${path.join(dir, file)}`);
    process.stdout.write(fs.readFileSync(path.join(dir, file), 'utf8'));
  }
}

/**
 * A CloudFormation value as text. Strings stay as they are; intrinsics become placeholders:
 * `${Ref:Id}`, `${GetAtt:Id.Attr}`, an Fn::Join joined, any other function as
 * `${Fn::Name(arg, ...)}`. Placeholders contain no double quotes, so joined JSON still parses.
 */
function render(value) {
  if (value === undefined || value === null) {
    return '(none)';
  }
  if (Array.isArray(value)) {
    return `[${value.map(render).join(', ')}]`;
  }
  if (typeof value === 'object' && 'Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'];
    return parts.map(render).join(separator);
  }
  return typeof value === 'object' ? `\${${expression(value)}}` : String(value);
}

/** An intrinsic as an expression: `Ref:Id`, `GetAtt:Id.Attr`, `Fn::Name(arg, ...)`. */
function expression(value) {
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (Array.isArray(value)) {
    return `[${value.map(expression).join(', ')}]`;
  }
  if (typeof value !== 'object' || value === null) {
    return String(value);
  }
  if ('Ref' in value) {
    return `Ref:${value.Ref}`;
  }
  if ('Fn::GetAtt' in value) {
    const attribute = value['Fn::GetAtt'];
    return `GetAtt:${Array.isArray(attribute) ? attribute.join('.') : attribute}`;
  }
  const [fn, args] = Object.entries(value)[0] ?? ['?', []];
  return `${fn}(${(Array.isArray(args) ? args : [args]).map(expression).join(', ')})`;
}

/** Replaces every intrinsic inside a JSON value by its placeholder text. */
function renderDeep(value) {
  if (Array.isArray(value)) {
    return value.map(renderDeep);
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return render(value);
    }
    return Object.fromEntries(keys.map((key) => [key, renderDeep(value[key])]));
  }
  return value;
}

function heading(text) {
  console.log(`\n${'='.repeat(Math.min(text.length, 100))}\n${text}\n${'='.repeat(Math.min(text.length, 100))}`);
}

function indent(text, spaces) {
  return text.split('\n').map((line) => `${' '.repeat(spaces)}${line}`).join('\n');
}
