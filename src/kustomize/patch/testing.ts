import { isMap, isScalar, isSeq, parseAllDocuments, parseDocument, stringify, type Node as YamlNode } from "yaml";

/**
 * Test support for the patch and transformer goldens: parses inline YAML the way the renderer
 * does (failsafe schema, so scalars stay text) and prints nodes in kustomize's output form (keys
 * sorted, plain scalars typed as YAML 1.2 core would read them), so a golden can hold the literal
 * text `kubectl kustomize` printed without depending on the serialiser being built in parallel.
 */
export function parseNode(text: string): YamlNode {
  const doc = parseDocument(text, { schema: "failsafe" });
  if (doc.errors.length > 0) throw new Error(doc.errors[0]!.message);
  return doc.contents as YamlNode;
}

/** Parses every document of a multi-document stream. */
export function parseNodes(text: string): YamlNode[] {
  return parseAllDocuments(text, { schema: "failsafe" }).map((d) => {
    if ("errors" in d && d.errors.length > 0) throw new Error(d.errors[0]!.message);
    return d.contents as YamlNode;
  });
}

function plainValue(text: string): unknown {
  if (/^(~|null|Null|NULL|)$/.test(text)) return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  return text;
}

function toPlain(node: unknown): unknown {
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const p of node.items) out[String(toPlain(p.key))] = toPlain(p.value);
    return out;
  }
  if (isSeq(node)) return node.items.map(toPlain);
  if (isScalar(node)) {
    if (typeof node.value !== "string") return node.value;
    return node.type === "PLAIN" ? plainValue(node.value) : node.value;
  }
  return null;
}

/** Prints nodes as one stream, keys sorted, documents separated by `---`. */
export function render(nodes: readonly YamlNode[]): string {
  return nodes.map((n) => stringify(toPlain(n), { sortMapEntries: true })).join("---\n");
}

/** Normalises kubectl's text through the same printer, so goldens compare as text. */
export function normalize(text: string): string {
  const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown);
  return docs
    .filter((d) => d !== null)
    .map((d) => stringify(d, { sortMapEntries: true }))
    .join("---\n");
}
