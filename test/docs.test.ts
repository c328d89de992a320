/**
 * The documentation: the README stays short enough to read and links to every page of docs/; every
 * link between them resolves, anchors included; the error catalogue is the one lib/ raises; every
 * annotation and warning ID of lib/ is documented; the IrsaChecks rule table is the enum.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as ts from 'typescript';
import { ClusterOidcProvider, IrsaCheckRule, IrsaCluster, ServiceAccountSubject } from '../lib';

const ROOT = path.join(__dirname, '..');
const README = path.join(ROOT, 'README.md');
const DOCS = path.join(ROOT, 'docs');
/** The README is read on npmjs.com too, where only absolute links work: links into the repository take this form. */
const REPOSITORY = /^https:\/\/github\.com\/cdk-irsa\/cdk-irsa\/(?:blob|tree)\/main\/([^#?]*)(?:#(.*))?$/;
const README_LIMIT = 15_360;

const pages = fs.readdirSync(DOCS).filter((name) => name.endsWith('.md')).sort();
const documents = [README, ...pages.map((page) => path.join(DOCS, page))];
const read = (file: string) => fs.readFileSync(file, 'utf8');
const rel = (file: string) => path.relative(ROOT, file);

/** Markdown without fenced code blocks and inline code, where brackets are not links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The link targets of a markdown document. */
function links(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
}

/** GitHub's anchors for the headings of a markdown document. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const match of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = match[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    result.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return result;
}

/** What is wrong with a link of a document, or undefined if it resolves. */
function brokenLink(from: string, target: string): string | undefined {
  let file: string;
  let anchor: string | undefined;
  const repository = REPOSITORY.exec(target);
  if (repository) {
    file = path.join(ROOT, decodeURIComponent(repository[1]));
    anchor = repository[2];
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    return undefined; // another site
  } else {
    const [pathPart, hash] = target.split('#');
    file = pathPart === '' ? from : path.resolve(path.dirname(from), decodeURIComponent(pathPart));
    anchor = hash;
  }
  if (!fs.existsSync(file)) {
    return `${target}: ${rel(file)} does not exist`;
  }
  if (anchor !== undefined) {
    if (!file.endsWith('.md')) {
      return `${target}: an anchor into ${rel(file)}, which is not markdown`;
    }
    if (!anchors(read(file)).has(anchor)) {
      return `${target}: ${rel(file)} has no heading for #${anchor}`;
    }
  }
  return undefined;
}

/** Every string in the code of lib/ (not its comments), as the TypeScript scanner reads it. */
function libStrings(): string[] {
  const strings: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)
      || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      strings.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        visit(ts.createSourceFile(full, read(full), ts.ScriptTarget.ES2022, true));
      }
    }
  };
  walk(path.join(ROOT, 'lib'));
  return strings;
}

describe('README.md', () => {
  test(`is at most ${README_LIMIT} bytes`, () => {
    expect(fs.statSync(README).size).toBeLessThanOrEqual(README_LIMIT);
  });

  test('links to every page of docs/, with the absolute URL that works on npmjs.com too', () => {
    const linked = new Set(links(read(README)).map((t) => REPOSITORY.exec(t)?.[1]).filter((p) => p !== undefined));
    expect(pages.filter((page) => !linked.has(`docs/${page}`))).toEqual([]);
  });

  test('has no relative links, which break on npmjs.com (anchors within the README excepted)', () => {
    const relative = links(read(README)).filter((t) => !t.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(t));
    expect(relative).toEqual([]);
  });
});

describe('links', () => {
  test.each(documents.map((file) => [rel(file), file]))('of %s resolve, anchors included', (_name, file) => {
    const broken = links(read(file)).map((target) => brokenLink(file, target)).filter((b) => b !== undefined);
    expect(broken).toEqual([]);
  });

  test('the checker finds a missing page and a missing anchor', () => {
    const from = path.join(DOCS, 'errors.md');
    expect(brokenLink(from, 'no-such-page.md')).toBe('no-such-page.md: docs/no-such-page.md does not exist');
    expect(brokenLink(from, 'pod-identity.md#no-such-heading')).toBe('pod-identity.md#no-such-heading: docs/pod-identity.md has no heading for #no-such-heading');
    expect(brokenLink(README, 'https://github.com/cdk-irsa/cdk-irsa/blob/main/docs/nope.md')).toBe(
      'https://github.com/cdk-irsa/cdk-irsa/blob/main/docs/nope.md: docs/nope.md does not exist');
    expect(brokenLink(from, 'pod-identity.md#moving-from-irsa-to-pod-identity')).toBeUndefined();
    expect(anchors('# A: b `c`\n## A: b `c`\n')).toEqual(new Set(['a-b-c', 'a-b-c-1']));
  });
});

