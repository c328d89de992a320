/**
 * `npm run docgen`: writes API.md from .jsii (run `npm run build` first). `node scripts/docgen.mjs FILE`
 * writes FILE instead (scripts/package.mjs checks API.md that way).
 *
 * The output is what `jsii-docgen -o API.md` writes, with one difference: in every struct, the
 * required properties come before the optional ones.
 *
 * Why a script: jsii already sorts the properties a type declares (required first, then by name),
 * but jsii-docgen prints a struct's properties as jsii-reflect's `InterfaceType.allProperties` gives
 * them: those of the base interfaces first, then the struct's own. So `IrsaServiceAccountProps`
 * listed its required `cluster` last, after the optional props it inherits. jsii-docgen has no
 * option to change the order, and no declaration order in lib/ changes it.
 *
 * How: jsii-docgen's own `Documentation.toMarkdown()` is `toJson()` followed by
 * `MarkdownRenderer.fromSchema()`, both public API of jsii-docgen. This script makes the same two
 * calls with the options of the CLI, and in between moves each struct's required properties ahead
 * of its optional ones, each group keeping jsii-docgen's order. Nothing else is touched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Documentation, Language, MarkdownRenderer } from 'jsii-docgen';
import { fail, ROOT } from './util.mjs';

const output = path.resolve(process.argv[2] ?? path.join(ROOT, 'API.md'));
if (!fs.existsSync(path.join(ROOT, '.jsii'))) {
  fail('.jsii not found: run `npm run build` first');
}

// The options `jsii-docgen -o API.md` passes (lib/cli.js of jsii-docgen): TypeScript, every
// submodule, no README.
const options = { language: Language.TYPESCRIPT, allSubmodules: true };

const docs = await Documentation.forProject(ROOT);
try {
  const schema = (await docs.toJson(options)).content;
  const structs = schema.apiReference?.structs;
  if (!Array.isArray(structs)) {
    fail('jsii-docgen\'s JSON schema has no apiReference.structs array: its format changed, fix scripts/docgen.mjs');
  }
  for (const struct of structs) {
    struct.properties = requiredFirst(struct);
  }
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(output, MarkdownRenderer.fromSchema(schema, {}).render());
} finally {
  await docs.cleanup();
}
const shown = path.relative(ROOT, output);
console.log(`docgen: wrote ${shown.startsWith('..') ? output : shown} (struct properties required first)`);

/** The properties of a struct, required ones first; each group in jsii-docgen's order. */
function requiredFirst(struct) {
  if (!Array.isArray(struct.properties)) {
    fail(`jsii-docgen's schema of ${struct.fqn} has no properties array: its format changed, fix scripts/docgen.mjs`);
  }
  for (const property of struct.properties) {
    // The schema sets `optional: true` on optional properties and leaves it out on required ones.
    if (property.optional !== true && property.optional !== undefined) {
      fail(`jsii-docgen's schema of ${property.id} has optional=${JSON.stringify(property.optional)}: its format changed, fix scripts/docgen.mjs`);
    }
  }
  return [
    ...struct.properties.filter((property) => property.optional !== true),
    ...struct.properties.filter((property) => property.optional === true),
  ];
}
