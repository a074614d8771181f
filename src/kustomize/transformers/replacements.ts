import { isMap, isScalar, isSeq, parseAllDocuments, Scalar, type Node as YamlNode } from "yaml";
import { zeroNullsOf } from "../kustomization-types.js";
import { isMissingOrNull } from "../patch/nodes.js";
import { parseLabelSelector, type LabelSelector } from "../patch/label-selector.js";
import { effectiveNamespace, type ClusterScopeTest, type TargetSelector } from "../patch/select.js";
import type { ResId, Resource } from "../resource.js";
import { splitFieldPath } from "./field-path.js";
import { foldKeys, REPLACEMENT_SHAPE } from "./fold-keys.js";
import { isCreatedLeaf, lookupPath, matchPath } from "./path-match.js";
import { isTagless, markTagless, plainTag, scalarTag } from "./scalar-tag.js";
import { GO_YAML_V2 } from "../yaml11.js";

/**
 * A replacement selector: the fields of a patch target, but the resource id fields are exact
 * values, empty = any (not regexes).
 */
export type ReplacementSelector = TargetSelector;

/** `options` of a replacement source or target. */
export interface FieldOptions {
  readonly delimiter?: string;
  readonly index?: number;
  readonly create?: boolean;
}

/** Where a replacement reads its value. */
export interface ReplacementSource extends ReplacementSelector {
  readonly fieldPath?: string;
  readonly options?: FieldOptions;
}

/** Where a replacement writes its value. */
export interface ReplacementTarget {
  readonly select?: ReplacementSelector;
  readonly reject?: readonly ReplacementSelector[];
  readonly fieldPaths?: readonly string[];
  readonly options?: FieldOptions;
}

/** One `replacements:` entry, after any `path:` file has been read (see loadReplacements). */
export interface Replacement {
  readonly source?: ReplacementSource;
  readonly targets?: readonly ReplacementTarget[];
}

/**
 * kustomize's replacements transformer: for each entry in order, read one value from the single
 * resource the source selects (by current or earlier id) and copy it into every field the targets
 * name. A scalar target keeps its YAML type (an int stays an int; a string stays a string) and
 * fails, as in kustomize, when the value cannot have that type; other targets are replaced by a
 * copy of the value. `options.delimiter/index` pick or replace one part of a delimited string;
 * `options.create` creates missing target fields. Errors name the replacement and the field.
 */
export function applyReplacements(
  resources: readonly Resource[],
  replacements: readonly Replacement[],
  isClusterScoped: ClusterScopeTest,
): void {
  for (const raw of replacements) {
    const r = foldKeys<Replacement>(raw, REPLACEMENT_SHAPE);
    if (r.source === undefined || r.targets === undefined) {
      throw new Error("replacements must specify a source and at least one target");
    }
    const value = sourceValue(resources, r.source, isClusterScoped);
    for (const target of r.targets) applyTarget(resources, value, target, isClusterScoped);
  }
}

function idsOf(res: Resource): ResId[] {
  return [res.id(), ...res.previousIds];
}

/** kyaml's Gvk.IsSelected: every field the selector sets must be equal. */
function gvkSelectedBy(id: ResId, sel: ReplacementSelector): boolean {
  return (
    (!sel.group || sel.group === id.gvk.group) &&
    (!sel.version || sel.version === id.gvk.version) &&
    (!sel.kind || sel.kind === id.gvk.kind)
  );
}

function selectedBy(id: ResId, sel: ReplacementSelector, scope: ClusterScopeTest): boolean {
  if ((sel.name && sel.name !== id.name) || !gvkSelectedBy(id, sel)) return false;
  if (!sel.namespace) return true;
  const selId: ResId = {
    gvk: { group: sel.group ?? "", version: sel.version ?? "", kind: sel.kind ?? "" },
    name: sel.name ?? "",
    namespace: sel.namespace,
  };
  return effectiveNamespace(selId, scope) === effectiveNamespace(id, scope);
}

function selectorText(sel: ReplacementSelector): string {
  const id = `${sel.kind || "[noKind]"}.${sel.version || "[noVer]"}.${sel.group || "[noGrp]"}/${sel.name || "[noName]"}.${sel.namespace || "[noNs]"}`;
  return id;
}

