import { Token } from 'aws-cdk-lib';
import * as YAML from 'yaml';
import { fail } from './errors';

/**
 * Plain scalars that some YAML 1.1 reader (go-yaml v2, behind `sigs.k8s.io/yaml`, kubectl, Argo CD
 * and Flux) may read as something other than a string, beyond what the `yaml` package's own
 * YAML 1.1 schema already quotes: booleans and nulls in any case (`oN`, `yEs`), Go integer
 * literals (`0o17`, `0B1`), and the merge and value keys.
 */
const ALSO_NOT_A_STRING_IN_YAML_1_1 = [
  /^(?:y|yes|n|no|true|false|on|off|null|~)$/i,
  /^[-+]?0[box][0-9a-f_]+$/i,
  /^[-+]?\.(?:inf|nan)$/i,
  /^(?:<<|=)$/,
];

/**
 * go-yaml v2 removes every `_` from a plain scalar that starts with a digit, sign or dot before
 * matching it as an integer or float (`1e1_0`, `9_9e1_0`), and the YAML 1.1 spec allows
 * sexagesimal numbers (`1_0:20`): matched after removing `_`.
 */
const NOT_A_STRING_WITHOUT_UNDERSCORES = [
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?0[box][0-9a-f]+$/i,
  /^[-+]?[0-9]+(?::[0-9]+)+(?:\.[0-9]*)?$/,
];

/**
 * Characters that YAML 1.1 readers (go-yaml, PyYAML) take for line breaks (NEL, LS, PS) and the
 * byte order mark, which YAML 1.2 writers put in a scalar as they are: such a string is
 * double-quoted, and the characters escaped in it, so that every reader gets them back.
 */
const YAML_1_1_BREAKS = /[\u0085\u2028\u2029\ufeff]/;
const YAML_1_1_BREAKS_ALL = new RegExp(YAML_1_1_BREAKS.source, 'g');

/**
 * Whether a string must be double-quoted: a YAML 1.1 reader would read it as plain as something
 * else, it holds a character that only YAML 1.1 takes for a line break (U+2028, U+2029), or it
 * has several lines one of which starts with white space, which a block scalar would not carry
 * (its indentation is taken from the first line that is not empty).
 */
function needsQuotes(value: string): boolean {
  if (ALSO_NOT_A_STRING_IN_YAML_1_1.some((pattern) => pattern.test(value))) {
    return true;
  }
  if (/^[-+0-9.]/.test(value)) {
    const plain = value.replace(/_/g, '');
    if (NOT_A_STRING_WITHOUT_UNDERSCORES.some((pattern) => pattern.test(plain))) {
      return true;
    }
  }
  if (YAML_1_1_BREAKS.test(value)) {
    return true;
  }
  return value.includes('\n') && /(?:^|\n)[ \t]/.test(value);
}

/**
 * Kubernetes objects as YAML documents, one after the other. Values must be literal: YAML is
 * read by tools that know nothing of CloudFormation, so a token would be written as garbage.
 *
 * Kubernetes tools read YAML 1.1, where `on`, `no`, `y`, `0b101` or `1_000` are not strings:
 * every string that a YAML 1.1 reader would read as anything else is quoted.
 */
export function toYamlDocuments(objects: any[], what: string): string {
  const json = JSON.stringify(objects);
  if (Token.isUnresolved(json)) {
    fail(`${what} holds a value that is known only at deploy time (a token), which YAML cannot carry. `
      + 'Give literal values (for the role ARN: a fixed roleName and a stack with an explicit account and region).');
  }
  return objects.map((object) => plainYaml(object) ?? toYaml11(object)).join('---\n');
}

/**
 * Keys and strings that are written plain, the same way by the `yaml` package and here: a
 * letter first, then letters, digits and `._/@:-`, not ending in `:`; nothing that the `yaml`
 * package's YAML 1.1 schema would read as another type (its own tests, so that both agree), and
 * nothing that `needsQuotes` quotes. Anything else goes to the `yaml` package.
 */
const PLAIN = /^[A-Za-z][A-Za-z0-9._/@:-]*$/;
const INDENT = '  ';
let yaml11Tests: RegExp[] | undefined;
/** Answers of `isPlain`: the same keys and values come back in every ServiceAccount. */
const plainAnswers = new Map<string, boolean>();
const MAX_PLAIN_ANSWERS = 10_000;

