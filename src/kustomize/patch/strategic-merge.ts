import { isMap, isSeq, type Node as YamlNode, type YAMLMap } from "yaml";
import type { PatchSchema, SchemaNode } from "../openapi/schema.js";
import { mergeAssociativeList } from "./associative-list.js";
import { takeDirective } from "./directives.js";
import {
  fieldOf,
  isMissingOrNull,
  isNullScalar,
  keysOf,
  kindName,
  putField,
  removeField,
  textOf,
} from "./nodes.js";

/**
 * Applies a strategic merge patch to one resource the way kustomize v5.5 does (kyaml merge2 with
 * the "prepend" list option), and returns the patched resource, or null when the patch deletes it
 * (`$patch: delete` at the top). The target is modified in place; the patch is copied first, so one
 * patch can be applied to many targets. Semantics worth knowing, all kustomize's:
 * - maps merge key by key; `key: null` in the patch removes the key; `$patch: replace|delete` on a
 *   map replaces or removes it;
 * - lists merge by key only when the schema of the target's kind gives them a "merge" strategy;
 *   any other list (and every list of an unknown kind) is replaced by the patch's list;
 * - in merged lists the patch's elements come first; `$patch: delete` on an element removes it, and
 *   a list element `{$patch: replace}` replaces the whole list;
 * - `$setElementOrder/...`, `$retainKeys` and `$deleteFromPrimitiveList/...` are not directives to
 *   kyaml: they are copied into the output like any other key;
 * - empty values (`key:`) in the target disappear; explicit `null`s in the target survive.
 */
export function applyStrategicMergePatch(target: YAMLMap, patch: YAMLMap, schema: PatchSchema): YAMLMap | null {
  const walker = new SmpWalker(schema);
  const result = walker.walk(target, patch.clone() as YAMLMap, undefined);
  return isMap(result) ? result : null;
}

class SmpWalker {
  /** Null scalars of the target that must survive (kyaml's "persistent null"). */
  private readonly keptNulls = new WeakSet<YamlNode>();

  constructor(private readonly schema: PatchSchema) {}

  walk(dest: YamlNode | undefined, origin: YamlNode | undefined, s: SchemaNode | undefined): YamlNode | undefined {
    const first = [dest, origin].find((n) => !isMissingOrNull(n));
    if (first === undefined) return this.walkMap(dest, origin, s);
    const want = kindName(first);
    for (const n of [dest, origin]) {
      if (!isMissingOrNull(n) && kindName(n) !== want) {
        throw new Error(`wrong node kind: expected ${want} but got ${kindName(n)}: node contents:\n${String(n)}`);
      }
    }
    if (isMap(first)) return this.walkMap(dest, origin, s ?? this.schemaFromType(dest) ?? this.schemaFromType(origin));
    if (isSeq(first)) return this.walkList(dest, origin, s);
    return origin !== undefined ? origin : dest;
  }

  /** kyaml looks a schema up by apiVersion and kind for any map it has none for (dest first). */
  private schemaFromType(node: YamlNode | undefined): SchemaNode | undefined {
    if (!isMap(node)) return undefined;
    const apiVersion = textOf(fieldOf(node, "apiVersion"));
    const kind = textOf(fieldOf(node, "kind"));
    if (apiVersion === undefined || kind === undefined || apiVersion === "" || kind === "") return undefined;
    return this.schema.forType(apiVersion, kind);
  }

  private visitMap(dest: YamlNode | undefined, origin: YamlNode | undefined): YamlNode | undefined {
    if (isMissingOrNull(dest)) {
      const directive = isMap(origin) ? takeDirective(origin) : "merge";
      if (directive === "delete") return undefined;
      if (origin === undefined && dest !== undefined && (textOf(dest) ?? "") !== "") {
        this.keptNulls.add(dest);
        return dest;
      }
      return origin;
    }
    if (isNullScalar(origin)) return undefined;
    const directive = takeDirective(origin);
    if (directive === "delete") return undefined;
    return directive === "replace" ? origin : dest;
  }

  private walkMap(dest: YamlNode | undefined, origin: YamlNode | undefined, s: SchemaNode | undefined): YamlNode | undefined {
    const result = this.visitMap(dest, origin);
    if (!isMap(result)) return result;
    const patch = isMap(origin) ? origin : undefined;
    const names = new Set(keysOf(result));
    if (patch !== undefined) for (const k of keysOf(patch)) names.add(k);
    for (const key of [...names].sort(byCodeUnit)) {
      const value = this.walk(fieldOf(result, key), patch && fieldOf(patch, key), this.schema.field(s, key));
      if (value === undefined || (isNullScalar(value) && !this.keptNulls.has(value))) removeField(result, key);
      else putField(result, key, value);
    }
    return result;
  }

  private walkList(dest: YamlNode | undefined, origin: YamlNode | undefined, s: SchemaNode | undefined): YamlNode | undefined {
    const keys = this.schema.mergeKeys(s);
    if (keys === undefined) return origin !== undefined ? origin : dest;
    let result: YamlNode | undefined;
    if (isMissingOrNull(dest)) result = origin;
    else if (isNullScalar(origin)) return undefined;
    else {
      const directive = takeDirective(origin);
      if (directive === "delete") return undefined;
      result = directive === "replace" ? origin : dest;
    }
    if (!isSeq(result)) return result;
    const elements = this.schema.elements(s);
    return mergeAssociativeList(result, origin, keys, (d, o) => this.walk(d, o, elements));
  }
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