function sourceValue(resources: readonly Resource[], source: ReplacementSource, scope: ClusterScopeTest): YamlNode {
  const matches = resources.filter((r) => idsOf(r).some((id) => selectedBy(id, source, scope)));
  if (matches.length > 1) throw new Error(`multiple matches for selector ${selectorText(source)}`);
  if (matches.length === 0) throw new Error(`nothing selected by ${selectorText(source)}`);
  const fieldPath = source.fieldPath || "metadata.name";
  let node: YamlNode | undefined;
  try {
    node = lookupPath(matches[0]!.node, splitFieldPath(fieldPath));
  } catch (err) {
    throw new Error(`error looking up replacement source: ${(err as Error).message}`, { cause: err });
  }
  if (node === undefined || isMissingOrNull(node) || ((isMap(node) || isSeq(node)) && node.items.length === 0)) {
    throw new Error(`fieldPath \`${fieldPath}\` is missing for replacement source ${selectorText(source)}`);
  }
  return refineSource(node, source.options);
}

function refineSource(node: YamlNode, options: FieldOptions | undefined): YamlNode {
  if (!options?.delimiter) return node;
  if (!isScalar(node)) throw new Error("delimiter option can only be used with scalar nodes");
  const text = String(node.value);
  const parts = text.split(options.delimiter);
  const index = options.index ?? 0;
  if (index >= parts.length || index < 0) throw new Error(`options.index ${index} is out of bounds for value ${text}`);
  return withText(node, parts[index]!);
}

/** Parsed selectors, so a selector string is parsed once per build rather than once per resource. */
const selectorCache = new Map<string, LabelSelector>();

function cachedSelector(text: string): LabelSelector {
  let sel = selectorCache.get(text);
  if (sel === undefined) {
    sel = parseLabelSelector(text);
    selectorCache.set(text, sel);
  }
  return sel;
}

function labelMatch(res: Resource, sel: ReplacementSelector | undefined): boolean {
  if (sel === undefined) return true;
  if (sel.labelSelector && !cachedSelector(sel.labelSelector).matches(res.labels())) return false;
  return !sel.annotationSelector || cachedSelector(sel.annotationSelector).matches(res.annotations());
}

function hasIdFields(sel: ReplacementSelector): boolean {
  return Boolean(sel.group || sel.version || sel.kind || sel.name || sel.namespace);
}

function isTargeted(res: Resource, target: ReplacementTarget, scope: ClusterScopeTest): boolean {
  const select = target.select!;
  if (!labelMatch(res, select)) return false;
  const rejects = target.reject ?? [];
  for (const reject of rejects) {
    if ((reject.labelSelector || reject.annotationSelector) && labelMatch(res, reject)) return false;
  }
  const ids = idsOf(res);
  if (!ids.some((id) => selectedBy(id, select, scope))) return false;
  return !rejects.some((reject) => hasIdFields(reject) && ids.some((id) => selectedBy(id, reject, scope)));
}

function applyTarget(resources: readonly Resource[], value: YamlNode, target: ReplacementTarget, scope: ClusterScopeTest): void {
  if (target.select === undefined) throw new Error("target must specify resources to select");
  const fieldPaths = target.fieldPaths?.length ? target.fieldPaths : ["metadata.name"];
  for (const res of resources) {
    if (!isTargeted(res, target, scope)) continue;
    for (const fp of fieldPaths) copyToField(res, fp, value, target.options);
    // kustomize re-reads every resource after the filter and refuses one left without a name.
    if (res.name() === "" || !isScalar(res.metadata()?.get("name", true))) {
      throw new Error(`missing metadata.name in object ${res.apiVersion()} ${res.kind()} after replacement`);
    }
  }
}

