/**
 * YAML alias expansion with the budget kustomize's parser applies (issue 14).
 *
 * kustomize reads YAML through go-yaml v3, whose decoder counts every node it decodes and the
 * share of those reached through an alias; once more than 100 aliased decodes make up more than
 * the allowed ratio of more than 1000 decodes, it fails with "document contains excessive
 * aliasing". The ratio is 99 % up to 400,000 decodes, 10 % from 4,000,000, linear in between, so
 * a small document may expand a lot, a large one little, and nothing expands without bound (a
 * 400-byte "billion laughs" is refused after a few hundred thousand nodes instead of growing to
 * gigabytes). An alias inside the node it names is refused as go-yaml refuses it.
 *
 * The budget is counted before anything is copied, walking the aliases without materialising
 * them, so a refused document costs no memory beyond its parse.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, Pair, visit } from "yaml";
import type { Alias, Document, Node as YamlNode } from "yaml";
import { KustomizeError } from "./errors.js";
import { scalarText } from "./resource.js";

/** go-yaml's `alias_ratio_range_low`: up to this many decodes, 99 % may come from aliases. */
const RATIO_RANGE_LOW = 400_000;
/** go-yaml's `alias_ratio_range_high`: from this many decodes, only 10 % may. */
const RATIO_RANGE_HIGH = 4_000_000;

/** The share of decodes allowed to come from alias expansion after `decodes` decodes (go-yaml's rule). */
export function allowedAliasRatio(decodes: number): number {
  if (decodes <= RATIO_RANGE_LOW) return 0.99;
  if (decodes >= RATIO_RANGE_HIGH) return 0.1;
  return 0.99 - (0.89 * (decodes - RATIO_RANGE_LOW)) / (RATIO_RANGE_HIGH - RATIO_RANGE_LOW);
}

/** Whether go-yaml would stop decoding at this count ("document contains excessive aliasing"). */
export function excessiveAliasing(decodes: number, aliased: number): boolean {
  return aliased > 100 && decodes > 1000 && aliased / decodes > allowedAliasRatio(decodes);
}

/** Each alias of the document and the node it names (the last anchor of that name before it). */
function aliasTargets(doc: Document): Map<Alias, YamlNode | undefined> {
  const anchors = new Map<string, YamlNode>();
  const targets = new Map<Alias, YamlNode | undefined>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
      else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  return targets;
}

/** One step of the budget walk: a node, whether it is reached through an alias, or leaving an alias. */
type Step = { node: unknown; aliased: boolean } | { leave: Alias };

/** Children of a node in decode order (keys and values of a map, items of a sequence). */
function childrenOf(node: unknown): unknown[] {
  if (isMap(node)) return node.items.flatMap((p) => [p.key, p.value]);
  if (isSeq(node)) return node.items;
  return [];
}

/**
 * Walks the document as go-yaml decodes it, following aliases, and throws when its budget runs
 * out or an alias is inside its own anchor. Iterative, so deep documents cannot overflow the stack.
 */
function checkBudget(root: unknown, targets: Map<Alias, YamlNode | undefined>, file: string): void {
  let decodes = 0;
  let aliased = 0;
  const open = new Set<Alias>();
  const stack: Step[] = [{ node: root, aliased: false }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    if ("leave" in step) {
      open.delete(step.leave);
      continue;
    }
    decodes++;
    if (step.aliased) aliased++;
    if (excessiveAliasing(decodes, aliased)) {
      throw new KustomizeError(
        `document contains excessive aliasing: its aliases expand past ${decodes.toLocaleString("en-US")} nodes, ` +
          `${aliased.toLocaleString("en-US")} of them copies (kustomize's YAML parser refuses the same)`,
        { file },
      );
    }
    if (isAlias(step.node)) {
      if (open.has(step.node)) {
        throw new KustomizeError(`anchor '${step.node.source}' value contains itself`, { file });
      }
      open.add(step.node);
      stack.push({ leave: step.node }, { node: targets.get(step.node), aliased: true });
      continue;
    }
    const children = childrenOf(step.node);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], aliased: step.aliased });
  }
}

/** A fresh copy of `node` with every alias below it replaced by a copy of its target. */
function expandedCopy(node: unknown, targets: Map<Alias, YamlNode | undefined>): unknown {
  if (isAlias(node)) {
    const target = targets.get(node);
    return target === undefined ? null : expandedCopy(target, targets);
  }
  if (isScalar(node)) return node.clone();
  if (!isCollection(node)) return node;
  const proto = Object.getPrototypeOf(node) as object;
  const copy = Object.create(proto, Object.getOwnPropertyDescriptors(node)) as typeof node;
  if (node.range) copy.range = [...node.range];
  copy.items = node.items.map((item: unknown) =>
    isPair(item)
      ? new Pair(expandedCopy(item.key, targets), expandedCopy(item.value, targets))
      : expandedCopy(item, targets),
  );
  return copy;
}

/** Replaces, in place, the aliases below `node` by copies and expands `<<` merge keys (kyaml's DeAnchor). */
function replaceAliases(node: unknown, targets: Map<Alias, YamlNode | undefined>): void {
  if (isMap(node)) {
    const merged: Pair[] = [];
    for (const pair of [...node.items]) {
      if (isAlias(pair.value)) pair.value = expandedCopy(pair.value, targets);
      else replaceAliases(pair.value, targets);
      if (isScalar(pair.key) && pair.key.value === "<<" && isMap(pair.value)) {
        const own = new Set(node.items.map((q) => scalarText(q.key)));
        merged.push(...pair.value.items.filter((p) => !own.has(scalarText(p.key))));
        node.items.splice(node.items.indexOf(pair), 1);
      }
    }
    node.items.push(...merged);
  } else if (isSeq(node)) {
    node.items = node.items.map((item) => (isAlias(item) ? expandedCopy(item, targets) : item));
    for (const item of node.items) replaceAliases(item, targets);
  }
}

/**
 * Expands the aliases of `doc`'s contents in place, within go-yaml's budget. Throws a
 * {@link KustomizeError} naming `file` when the document aliases excessively or recursively.
 */
export function expandAliases(doc: Document, file: string): void {
  const targets = aliasTargets(doc);
  if (targets.size === 0) return;
  checkBudget(doc.contents, targets, file);
  replaceAliases(doc.contents, targets);
}
