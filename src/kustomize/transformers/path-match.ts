import { isMap, isScalar, isSeq, Scalar, YAMLMap, YAMLSeq, type Node as YamlNode } from "yaml";
import { fieldOf, putField, textOf } from "../patch/nodes.js";
import { isIndexNumber, isListIndex, splitIndexNameValue } from "./field-path.js";

/** Where a matched field lives, so a caller can replace the node itself. */
export interface FieldSlot {
  get(): YamlNode;
  set(node: YamlNode): void;
}

/** The node kind to create for a missing field: taken from the next path part, or `leaf` at the end. */
type CreateKind = "map" | "seq" | "scalar" | undefined;

function kindFor(next: string | undefined, leaf: CreateKind): CreateKind {
  if (next === undefined) return leaf;
  return isListIndex(next) || isIndexNumber(next) ? "seq" : "map";
}

/** Scalars created for a missing leaf: untyped until a value is written (kyaml leaves their tag empty). */
const createdLeaves = new WeakSet<YamlNode>();

/** Whether a scalar was created by matchPath and has no YAML type of its own yet. */
export function isCreatedLeaf(node: YamlNode): boolean {
  return createdLeaves.has(node);
}

function freshNode(kind: CreateKind): YamlNode {
  if (kind === "seq") return new YAMLSeq();
  if (kind === "map") return new YAMLMap();
  const s = new Scalar("");
  s.type = "PLAIN";
  createdLeaves.add(s);
  return s;
}

/**
 * Reads one field by path as kyaml's PathGetter (`yaml.Lookup`) does: fields, list indexes, "-"
 * for the last element and `[field=value]` for the first element whose field equals the value.
 * Returns undefined when anything on the way is missing. It exists for replacement sources.
 */
export function lookupPath(node: YamlNode, parts: readonly string[]): YamlNode | undefined {
  let cur: YamlNode | undefined = node;
  for (const part of parts) {
    if (cur === undefined) return undefined;
    if (part === "*") throw new Error("wildcard is not supported in PathGetter");
    if (/^-[0-9]+$/.test(part)) throw new Error(`array index ${part} cannot be negative`);
    if (isIndexNumber(part) || part === "-") {
      if (!isSeq(cur)) throw new Error(`wrong node kind: expected SequenceNode at ${part}`);
      const items = cur.items as YamlNode[];
      cur = part === "-" ? items[items.length - 1] : items[Number(part)];
    } else if (isListIndex(part)) {
      const { field, value } = splitIndexNameValue(part);
      if (!isSeq(cur)) return undefined;
      cur = (cur.items as YamlNode[]).find((e) => (field === "" ? textOf(e) === value : isMap(e) && textOf(fieldOf(e, field)) === value));
    } else {
      if (!isMap(cur)) return undefined;
      cur = fieldOf(cur, part);
    }
  }
  return cur;
}

/**
 * Finds every field a target path names, as kyaml's PathMatcher does for replacement targets:
 * `*` visits every element, `[field=regex]` every element whose field matches the (unanchored)
 * regular expression, numbers index a list. With `create`, missing fields, the element after the
 * last one and an element `{field: value}` are created; `create` names the kind of the leaf.
 */
export function matchPath(node: YamlNode, parts: readonly string[], create: CreateKind): FieldSlot[] {
  const ctx: MatchContext = { create, out: [] };
  visit(node, parts, ctx, undefined);
  return ctx.out;
}

interface MatchContext {
  readonly create: CreateKind;
  readonly out: FieldSlot[];
}

function visit(node: YamlNode, parts: readonly string[], ctx: MatchContext, slot?: FieldSlot): void {
  const { create, out } = ctx;
  const [part, ...rest] = parts;
  if (part === undefined) {
    if (slot !== undefined) out.push(slot);
    return;
  }
  if (isIndexNumber(part)) return visitIndex(node, Number(part), rest, ctx);
  if (isListIndex(part)) return visitMatching(node, part, rest, ctx);
  if (part === "*") {
    if (!isSeq(node)) throw new Error(`wrong node kind: expected SequenceNode but got ${kindName(node)}`);
    node.items.forEach((_, i) => visit(node.items[i] as YamlNode, rest, ctx, seqSlot(node, i)));
    return;
  }
  if (!isMap(node)) throw new Error(`wrong node kind: expected MappingNode but got ${kindName(node)}`);
  let value = fieldOf(node, part);
  if (value === undefined) {
    if (create === undefined) return;
    value = freshNode(kindFor(rest[0], create));
    putField(node, part, value);
  }
  visit(value, rest, ctx, mapSlot(node, part));
}

function visitIndex(node: YamlNode, idx: number, rest: readonly string[], ctx: MatchContext): void {
  const { create } = ctx;
  if (!isSeq(node)) throw new Error(`wrong node kind: expected SequenceNode but got ${kindName(node)}`);
  if (node.items.length === idx && create !== undefined) node.items.push(freshNode(kindFor(rest[0], create)));
  if (node.items.length < idx + 1) throw new Error(`index ${idx} specified but only ${node.items.length} elements found`);
  visit(node.items[idx] as YamlNode, rest, ctx, seqSlot(node, idx));
}

function visitMatching(node: YamlNode, part: string, rest: readonly string[], ctx: MatchContext): void {
  const { create, out } = ctx;
  const { field, value } = splitIndexNameValue(part);
  if (!isSeq(node)) throw new Error(`wrong node kind: expected SequenceNode but got ${kindName(node)}`);
  const re = new RegExp(value);
  const before = out.length;
  let matched = false;
  node.items.forEach((item, i) => {
    const text = field === "" ? textOf(item) : isMap(item) ? textOf(fieldOf(item, field)) : undefined;
    if (text === undefined || !re.test(text)) return;
    matched = true;
    visit(item as YamlNode, rest, ctx, seqSlot(node, i));
  });
  if (matched || create === undefined || out.length !== before) return;
  // kyaml creates the matching value untagged: it reads back as whatever its text resolves to.
  const scalar = new Scalar(value);
  scalar.type = "PLAIN";
  createdLeaves.add(scalar);
  const elem = field === "" ? scalar : new YAMLMap();
  if (isMap(elem)) putField(elem, field, scalar);
  node.items.push(elem);
  visitMatching(node, part, rest, ctx);
}

function mapSlot(map: YAMLMap, key: string): FieldSlot {
  return { get: () => fieldOf(map, key)!, set: (n) => putField(map, key, n) };
}

function seqSlot(seq: YAMLSeq, i: number): FieldSlot {
  return { get: () => seq.items[i] as YamlNode, set: (n) => (seq.items[i] = n) };
}

function kindName(node: unknown): string {
  if (isMap(node)) return "MappingNode";
  if (isSeq(node)) return "SequenceNode";
  return isScalar(node) ? "ScalarNode" : "missing";
}