function isPlain(value: string): boolean {
  let answer = plainAnswers.get(value);
  if (answer === undefined) {
    answer = PLAIN.test(value) && !value.endsWith(':') && !needsQuotes(value) && !resolvesToAnotherType(value);
    if (plainAnswers.size >= MAX_PLAIN_ANSWERS) {
      plainAnswers.clear();
    }
    plainAnswers.set(value, answer);
  }
  return answer;
}

/** Whether the `yaml` package's YAML 1.1 schema reads the plain string as something other than a string. */
function resolvesToAnotherType(value: string): boolean {
  yaml11Tests ??= yaml11Document(null).schema.tags.flatMap((tag) => (typeof tag === 'object' && tag.test instanceof RegExp ? [tag.test] : []));
  return yaml11Tests.some((test) => test.test(value));
}

/**
 * The common case, written directly, as the `yaml` package writes it (`lineWidth: 0`, two spaces
 * of indentation, sequences indented under their key): a map of maps, sequences, plain strings,
 * booleans and whole numbers. `undefined` for anything else, which the `yaml` package writes.
 * The `yaml` package costs about as much per ServiceAccount as the rest of the synth, and a stack
 * may hold hundreds of them.
 */
export function plainYaml(object: any): string | undefined {
  if (!isMap(object)) {
    return undefined;
  }
  const lines: string[] = [];
  return writeMap(object, '', lines) ? `${lines.join('\n')}\n` : undefined;
}

function isMap(value: any): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** A scalar as written plain, or `undefined` if it is not one that this writer handles. */
function scalar(value: any): string | undefined {
  if (typeof value === 'string') {
    return isPlain(value) ? value : undefined;
  }
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isSafeInteger(value))) {
    return String(value);
  }
  return undefined;
}

/** Appends the lines of a non-empty map or of `{}`; `false` for anything this writer does not handle. */
function writeMap(map: { [key: string]: any }, indent: string, lines: string[], firstPrefix?: string): boolean {
  const entries = Object.entries(map);
  if (entries.length === 0) {
    return false;
  }
  let first = true;
  for (const [key, value] of entries) {
    if (!isPlain(key)) {
      return false;
    }
    const head = first && firstPrefix !== undefined ? firstPrefix : indent;
    first = false;
    const text = scalar(value);
    if (text !== undefined) {
      lines.push(`${head}${key}: ${text}`);
    } else if (isMap(value)) {
      if (Object.keys(value).length === 0) {
        lines.push(`${head}${key}: {}`);
      } else {
        lines.push(`${head}${key}:`);
        if (!writeMap(value, indent + INDENT, lines)) {
          return false;
        }
      }
    } else if (Array.isArray(value)) {
      if (value.length === 0) {
        lines.push(`${head}${key}: []`);
      } else {
        lines.push(`${head}${key}:`);
        if (!writeSequence(value, indent + INDENT, lines)) {
          return false;
        }
      }
    } else {
      return false;
    }
  }
  return true;
}

/** Appends the items of a non-empty sequence: scalars and non-empty maps. */
function writeSequence(items: any[], indent: string, lines: string[]): boolean {
  for (const item of items) {
    const text = scalar(item);
    if (text !== undefined) {
      lines.push(`${indent}- ${text}`);
    } else if (!isMap(item) || !writeMap(item, indent + INDENT, lines, `${indent}- `)) {
      return false;
    }
  }
  return true;
}

/** One object as a YAML document that reads back the same under YAML 1.1 and 1.2 rules, written by the `yaml` package. */
export function toYaml11(object: any): string {
  // The 1.1 schema quotes what it would not read back as a string; the `%YAML` directive is not
  // written. Its merge tag would write `<<` plain whatever the node says: leave it out.
  const document = yaml11Document(object);
  YAML.visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && needsQuotes(node.value)) {
        node.type = YAML.Scalar.QUOTE_DOUBLE;
      }
    },
  });
  // Only in double-quoted scalars (needsQuotes), where an escape stands for the character.
  return document.toString({ lineWidth: 0 })
    .replace(YAML_1_1_BREAKS_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function yaml11Document(object: any): YAML.Document {
  return new YAML.Document(object, { version: '1.1', customTags: (tags) => tags.filter((tag) => !isMergeTag(tag)) });
}

function isMergeTag(tag: YAML.Tags[number]): boolean {
  return typeof tag === 'object' && tag.tag === 'tag:yaml.org,2002:merge';
}
