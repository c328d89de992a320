/**
 * API.md as `npm run docgen` writes it (scripts/docgen.mjs): every struct lists its required
 * properties before its optional ones, inherited ones included, and is otherwise exactly what
 * jsii-docgen's CLI writes. Which properties a struct has, and which are required, is read from the
 * jsii assembly (.jsii, written by `npm run build`), not from jsii-docgen.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const ASSEMBLY = path.join(ROOT, '.jsii');

interface JsiiProperty { readonly name: string; readonly optional?: boolean }
interface JsiiType {
  readonly fqn: string;
  readonly name: string;
  readonly kind: string;
  readonly datatype?: boolean;
  readonly interfaces?: string[];
  readonly properties?: JsiiProperty[];
}

/** A struct's properties, own and inherited, by name: true when optional. */
function optionality(types: Record<string, JsiiType>, fqn: string): Map<string, boolean> {
  const type = types[fqn];
  if (!type) {
    throw new Error(`${fqn} is not a type of this assembly: the test cannot tell which of its properties are required`);
  }
  const result = new Map<string, boolean>();
  for (const base of type.interfaces ?? []) {
    for (const [name, optional] of optionality(types, base)) {
      result.set(name, optional);
    }
  }
  for (const property of type.properties ?? []) {
    result.set(property.name, property.optional === true);
  }
  return result;
}

/** The sections of a jsii-docgen document, by the id of their `###` heading (one per type). */
function sections(markdown: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const part of markdown.split(/^(?=### )/m).slice(1)) {
    const id = /^### .*? id="([^"]+)"><\/a>$/m.exec(part)?.[1];
    if (!id) {
      throw new Error(`a ### section has no id: ${part.split('\n')[0]}`);
    }
    result.set(id, part);
  }
  return result;
}

/** The property names of a struct's section: in its table, and in its `#####` detail headings with their Required/Optional mark. */
function listed(section: string, fqn: string) {
  const quoted = fqn.replace(/\./g, '\\.');
  const table = [...section.matchAll(new RegExp(`^\\| <code><a href="#${quoted}\\.property\\.(\\w+)">`, 'gm'))].map((m) => m[1]);
  const details = [...section.matchAll(new RegExp(`^##### \`(\\w+)\`<sup>(Required|Optional)</sup> <a name="\\w+" id="${quoted}\\.property\\.(\\w+)"></a>$`, 'gm'))]
    .map((m) => ({ name: m[3], optional: m[2] === 'Optional' }));
  return { table, details };
}

function generate(command: string, args: string[]): string {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1', FORCE_COLOR: '0' },
  });
  if (result.status !== 0) {
    throw new Error(`${path.basename(command)} ${args.join(' ')} failed (exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

let structs: JsiiType[];
let types: Record<string, JsiiType>;
let ours: Map<string, string>;
let theirs: Map<string, string>;
let oursText: string;
let theirsText: string;

beforeAll(() => {
  if (!fs.existsSync(ASSEMBLY)) {
    throw new Error('.jsii not found: run `npm run build` first');
  }
  types = JSON.parse(fs.readFileSync(ASSEMBLY, 'utf8')).types;
  structs = Object.values(types).filter((type) => type.kind === 'interface' && type.datatype === true);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-docs-'));
  generate(process.execPath, [path.join(ROOT, 'scripts', 'docgen.mjs'), path.join(dir, 'ours', 'API.md')]);
  fs.mkdirSync(path.join(dir, 'cli'));
  generate(path.join(ROOT, 'node_modules', '.bin', 'jsii-docgen'), ['-o', path.join(dir, 'cli', 'API.md')]);
  oursText = fs.readFileSync(path.join(dir, 'ours', 'API.md'), 'utf8');
  theirsText = fs.readFileSync(path.join(dir, 'cli', 'API.md'), 'utf8');
  ours = sections(oursText);
  theirs = sections(theirsText);
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('API.md (npm run docgen)', () => {
  test('the assembly has structs, among them props that inherit optional properties and add required ones', () => {
    expect(structs.length).toBeGreaterThan(20);
    const props = optionality(types, 'cdk-irsa.IrsaServiceAccountProps');
    expect(props.get('cluster')).toBe(false);
    expect(props.get('name')).toBe(false);
    expect(props.get('annotations')).toBe(true);
  });

  test('every struct lists all its properties, own and inherited, required ones first, in its table and in its details', () => {
    const wrong: string[] = [];
    for (const struct of structs) {
      const section = ours.get(struct.fqn);
      if (!section) {
        wrong.push(`${struct.name}: no section`);
        continue;
      }
      const expected = optionality(types, struct.fqn);
      const { table, details } = listed(section, struct.fqn);
      if ([...table].sort().join() !== [...expected.keys()].sort().join()) {
        wrong.push(`${struct.name}: the table lists ${table.join(', ')}; the assembly has ${[...expected.keys()].join(', ')}`);
        continue;
      }
      const firstOptional = table.findIndex((name) => expected.get(name));
      const lateRequired = table.filter((name, index) => firstOptional >= 0 && index > firstOptional && !expected.get(name));
      if (lateRequired.length > 0) {
        wrong.push(`${struct.name}: required ${lateRequired.join(', ')} after optional ${table[firstOptional]}`);
      }
      const detailed = table.map((name) => ({ name, optional: expected.get(name) }));
      if (JSON.stringify(details) !== JSON.stringify(detailed)) {
        wrong.push(`${struct.name}: the details list ${details.map((d) => `${d.name}${d.optional ? '?' : ''}`).join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('each struct keeps jsii-docgen\'s order within its required and within its optional properties', () => {
    for (const struct of structs) {
      const expected = optionality(types, struct.fqn);
      const docgen = listed(theirs.get(struct.fqn)!, struct.fqn).table;
      expect({ struct: struct.name, table: listed(ours.get(struct.fqn)!, struct.fqn).table }).toEqual({
        struct: struct.name,
        table: [...docgen.filter((name) => !expected.get(name)), ...docgen.filter((name) => expected.get(name))],
      });
    }
  });

  test('apart from the order of struct properties, the document is what jsii-docgen\'s CLI writes', () => {
    const structIds = new Set(structs.map((struct) => struct.fqn));
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    for (const [id, section] of ours) {
      if (structIds.has(id)) {
        // The same lines: the property entries are moved, not changed.
        expect(section.split('\n').sort()).toEqual(theirs.get(id)!.split('\n').sort());
      } else {
        expect(section).toEqual(theirs.get(id));
      }
    }
    // And the text before the first type section (title, table of contents).
    expect(oursText.slice(0, oursText.search(/^### /m))).toEqual(theirsText.slice(0, theirsText.search(/^### /m)));
  });
});
