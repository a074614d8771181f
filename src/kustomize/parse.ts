import { isMap, isScalar, isSeq, parseAllDocuments, YAMLMap } from "yaml";
import { expandAliases } from "./aliases.js";
import { KustomizeError } from "./errors.js";
import { parseBlockYaml } from "./fast-yaml.js";
import { reindentQuotedScalars } from "./quoted-indent.js";
import { dropEofLineBreak } from "./yaml-eof.js";
import { getIn, Resource, scalarText } from "./resource.js";

/**
 * Parses a multi-document YAML (or JSON) file into resources. Empty documents are skipped and
 * `kind: ...List` documents are expanded into their items, as kustomize does. Errors name the
 * file and the line.
 */
export function parseResources(text: string, file: string): Resource[] {
  const fast = parseBlockYaml(text);
  if (fast !== undefined) {
    const out: Resource[] = [];
    for (const root of fast) if (root.items.length > 0) expandList(root, file, out);
    return out;
  }
  const { docs, parsed } = parseLeniently(text);
  if (!Array.isArray(docs)) return [];
  const last = docs[docs.length - 1];
  if (last) dropEofLineBreak(last, parsed);
  const out: Resource[] = [];
  const mayHaveAlias = ALIAS_START.test(text);
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const problem = err.code === "DUPLICATE_KEY" ? duplicateKeyProblem(text, err.pos[0]) : parseProblem(err.message);
      throw new KustomizeError(`malformed YAML: ${problem}`, { file, line: lineOf(text, err.pos[0]) });
    }
    const root = doc.contents;
    if (root === null || root === undefined) continue;
    if (isScalar(root) && (root.value === "" || root.value === null)) continue;
    if (!isMap(root)) {
      const line = doc.range ? lineOf(text, doc.range[0]) : undefined;
      throw new KustomizeError("malformed YAML: a resource must be a mapping", { file, line });
    }
    if (root.items.length === 0) continue;
    if (mayHaveAlias) expandAliases(doc, file);
    expandList(root, file, out);
  }
  return out;
}

/**
 * Where an alias could start: `*` and a name character, at the start of a node (after a blank,
 * a line break, a flow indicator or `:`), or at the start of the text. Text without one has no
 * alias, so the documents need no walk for them (CRD descriptions are full of `*` otherwise).
 */
const ALIAS_START = /(?:^|[\s[{,:])\*[^\s[\]{},]/;

function parseYaml(text: string): ReturnType<typeof parseAllDocuments> {
  return parseAllDocuments(text, { schema: "failsafe", uniqueKeys: true, prettyErrors: false });
}

/**
 * yaml.v3 accepts under-indented quoted scalars: where the spec's parser does not, try again with
 * them indented (quoted-indent.ts). Returns the documents and the text they were parsed from.
 */
function parseLeniently(text: string): { docs: ReturnType<typeof parseAllDocuments>; parsed: string } {
  const docs = parseYaml(text);
  if (!Array.isArray(docs) || !docs.some((d) => d.errors.some((e) => e.message.startsWith("Missing closing")))) return { docs, parsed: text };
  const lenientText = reindentQuotedScalars(text);
  const lenient = parseYaml(lenientText);
  return Array.isArray(lenient) && lenient.every((d) => d.errors.length === 0) ? { docs: lenient, parsed: lenientText } : { docs, parsed: text };
}

/** The first line of a parser error; the parser's stack overflow on deep nesting, said plainly. */
export function parseProblem(message: string): string {
  const first = message.split("\n")[0] ?? "";
  if (!first.startsWith("Maximum call stack size exceeded")) return first;
  return "nested too deeply for the YAML parser (its stack ran out)";
}

/** Names the repeated key, as go-yaml does (`mapping key "env" already defined`). */
function duplicateKeyProblem(text: string, offset: number): string {
  const key = /^\s*(?:"([^"]*)"|'([^']*)'|([^:\n]*?))\s*:/.exec(text.slice(offset, offset + 1024));
  const name = key ? (key[1] ?? key[2] ?? key[3]) : undefined;
  return name === undefined ? "a mapping key is repeated" : `mapping key ${JSON.stringify(name)} already defined`;
}

/** 1-based line of a character offset (errors name lines, not offsets). */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function expandList(root: YAMLMap, file: string, out: Resource[]): void {
  const kind = scalarText(getIn(root, "kind")) ?? "";
  const items = getIn(root, "items");
  if (kind.endsWith("List") && isSeq(items)) {
    for (const item of items.items) {
      if (!isMap(item)) throw new KustomizeError(`items of ${kind} must be mappings`, { file });
      expandList(item, file, out);
    }
    return;
  }
  out.push(new Resource(root, file));
}