function copyToField(res: Resource, fieldPath: string, value: YamlNode, options: FieldOptions | undefined): void {
  const create = options?.create === true;
  const what = create ? `unable to find or create field "${fieldPath}" in replacement target` : `unable to find field "${fieldPath}" in replacement target`;
  let slots;
  try {
    const kind = !create ? undefined : isMap(value) ? "map" : isSeq(value) ? "seq" : "scalar";
    slots = matchPath(res.node, splitFieldPath(fieldPath), kind);
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`, { cause: err });
  }
  if (slots.length === 0) throw new Error(what);
  for (const slot of slots) slot.set(newFieldValue(slot.get(), value, options));
}

/** Puts `value` into one part of a delimited string: before it (index < 0), after it, or in place. */
function spliceDelimited(current: YamlNode, value: string, delimiter: string, index: number): string {
  if (!isScalar(current)) throw new Error("delimiter option can only be used with scalar nodes");
  const parts = String(current.value).split(delimiter);
  if (index < 0) parts.unshift(value);
  else if (index >= parts.length) parts.push(value);
  else parts[index] = value;
  return parts.join(delimiter);
}

function newFieldValue(current: YamlNode, value: YamlNode, options: FieldOptions | undefined): YamlNode {
  let text: string | undefined = isScalar(value) ? String(value.value) : undefined;
  if (options?.delimiter) text = spliceDelimited(current, text ?? "", options.delimiter, options.index ?? 0);
  if (isScalar(current) && (isCreatedLeaf(current) || isTagless(current))) return markTagless(plainScalar(text ?? ""));
  if (isScalar(current)) return withText(current, text ?? "");
  return value.clone() as YamlNode;
}

function plainScalar(text: string): Scalar {
  const out = new Scalar(text);
  out.type = "PLAIN";
  return out;
}

/**
 * A copy of `node` holding `text` but keeping the node's YAML type, as kyaml does when it assigns
 * a scalar's Value and keeps its Tag: strings stay strings (quoted when the text would read as
 * something else); other types must still parse, or kustomize's decoder fails, and so do we.
 */
export function withText(node: Scalar, text: string): Scalar {
  const cls = scalarTag(node);
  const out = new Scalar(text);
  if (cls === "str") {
    if (node.type === "PLAIN" && plainTag(text) !== "str") out.type = "QUOTE_DOUBLE";
    else if (node.type !== undefined) out.type = node.type;
    return out;
  }
  const got = plainTag(text);
  if (got !== cls && !(cls === "float" && got === "int")) {
    throw new Error(`yaml: cannot decode !!${got} \`${text}\` as a !!${cls}`);
  }
  out.type = "PLAIN";
  return out;
}

/**
 * Expands `replacements:` entries that name a file (`path:`) into the replacements it holds (one
 * object or a list), as kustomize does. `readFile` is the build's root-restricted loader.
 */
export function loadReplacements(
  entries: readonly (Replacement & { path?: string })[],
  readFile: (path: string) => string,
): Replacement[] {
  const out: Replacement[] = [];
  for (const raw of entries) {
    const entry = foldKeys<Replacement & { path?: string }>(raw, REPLACEMENT_SHAPE);
    if (entry.path === undefined || entry.path === "") {
      out.push(entry);
      continue;
    }
    if (entry.source !== undefined || (entry.targets?.length ?? 0) > 0) {
      throw new Error("cannot specify both path and inline replacement");
    }
    const content = readReplacementFile(readFile(entry.path), entry.path);
    const fold = (r: unknown): Replacement => foldKeys<Replacement>(r, REPLACEMENT_SHAPE);
    if (Array.isArray(content)) out.push(...content.map(fold));
    else if (typeof content === "object" && content !== null) out.push(fold(content));
    else throw new Error(`unsupported replacement type encountered within replacement path: ${goKind(content)}`);
  }
  return out;
}

/**
 * A replacements file as kustomize reads it (sigs.k8s.io/yaml into Go types): only its first
 * document counts, YAML 1.1 scalars, nulls are zero values (issue 18).
 */
function readReplacementFile(text: string, file: string): unknown {
  const first = parseAllDocuments(text, { ...GO_YAML_V2, prettyErrors: false })[0];
  if (first === undefined) return null;
  const err = first.errors[0];
  if (err) throw new Error(`invalid YAML in replacements file ${file}: ${err.message.split("\n")[0]}`);
  return zeroNullsOf(first.toJS({ maxAliasCount: 100 }));
}

/** reflect.Kind's name of a decoded value, for kustomize's message. */
function goKind(v: unknown): string {
  if (v === null || v === undefined) return "invalid";
  if (typeof v === "number") return "float64";
  return typeof v === "boolean" ? "bool" : "string";
}