describe('docs/errors.md', () => {
  test('holds the error catalogue of lib/ as scripts/errors-doc.mjs generates it', () => {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'errors-doc.mjs'), '--check'], { encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('docs/errors.md: the error catalogue matches lib/');
    expect(result.status).toBe(0);
  });
});

describe('the error catalogue', () => {
  /** The catalogue's messages as patterns: a placeholder `<name>` stands for any text. */
  const patterns = [...read(path.join(DOCS, 'errors.md')).matchAll(/^- (?:error|error at synth|warning `[^`]+`): (?:`` (.+) ``|`([^`]+)`)$/gm)]
    .map((m) => (m[1] ?? m[2]).split(/<[^<>]+>/))
    .map((parts) => ({
      literal: parts.join('').length,
      regex: new RegExp(`^${parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's'),
    }));
  const detail = (make: () => unknown): string => {
    try {
      make();
    } catch (e) {
      return (e as { detail?: string }).detail ?? String(e);
    }
    throw new Error('expected an error');
  };

  test.each([
    ['an http issuer', () => new ClusterOidcProvider(new Stack(), 'P', { issuerUrl: 'http://oidc.example.com/id/A' })],
    ['an upper-case namespace', () => ServiceAccountSubject.exact('Payments', 'api')],
    ['a namespace pattern of wildcards', () => ServiceAccountSubject.matching('*', 'api')],
    ['an empty cluster name', () => IrsaCluster.fromAttributes({ clusterName: '' })],
    ['two equal thumbprints', () => new ClusterOidcProvider(new Stack(), 'P', {
      issuerUrl: 'https://oidc.example.com/id/A', thumbprints: ['a'.repeat(40), 'a'.repeat(40)],
    })],
  ])('holds the message the library raises for %s', (_case, make) => {
    const message = detail(make);
    expect(message.length).toBeGreaterThan(20);
    expect(patterns.length).toBeGreaterThan(100);
    // Matched by a message of the catalogue, not only by a helper's `<what> is <value>: <fix>`.
    const best = Math.max(0, ...patterns.filter((p) => p.regex.test(message)).map((p) => p.literal));
    expect(best).toBeGreaterThan(message.length / 2);
  });
});

describe('annotation, warning and metadata IDs', () => {
  test('every cdk-irsa:<id> in the code of lib/ is named in README.md or a page of docs/', () => {
    const ids = [...new Set(libStrings().flatMap((s) => [...s.matchAll(/cdk-irsa:([A-Za-z][\w-]*)/g)].map((m) => `cdk-irsa:${m[1]}`)))].sort();
    // The warnings of IrsaChecks carry `cdk-irsa:${rule}`, built at run time.
    const warningRules = Object.values(IrsaCheckRule).filter((rule) => ruleLevels().get(rule) === 'warning');
    const all = [...ids, ...warningRules.map((rule) => `cdk-irsa:${rule}`)];
    expect(ids.length).toBeGreaterThan(15);
    const text = documents.map(read).join('\n');
    expect(all.filter((id) => !text.includes(id))).toEqual([]);
  });
});

/** The level of each rule, from its doc comment in lib/irsa-check-rule.ts ("Error: ..." or "Warning: ..."). */
function ruleLevels(): Map<string, string> {
  const source = read(path.join(ROOT, 'lib', 'irsa-check-rule.ts'));
  return new Map([...source.matchAll(/\/\*\*\s*(?:\*\s*)?(Error|Warning):[\s\S]*?\*\/\s*(\w+) = '/g)].map((m) => [m[2], m[1].toLowerCase()]));
}

describe('docs/security-checks.md', () => {
  test('its IrsaChecks rule table lists exactly the rules of IrsaCheckRule, each at its level', () => {
    const page = read(path.join(DOCS, 'security-checks.md'));
    const rows = [...page.matchAll(/^\| `([A-Z_]+)` \| (error|warning) \|/gm)].map((m) => [m[1], m[2]]);
    const levels = ruleLevels();
    expect(levels.size).toBe(Object.values(IrsaCheckRule).length);
    expect(rows).toEqual(Object.values(IrsaCheckRule).map((rule) => [rule, levels.get(rule)]));
  });
});
